// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IJobMarket} from "./interfaces/IJobMarket.sol";
import {IStakeRegistry, IJobMarketLocks} from "./interfaces/IStakeRegistry.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IShardVerifier} from "./interfaces/IShardVerifier.sol";

/// @title JobMarket
/// @notice Escrow, proof verification and settlement of ProofMesh jobs (see {IJobMarket}).
/// @dev Gas layout (target: a settled 2-stage job within 650k gas including two ~210k Groth16
///      verifications). All job state is keyed on (jobId, stage), never on proof bytes:
///      - `_records[jobId]`, the only slot a job creates for good: 2 bits of kind (none, open,
///        settled, closed) + 254 bits of value (open: the `inCommit` the next stage must prove;
///        settled: the result; closed: 0 = expired, 1 = cancelled). Its existence is the nonce
///        replay protection.
///      - `_lanes[lane]`: packed header of the open job (deadline, model, cluster, shard count,
///        next stage, status, 4 node ids) in one of the dApp's 256 reusable lanes
///        (`nonce % 256`): a new job rewrites a non-zero slot instead of filling a fresh one.
///        `_extraNodes[lane]` holds the node ids of stages 4..11.
///      - The escrow is not stored: models are immutable in the ModelRegistry and the
///        coordinator fee is immutable here, so a job's cost is `totalPrice + coordinatorFee`.
///        Only that cost (<= `maxFee`) is taken from the dApp balance at creation: the same as
///        escrowing `maxFee` and refunding the remainder at settlement, minus a storage write.
///      - An operator's stake lock counter and node id are packed with its balance: the proof
///        sender check reads that slot and the stage payment credits + unlocks it in one write.
///      - Verifier and price of each (model, stage) are cached from the registry on first use.
///      - The fee recipient and the accrued fees share a slot.
///      Re-entrancy: functions that move tokens or call the StakeRegistry's `slash` are
///      `nonReentrant` and follow checks-effects-interactions; the others only make static calls
///      (verifier, registries' views, ERC-1271), which cannot change state.
///      Slashing: on `expire`, only the node of the first unproven stage is slashed (later nodes
///      could not submit before it). Slashed tokens stay in the StakeRegistry as its `treasury`
///      (not burned), withdrawable by its owner.
contract JobMarket is IJobMarket, IJobMarketLocks, AccessControl, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Role allowed to relay signed requests and assign nodes.
    bytes32 public constant COORDINATOR_ROLE = keccak256("COORDINATOR_ROLE");
    /// @notice EIP-712 type hash of {JobRequest}.
    bytes32 public constant JOB_REQUEST_TYPEHASH = keccak256(
        "JobRequest(address dApp,bytes32 modelId,uint256 inputCommitment,uint128 maxFee,uint64 deadline,uint64 nonce,uint32 clusterId)"
    );
    /// @notice BN254 scalar field order; every public signal must be below it.
    uint256 public constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice Most stages a job can have (4 inline node ids + 8 in the overflow slot).
    uint256 public constant MAX_SHARDS = 12;
    /// @notice Open-job lanes per dApp (`nonce % LANES`).
    uint256 public constant LANES = 256;

    uint256 private constant INLINE_NODES = 4;
    // _records: kind in bits [254, 256), value in bits [0, 254)
    uint256 private constant KIND_SHIFT = 254;
    uint256 private constant VALUE_MASK = (uint256(1) << KIND_SHIFT) - 1;
    uint256 private constant KIND_OPEN = 1;
    uint256 private constant KIND_SETTLED = 2;
    uint256 private constant KIND_CLOSED = 3;
    // lane header (bit offsets); deadline in bits [0, 40)
    uint256 private constant MODEL_SHIFT = 40;
    uint256 private constant CLUSTER_SHIFT = 72;
    uint256 private constant SHARDS_SHIFT = 104;
    uint256 private constant NEXT_SHIFT = 112;
    uint256 private constant STATUS_SHIFT = 120;
    uint256 private constant NODES_SHIFT = 128;
    uint256 private constant STATUS_MASK = uint256(0xff) << STATUS_SHIFT;

    /// @dev Internal balance and, for node operators, the stake lock counter and node id
    ///      (operator <-> node id is one-to-one and permanent in the StakeRegistry).
    struct Account {
        uint128 balance;
        uint32 openJobs;
        uint32 nodeId;
    }

    struct FeeState {
        address recipient;
        uint96 accrued;
    }

    /// @notice JobMarket constructor parameters.
    struct Params {
        IERC20 token;
        IStakeRegistry stakeRegistry;
        IModelRegistry modelRegistry;
        uint256 maxDeadlineWindow;
        uint96 coordinatorFee;
        uint96 slashAmount;
        address admin;
        address coordinator;
        address feeRecipient;
    }

    /// @notice Payment token (standard ERC20, total supply < 2^96 units assumed for packing).
    IERC20 public immutable token;
    IStakeRegistry public immutable stakeRegistry;
    IModelRegistry public immutable modelRegistry;
    /// @inheritdoc IJobMarket
    uint256 public immutable override(IJobMarket, IJobMarketLocks) maxDeadlineWindow;
    /// @inheritdoc IJobMarket
    uint256 public immutable coordinatorFee;
    /// @inheritdoc IJobMarket
    uint256 public immutable slashAmount;

    FeeState private _fees;
    mapping(address account => Account) private _accounts;
    mapping(uint256 jobId => uint256) private _records;
    mapping(uint256 lane => uint256) private _lanes;
    mapping(uint256 lane => uint256) private _extraNodes;
    mapping(uint32 modelIndex => mapping(uint256 stage => uint256)) private _stageCache;

    constructor(Params memory p) EIP712("ProofMesh JobMarket", "1") {
        if (
            address(p.token) == address(0) || address(p.stakeRegistry) == address(0)
                || address(p.modelRegistry) == address(0) || p.admin == address(0) || p.feeRecipient == address(0)
        ) revert JobMarket_ZeroAddress();
        uint256 unbonding = p.stakeRegistry.unbondingPeriod();
        if (p.maxDeadlineWindow == 0 || p.maxDeadlineWindow >= unbonding) {
            revert JobMarket_DeadlineWindowTooLong(p.maxDeadlineWindow, unbonding);
        }
        token = p.token;
        stakeRegistry = p.stakeRegistry;
        modelRegistry = p.modelRegistry;
        maxDeadlineWindow = p.maxDeadlineWindow;
        coordinatorFee = p.coordinatorFee;
        slashAmount = p.slashAmount;
        _fees.recipient = p.feeRecipient;
        _grantRole(DEFAULT_ADMIN_ROLE, p.admin);
        if (p.coordinator != address(0)) _grantRole(COORDINATOR_ROLE, p.coordinator);
        emit FeeRecipientSet(p.feeRecipient);
    }

    // ================================================================= admin

    /// @notice Changes who receives coordinator fees (admin only). Fees accrued so far are
    ///         credited to the previous recipient's internal balance first.
    function setFeeRecipient(address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (recipient == address(0)) revert JobMarket_ZeroAddress();
        FeeState memory f = _fees;
        if (f.accrued != 0) _accounts[f.recipient].balance += f.accrued;
        _fees = FeeState(recipient, 0);
        emit FeeRecipientSet(recipient);
    }

    // ================================================================= balances

    /// @inheritdoc IJobMarket
    function deposit(address account, uint256 amount) external nonReentrant {
        if (account == address(0)) revert JobMarket_ZeroAddress();
        if (amount == 0) revert JobMarket_ZeroAmount();
        Account storage acc = _accounts[account];
        uint256 bal = uint256(acc.balance) + amount;
        if (bal > type(uint128).max) revert JobMarket_AmountTooLarge(amount);
        acc.balance = uint128(bal);
        emit Deposited(account, msg.sender, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IJobMarket
    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert JobMarket_ZeroAmount();
        Account storage acc = _accounts[msg.sender];
        uint256 bal = acc.balance;
        if (amount > bal) revert JobMarket_InsufficientBalance(msg.sender, bal, amount);
        acc.balance = uint128(bal - amount);
        emit Withdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IJobMarket
    function withdrawFees() external nonReentrant {
        FeeState memory f = _fees;
        if (f.accrued == 0) revert JobMarket_ZeroAmount();
        _fees.accrued = 0;
        emit FeesWithdrawn(f.recipient, f.accrued);
        token.safeTransfer(f.recipient, f.accrued);
    }

    // ================================================================= jobs

    /// @inheritdoc IJobMarket
    function createJob(JobRequest calldata req) external returns (uint256 jobId) {
        if (msg.sender != req.dApp) revert JobMarket_NotDApp(msg.sender, req.dApp);
        uint256 lane;
        uint256 meta;
        (jobId, lane, meta) = _create(req);
        _lanes[lane] = meta;
    }

    /// @inheritdoc IJobMarket
    function createJobFor(JobRequest calldata req, bytes calldata signature)
        external
        onlyRole(COORDINATOR_ROLE)
        returns (uint256 jobId)
    {
        _checkSignature(req, signature);
        uint256 lane;
        uint256 meta;
        (jobId, lane, meta) = _create(req);
        _lanes[lane] = meta;
    }

    /// @inheritdoc IJobMarket
    function createAndAssign(JobRequest calldata req, bytes calldata signature, uint32[] calldata nodeIds)
        external
        onlyRole(COORDINATOR_ROLE)
        returns (uint256 jobId)
    {
        _checkSignature(req, signature);
        uint256 lane;
        uint256 meta;
        (jobId, lane, meta) = _create(req);
        _lanes[lane] = _assign(jobId, lane, meta, nodeIds);
    }

    /// @inheritdoc IJobMarket
    function assign(uint256 jobId, uint32[] calldata nodeIds) external onlyRole(COORDINATOR_ROLE) {
        (JobStatus status, uint256 lane, uint256 meta) = _load(jobId);
        if (status != JobStatus.Created) revert JobMarket_WrongStatus(jobId, status);
        _lanes[lane] = _assign(jobId, lane, meta, nodeIds);
    }

    /// @inheritdoc IJobMarket
    function submitStage(
        uint256 jobId,
        uint256 stage,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[4] calldata pubSignals
    ) external {
        (JobStatus status, uint256 lane, uint256 meta) = _load(jobId);
        if (status != JobStatus.Assigned) revert JobMarket_WrongStatus(jobId, status);
        Account storage sender = _accounts[msg.sender];
        uint32 nodeId = _checkStage(jobId, lane, meta, stage, sender, pubSignals);
        uint256 price = _verify(jobId, meta, stage, a, b, c, pubSignals);

        // Effects, keyed on (jobId, stage): the stage can never be accepted again.
        sender.balance += uint128(price);
        sender.openJobs -= 1;
        emit StageProven(jobId, uint8(stage), nodeId, pubSignals[1], price);
        if (stage + 1 != uint8(meta >> SHARDS_SHIFT)) {
            _records[jobId] = (KIND_OPEN << KIND_SHIFT) | pubSignals[1];
            _lanes[lane] = meta + (uint256(1) << NEXT_SHIFT);
        } else {
            _settle(jobId, lane, meta, pubSignals[3]);
        }
    }

    /// @inheritdoc IJobMarket
    function expire(uint256 jobId) external nonReentrant {
        (JobStatus status, uint256 lane, uint256 meta) = _load(jobId);
        if (status != JobStatus.Created && status != JobStatus.Assigned) revert JobMarket_WrongStatus(jobId, status);
        uint256 deadline = uint40(meta);
        if (block.timestamp <= deadline) revert JobMarket_DeadlineNotPassed(jobId, deadline);

        uint256 refund = _escrow(meta);
        _records[jobId] = KIND_CLOSED << KIND_SHIFT; // value 0 = expired
        _lanes[lane] = _withStatus(meta, JobStatus.Expired);
        _accounts[address(uint160(jobId >> 64))].balance += uint128(refund);

        uint32 slashedNode;
        uint256 slashed;
        if (status == JobStatus.Assigned) {
            uint256 next = uint8(meta >> NEXT_SHIFT);
            uint256 shards = uint8(meta >> SHARDS_SHIFT);
            for (uint256 k = next; k < shards; ++k) {
                _accounts[stakeRegistry.operatorOf(_nodeAt(lane, meta, k))].openJobs -= 1;
            }
            slashedNode = _nodeAt(lane, meta, next);
            slashed = stakeRegistry.slash(slashedNode, slashAmount);
        }
        emit JobExpired(jobId, refund, slashedNode, slashed);
    }

    /// @inheritdoc IJobMarket
    function cancelNonce(uint64 nonce) external {
        uint256 jobId = jobIdOf(msg.sender, nonce);
        if (_records[jobId] != 0) revert JobMarket_NonceUsed(msg.sender, nonce);
        _records[jobId] = (KIND_CLOSED << KIND_SHIFT) | 1; // value 1 = cancelled
        emit NonceCancelled(msg.sender, nonce);
    }

    // ================================================================= views

    /// @inheritdoc IJobMarket
    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account].balance;
    }

    /// @inheritdoc IJobMarket
    function openJobsOf(address operator) external view override(IJobMarket, IJobMarketLocks) returns (uint256) {
        return _accounts[operator].openJobs;
    }

    /// @inheritdoc IJobMarket
    function feeRecipient() external view returns (address) {
        return _fees.recipient;
    }

    /// @inheritdoc IJobMarket
    function accruedFees() external view returns (uint256) {
        return _fees.accrued;
    }

    /// @inheritdoc IJobMarket
    function jobIdOf(address dApp, uint64 nonce) public pure returns (uint256) {
        return (uint256(uint160(dApp)) << 64) | nonce;
    }

    /// @inheritdoc IJobMarket
    function getJob(uint256 jobId) external view returns (JobView memory v) {
        (JobStatus status, uint256 lane, uint256 meta) = _load(jobId);
        v.dApp = address(uint160(jobId >> 64));
        v.nonce = uint64(jobId);
        v.status = status;
        if (status == JobStatus.Expired || status == JobStatus.Cancelled) return v;
        v.commit = _records[jobId] & VALUE_MASK;
        if (status == JobStatus.Settled || status == JobStatus.None) return v;
        v.modelIndex = uint32(meta >> MODEL_SHIFT);
        v.clusterId = uint32(meta >> CLUSTER_SHIFT);
        v.shardCount = uint8(meta >> SHARDS_SHIFT);
        v.nextStage = uint8(meta >> NEXT_SHIFT);
        v.deadline = uint40(meta);
        if (status == JobStatus.Assigned) {
            v.nodeIds = new uint32[](v.shardCount);
            for (uint256 k; k < v.shardCount; ++k) {
                v.nodeIds[k] = _nodeAt(lane, meta, k);
            }
        }
    }

    /// @inheritdoc IJobMarket
    function statusOf(uint256 jobId) external view returns (JobStatus status) {
        (status,,) = _load(jobId);
    }

    /// @inheritdoc IJobMarket
    function resultOf(uint256 jobId) external view returns (uint256) {
        uint256 record = _records[jobId];
        if (record >> KIND_SHIFT != KIND_SETTLED) {
            (JobStatus status,,) = _load(jobId);
            revert JobMarket_NotSettled(jobId, status);
        }
        return record & VALUE_MASK;
    }

    /// @inheritdoc IJobMarket
    function escrowOf(uint256 jobId) external view returns (uint256) {
        (JobStatus status,, uint256 meta) = _load(jobId);
        if (status != JobStatus.Created && status != JobStatus.Assigned) return 0;
        return _escrow(meta);
    }

    /// @inheritdoc IJobMarket
    function bindingOf(uint256 jobId, uint256 stage, address prover) external view returns (uint256) {
        return _binding(jobId, stage, prover);
    }

    /// @inheritdoc IJobMarket
    function hashJobRequest(JobRequest calldata req) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(JOB_REQUEST_TYPEHASH, req)));
    }

    // ================================================================= internal

    /// @dev ECDSA first (EOA dApps: no code lookup), then ERC-1271 for contract dApps.
    function _checkSignature(JobRequest calldata req, bytes calldata signature) private view {
        bytes32 digest = hashJobRequest(req);
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == req.dApp) return;
        if (!SignatureChecker.isValidERC1271SignatureNowCalldata(req.dApp, digest, signature)) {
            revert JobMarket_InvalidSignature(req.dApp);
        }
    }

    /// @dev Lane of a job: the dApp's lane `nonce % LANES` (a key of `_lanes`, not a job id).
    function _laneOf(uint256 jobId) private pure returns (uint256) {
        return (jobId & ~uint256(type(uint64).max)) | (jobId % LANES);
    }

    /// @dev Status, lane and (while open) header of a job.
    function _load(uint256 jobId) private view returns (JobStatus status, uint256 lane, uint256 meta) {
        uint256 record = _records[jobId];
        uint256 kind = record >> KIND_SHIFT;
        lane = _laneOf(jobId);
        if (kind == KIND_OPEN) {
            // At most one open job per lane, so the lane header is this job's.
            meta = _lanes[lane];
            status = _status(meta);
        } else if (kind == KIND_SETTLED) {
            status = JobStatus.Settled;
        } else if (kind == KIND_CLOSED) {
            status = record & VALUE_MASK == 1 ? JobStatus.Cancelled : JobStatus.Expired;
        }
    }

    /// @dev Validates the request, takes the cost from the dApp balance, writes the record and
    ///      returns the lane and the (not yet stored) header.
    function _create(JobRequest calldata req) private returns (uint256 jobId, uint256 lane, uint256 meta) {
        if (req.clusterId == 0) revert JobMarket_ZeroCluster();
        if (req.inputCommitment >= R) revert JobMarket_PublicInputOutOfField(0, req.inputCommitment);
        uint256 deadline = req.deadline;
        if (deadline <= block.timestamp || deadline > block.timestamp + maxDeadlineWindow) {
            revert JobMarket_BadDeadline(deadline, block.timestamp, maxDeadlineWindow);
        }
        jobId = jobIdOf(req.dApp, req.nonce);
        if (_records[jobId] != 0) revert JobMarket_NonceUsed(req.dApp, req.nonce);
        lane = _laneOf(jobId);
        {
            JobStatus laneStatus = _status(_lanes[lane]);
            if (laneStatus == JobStatus.Created || laneStatus == JobStatus.Assigned) {
                revert JobMarket_LaneBusy(req.dApp, jobId % LANES);
            }
        }

        IModelRegistry.ModelInfo memory m = modelRegistry.modelInfo(req.modelId);
        if (m.index == 0) revert JobMarket_UnknownModel(req.modelId);
        if (!m.active) revert JobMarket_ModelInactive(req.modelId);
        if (m.shardCount > MAX_SHARDS) revert JobMarket_TooManyShards(m.shardCount, MAX_SHARDS);
        uint256 cost = uint256(m.totalPrice) + coordinatorFee;
        if (cost > req.maxFee) revert JobMarket_MaxFeeTooLow(req.maxFee, cost);

        Account storage acc = _accounts[req.dApp];
        uint256 bal = acc.balance;
        if (bal < cost) revert JobMarket_InsufficientBalance(req.dApp, bal, cost);
        acc.balance = uint128(bal - cost);

        meta = deadline | (uint256(m.index) << MODEL_SHIFT) | (uint256(req.clusterId) << CLUSTER_SHIFT)
            | (uint256(m.shardCount) << SHARDS_SHIFT) | (uint256(uint8(JobStatus.Created)) << STATUS_SHIFT);
        _records[jobId] = (KIND_OPEN << KIND_SHIFT) | req.inputCommitment;
        emit JobCreated(jobId, req.dApp, req.modelId, req.clusterId, req.inputCommitment, cost, uint40(deadline));
    }

    /// @dev Checks eligibility, locks the nodes' stake, packs node ids; returns the new header.
    function _assign(uint256 jobId, uint256 lane, uint256 meta, uint32[] calldata nodeIds) private returns (uint256) {
        if (block.timestamp > uint40(meta)) revert JobMarket_DeadlinePassed(jobId, uint40(meta));
        uint256 shards = uint8(meta >> SHARDS_SHIFT);
        if (nodeIds.length != shards) revert JobMarket_WrongNodeCount(jobId, shards, nodeIds.length);
        address[] memory operators = stakeRegistry.checkEligible(uint32(meta >> CLUSTER_SHIFT), nodeIds);
        uint256 extra;
        for (uint256 k; k < shards; ++k) {
            uint32 nodeId = nodeIds[k];
            Account storage acc = _accounts[operators[k]];
            acc.openJobs += 1;
            acc.nodeId = nodeId;
            if (k < INLINE_NODES) meta |= uint256(nodeId) << (NODES_SHIFT + 32 * k);
            else extra |= uint256(nodeId) << (32 * (k - INLINE_NODES));
        }
        if (shards > INLINE_NODES) _extraNodes[lane] = extra;
        emit JobAssigned(jobId, nodeIds);
        return _withStatus(meta, JobStatus.Assigned);
    }

    /// @dev Every check of a stage submission except the proof itself. Returns the stage's node.
    function _checkStage(
        uint256 jobId,
        uint256 lane,
        uint256 meta,
        uint256 stage,
        Account storage sender,
        uint256[4] calldata pubSignals
    ) private view returns (uint32 nodeId) {
        if (block.timestamp > uint40(meta)) revert JobMarket_DeadlinePassed(jobId, uint40(meta));
        uint256 next = uint8(meta >> NEXT_SHIFT);
        if (stage != next) revert JobMarket_StageOutOfOrder(jobId, next, stage);
        nodeId = _nodeAt(lane, meta, stage);
        if (sender.nodeId != nodeId) revert JobMarket_NotAssignedNode(jobId, stage, msg.sender);
        for (uint256 i; i < 4; ++i) {
            if (pubSignals[i] >= R) revert JobMarket_PublicInputOutOfField(i, pubSignals[i]);
        }
        // status Assigned => the record is open and its value is the expected inCommit
        uint256 expectedIn = _records[jobId] & VALUE_MASK;
        if (pubSignals[0] != expectedIn) revert JobMarket_InCommitMismatch(jobId, stage, expectedIn, pubSignals[0]);
        uint256 binding = _binding(jobId, stage, msg.sender);
        if (pubSignals[2] != binding) revert JobMarket_BindingMismatch(jobId, stage, binding, pubSignals[2]);
        if (stage + 1 != uint8(meta >> SHARDS_SHIFT) && pubSignals[3] != 0) {
            revert JobMarket_NonZeroIntermediateResult(jobId, stage);
        }
    }

    /// @dev Calls the stage's verifier and requires `true` (snarkjs verifiers return false, never
    ///      revert, on a bad proof or an out-of-field signal). Returns the stage price.
    function _verify(
        uint256 jobId,
        uint256 meta,
        uint256 stage,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[4] calldata pubSignals
    ) private returns (uint256 price) {
        address verifier;
        (verifier, price) = _stage(uint32(meta >> MODEL_SHIFT), stage);
        if (!IShardVerifier(verifier).verifyProof(a, b, c, pubSignals)) revert JobMarket_InvalidProof(jobId, stage);
    }

    /// @dev Settles exactly once: the record leaves the open kind for good, the lane is freed,
    ///      the result is recorded and the coordinator fee accrues.
    function _settle(uint256 jobId, uint256 lane, uint256 meta, uint256 result) private {
        _records[jobId] = (KIND_SETTLED << KIND_SHIFT) | result;
        _lanes[lane] = _withStatus(meta, JobStatus.Settled);
        uint256 fee = coordinatorFee;
        if (fee != 0) _fees.accrued += uint96(fee);
        emit JobSettled(jobId, result, fee);
    }

    /// @dev Verifier and price of (model, stage), cached from the (immutable) registry.
    function _stage(uint32 modelIndex, uint256 stage) private returns (address verifier, uint256 price) {
        uint256 cached = _stageCache[modelIndex][stage];
        if (cached == 0) {
            uint96 p;
            (verifier, p) = modelRegistry.stageAt(modelIndex, stage);
            price = p;
            _stageCache[modelIndex][stage] = uint256(uint160(verifier)) | (price << 160);
        } else {
            verifier = address(uint160(cached));
            price = cached >> 160;
        }
    }

    /// @dev Escrow still held by an open job: its cost minus the stages already paid.
    function _escrow(uint256 meta) private view returns (uint256 escrow) {
        uint32 modelIndex = uint32(meta >> MODEL_SHIFT);
        (, IModelRegistry.ModelInfo memory m) = modelRegistry.modelInfoAt(modelIndex);
        escrow = uint256(m.totalPrice) + coordinatorFee;
        uint256 next = uint8(meta >> NEXT_SHIFT);
        for (uint256 k; k < next; ++k) {
            (, uint96 price) = modelRegistry.stageAt(modelIndex, k);
            escrow -= price;
        }
    }

    function _nodeAt(uint256 lane, uint256 meta, uint256 stage) private view returns (uint32) {
        if (stage < INLINE_NODES) return uint32(meta >> (NODES_SHIFT + 32 * stage));
        return uint32(_extraNodes[lane] >> (32 * (stage - INLINE_NODES)));
    }

    function _binding(uint256 jobId, uint256 stage, address prover) private view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), jobId, stage, prover))) % R;
    }

    function _status(uint256 meta) private pure returns (JobStatus) {
        return JobStatus(uint8(meta >> STATUS_SHIFT));
    }

    function _withStatus(uint256 meta, JobStatus status) private pure returns (uint256) {
        return (meta & ~STATUS_MASK) | (uint256(uint8(status)) << STATUS_SHIFT);
    }
}
