// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Fixture} from "./Fixture.t.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IStakeRegistry} from "../interfaces/IStakeRegistry.sol";
import {ReentrantToken, HookToken, ReentrantReceiver} from "./MaliciousTokens.sol";

/// @notice A token that calls back into the market while paying out.
contract ReentrantTokenTest is Fixture {
    ReentrantToken internal rt;

    function setUp() public override {
        rt = new ReentrantToken();
        _deploy(IERC20(address(rt)));
    }

    function _mint(address to, uint256 amount) internal override {
        rt.mint(to, amount);
    }

    function test_ReentrantWithdrawIsBlocked() public {
        // the token contract itself owns a market balance and tries a double withdrawal
        rt.mint(address(this), 10 ether);
        rt.approve(address(market), 10 ether);
        market.deposit(address(rt), 10 ether);
        rt.arm(address(market), abi.encodeCall(IJobMarket.withdraw, (10 ether)));
        rt.exec(address(market), abi.encodeCall(IJobMarket.withdraw, (10 ether)));
        assertEq(rt.attempts(), 1);
        assertEq(rt.successes(), 0);
        assertEq(bytes4(rt.lastRevert()), ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        assertEq(rt.balanceOf(address(rt)), 10 ether, "paid once");
        assertEq(market.balanceOf(address(rt)), 0);
        assertEq(rt.balanceOf(address(market)), 0);
    }

    function test_ReentrantDepositCannotDoubleCredit() public {
        rt.mint(address(this), 20 ether);
        rt.approve(address(market), 20 ether);
        rt.arm(address(market), abi.encodeCall(IJobMarket.deposit, (address(rt), 10 ether)));
        market.deposit(address(this), 10 ether);
        assertEq(rt.successes(), 0);
        assertEq(bytes4(rt.lastRevert()), ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        assertEq(rt.balanceOf(address(market)), market.balanceOf(address(this)) + market.balanceOf(address(rt)));
    }

    function test_ReentrantStakeWithdrawIsBlocked() public {
        // the token contract is also a node operator
        bytes32[] memory ids = new bytes32[](0);
        rt.exec(address(stake), abi.encodeCall(IStakeRegistry.registerNode, ("http://x", C1, 1, ids, address(rt))));
        rt.mint(address(rt), 50 ether);
        rt.exec(address(rt), abi.encodeCall(IERC20.approve, (address(stake), 50 ether)));
        rt.exec(address(stake), abi.encodeCall(IStakeRegistry.stake, (50 ether)));
        rt.exec(address(stake), abi.encodeCall(IStakeRegistry.requestUnbonding, (50 ether)));
        vm.warp(block.timestamp + UNBONDING);
        rt.arm(address(stake), abi.encodeCall(IStakeRegistry.withdraw, ()));
        rt.exec(address(stake), abi.encodeCall(IStakeRegistry.withdraw, ()));
        assertEq(rt.successes(), 0);
        assertEq(bytes4(rt.lastRevert()), ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        assertEq(rt.balanceOf(address(rt)), 50 ether);
        assertEq(rt.balanceOf(address(stake)), stake.totalStaked() + stake.treasury());
    }
}

/// @notice An ERC777-like token whose receiver hook re-enters; receivers that refuse payment.
contract ReentrantReceiverTest is Fixture {
    HookToken internal ht;
    ReentrantReceiver internal rcv;

    function setUp() public override {
        ht = new HookToken();
        _deploy(IERC20(address(ht)));
        rcv = new ReentrantReceiver();
        rcv.exec(address(ht), abi.encodeCall(HookToken.registerHook, ()));
        ht.mint(address(rcv), 100 ether);
        rcv.exec(address(ht), abi.encodeCall(IERC20.approve, (address(market), 100 ether)));
        rcv.exec(address(market), abi.encodeCall(IJobMarket.deposit, (address(rcv), 100 ether)));
    }

    function _mint(address to, uint256 amount) internal override {
        ht.mint(to, amount);
    }

    function test_ReceiverHookReentryIsBlocked() public {
        rcv.configure(address(market), abi.encodeCall(IJobMarket.withdraw, (5 ether)), false);
        rcv.exec(address(market), abi.encodeCall(IJobMarket.withdraw, (5 ether)));
        assertEq(rcv.reentries(), 1);
        assertEq(rcv.reentrySuccesses(), 0);
        assertEq(bytes4(rcv.lastRevert()), ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        assertEq(ht.balanceOf(address(rcv)), 5 ether);
        assertEq(market.balanceOf(address(rcv)), 95 ether);
        assertEq(ht.balanceOf(address(market)), 95 ether);
    }

    function test_RefusingReceiverCannotBlockSettlement() public {
        // The refusing contract is the dApp; its jobs still settle (no push payments).
        (address a, uint32 ia) = _node("a", C1, 200 ether);
        (address b, uint32 ib) = _node("b", C1, 200 ether);
        rcv.configure(address(0), "", true);
        IJobMarket.JobRequest memory req = _req(0);
        req.dApp = address(rcv);
        bytes memory ret = rcv.exec(address(market), abi.encodeCall(IJobMarket.createJob, (req)));
        uint256 jobId = abi.decode(ret, (uint256));
        vm.prank(coordinator);
        market.assign(jobId, _nodes(ia, ib));
        _prove(a, jobId, 0, req.inputCommitment, 1, 0);
        _prove(b, jobId, 1, 1, 2, 3);
        assertEq(market.resultOf(jobId), 3);
        vm.prank(a);
        market.withdraw(PRICE0); // others are paid
        assertEq(ht.balanceOf(a), PRICE0);
        vm.expectRevert(bytes("receiver refuses"));
        rcv.exec(address(market), abi.encodeCall(IJobMarket.withdraw, (1 ether))); // only it is stuck
    }
}
