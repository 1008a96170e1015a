// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IJobMarket
/// @notice Escrow and settlement of proven, pipeline-sharded inference jobs.
/// @dev Lifecycle: `Created` (cost escrowed) -> `Assigned` (one staked node of the job's cluster
///      per shard) -> stages proven strictly in order, each proof linked to the previous output
///      commitment and bound to (chain, market, job, stage, prover) -> `Settled` in the same
///      transaction as the last stage; or `Expired` after the deadline (refund + slash).
///
///      Pay as proven: a stage's node is credited its shard price (and its stake unlocked) in
///      the transaction that verifies its proof; the last stage settles the job (last node,
///      coordinator fee, result). On expiry the dApp gets back everything not yet paid (the
///      unproven stages and the coordinator fee) and only the node of the first unproven stage
///      (the one blocking the pipeline) is slashed.
///
///      Funds: every token the market holds is escrowed in an open job, an internal balance
///      (`balanceOf`: dApp deposits and refunds, node credits; withdrawn with `withdraw`, pull
///      payments) or accrued coordinator fees. Hence
///      `token.balanceOf(market) == sum(balanceOf) + sum(escrowOf(open jobs)) + accruedFees()`.
///
///      Job ids are `uint256(uint160(dApp)) << 64 | nonce`: the id itself is the replay
///      protection of signed requests (a job record is never reused, whatever its final state).
///      A dApp can have at most one open job per lane `nonce % 256` (so at most 256 open jobs);
///      sequential nonces never collide below that.
interface IJobMarket {
    /// @notice Job states. A job never leaves `Settled`, `Expired` or `Cancelled`.
    enum JobStatus {
        None,
        Created,
        Assigned,
        Settled,
        Expired,
        Cancelled
    }

    /// @notice A job request, created by the dApp itself or signed by it (EIP-712) and relayed.
    /// @param dApp Payer; signer of the request; receives the result and any refund.
    /// @param modelId Model to run (ModelRegistry id).
    /// @param inputCommitment Poseidon commitment to the input (must be `< r`).
    /// @param maxFee Upper bound of the job's cost (sum of stage prices + coordinator fee).
    /// @param deadline Unix time after which the job can be expired.
    /// @param nonce Per-dApp nonce; `(dApp, nonce)` is the job id.
    /// @param clusterId Cluster whose nodes must serve the job (non-zero).
    struct JobRequest {
        address dApp;
        bytes32 modelId;
        uint256 inputCommitment;
        uint128 maxFee;
        uint64 deadline;
        uint64 nonce;
        uint32 clusterId;
    }

    /// @notice Decoded job record.
    struct JobView {
        address dApp;
        uint64 nonce;
        JobStatus status;
        uint32 modelIndex;
        uint32 clusterId;
        uint8 shardCount;
        uint8 nextStage;
        uint40 deadline;
        /// @dev Open job: the `inCommit` the next stage must prove. Settled: the result.
        uint256 commit;
        uint32[] nodeIds;
    }
    /// @dev Header fields (modelIndex .. deadline, nodeIds) are only kept while the job is open;
    ///      for closed jobs `getJob` returns the status and `commit` (result if settled). The full
    ///      history is in the events.

