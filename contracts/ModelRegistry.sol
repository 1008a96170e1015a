// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title ModelRegistry
/// @notice Owner-curated registry of sharded models (see {IModelRegistry}). Immutable per model.
contract ModelRegistry is IModelRegistry, Ownable {
    /// @dev Hot data of a stage, read by JobMarket on every proof: one slot.
    struct Stage {
        address verifier;
        uint96 pricePerStage;
    }

    /// @dev Cold data of a shard.
    struct ShardMeta {
        bytes32 weightsHash;
        uint64 memoryBytes;
    }

    /// @inheritdoc IModelRegistry
    uint8 public constant MAX_SHARDS = 12;

    mapping(bytes32 modelId => ModelInfo) private _models;
    mapping(uint32 index => bytes32 modelId) private _modelIds;
    mapping(uint32 index => mapping(uint256 shard => Stage)) private _stages;
    mapping(uint32 index => mapping(uint256 shard => ShardMeta)) private _shardMeta;
    uint32 private _modelCount;

    constructor(address owner_) Ownable(owner_) {}

    /// @inheritdoc IModelRegistry
    function registerModel(bytes32 modelId, Shard[] calldata shards) external onlyOwner returns (uint32 index) {
        if (modelId == bytes32(0)) revert ModelRegistry_ZeroModelId();
        if (_models[modelId].index != 0) revert ModelRegistry_ModelExists(modelId);
        uint256 n = shards.length;
        if (n == 0 || n > MAX_SHARDS) revert ModelRegistry_BadShardCount(n, MAX_SHARDS);

        index = ++_modelCount;
        uint256 total;
        for (uint256 k; k < n; ++k) {
            Shard calldata s = shards[k];
            if (s.verifier.code.length == 0) revert ModelRegistry_VerifierHasNoCode(k, s.verifier);
            total += s.pricePerStage;
            _stages[index][k] = Stage(s.verifier, s.pricePerStage);
            _shardMeta[index][k] = ShardMeta(s.weightsHash, s.memoryBytes);
            emit ShardRegistered(modelId, uint8(k), s.verifier, s.weightsHash, s.memoryBytes, s.pricePerStage);
        }
        if (total > type(uint96).max) revert ModelRegistry_TotalPriceOverflow(modelId);
        _models[modelId] = ModelInfo({index: index, shardCount: uint8(n), active: true, totalPrice: uint96(total)});
        _modelIds[index] = modelId;
        emit ModelRegistered(modelId, index, uint8(n), uint96(total));
    }

    /// @inheritdoc IModelRegistry
    function setModelActive(bytes32 modelId, bool active) external onlyOwner {
        ModelInfo storage m = _models[modelId];
        if (m.index == 0) revert ModelRegistry_UnknownModel(modelId);
        m.active = active;
        emit ModelActiveSet(modelId, active);
    }

    /// @inheritdoc IModelRegistry
    function modelInfo(bytes32 modelId) external view returns (ModelInfo memory) {
        return _models[modelId];
    }

    /// @inheritdoc IModelRegistry
    function modelInfoAt(uint32 index) external view returns (bytes32 modelId, ModelInfo memory info) {
        modelId = _modelIds[index];
        if (modelId == bytes32(0)) revert ModelRegistry_UnknownIndex(index);
        info = _models[modelId];
    }

    /// @inheritdoc IModelRegistry
    function getShard(bytes32 modelId, uint256 shard) public view returns (Shard memory) {
        ModelInfo memory m = _models[modelId];
        if (m.index == 0) revert ModelRegistry_UnknownModel(modelId);
        if (shard >= m.shardCount) revert ModelRegistry_ShardOutOfRange(modelId, shard, m.shardCount);
        Stage memory st = _stages[m.index][shard];
        ShardMeta memory meta = _shardMeta[m.index][shard];
        return Shard(st.verifier, meta.weightsHash, meta.memoryBytes, st.pricePerStage);
    }

    /// @inheritdoc IModelRegistry
    function getShards(bytes32 modelId) external view returns (Shard[] memory shards) {
        ModelInfo memory m = _models[modelId];
        if (m.index == 0) revert ModelRegistry_UnknownModel(modelId);
        shards = new Shard[](m.shardCount);
        for (uint256 k; k < m.shardCount; ++k) {
            shards[k] = getShard(modelId, k);
        }
    }

    /// @inheritdoc IModelRegistry
    function stageAt(uint32 index, uint256 shard) external view returns (address verifier, uint96 pricePerStage) {
        Stage memory st = _stages[index][shard];
        return (st.verifier, st.pricePerStage);
    }

    /// @inheritdoc IModelRegistry
    function modelCount() external view returns (uint32) {
        return _modelCount;
    }
}
