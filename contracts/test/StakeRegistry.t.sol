// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Fixture} from "./Fixture.t.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IStakeRegistry} from "../interfaces/IStakeRegistry.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {StakeRegistry} from "../StakeRegistry.sol";
import {JobMarket} from "../JobMarket.sol";
import {FakeMarketWindow} from "./MaliciousTokens.sol";

contract StakeRegistryTest is Fixture {
    function test_RegisterJoinLeave_MaintainsMembers() public {
        IStakeRegistry.ClusterView memory c = stake.getCluster(C1);
        assertEq(c.members.length, 4); // op1, op2, op3, opPoor
        assertEq(c.minStake, MIN_STAKE);
        vm.prank(op1);
        stake.leaveCluster();
        c = stake.getCluster(C1);
        assertEq(c.members.length, 3);
        for (uint256 i; i < c.members.length; ++i) assertTrue(c.members[i] != n1);
        assertEq(stake.getNode(n1).clusterId, 0);
        vm.prank(op1);
        stake.joinCluster(C2);
        assertEq(stake.getCluster(C2).members.length, 2);
        vm.prank(op1);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_AlreadyInCluster.selector, n1, C2));
        stake.joinCluster(C1);
    }

    function test_RevertWhen_RegisteringTwice() public {
        bytes32[] memory ids = new bytes32[](0);
        vm.prank(op1);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_AlreadyRegistered.selector, op1, n1));
        stake.registerNode("x", C1, 1, ids, op1);
    }

    function test_StakeLockedWhileAssigned() public {
        (uint256 jobId, uint256 inCommit) = _createAssigned(0, n1, n2);
        vm.startPrank(op1);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_StakeLocked.selector, n1, 1));
        stake.requestUnbonding(1 ether);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_StakeLocked.selector, n1, 1));
        stake.leaveCluster();
        vm.stopPrank();
        _prove(op1, jobId, 0, inCommit, 1, 0);
        vm.prank(op1);
        stake.requestUnbonding(1 ether); // unlocked once its stage is proven
        assertEq(stake.getNode(n1).openJobs, 0);
        assertEq(stake.getNode(n2).openJobs, 1);
    }

    /// Unbond-then-withdraw racing a slash: an assigned node cannot start unbonding; when the
    /// job expires the slash lands, and only then can the rest leave.
    function test_RevertWhen_WithdrawDuringUnbondingToDodgeSlash() public {
        (uint256 jobId,) = _createAssigned(0, n1, n2);
        vm.prank(op1);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_StakeLocked.selector, n1, 1));
        stake.requestUnbonding(200 ether);
        vm.prank(op1);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_NothingUnbonding.selector, n1));
        stake.withdraw();
        vm.warp(block.timestamp + 1 hours + 1);
        market.expire(jobId);
        assertEq(stake.getNode(n1).stake, 200 ether - SLASH);
        vm.startPrank(op1);
        stake.requestUnbonding(200 ether - SLASH);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStakeRegistry.StakeRegistry_UnbondingNotFinished.selector, n1, uint40(block.timestamp + UNBONDING)
            )
        );
        stake.withdraw();
        vm.warp(block.timestamp + UNBONDING);
        stake.withdraw();
        vm.stopPrank();
        assertEq(token.balanceOf(op1), 200 ether - SLASH);
    }

    function test_UnbondingStakeStaysSlashable() public {
        vm.prank(op3);
        stake.requestUnbonding(150 ether); // stake 50, unbonding 150
        vm.warp(block.timestamp + UNBONDING - 1);
        vm.prank(address(market));
        uint256 slashed = stake.slash(n3, 100 ether);
        assertEq(slashed, 100 ether);
        IStakeRegistry.NodeView memory n = stake.getNode(n3);
        assertEq(n.stake, 0);
        assertEq(n.unbonding, 100 ether);
        vm.warp(block.timestamp + 1);
        vm.prank(op3);
        stake.withdraw();
        assertEq(token.balanceOf(op3), 100 ether);
        assertEq(stake.treasury(), 100 ether);
    }

    function test_RevertWhen_SlashNotFromJobMarket() public {
        vm.prank(op1);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_OnlyJobMarket.selector, op1));
        stake.slash(n2, 1);
    }

    function test_UnbondingMustOutlastDeadlineWindow() public {
        StakeRegistry sr = new StakeRegistry(IERC20(address(token)), 1 days, address(this));
        FakeMarketWindow fake = new FakeMarketWindow(1 days);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_UnbondingTooShort.selector, 1 days, 1 days));
        sr.setJobMarket(address(fake));
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_DeadlineWindowTooLong.selector, 1 days, 1 days));
        new JobMarket(
            JobMarket.Params({
                token: IERC20(address(token)),
                stakeRegistry: sr,
                modelRegistry: models,
                maxDeadlineWindow: 1 days,
                coordinatorFee: 0,
                slashAmount: 0,
                admin: address(this),
                coordinator: address(0),
                feeRecipient: feeTo
            })
        );
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_JobMarketAlreadySet.selector, address(market)));
        stake.setJobMarket(address(fake));
    }

    function test_CancelUnbonding_MakesNodeAssignableAgain() public {
        vm.prank(op3);
        stake.requestUnbonding(10 ether);
        vm.prank(op3);
        stake.cancelUnbonding();
        assertEq(stake.getNode(n3).stake, 200 ether);
        _createAssigned(0, n3, n2);
    }

    function test_InactiveClusterRejectsAssignment() public {
        stake.updateCluster(C1, MIN_STAKE, false);
        uint256 jobId = _createSigned(_req(1));
        vm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_ClusterInactive.selector, C1));
        market.assign(jobId, _nodes(n1, n2));
    }

    function test_RaisedMinStakeApplies() public {
        stake.updateCluster(C1, 300 ether, true);
        uint256 jobId = _createSigned(_req(1));
        vm.prank(coordinator);
        vm.expectRevert(
            abi.encodeWithSelector(IStakeRegistry.StakeRegistry_InsufficientStake.selector, n1, 200 ether, 300 ether)
        );
        market.assign(jobId, _nodes(n1, n2));
    }

    function test_TreasuryWithdrawal() public {
        vm.prank(address(market));
        stake.slash(n1, 5 ether);
        stake.withdrawTreasury(feeTo, 5 ether);
        assertEq(token.balanceOf(feeTo), 5 ether);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_AmountExceedsTreasury.selector, 1, 0));
        stake.withdrawTreasury(feeTo, 1);
    }

    function testFuzz_SlashNeverExceedsStake(uint96 unbondPart, uint256 amount) public {
        unbondPart = uint96(bound(unbondPart, 0, 200 ether));
        if (unbondPart != 0) {
            vm.prank(op3);
            stake.requestUnbonding(unbondPart);
        }
        uint256 beforeTotal = stake.totalStaked();
        vm.prank(address(market));
        uint256 slashed = stake.slash(n3, amount);
        IStakeRegistry.NodeView memory n = stake.getNode(n3);
        assertLe(slashed, 200 ether);
        assertEq(slashed, amount < 200 ether ? amount : 200 ether);
        assertEq(uint256(n.stake) + n.unbonding + slashed, 200 ether);
        assertEq(stake.totalStaked(), beforeTotal - slashed);
        assertEq(token.balanceOf(address(stake)), stake.totalStaked() + stake.treasury());
    }

    function testFuzz_UnbondWithdrawConserves(uint96 amount, uint32 wait) public {
        amount = uint96(bound(amount, 1, 200 ether));
        vm.prank(op2);
        stake.requestUnbonding(amount);
        vm.warp(block.timestamp + wait);
        vm.prank(op2);
        if (wait < UNBONDING) {
            vm.expectRevert();
            stake.withdraw();
        } else {
            stake.withdraw();
            assertEq(token.balanceOf(op2), amount);
        }
        assertEq(token.balanceOf(address(stake)), stake.totalStaked() + stake.treasury());
    }
}