    event Deposited(address indexed account, address indexed from, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    event JobCreated(
        uint256 indexed jobId,
        address indexed dApp,
        bytes32 indexed modelId,
        uint32 clusterId,
        uint256 inputCommitment,
        uint256 escrow,
        uint40 deadline
    );
    event JobAssigned(uint256 indexed jobId, uint32[] nodeIds);
    /// @notice A stage's proof was verified and its node's operator credited `paid`;
    ///         `outCommit` is the next stage's `inCommit`.
    event StageProven(uint256 indexed jobId, uint8 indexed stage, uint32 indexed nodeId, uint256 outCommit, uint256 paid);
    /// @notice The last stage was proven: the verified `result` is recorded, the fee accrued.
    event JobSettled(uint256 indexed jobId, uint256 result, uint256 coordinatorFee);
    /// @notice The job passed its deadline unfinished; `refund` went back to the dApp balance.
    ///         `slashedNodeId` (0 if none) is the node of the stage that blocked the pipeline.
    event JobExpired(uint256 indexed jobId, uint256 refund, uint32 slashedNodeId, uint256 slashed);
    /// @notice Accrued coordinator fees were paid to the fee recipient.
    event FeesWithdrawn(address indexed recipient, uint256 amount);
    /// @notice A dApp burnt an unused nonce (invalidating any signed request using it).
    event NonceCancelled(address indexed dApp, uint64 nonce);
    event FeeRecipientSet(address indexed feeRecipient);

    error JobMarket_ZeroAmount();
    error JobMarket_ZeroAddress();
    error JobMarket_InsufficientBalance(address account, uint256 balance, uint256 needed);
    error JobMarket_AmountTooLarge(uint256 amount);
    /// @notice `unbondingPeriod` of the StakeRegistry must exceed `maxDeadlineWindow`.
    error JobMarket_DeadlineWindowTooLong(uint256 maxDeadlineWindow, uint256 unbondingPeriod);
    error JobMarket_InvalidSignature(address dApp);
    error JobMarket_NotDApp(address caller, address dApp);
    /// @notice The `(dApp, nonce)` slot was already used (job exists or nonce cancelled).
    error JobMarket_NonceUsed(address dApp, uint64 nonce);
    /// @notice Lane `nonce % 256` of the dApp still holds an open job (wait, or expire it).
    error JobMarket_LaneBusy(address dApp, uint256 lane);
    error JobMarket_BadDeadline(uint256 deadline, uint256 nowTs, uint256 maxDeadlineWindow);
    error JobMarket_ZeroCluster();
    error JobMarket_UnknownModel(bytes32 modelId);
    error JobMarket_ModelInactive(bytes32 modelId);
    error JobMarket_TooManyShards(uint256 shardCount, uint256 max);
    error JobMarket_MaxFeeTooLow(uint256 maxFee, uint256 cost);
    error JobMarket_WrongStatus(uint256 jobId, JobStatus status);
    error JobMarket_WrongNodeCount(uint256 jobId, uint256 expected, uint256 got);
    error JobMarket_DeadlinePassed(uint256 jobId, uint256 deadline);
    error JobMarket_DeadlineNotPassed(uint256 jobId, uint256 deadline);
    error JobMarket_StageOutOfOrder(uint256 jobId, uint256 expected, uint256 got);
    error JobMarket_NotAssignedNode(uint256 jobId, uint256 stage, address caller);
    /// @notice Public signal `index` is not a BN254 scalar field element.
    error JobMarket_PublicInputOutOfField(uint256 index, uint256 value);
    /// @notice `pubSignals[0]` differs from the previous stage's `outCommit` (or the input commitment).
    error JobMarket_InCommitMismatch(uint256 jobId, uint256 stage, uint256 expected, uint256 got);
    /// @notice `pubSignals[2]` differs from the binding of (chain, market, job, stage, sender).
    error JobMarket_BindingMismatch(uint256 jobId, uint256 stage, uint256 expected, uint256 got);
    /// @notice Non-last stages must publish `result == 0`.
    error JobMarket_NonZeroIntermediateResult(uint256 jobId, uint256 stage);
    /// @notice The shard verifier returned false.
    error JobMarket_InvalidProof(uint256 jobId, uint256 stage);
    error JobMarket_NotSettled(uint256 jobId, JobStatus status);

    // ---------------------------------------------------------------- balances

    /// @notice Deposits `amount` tokens (transferFrom caller) into `account`'s balance.
    function deposit(address account, uint256 amount) external;
    /// @notice Withdraws `amount` of the caller's balance (dApp funds or earned credits).
    function withdraw(uint256 amount) external;
    /// @notice Pays all accrued coordinator fees to the fee recipient (anyone may call).
    function withdrawFees() external;

    // ---------------------------------------------------------------- jobs

    /// @notice Creates a job paid by the caller (`req.dApp == msg.sender`).
    function createJob(JobRequest calldata req) external returns (uint256 jobId);
    /// @notice Creates a job from a dApp-signed EIP-712 request (coordinator role).
    function createJobFor(JobRequest calldata req, bytes calldata signature) external returns (uint256 jobId);
    /// @notice Creates a job from a signed request and assigns it in the same transaction (coordinator role).
    function createAndAssign(JobRequest calldata req, bytes calldata signature, uint32[] calldata nodeIds)
        external
        returns (uint256 jobId);
    /// @notice Names the node of each stage (coordinator role).
    function assign(uint256 jobId, uint32[] calldata nodeIds) external;
    /// @notice Submits the proof of `stage` (assigned node's operator only). Credits the stage
    ///         price; the last stage settles the job.
    function submitStage(
        uint256 jobId,
        uint256 stage,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[4] calldata pubSignals
    ) external;
    /// @notice After the deadline: refunds the unpaid escrow, slashes the blocking node, unlocks stake.
    function expire(uint256 jobId) external;
    /// @notice Burns an unused nonce of the caller, invalidating a signed request.
    function cancelNonce(uint64 nonce) external;

    // ---------------------------------------------------------------- views

    function balanceOf(address account) external view returns (uint256);
    function openJobsOf(address operator) external view returns (uint256);
    function maxDeadlineWindow() external view returns (uint256);
    function coordinatorFee() external view returns (uint256);
    function slashAmount() external view returns (uint256);
    function feeRecipient() external view returns (address);
    /// @notice Coordinator fees of settled jobs not yet withdrawn.
    function accruedFees() external view returns (uint256);
    function jobIdOf(address dApp, uint64 nonce) external pure returns (uint256);
    function getJob(uint256 jobId) external view returns (JobView memory);
    function statusOf(uint256 jobId) external view returns (JobStatus);
    /// @notice The verified result of a settled job (last shard's `result` signal); reverts otherwise.
    function resultOf(uint256 jobId) external view returns (uint256);
    /// @notice Tokens still escrowed by a job: cost minus stages already paid (0 unless open).
    function escrowOf(uint256 jobId) external view returns (uint256);
    /// @notice The `binding` public signal expected from `prover` for (jobId, stage).
    function bindingOf(uint256 jobId, uint256 stage, address prover) external view returns (uint256);
    /// @notice EIP-712 digest a dApp signs for `req`.
    function hashJobRequest(JobRequest calldata req) external view returns (bytes32);
}
