// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Fixture} from "./Fixture.t.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {JobMarket} from "../JobMarket.sol";
import {StakeRegistry} from "../StakeRegistry.sol";
import {ProofMeshToken} from "../ProofMeshToken.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IStakeRegistry} from "../interfaces/IStakeRegistry.sol";

/// @notice Drives random sequences of create / assign / prove / settle / expire / withdraw /
///         unbond / slash (via expire) and keeps ghost books for the invariants.
contract Handler is Test {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    JobMarket public market;
    StakeRegistry public stake;
    ProofMeshToken public token;
    address public coordinator;
    bytes32 public model;

    uint256[] public dAppKeys;
    address[] public dApps;
    address[] public ops;
    uint32[] public nodeIds;
    address[] public actors; // everyone who can hold a market balance

    uint256[] public jobs;
    mapping(uint256 jobId => uint256) public inCommitOf; // running commitment
    mapping(uint256 jobId => uint256) public settleCount;
    mapping(address dApp => uint64) public nextNonce;

    uint256 public slashViolations;
    uint256 public ghostSlashed;
    uint256 public unexpectedSuccesses;
    uint256 public calls;
    uint256 public provenStages;
    uint256 public expiredJobs;

    constructor(
        JobMarket market_,
        StakeRegistry stake_,
        ProofMeshToken token_,
        address coordinator_,
        bytes32 model_,
        uint256[] memory dAppKeys_,
        address[] memory ops_,
        uint32[] memory nodeIds_,
        address feeTo
    ) {
        market = market_;
        stake = stake_;
        token = token_;
        coordinator = coordinator_;
        model = model_;
        dAppKeys = dAppKeys_;
        ops = ops_;
        nodeIds = nodeIds_;
        for (uint256 i; i < dAppKeys_.length; ++i) {
            dApps.push(vm.addr(dAppKeys_[i]));
            actors.push(vm.addr(dAppKeys_[i]));
        }
        for (uint256 i; i < ops_.length; ++i) actors.push(ops_[i]);
        actors.push(feeTo);
    }

    // ------------------------------------------------------------------ views for invariants

    function jobCount() external view returns (uint256) {
        return jobs.length;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function opCount() external view returns (uint256) {
        return ops.length;
    }

    // ------------------------------------------------------------------ actions

    function deposit(uint256 who, uint256 amount) external {
        calls++;
        address d = dApps[who % dApps.length];
        amount = _bound(amount, 1, 50 ether);
        token.mint(d, amount);
        vm.startPrank(d);
        token.approve(address(market), amount);
        market.deposit(d, amount);
        vm.stopPrank();
    }

    function createJob(uint256 who, uint256 window, bool signed, bool assignNow, uint256 a, uint256 b) external {
        calls++;
        uint256 i = who % dApps.length;
        address d = dApps[i];
        IJobMarket.JobRequest memory req = IJobMarket.JobRequest({
            dApp: d,
            modelId: model,
            inputCommitment: uint256(keccak256(abi.encode(d, nextNonce[d]))) % R,
            maxFee: 10 ether,
            deadline: uint64(block.timestamp + _bound(window, 1, market.maxDeadlineWindow())),
            nonce: nextNonce[d],
            clusterId: 1
        });
        uint256 jobId;
        if (!signed) {
            vm.prank(d);
            try market.createJob(req) returns (uint256 id) {
                jobId = id;
            } catch {
                return;
            }
        } else {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(dAppKeys[i], market.hashJobRequest(req));
            bytes memory sig = abi.encodePacked(r, s, v);
            vm.prank(coordinator);
            if (assignNow) {
                uint32[] memory ids = new uint32[](2);
                ids[0] = nodeIds[a % nodeIds.length];
                ids[1] = nodeIds[b % nodeIds.length];
                try market.createAndAssign(req, sig, ids) returns (uint256 id) {
                    jobId = id;
                } catch {
                    return;
                }
            } else {
                try market.createJobFor(req, sig) returns (uint256 id) {
                    jobId = id;
                } catch {
                    return;
                }
            }
        }
        nextNonce[d]++;
        jobs.push(jobId);
        inCommitOf[jobId] = req.inputCommitment;
    }

    function assign(uint256 jobSeed, uint256 a, uint256 b) external {
        calls++;
        if (jobs.length == 0) return;
        uint256 jobId = jobs[jobSeed % jobs.length];
        uint32[] memory ids = new uint32[](2);
        ids[0] = nodeIds[a % nodeIds.length];
        ids[1] = nodeIds[b % nodeIds.length];
        vm.prank(coordinator);
        try market.assign(jobId, ids) {} catch {}
    }

    /// Honest next-stage proof by the assigned node.
    function prove(uint256 jobSeed, uint256 outSeed, uint256 result) external {
        calls++;
        if (jobs.length == 0) return;
        uint256 jobId = jobs[jobSeed % jobs.length];
        IJobMarket.JobView memory v = market.getJob(jobId);
        if (v.status != IJobMarket.JobStatus.Assigned) return;
        uint256 stage = v.nextStage;
        address op = stake.operatorOf(v.nodeIds[stage]);
        bool last = stage + 1 == v.shardCount;
        uint256 outCommit = uint256(keccak256(abi.encode(outSeed))) % R;
        uint256[4] memory pub = [
            inCommitOf[jobId],
            outCommit,
            uint256(keccak256(abi.encode(block.chainid, address(market), jobId, stage, op))) % R,
            last ? _bound(result, 0, R - 1) : 0
        ];
        vm.prank(op);
        try market.submitStage(jobId, stage, [uint256(1), 2], [[uint256(3), 4], [uint256(5), 6]], [uint256(7), 8], pub) {
            inCommitOf[jobId] = outCommit;
            provenStages++;
            if (last) settleCount[jobId]++;
        } catch {}
    }

    /// Adversarial submissions that must never be accepted.
    function attack(uint256 jobSeed, uint256 kind, uint256 salt) external {
        calls++;
        if (jobs.length == 0) return;
        uint256 jobId = jobs[jobSeed % jobs.length];
        IJobMarket.JobView memory v = market.getJob(jobId);
        uint256 stage = v.status == IJobMarket.JobStatus.Assigned ? v.nextStage : 1;
        address op = v.nodeIds.length > stage ? stake.operatorOf(v.nodeIds[stage]) : ops[salt % ops.length];
        uint256[4] memory pub = [
            inCommitOf[jobId],
            salt % R,
            uint256(keccak256(abi.encode(block.chainid, address(market), jobId, stage, op))) % R,
            0
        ];
        address sender = op;
        uint256 st = stage;
        kind = kind % 5;
        if (kind == 0) sender = ops[(salt + 1) % ops.length] == op ? ops[(salt + 2) % ops.length] : ops[(salt + 1) % ops.length]; // thief
        else if (kind == 1) pub[salt % 4] = R + (salt % 1000); // out of field
        else if (kind == 2) pub[0] = pub[0] ^ 1; // unlinked
        else if (kind == 3) st = stage == 0 ? 1 : stage - 1; // out of order / replay done stage
        else pub[2] = pub[2] ^ 1; // wrong binding
        vm.prank(sender);
        try market.submitStage(jobId, st, [salt, 2], [[uint256(3), 4], [uint256(5), 6]], [uint256(7), 8], pub) {
            unexpectedSuccesses++;
        } catch {}
    }

    /// Re-submits the last stage of a settled job with fresh proof bytes (re-randomised proof).
    function resettle(uint256 jobSeed, uint256 salt) external {
        calls++;
        if (jobs.length == 0) return;
        uint256 jobId = jobs[jobSeed % jobs.length];
        if (market.statusOf(jobId) != IJobMarket.JobStatus.Settled) return;
        for (uint256 i; i < ops.length; ++i) {
            uint256[4] memory pub = [
                uint256(0),
                0,
                uint256(keccak256(abi.encode(block.chainid, address(market), jobId, uint256(1), ops[i]))) % R,
                1
            ];
            vm.prank(ops[i]);
            try market.submitStage(jobId, 1, [salt, 2], [[uint256(3), 4], [uint256(5), 6]], [uint256(7), 8], pub) {
                settleCount[jobId]++;
            } catch {}
        }
    }

    function expire(uint256 jobSeed) external {
        calls++;
        if (jobs.length == 0) return;
        uint256 jobId = jobs[jobSeed % jobs.length];
        IJobMarket.JobView memory v = market.getJob(jobId);
        uint32 blocking;
        uint256 before;
        if (v.status == IJobMarket.JobStatus.Assigned) {
            blocking = v.nodeIds[v.nextStage];
            IStakeRegistry.NodeView memory n = stake.getNode(blocking);
            before = uint256(n.stake) + n.unbonding;
        }
        try market.expire(jobId) {
            expiredJobs++;
            if (blocking != 0) {
                IStakeRegistry.NodeView memory n = stake.getNode(blocking);
                uint256 afterTotal = uint256(n.stake) + n.unbonding;
                uint256 slashed = before - afterTotal;
                if (slashed > market.slashAmount() || slashed > before) slashViolations++;
                ghostSlashed += slashed;
            }
        } catch {}
    }

    function warp(uint256 secs) external {
        calls++;
        vm.warp(block.timestamp + _bound(secs, 1, 2 days));
    }

    function withdraw(uint256 who, uint256 amount) external {
        calls++;
        address a = actors[who % actors.length];
        uint256 bal = market.balanceOf(a);
        if (bal == 0) return;
        vm.prank(a);
        market.withdraw(_bound(amount, 1, bal));
    }

    function withdrawFees() external {
        calls++;
        if (market.accruedFees() != 0) market.withdrawFees();
    }

    function addStake(uint256 who, uint256 amount) external {
        calls++;
        address op = ops[who % ops.length];
        amount = _bound(amount, 1, 100 ether);
        token.mint(op, amount);
        vm.startPrank(op);
        token.approve(address(stake), amount);
        stake.stake(amount);
        vm.stopPrank();
    }

    function requestUnbonding(uint256 who, uint256 amount) external {
        calls++;
        address op = ops[who % ops.length];
        vm.prank(op);
        try stake.requestUnbonding(_bound(amount, 1, 300 ether)) {} catch {}
    }

    function cancelUnbonding(uint256 who) external {
        calls++;
        vm.prank(ops[who % ops.length]);
        try stake.cancelUnbonding() {} catch {}
    }

    function withdrawStake(uint256 who) external {
        calls++;
        vm.prank(ops[who % ops.length]);
        try stake.withdraw() {} catch {}
    }
}

contract InvariantsTest is Fixture {
    Handler internal handler;

    function setUp() public override {
        super.setUp();
        uint256[] memory keys = new uint256[](2);
        keys[0] = dAppKey;
        keys[1] = 0xDA98;
        address[] memory opList = new address[](5);
        opList[0] = op1;
        opList[1] = op2;
        opList[2] = op3;
        opList[3] = opPoor; // registered, unstaked
        opList[4] = op4; // staked in the other cluster
        uint32[] memory ids = new uint32[](5);
        ids[0] = n1;
        ids[1] = n2;
        ids[2] = n3;
        ids[3] = nPoor;
        ids[4] = n4;
        handler = new Handler(market, stake, token, coordinator, MODEL, keys, opList, ids, feeTo);
        token.transferOwnership(address(handler)); // the handler mints
        targetContract(address(handler));
    }

    /// The handler really reaches every state (guards against a vacuous invariant campaign).
    function test_HandlerScriptReachesAllStates() public {
        handler.deposit(0, 50 ether);
        handler.createJob(0, 3600, true, true, 0, 1); // job 0: signed + assigned (n1, n2)
        handler.createJob(0, 3600, false, false, 0, 0); // job 1: created by the dApp
        handler.assign(1, 2, 0); // (n3, n1)
        handler.prove(0, 1, 0);
        handler.prove(0, 2, 7); // settles job 0
        handler.resettle(0, 99); // must fail
        handler.attack(1, 0, 5);
        handler.attack(1, 1, 6);
        handler.attack(1, 2, 7);
        handler.attack(1, 3, 8);
        handler.attack(1, 4, 9);
        handler.prove(1, 3, 0);
        handler.warp(2 days);
        handler.expire(1); // slashes n1 (stage 1 of job 1)
        handler.withdraw(2, 1 ether); // op1 withdraws credit
        handler.withdrawFees();
        handler.requestUnbonding(2, 10 ether);
        handler.warp(2 days);
        handler.withdrawStake(2);
        assertEq(market.resultOf(handler.jobs(0)), 7);
        assertEq(handler.provenStages(), 3);
        assertEq(handler.expiredJobs(), 1);
        assertEq(handler.ghostSlashed(), SLASH);
        assertEq(handler.unexpectedSuccesses(), 0);
        invariant_FundsConserved();
        invariant_SettleOnceAndAttacksFail();
        invariant_SlashBoundedAndLocksConsistent();
    }

    /// token balance of the market == internal balances + open escrow + accrued fees;
    /// token balance of the registry == stake + unbonding + treasury.
    function invariant_FundsConserved() public view {
        uint256 sum = market.accruedFees();
        for (uint256 i; i < handler.actorCount(); ++i) sum += market.balanceOf(handler.actors(i));
        for (uint256 j; j < handler.jobCount(); ++j) sum += market.escrowOf(handler.jobs(j));
        assertEq(token.balanceOf(address(market)), sum, "market solvency");

        uint256 staked;
        for (uint256 i; i < handler.opCount(); ++i) {
            IStakeRegistry.NodeView memory n = stake.getNode(stake.nodeIdOf(handler.ops(i)));
            staked += uint256(n.stake) + n.unbonding;
        }
        assertEq(staked, stake.totalStaked(), "stake books");
        assertEq(token.balanceOf(address(stake)), stake.totalStaked() + stake.treasury(), "registry solvency");
    }

    /// A job settles at most once; settled jobs have a result; no attack ever succeeded.
    function invariant_SettleOnceAndAttacksFail() public view {
        for (uint256 j; j < handler.jobCount(); ++j) {
            uint256 jobId = handler.jobs(j);
            uint256 n = handler.settleCount(jobId);
            assertLe(n, 1, "settled twice");
            assertEq(n == 1, market.statusOf(jobId) == IJobMarket.JobStatus.Settled, "settle bookkeeping");
        }
        assertEq(handler.unexpectedSuccesses(), 0, "attack accepted");
    }

    /// Slashing never exceeds the slash amount nor the node's stake; the treasury is exactly the
    /// slashed total; stake locks equal the unproven stages of assigned jobs.
    function invariant_SlashBoundedAndLocksConsistent() public view {
        assertEq(handler.slashViolations(), 0, "slash exceeded");
        assertEq(stake.treasury(), handler.ghostSlashed(), "treasury");
        uint256 locks;
        for (uint256 i; i < handler.opCount(); ++i) locks += market.openJobsOf(handler.ops(i));
        uint256 pending;
        for (uint256 j; j < handler.jobCount(); ++j) {
            IJobMarket.JobView memory v = market.getJob(handler.jobs(j));
            if (v.status == IJobMarket.JobStatus.Assigned) pending += v.shardCount - v.nextStage;
        }
        assertEq(locks, pending, "locks");
    }
}
