// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IStakeRegistry
/// @notice Operators stake the protocol token and register one edge node each. Nodes are grouped
///         into clusters (on-chain objects: id, label, region, min stake, member list). The job
///         market assigns staked cluster members to jobs, locks their stake while a job is open
///         and slashes them when they fail to prove before the deadline.
/// @dev Stake accounting (all token units, 96 bits):
///      `token.balanceOf(registry) == sum(stake) + sum(unbonding) + treasury`.
///      Unbonding stake stays slashable until withdrawn, and the unbonding period is strictly
///      longer than the job market's maximum deadline window (checked when the market is set).
interface IStakeRegistry {
    /// @notice Cluster as returned by `getCluster`.
    struct ClusterView {
        uint32 id;
        uint96 minStake;
        bool active;
        string label;
        string region;
        uint32[] members;
    }

    /// @notice Node as returned by `getNode`.
    struct NodeView {
        uint32 id;
        address operator;
        address signer;
        uint32 clusterId;
        uint64 memoryBytes;
        uint96 stake;
        uint96 unbonding;
        uint40 unbondEnd;
        uint256 openJobs;
        string endpoint;
        bytes32[] modelIds;
    }

    /// @notice A cluster was created by the owner.
    event ClusterCreated(uint32 indexed clusterId, string label, string region, uint96 minStake);
    /// @notice A cluster's parameters changed.
    event ClusterUpdated(uint32 indexed clusterId, uint96 minStake, bool active);
    /// @notice An operator registered its node.
    event NodeRegistered(
        uint32 indexed nodeId,
        address indexed operator,
        address signer,
        uint64 memoryBytes,
        string endpoint,
        bytes32[] modelIds
    );
    /// @notice An operator updated its node's off-chain description.
    event NodeUpdated(uint32 indexed nodeId, address signer, uint64 memoryBytes, string endpoint, bytes32[] modelIds);
    /// @notice A node joined a cluster.
    event ClusterJoined(uint32 indexed nodeId, uint32 indexed clusterId);
    /// @notice A node left a cluster.
    event ClusterLeft(uint32 indexed nodeId, uint32 indexed clusterId);
    /// @notice Stake was added to a node.
    event Staked(uint32 indexed nodeId, uint256 amount, uint256 stake);
    /// @notice Stake moved into unbonding; `unbondEnd` is when all of it becomes withdrawable.
    event UnbondingRequested(uint32 indexed nodeId, uint256 amount, uint256 unbonding, uint40 unbondEnd);
    /// @notice Unbonding stake moved back to active stake.
    event UnbondingCancelled(uint32 indexed nodeId, uint256 amount, uint256 stake);
    /// @notice Unbonded stake was paid out to the operator.
    event Withdrawn(uint32 indexed nodeId, address indexed to, uint256 amount);
    /// @notice The job market slashed a node (`fromStake + fromUnbonding <= requested`).
    event Slashed(uint32 indexed nodeId, uint256 requested, uint256 fromStake, uint256 fromUnbonding);
    /// @notice The job market was set (once).
    event JobMarketSet(address indexed jobMarket);
    /// @notice Slashed tokens were paid out of the treasury.
    event TreasuryWithdrawn(address indexed to, uint256 amount);

    /// @notice Amount must be non-zero.
    error StakeRegistry_ZeroAmount();
    /// @notice Amount does not fit in 96 bits.
    error StakeRegistry_AmountTooLarge(uint256 amount);
    /// @notice Address must be non-zero.
    error StakeRegistry_ZeroAddress();
    /// @notice The operator already has a node.
    error StakeRegistry_AlreadyRegistered(address operator, uint32 nodeId);
    /// @notice The caller has no node.
    error StakeRegistry_NotRegistered(address operator);
    /// @notice No node has this id.
    error StakeRegistry_UnknownNode(uint32 nodeId);
    /// @notice No cluster has this id.
    error StakeRegistry_UnknownCluster(uint32 clusterId);
    /// @notice The cluster is deactivated.
    error StakeRegistry_ClusterInactive(uint32 clusterId);
    /// @notice The node is already in a cluster (leave first).
    error StakeRegistry_AlreadyInCluster(uint32 nodeId, uint32 clusterId);
    /// @notice The node is not a member of `clusterId`.
    error StakeRegistry_NotInCluster(uint32 nodeId, uint32 clusterId);
    /// @notice Active stake is below the cluster's minimum.
    error StakeRegistry_InsufficientStake(uint32 nodeId, uint256 stake, uint256 minStake);
    /// @notice The node has stake in unbonding and cannot take new jobs.
    error StakeRegistry_NodeUnbonding(uint32 nodeId, uint256 unbonding);
    /// @notice The node is assigned to open jobs; its stake and membership are locked.
    error StakeRegistry_StakeLocked(uint32 nodeId, uint256 openJobs);
    /// @notice Nothing is unbonding.
    error StakeRegistry_NothingUnbonding(uint32 nodeId);
    /// @notice The unbonding period has not ended.
    error StakeRegistry_UnbondingNotFinished(uint32 nodeId, uint40 unbondEnd);
    /// @notice Amount exceeds the active stake.
    error StakeRegistry_AmountExceedsStake(uint32 nodeId, uint256 amount, uint256 stake);
    /// @notice Only the job market may call this.
    error StakeRegistry_OnlyJobMarket(address caller);
    /// @notice The job market can be set only once.
    error StakeRegistry_JobMarketAlreadySet(address jobMarket);
    /// @notice The unbonding period must be longer than the market's maximum deadline window.
    error StakeRegistry_UnbondingTooShort(uint256 unbondingPeriod, uint256 maxDeadlineWindow);
    /// @notice The unbonding period must be in `(0, max]`.
    error StakeRegistry_BadUnbondingPeriod(uint256 unbondingPeriod, uint256 max);
    /// @notice Too many model ids for one node.
    error StakeRegistry_TooManyModels(uint256 count, uint256 max);
    /// @notice Endpoint string too long.
    error StakeRegistry_EndpointTooLong(uint256 length, uint256 max);
    /// @notice Amount exceeds the treasury.
    error StakeRegistry_AmountExceedsTreasury(uint256 amount, uint256 treasury);

