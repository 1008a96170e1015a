// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IStakeRegistry, IJobMarketLocks} from "./interfaces/IStakeRegistry.sol";

/// @title StakeRegistry
/// @notice Stake, nodes and clusters of ProofMesh (see {IStakeRegistry}).
/// @dev One node per operator address. The operator is the node's on-chain identity: it stakes,
///      sends the stage proofs and is paid; `signer` is the node's key for off-chain messages
///      (gossip, receipts). The stake lock counter lives in the job market (packed with the
///      operator's market balance, so settlement unlocks for free) and is read from here.
contract StakeRegistry is IStakeRegistry, Ownable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev Slot 0 is all the hot path (eligibility) needs besides `operator` / `clusterId`.
    struct Node {
        // slot 0
        uint96 stake;
        uint96 unbonding;
        uint40 unbondEnd;
        // slot 1
        address operator;
        uint32 clusterId;
        uint32 memberIndex; // position in the cluster's member list
        // slot 2
        address signer;
        uint64 memoryBytes;
        // dynamic
        string endpoint;
        bytes32[] modelIds;
    }

    struct Cluster {
        uint96 minStake;
        bool exists;
        bool active;
        string label;
        string region;
        uint32[] members;
    }

    uint256 public constant MAX_MODELS_PER_NODE = 32;
    uint256 public constant MAX_ENDPOINT_LENGTH = 256;
    uint256 public constant MAX_UNBONDING_PERIOD = 3650 days;

    /// @notice Staking token.
    IERC20 public immutable token;
    /// @inheritdoc IStakeRegistry
    uint256 public immutable unbondingPeriod;

    /// @inheritdoc IStakeRegistry
    address public jobMarket;
    /// @inheritdoc IStakeRegistry
    uint256 public treasury;
    /// @inheritdoc IStakeRegistry
    uint256 public totalStaked;

    uint32 private _clusterCount;
    uint32 private _nodeCount;
    mapping(uint32 clusterId => Cluster) private _clusters;
    mapping(uint32 nodeId => Node) private _nodes;
    mapping(address operator => uint32 nodeId) private _nodeIds;

    modifier onlyJobMarket() {
        if (msg.sender != jobMarket) revert StakeRegistry_OnlyJobMarket(msg.sender);
        _;
    }

    /// @param token_ Staking token (standard ERC20: no fee on transfer, no rebasing).
    /// @param unbondingPeriod_ Seconds between `requestUnbonding` and `withdraw`.
    /// @param owner_ Creates clusters, sets the job market, manages the treasury.
    constructor(IERC20 token_, uint256 unbondingPeriod_, address owner_) Ownable(owner_) {
        if (address(token_) == address(0)) revert StakeRegistry_ZeroAddress();
        // Bounded so `block.timestamp + unbondingPeriod` always fits the 40-bit `unbondEnd`.
        if (unbondingPeriod_ == 0 || unbondingPeriod_ > MAX_UNBONDING_PERIOD) {
            revert StakeRegistry_BadUnbondingPeriod(unbondingPeriod_, MAX_UNBONDING_PERIOD);
        }
        token = token_;
        unbondingPeriod = unbondingPeriod_;
    }

    // ================================================================= owner

    /// @inheritdoc IStakeRegistry
    function createCluster(string calldata label, string calldata region, uint96 minStake)
        external
        onlyOwner
        returns (uint32 clusterId)
    {
        clusterId = ++_clusterCount;
        Cluster storage c = _clusters[clusterId];
        c.minStake = minStake;
        c.exists = true;
        c.active = true;
        c.label = label;
        c.region = region;
        emit ClusterCreated(clusterId, label, region, minStake);
    }

    /// @inheritdoc IStakeRegistry
    function updateCluster(uint32 clusterId, uint96 minStake, bool active) external onlyOwner {
        Cluster storage c = _existingCluster(clusterId);
        c.minStake = minStake;
        c.active = active;
        emit ClusterUpdated(clusterId, minStake, active);
    }

    /// @inheritdoc IStakeRegistry
    function setJobMarket(address market) external onlyOwner {
        if (market == address(0)) revert StakeRegistry_ZeroAddress();
        if (jobMarket != address(0)) revert StakeRegistry_JobMarketAlreadySet(jobMarket);
        uint256 window = IJobMarketLocks(market).maxDeadlineWindow();
        if (unbondingPeriod <= window) revert StakeRegistry_UnbondingTooShort(unbondingPeriod, window);
        jobMarket = market;
        emit JobMarketSet(market);
    }

    /// @inheritdoc IStakeRegistry
    function withdrawTreasury(address to, uint256 amount) external onlyOwner nonReentrant {
        if (to == address(0)) revert StakeRegistry_ZeroAddress();
        uint256 t = treasury;
        if (amount > t) revert StakeRegistry_AmountExceedsTreasury(amount, t);
        treasury = t - amount;
        emit TreasuryWithdrawn(to, amount);
        token.safeTransfer(to, amount);
    }

    // ================================================================= operators

    /// @inheritdoc IStakeRegistry
    function registerNode(
        string calldata endpoint,
        uint32 clusterId,
        uint64 memoryBytes,
        bytes32[] calldata modelIds,
        address signer
    ) external returns (uint32 nodeId) {
        uint32 existing = _nodeIds[msg.sender];
        if (existing != 0) revert StakeRegistry_AlreadyRegistered(msg.sender, existing);
        _checkDescription(endpoint, modelIds, signer);
        nodeId = ++_nodeCount;
        _nodeIds[msg.sender] = nodeId;
        Node storage n = _nodes[nodeId];
        n.operator = msg.sender;
        n.signer = signer;
        n.memoryBytes = memoryBytes;
        n.endpoint = endpoint;
        n.modelIds = modelIds;
        emit NodeRegistered(nodeId, msg.sender, signer, memoryBytes, endpoint, modelIds);
        if (clusterId != 0) _join(nodeId, n, clusterId);
    }

    /// @inheritdoc IStakeRegistry
    function updateNode(string calldata endpoint, uint64 memoryBytes, bytes32[] calldata modelIds, address signer)
        external
    {
        (uint32 nodeId, Node storage n) = _callerNode();
        _checkDescription(endpoint, modelIds, signer);
        n.signer = signer;
        n.memoryBytes = memoryBytes;
        n.endpoint = endpoint;
        n.modelIds = modelIds;
        emit NodeUpdated(nodeId, signer, memoryBytes, endpoint, modelIds);
    }

    /// @inheritdoc IStakeRegistry
    function joinCluster(uint32 clusterId) external {
        (uint32 nodeId, Node storage n) = _callerNode();
        if (n.clusterId != 0) revert StakeRegistry_AlreadyInCluster(nodeId, n.clusterId);
        _join(nodeId, n, clusterId);
    }

    /// @inheritdoc IStakeRegistry
    function leaveCluster() external {
        (uint32 nodeId, Node storage n) = _callerNode();
        uint32 clusterId = n.clusterId;
        if (clusterId == 0) revert StakeRegistry_NotInCluster(nodeId, 0);
        _requireUnlocked(nodeId, msg.sender);
        uint32[] storage members = _clusters[clusterId].members;
        uint32 i = n.memberIndex;
        uint32 last = members[members.length - 1];
        members[i] = last;
        _nodes[last].memberIndex = i;
        members.pop();
        n.clusterId = 0;
        n.memberIndex = 0;
        emit ClusterLeft(nodeId, clusterId);
    }

    /// @inheritdoc IStakeRegistry
    function stake(uint256 amount) external nonReentrant {
        (uint32 nodeId, Node storage n) = _callerNode();
        if (amount == 0) revert StakeRegistry_ZeroAmount();
        uint256 newStake = uint256(n.stake) + amount;
        if (newStake > type(uint96).max) revert StakeRegistry_AmountTooLarge(amount);
        n.stake = uint96(newStake);
        totalStaked += amount;
        emit Staked(nodeId, amount, newStake);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IStakeRegistry
    function requestUnbonding(uint256 amount) external {
        (uint32 nodeId, Node storage n) = _callerNode();
        if (amount == 0) revert StakeRegistry_ZeroAmount();
        _requireUnlocked(nodeId, msg.sender);
        uint96 s = n.stake;
        if (amount > s) revert StakeRegistry_AmountExceedsStake(nodeId, amount, s);
        n.stake = s - uint96(amount);
        uint96 u = n.unbonding + uint96(amount);
        n.unbonding = u;
        uint40 end = uint40(block.timestamp + unbondingPeriod);
        n.unbondEnd = end;
        emit UnbondingRequested(nodeId, amount, u, end);
    }

    /// @inheritdoc IStakeRegistry
    function cancelUnbonding() external {
        (uint32 nodeId, Node storage n) = _callerNode();
        uint96 u = n.unbonding;
        if (u == 0) revert StakeRegistry_NothingUnbonding(nodeId);
        uint96 s = n.stake + u;
        n.stake = s;
        n.unbonding = 0;
        n.unbondEnd = 0;
        emit UnbondingCancelled(nodeId, u, s);
    }

    /// @inheritdoc IStakeRegistry
    function withdraw() external nonReentrant {
        (uint32 nodeId, Node storage n) = _callerNode();
        uint96 u = n.unbonding;
        if (u == 0) revert StakeRegistry_NothingUnbonding(nodeId);
        if (block.timestamp < n.unbondEnd) revert StakeRegistry_UnbondingNotFinished(nodeId, n.unbondEnd);
        _requireUnlocked(nodeId, msg.sender);
        n.unbonding = 0;
        n.unbondEnd = 0;
        totalStaked -= u;
        emit Withdrawn(nodeId, msg.sender, u);
        token.safeTransfer(msg.sender, u);
    }

    // ================================================================= job market

    /// @inheritdoc IStakeRegistry
    function checkEligible(uint32 clusterId, uint32[] calldata nodeIds)
        external
        view
        returns (address[] memory operators)
    {
        Cluster storage c = _clusters[clusterId];
        uint96 minStake = c.minStake;
        if (!c.exists) revert StakeRegistry_UnknownCluster(clusterId);
        if (!c.active) revert StakeRegistry_ClusterInactive(clusterId);
        uint256 len = nodeIds.length;
        operators = new address[](len);
        for (uint256 k; k < len; ++k) {
            uint32 id = nodeIds[k];
            Node storage n = _nodes[id];
            address op = n.operator;
            if (op == address(0)) revert StakeRegistry_UnknownNode(id);
            if (n.clusterId != clusterId) revert StakeRegistry_NotInCluster(id, clusterId);
            if (n.unbonding != 0) revert StakeRegistry_NodeUnbonding(id, n.unbonding);
            if (n.stake < minStake) revert StakeRegistry_InsufficientStake(id, n.stake, minStake);
            operators[k] = op;
        }
    }

    /// @inheritdoc IStakeRegistry
    function slash(uint32 nodeId, uint256 amount) external onlyJobMarket returns (uint256 slashed) {
        Node storage n = _nodes[nodeId];
        if (n.operator == address(0)) revert StakeRegistry_UnknownNode(nodeId);
        uint96 s = n.stake;
        uint96 u = n.unbonding;
        uint256 fromStake = amount < s ? amount : s;
        uint256 rest = amount - fromStake;
        uint256 fromUnbonding = rest < u ? rest : u;
        n.stake = s - uint96(fromStake);
        n.unbonding = u - uint96(fromUnbonding);
        slashed = fromStake + fromUnbonding;
        totalStaked -= slashed;
        treasury += slashed;
        emit Slashed(nodeId, amount, fromStake, fromUnbonding);
    }

    // ================================================================= views

    /// @inheritdoc IStakeRegistry
    function operatorOf(uint32 nodeId) external view returns (address) {
        return _nodes[nodeId].operator;
    }

    /// @inheritdoc IStakeRegistry
    function nodeIdOf(address operator) external view returns (uint32) {
        return _nodeIds[operator];
    }

    /// @inheritdoc IStakeRegistry
    function getNode(uint32 nodeId) external view returns (NodeView memory v) {
        Node storage n = _nodes[nodeId];
        if (n.operator == address(0)) revert StakeRegistry_UnknownNode(nodeId);
        v = NodeView({
            id: nodeId,
            operator: n.operator,
            signer: n.signer,
            clusterId: n.clusterId,
            memoryBytes: n.memoryBytes,
            stake: n.stake,
            unbonding: n.unbonding,
            unbondEnd: n.unbondEnd,
            openJobs: _openJobs(n.operator),
            endpoint: n.endpoint,
            modelIds: n.modelIds
        });
    }

    /// @inheritdoc IStakeRegistry
    function getCluster(uint32 clusterId) external view returns (ClusterView memory) {
        Cluster storage c = _existingCluster(clusterId);
        return ClusterView(clusterId, c.minStake, c.active, c.label, c.region, c.members);
    }

    /// @inheritdoc IStakeRegistry
    function clusterCount() external view returns (uint32) {
        return _clusterCount;
    }

    /// @inheritdoc IStakeRegistry
    function nodeCount() external view returns (uint32) {
        return _nodeCount;
    }

    // ================================================================= internal

    function _callerNode() private view returns (uint32 nodeId, Node storage n) {
        nodeId = _nodeIds[msg.sender];
        if (nodeId == 0) revert StakeRegistry_NotRegistered(msg.sender);
        n = _nodes[nodeId];
    }

    function _existingCluster(uint32 clusterId) private view returns (Cluster storage c) {
        c = _clusters[clusterId];
        if (!c.exists) revert StakeRegistry_UnknownCluster(clusterId);
    }

    function _join(uint32 nodeId, Node storage n, uint32 clusterId) private {
        Cluster storage c = _existingCluster(clusterId);
        if (!c.active) revert StakeRegistry_ClusterInactive(clusterId);
        n.clusterId = clusterId;
        n.memberIndex = uint32(c.members.length);
        c.members.push(nodeId);
        emit ClusterJoined(nodeId, clusterId);
    }

    function _checkDescription(string calldata endpoint, bytes32[] calldata modelIds, address signer) private pure {
        if (signer == address(0)) revert StakeRegistry_ZeroAddress();
        if (bytes(endpoint).length > MAX_ENDPOINT_LENGTH) {
            revert StakeRegistry_EndpointTooLong(bytes(endpoint).length, MAX_ENDPOINT_LENGTH);
        }
        if (modelIds.length > MAX_MODELS_PER_NODE) revert StakeRegistry_TooManyModels(modelIds.length, MAX_MODELS_PER_NODE);
    }

    function _openJobs(address operator) private view returns (uint256) {
        address market = jobMarket;
        return market == address(0) ? 0 : IJobMarketLocks(market).openJobsOf(operator);
    }

    function _requireUnlocked(uint32 nodeId, address operator) private view {
        uint256 open = _openJobs(operator);
        if (open != 0) revert StakeRegistry_StakeLocked(nodeId, open);
    }
}
