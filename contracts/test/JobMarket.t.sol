// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Fixture} from "./Fixture.t.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IStakeRegistry} from "../interfaces/IStakeRegistry.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {MockShardVerifier} from "./MockShardVerifier.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

contract JobMarketTest is Fixture {
    // ------------------------------------------------------------------ happy paths

    function test_FullFlow_SettlesPaysAndRecordsResult() public {
        uint256 dAppBefore = market.balanceOf(dApp);
        (uint256 jobId, uint256 inCommit) = _createAssigned(0, n1, n2);
        assertEq(market.balanceOf(dApp), dAppBefore - (PRICE0 + PRICE1 + FEE), "cost escrowed");
        assertEq(market.escrowOf(jobId), PRICE0 + PRICE1 + FEE);
        assertEq(market.openJobsOf(op1), 1);
        assertEq(uint8(market.statusOf(jobId)), uint8(IJobMarket.JobStatus.Assigned));

        _prove(op1, jobId, 0, inCommit, 111, 0);
        assertEq(market.balanceOf(op1), PRICE0, "stage 0 paid as proven");
        assertEq(market.openJobsOf(op1), 0, "stage 0 unlocked");
        assertEq(market.escrowOf(jobId), PRICE1 + FEE);

        vm.expectEmit(address(market));
        emit IJobMarket.JobSettled(jobId, 42, FEE);
        _prove(op2, jobId, 1, 111, 222, 42);

        assertEq(uint8(market.statusOf(jobId)), uint8(IJobMarket.JobStatus.Settled));
        assertEq(market.resultOf(jobId), 42);
        assertEq(market.balanceOf(op2), PRICE1);
        assertEq(market.accruedFees(), FEE);
        assertEq(market.escrowOf(jobId), 0);
        assertEq(market.openJobsOf(op2), 0);
        assertEq(token.balanceOf(address(market)), market.balanceOf(dApp) + PRICE0 + PRICE1 + FEE);
    }

    function test_CreateJob_ByDAppItself_ThenAssign() public {
        IJobMarket.JobRequest memory req = _req(7);
        vm.prank(dApp);
        uint256 jobId = market.createJob(req);
        assertEq(jobId, market.jobIdOf(dApp, 7));
        assertEq(jobId, (uint256(uint160(dApp)) << 64) | 7);
        assertEq(uint8(market.statusOf(jobId)), uint8(IJobMarket.JobStatus.Created));
        vm.prank(coordinator);
        market.assign(jobId, _nodes(n1, n2));
        IJobMarket.JobView memory v = market.getJob(jobId);
        assertEq(v.nodeIds.length, 2);
        assertEq(v.nodeIds[0], n1);
        assertEq(v.nodeIds[1], n2);
        assertEq(v.commit, req.inputCommitment);
        assertEq(v.shardCount, 2);
    }

    function test_CreateJobFor_HashMatchesIndependentEip712() public view {
        IJobMarket.JobRequest memory req = _req(3);
        assertEq(market.hashJobRequest(req), _digest(req));
    }

    function test_Withdraw_CreditsAndFees() public {
        _runJob(0, 1);
        vm.prank(op1);
        market.withdraw(PRICE0);
        assertEq(token.balanceOf(op1), PRICE0);
        assertEq(market.balanceOf(op1), 0);
        market.withdrawFees();
        assertEq(token.balanceOf(feeTo), FEE);
        vm.expectRevert(IJobMarket.JobMarket_ZeroAmount.selector);
        market.withdrawFees();
        vm.prank(op1);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_InsufficientBalance.selector, op1, 0, 1));
        market.withdraw(1);
    }

    function test_LanesAreReused_AndBusyLaneRejected() public {
        (uint256 job0,) = _createAssigned(0, n1, n2);
        IJobMarket.JobRequest memory req = _req(256); // same lane as nonce 0
        bytes memory sig = _sign(req, dAppKey);
        vm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_LaneBusy.selector, dApp, 0));
        market.createJobFor(req, sig);
        vm.warp(block.timestamp + 2 hours);
        market.expire(job0);
        req = _req(256);
        sig = _sign(req, dAppKey);
        vm.prank(coordinator);
        uint256 job256 = market.createJobFor(req, sig);
        assertEq(uint8(market.statusOf(job256)), uint8(IJobMarket.JobStatus.Created));
        assertEq(uint8(market.statusOf(job0)), uint8(IJobMarket.JobStatus.Expired), "old job keeps its status");
    }

    function test_SixShardModel_UsesOverflowNodeSlot() public {
        bytes32 big = keccak256("big");
        IModelRegistry.Shard[] memory shards = new IModelRegistry.Shard[](6);
        for (uint256 k; k < 6; ++k) {
            shards[k] = IModelRegistry.Shard(address(v0), bytes32(k), 1, 1 ether);
        }
        models.registerModel(big, shards, _ceremony(big, 6));
        IJobMarket.JobRequest memory req = _req(1);
        req.modelId = big;
        uint32[] memory ids = new uint32[](6);
        address[6] memory ops = [op1, op2, op3, op1, op2, op3];
        uint32[6] memory nid = [n1, n2, n3, n1, n2, n3];
        for (uint256 k; k < 6; ++k) ids[k] = nid[k];
        bytes memory sig = _sign(req, dAppKey);
        vm.prank(coordinator);
        uint256 jobId = market.createAndAssign(req, sig, ids);
        assertEq(market.openJobsOf(op1), 2);
        uint256 inC = req.inputCommitment;
        for (uint256 k; k < 6; ++k) {
            _prove(ops[k], jobId, k, inC, 1000 + k, k == 5 ? 9 : 0);
            inC = 1000 + k;
        }
        assertEq(market.resultOf(jobId), 9);
        assertEq(market.balanceOf(op3), 2 ether);
        assertEq(market.openJobsOf(op1), 0);
    }

    // ------------------------------------------------------------------ signed requests

    function test_RevertWhen_SignedRequestReplayed() public {
        IJobMarket.JobRequest memory req = _req(5);
        bytes memory sig = _sign(req, dAppKey);
        vm.prank(coordinator);
        market.createJobFor(req, sig);
        vm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_NonceUsed.selector, dApp, 5));
        market.createJobFor(req, sig);
    }

    function test_RevertWhen_SignedRequestReplayedAfterSettlement() public {
        IJobMarket.JobRequest memory req = _req(0);
        bytes memory sig = _sign(req, dAppKey);
        _runJob(0, 1);
        vm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_NonceUsed.selector, dApp, 0));
        market.createJobFor(req, sig);
    }

    function test_RevertWhen_SignedRequestTampered() public {
        IJobMarket.JobRequest memory req = _req(5);
        bytes memory sig = _sign(req, dAppKey);
        req.maxFee = 100 ether;
        vm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_InvalidSignature.selector, dApp));
        market.createJobFor(req, sig);
    }

    function test_RevertWhen_SignedByWrongKey() public {
        IJobMarket.JobRequest memory req = _req(5);
        bytes memory sig = _sign(req, 0xBAD);
        vm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_InvalidSignature.selector, dApp));
        market.createJobFor(req, sig);
    }

    function test_RevertWhen_RelayerIsNotCoordinator() public {
        IJobMarket.JobRequest memory req = _req(5);
        bytes memory sig = _sign(req, dAppKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, op1, market.COORDINATOR_ROLE()
            )
        );
        vm.prank(op1);
        market.createJobFor(req, sig);
    }

    function test_RevertWhen_CancelledNonceRelayed() public {
        IJobMarket.JobRequest memory req = _req(9);
        bytes memory sig = _sign(req, dAppKey);
        vm.prank(dApp);
        market.cancelNonce(9);
        assertEq(uint8(market.statusOf(market.jobIdOf(dApp, 9))), uint8(IJobMarket.JobStatus.Cancelled));
        vm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_NonceUsed.selector, dApp, 9));
        market.createJobFor(req, sig);
    }

    function test_RevertWhen_CreateJobForSomeoneElse() public {
        IJobMarket.JobRequest memory req = _req(1);
        vm.prank(op1);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_NotDApp.selector, op1, dApp));
        market.createJob(req);
    }

    function test_RevertWhen_DeadlineAlreadyPassedOrTooFar() public {
        IJobMarket.JobRequest memory req = _req(1);
        req.deadline = uint64(block.timestamp);
        vm.prank(dApp);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.JobMarket_BadDeadline.selector, block.timestamp, block.timestamp, WINDOW)
        );
        market.createJob(req);
        req.deadline = uint64(block.timestamp + WINDOW + 1);
        vm.prank(dApp);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.JobMarket_BadDeadline.selector, req.deadline, block.timestamp, WINDOW)
        );
        market.createJob(req);
    }

    function test_RevertWhen_MaxFeeTooLowOrBalanceShort() public {
        IJobMarket.JobRequest memory req = _req(1);
        req.maxFee = PRICE0 + PRICE1; // misses the fee
        vm.prank(dApp);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.JobMarket_MaxFeeTooLow.selector, req.maxFee, PRICE0 + PRICE1 + FEE)
        );
        market.createJob(req);
        req.dApp = op1;
        req.maxFee = 10 ether;
        vm.prank(op1);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.JobMarket_InsufficientBalance.selector, op1, 0, PRICE0 + PRICE1 + FEE)
        );
        market.createJob(req);
    }

    function test_RevertWhen_InputCommitmentOutOfField() public {
        IJobMarket.JobRequest memory req = _req(1);
        req.inputCommitment = R;
        vm.prank(dApp);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_PublicInputOutOfField.selector, 0, R));
        market.createJob(req);
    }

    function test_RevertWhen_UnknownOrInactiveModel() public {
        IJobMarket.JobRequest memory req = _req(1);
        req.modelId = keccak256("nope");
        vm.prank(dApp);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_UnknownModel.selector, req.modelId));
        market.createJob(req);
        models.setModelActive(MODEL, false);
        req.modelId = MODEL;
        vm.prank(dApp);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_ModelInactive.selector, MODEL));
        market.createJob(req);
    }

    // ------------------------------------------------------------------ assignment attacks

    function test_RevertWhen_AssigningUnstakedNode() public {
        uint256 jobId = _createSigned(_req(1));
        vm.prank(coordinator);
        vm.expectRevert(
            abi.encodeWithSelector(IStakeRegistry.StakeRegistry_InsufficientStake.selector, nPoor, 0, MIN_STAKE)
        );
        market.assign(jobId, _nodes(n1, nPoor));
    }

    function test_RevertWhen_AssigningForeignClusterNode() public {
        uint256 jobId = _createSigned(_req(1));
        vm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_NotInCluster.selector, n4, C1));
        market.assign(jobId, _nodes(n4, n1));
    }

    function test_RevertWhen_AssigningUnbondingNode() public {
        vm.prank(op3);
        stake.requestUnbonding(1 ether);
        uint256 jobId = _createSigned(_req(1));
        vm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_NodeUnbonding.selector, n3, 1 ether));
        market.assign(jobId, _nodes(n1, n3));
    }

    function test_RevertWhen_AssigningUnknownNodeOrWrongCount() public {
        uint256 jobId = _createSigned(_req(1));
        vm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IStakeRegistry.StakeRegistry_UnknownNode.selector, 99));
        market.assign(jobId, _nodes(n1, 99));
        uint32[] memory one = new uint32[](1);
        one[0] = n1;
        vm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_WrongNodeCount.selector, jobId, 2, 1));
        market.assign(jobId, one);
    }

    function test_RevertWhen_AssigningTwice() public {
        (uint256 jobId,) = _createAssigned(1, n1, n2);
        vm.prank(coordinator);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.JobMarket_WrongStatus.selector, jobId, IJobMarket.JobStatus.Assigned)
        );
        market.assign(jobId, _nodes(n1, n2));
    }

    // ------------------------------------------------------------------ proof attacks

    function test_RevertWhen_ProofCopiedByAnotherNode() public {
        (uint256 jobId, uint256 inCommit) = _createAssigned(0, n1, n2);
        // op1's valid stage-0 statement, submitted by op2 (not assigned to stage 0)
        uint256[4] memory pub = [inCommit, 111, _binding(jobId, 0, op1), 0];
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_NotAssignedNode.selector, jobId, 0, op2));
        _submit(op2, jobId, 0, pub, 1);
        // op2 proves stage 1 with a statement copied from another prover's binding
        _prove(op1, jobId, 0, inCommit, 111, 0);
        uint256 stolen = _binding(jobId, 1, op3);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.JobMarket_BindingMismatch.selector, jobId, 1, _binding(jobId, 1, op2), stolen)
        );
        _submit(op2, jobId, 1, [uint256(111), 222, stolen, 5], 1);
    }

    function test_RevertWhen_ProofCopiedFromAnotherNodesJob() public {
        // same input on two jobs; op3 proves job B, op1 copies op3's statement onto job A
        (uint256 jobA, uint256 inA) = _createAssigned(0, n1, n2);
        IJobMarket.JobRequest memory reqB = _req(1);
        reqB.inputCommitment = inA;
        bytes memory sig = _sign(reqB, dAppKey);
        vm.prank(coordinator);
        uint256 jobB = market.createAndAssign(reqB, sig, _nodes(n3, n2));
        uint256[4] memory pubB = [inA, 111, _binding(jobB, 0, op3), 0];
        _submit(op3, jobB, 0, pubB, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IJobMarket.JobMarket_BindingMismatch.selector, jobA, 0, _binding(jobA, 0, op1), pubB[2]
            )
        );
        _submit(op1, jobA, 0, pubB, 1);
    }

    function test_RevertWhen_ProofReplayedOnAnotherJob() public {
        (uint256 jobA, uint256 inA) = _createAssigned(0, n1, n2);
        IJobMarket.JobRequest memory reqB = _req(1);
        reqB.inputCommitment = inA;
        bytes memory sig = _sign(reqB, dAppKey);
        vm.prank(coordinator);
        uint256 jobB = market.createAndAssign(reqB, sig, _nodes(n1, n2));
        uint256[4] memory pubA = [inA, 111, _binding(jobA, 0, op1), 0];
        _submit(op1, jobA, 0, pubA, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.JobMarket_BindingMismatch.selector, jobB, 0, _binding(jobB, 0, op1), pubA[2])
        );
        _submit(op1, jobB, 0, pubA, 1); // same prover, same proof, other job
    }

    function test_RevertWhen_StageResubmittedWithRerandomizedProof() public {
        (uint256 jobId, uint256 inCommit) = _createAssigned(0, n1, n2);
        uint256[4] memory pub0 = [inCommit, 111, _binding(jobId, 0, op1), 0];
        _submit(op1, jobId, 0, pub0, 1);
        // different proof bytes (a re-randomised Groth16 proof), same statement: rejected by state
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_StageOutOfOrder.selector, jobId, 1, 0));
        _submit(op1, jobId, 0, pub0, 999);
        assertEq(market.balanceOf(op1), PRICE0, "paid once");
    }

    function test_RevertWhen_SettledJobGetsRerandomizedLastProof() public {
        uint256 jobId = _runJob(0, 42);
        uint256[4] memory pub1 = [uint256(111), 222, _binding(jobId, 1, op2), 42];
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.JobMarket_WrongStatus.selector, jobId, IJobMarket.JobStatus.Settled)
        );
        _submit(op2, jobId, 1, pub1, 12345);
        assertEq(market.balanceOf(op2), PRICE1, "settled once");
        assertEq(market.accruedFees(), FEE);
    }

    function test_RevertWhen_ExpireAfterSettle() public {
        uint256 jobId = _runJob(0, 42);
        vm.warp(block.timestamp + 2 hours);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.JobMarket_WrongStatus.selector, jobId, IJobMarket.JobStatus.Settled)
        );
        market.expire(jobId);
    }

    function test_RevertWhen_PublicInputAtR() public {
        (uint256 jobId, uint256 inCommit) = _createAssigned(0, n1, n2);
        uint256[4] memory good = [inCommit, 111, _binding(jobId, 0, op1), 0];
        for (uint256 i; i < 4; ++i) {
            uint256[4] memory bad = [good[0], good[1], good[2], good[3]]; // copy, not alias
            bad[i] = R;
            vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_PublicInputOutOfField.selector, i, R));
            _submit(op1, jobId, 0, bad, 1);
            // x + R aliases x in the field: must still be rejected
            bad[i] = good[i] + R;
            vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_PublicInputOutOfField.selector, i, good[i] + R));
            _submit(op1, jobId, 0, bad, 1);
        }
    }

    function testFuzz_RevertWhen_PublicInputOutOfField(uint8 index, uint256 value) public {
        uint256 i = bound(index, 0, 3);
        value = bound(value, R, type(uint256).max);
        (uint256 jobId, uint256 inCommit) = _createAssigned(0, n1, n2);
        uint256[4] memory pub = [inCommit, 111, _binding(jobId, 0, op1), 0];
        pub[i] = value;
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_PublicInputOutOfField.selector, i, value));
        _submit(op1, jobId, 0, pub, 1);
    }

    function test_RevertWhen_StagesOutOfOrder() public {
        (uint256 jobId,) = _createAssigned(0, n1, n2);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_StageOutOfOrder.selector, jobId, 0, 1));
        _submit(op2, jobId, 1, [uint256(111), 222, _binding(jobId, 1, op2), 1], 1);
    }

    function test_RevertWhen_StagesUnlinked() public {
        (uint256 jobId, uint256 inCommit) = _createAssigned(0, n1, n2);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.JobMarket_InCommitMismatch.selector, jobId, 0, inCommit, inCommit + 1)
        );
        _submit(op1, jobId, 0, [inCommit + 1, 111, _binding(jobId, 0, op1), 0], 1);
        _prove(op1, jobId, 0, inCommit, 111, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_InCommitMismatch.selector, jobId, 1, 111, 112));
        _submit(op2, jobId, 1, [uint256(112), 222, _binding(jobId, 1, op2), 1], 1);
    }

    function test_RevertWhen_IntermediateStagePublishesResult() public {
        (uint256 jobId, uint256 inCommit) = _createAssigned(0, n1, n2);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_NonZeroIntermediateResult.selector, jobId, 0));
        _submit(op1, jobId, 0, [inCommit, 111, _binding(jobId, 0, op1), 7], 1);
    }

    function test_RevertWhen_VerifierReturnsFalse() public {
        (uint256 jobId, uint256 inCommit) = _createAssigned(0, n1, n2);
        v0.setAnswer(false);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_InvalidProof.selector, jobId, 0));
        _prove(op1, jobId, 0, inCommit, 111, 0);
        assertEq(market.balanceOf(op1), 0);
    }

    function test_RevertWhen_ProvingAfterDeadline() public {
        (uint256 jobId, uint256 inCommit) = _createAssigned(0, n1, n2);
        uint256 deadline = block.timestamp + 1 hours;
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_DeadlinePassed.selector, jobId, deadline));
        _prove(op1, jobId, 0, inCommit, 111, 0);
    }

    function test_RevertWhen_ResultOfUnsettledJob() public {
        (uint256 jobId,) = _createAssigned(0, n1, n2);
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.JobMarket_NotSettled.selector, jobId, IJobMarket.JobStatus.Assigned)
        );
        market.resultOf(jobId);
    }

    // ------------------------------------------------------------------ expiry

    function test_Expire_RefundsUnpaid_SlashesBlockingNodeOnly_Unlocks() public {
        (uint256 jobId, uint256 inCommit) = _createAssigned(0, n1, n2);
        uint256 dAppBefore = market.balanceOf(dApp);
        _prove(op1, jobId, 0, inCommit, 111, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_DeadlineNotPassed.selector, jobId, block.timestamp + 1 hours));
        market.expire(jobId);
        vm.warp(block.timestamp + 1 hours + 1);
        vm.expectEmit(address(market));
        emit IJobMarket.JobExpired(jobId, PRICE1 + FEE, n2, SLASH);
        market.expire(jobId);
        assertEq(market.balanceOf(dApp), dAppBefore + PRICE1 + FEE);
        assertEq(stake.getNode(n2).stake, 200 ether - SLASH);
        assertEq(stake.getNode(n1).stake, 200 ether, "proven node not slashed");
        assertEq(stake.treasury(), SLASH);
        assertEq(market.openJobsOf(op2), 0);
        assertEq(uint8(market.statusOf(jobId)), uint8(IJobMarket.JobStatus.Expired));
        vm.expectRevert(
            abi.encodeWithSelector(IJobMarket.JobMarket_WrongStatus.selector, jobId, IJobMarket.JobStatus.Expired)
        );
        market.expire(jobId);
    }

    function test_Expire_UnassignedJob_RefundsAll() public {
        uint256 before = market.balanceOf(dApp);
        uint256 jobId = _createSigned(_req(1));
        vm.warp(block.timestamp + 2 hours);
        market.expire(jobId);
        assertEq(market.balanceOf(dApp), before);
        assertEq(stake.treasury(), 0);
    }

    /// r = 36u^4 + 36u^3 + 18u^2 + 6u + 1 with the BN254 parameter u: the order the generated
    /// verifiers and the circuits use (NOT the constant quoted in the issue, which is off).
    function test_R_IsBn254ScalarFieldOrder() public view {
        uint256 u = 4965661367192848881;
        assertEq(market.R(), 36 * u ** 4 + 36 * u ** 3 + 18 * u ** 2 + 6 * u + 1);
        assertEq(R, market.R());
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_BindingMatchesFormula(uint256 jobId, uint256 stage, address prover) public view {
        uint256 b = market.bindingOf(jobId, stage, prover);
        assertEq(b, _binding(jobId, stage, prover));
        assertLt(b, R);
    }

    function testFuzz_WrongSignerRejected(uint256 key) public {
        key = bound(key, 1, 115792089237316195423570985008687907852837564279074904382605163141518161494336);
        vm.assume(key != dAppKey);
        IJobMarket.JobRequest memory req = _req(1);
        bytes memory sig = _sign(req, key);
        vm.prank(coordinator);
        vm.expectRevert(abi.encodeWithSelector(IJobMarket.JobMarket_InvalidSignature.selector, dApp));
        market.createJobFor(req, sig);
    }

    function testFuzz_CostEscrowedAndConserved(uint96 price0, uint96 price1, uint256 result) public {
        price0 = uint96(bound(price0, 0, 1_000 ether));
        price1 = uint96(bound(price1, 0, 1_000 ether));
        result = bound(result, 0, R - 1);
        bytes32 id = keccak256(abi.encode(price0, price1));
        IModelRegistry.Shard[] memory shards = new IModelRegistry.Shard[](2);
        shards[0] = IModelRegistry.Shard(address(v0), 0, 1, price0);
        shards[1] = IModelRegistry.Shard(address(v1), 0, 1, price1);
        models.registerModel(id, shards, _ceremony(id, 2));
        _fund(dApp, 3_000 ether);
        IJobMarket.JobRequest memory req = _req(1);
        req.modelId = id;
        req.maxFee = type(uint128).max;
        bytes memory sig = _sign(req, dAppKey);
        uint256 before = market.balanceOf(dApp);
        vm.prank(coordinator);
        uint256 jobId = market.createAndAssign(req, sig, _nodes(n1, n2));
        assertEq(before - market.balanceOf(dApp), uint256(price0) + price1 + FEE);
        _prove(op1, jobId, 0, req.inputCommitment, 5, 0);
        _prove(op2, jobId, 1, 5, 6, result);
        assertEq(market.resultOf(jobId), result);
        assertEq(market.balanceOf(op1) + market.balanceOf(op2) + market.accruedFees(), uint256(price0) + price1 + FEE);
        assertEq(token.balanceOf(address(market)), market.balanceOf(dApp) + market.balanceOf(op1) + market.balanceOf(op2) + market.accruedFees());
    }
}