    // ---------------------------------------------------------------- owner

    /// @notice Creates a cluster. Returns its id (1-based, sequential).
    function createCluster(string calldata label, string calldata region, uint96 minStake) external returns (uint32);
    /// @notice Updates a cluster's minimum stake and whether it accepts assignments.
    function updateCluster(uint32 clusterId, uint96 minStake, bool active) external;
    /// @notice Sets the job market once; enforces `unbondingPeriod > market.maxDeadlineWindow()`.
    function setJobMarket(address jobMarket) external;
    /// @notice Pays slashed tokens out of the treasury.
    function withdrawTreasury(address to, uint256 amount) external;

    // ---------------------------------------------------------------- operators

    /// @notice Registers the caller's node; `clusterId == 0` registers it outside any cluster.
    function registerNode(
        string calldata endpoint,
        uint32 clusterId,
        uint64 memoryBytes,
        bytes32[] calldata modelIds,
        address signer
    ) external returns (uint32 nodeId);
    /// @notice Updates the caller's node description.
    function updateNode(string calldata endpoint, uint64 memoryBytes, bytes32[] calldata modelIds, address signer) external;
    /// @notice Joins a cluster (the node must not be in one).
    function joinCluster(uint32 clusterId) external;
    /// @notice Leaves the current cluster (not while assigned to an open job).
    function leaveCluster() external;
    /// @notice Adds `amount` to the caller's node stake (token `transferFrom`).
    function stake(uint256 amount) external;
    /// @notice Moves `amount` of active stake into unbonding and restarts the unbonding timer.
    function requestUnbonding(uint256 amount) external;
    /// @notice Moves all unbonding stake back to active stake.
    function cancelUnbonding() external;
    /// @notice Pays out all unbonding stake after the unbonding period.
    function withdraw() external;

    // ---------------------------------------------------------------- job market

    /// @notice Reverts unless every node is registered, a member of the active cluster `clusterId`,
    ///         has `stake >= minStake` and nothing in unbonding. Returns the nodes' operators.
    function checkEligible(uint32 clusterId, uint32[] calldata nodeIds) external view returns (address[] memory operators);
    /// @notice Slashes up to `amount` from a node: active stake first, then unbonding stake.
    ///         Slashed tokens go to the registry treasury. Only the job market.
    function slash(uint32 nodeId, uint256 amount) external returns (uint256 slashed);

    // ---------------------------------------------------------------- views

    /// @notice The operator (transaction sender for proofs, payee) of a node; zero if unknown.
    function operatorOf(uint32 nodeId) external view returns (address);
    /// @notice Node id of an operator; zero if none.
    function nodeIdOf(address operator) external view returns (uint32);
    /// @notice Full node record.
    function getNode(uint32 nodeId) external view returns (NodeView memory);
    /// @notice Full cluster record, including its members.
    function getCluster(uint32 clusterId) external view returns (ClusterView memory);
    /// @notice Number of clusters / nodes created so far.
    function clusterCount() external view returns (uint32);
    function nodeCount() external view returns (uint32);
    /// @notice Slashed tokens held by the registry.
    function treasury() external view returns (uint256);
    /// @notice Sum of active + unbonding stake of all nodes.
    function totalStaked() external view returns (uint256);
    /// @notice Seconds between the last `requestUnbonding` and `withdraw`.
    function unbondingPeriod() external view returns (uint256);
    /// @notice The job market allowed to slash and whose lock counters are honoured.
    function jobMarket() external view returns (address);
}

/// @notice What the StakeRegistry needs to know from the job market.
interface IJobMarketLocks {
    /// @notice Number of open job stages the operator is assigned to (stake lock counter).
    function openJobsOf(address operator) external view returns (uint256);
    /// @notice Upper bound of `deadline - creation time` for any job.
    function maxDeadlineWindow() external view returns (uint256);
}
