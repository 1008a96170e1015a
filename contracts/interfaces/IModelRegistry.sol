// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IModelRegistry
/// @notice Registry of pipeline-sharded models. A model is cut into `shardCount` shards; each
///         shard has its own Groth16 verifier (which fixes the shard's weights through its
///         verifying key), a weights commitment, a memory footprint and a price per stage.
/// @dev Models are immutable once registered (a new verifier or price means a new model id);
///      the owner can only deactivate / reactivate them. JobMarket relies on this: the escrow of
///      a job is derived from the model's total price instead of being stored per job.
interface IModelRegistry {
    /// @notice One shard as given at registration and returned by getters.
    /// @param verifier The shard's Groth16 verifier (`IShardVerifier`).
    /// @param weightsHash Commitment to the shard's quantized weights.
    /// @param memoryBytes Memory a node needs to run the shard.
    /// @param pricePerStage Token units paid to the node that proves this stage.
    struct Shard {
        address verifier;
        bytes32 weightsHash;
        uint64 memoryBytes;
        uint96 pricePerStage;
    }

    /// @notice Compact model header (one storage slot).
    /// @param index 1-based compact index used by JobMarket (0 = unknown model).
    /// @param shardCount Number of pipeline shards (= stages of a job).
    /// @param active Whether new jobs may be created for the model.
    /// @param totalPrice Sum of the shards' `pricePerStage`.
    struct ModelInfo {
        uint32 index;
        uint8 shardCount;
        bool active;
        uint96 totalPrice;
    }

    /// @notice Emitted once per model.
    event ModelRegistered(bytes32 indexed modelId, uint32 indexed index, uint8 shardCount, uint96 totalPrice);
    /// @notice Emitted once per shard of a newly registered model.
    event ShardRegistered(
        bytes32 indexed modelId,
        uint8 indexed shard,
        address verifier,
        bytes32 weightsHash,
        uint64 memoryBytes,
        uint96 pricePerStage
    );
    /// @notice Emitted when the owner (de)activates a model.
    event ModelActiveSet(bytes32 indexed modelId, bool active);

    /// @notice The model id is already registered.
    error ModelRegistry_ModelExists(bytes32 modelId);
    /// @notice The model id is not registered.
    error ModelRegistry_UnknownModel(bytes32 modelId);
    /// @notice No model has this compact index.
    error ModelRegistry_UnknownIndex(uint32 index);
    /// @notice The model id must be non-zero.
    error ModelRegistry_ZeroModelId();
    /// @notice Shard count must be in `[1, maxShards]`.
    error ModelRegistry_BadShardCount(uint256 shardCount, uint256 maxShards);
    /// @notice The shard's verifier has no code.
    error ModelRegistry_VerifierHasNoCode(uint256 shard, address verifier);
    /// @notice The shard index is out of range for the model.
    error ModelRegistry_ShardOutOfRange(bytes32 modelId, uint256 shard, uint8 shardCount);
    /// @notice Sum of shard prices does not fit the 96-bit total.
    error ModelRegistry_TotalPriceOverflow(bytes32 modelId);

    /// @notice Registers a model and its shards (owner only).
    /// @return index The model's compact index.
    function registerModel(bytes32 modelId, Shard[] calldata shards) external returns (uint32 index);

    /// @notice Enables or disables job creation for a model (owner only).
    function setModelActive(bytes32 modelId, bool active) external;

    /// @notice Header of a model (`index == 0` if unknown; does not revert).
    function modelInfo(bytes32 modelId) external view returns (ModelInfo memory);

    /// @notice Header of a model by compact index (reverts if unknown).
    function modelInfoAt(uint32 index) external view returns (bytes32 modelId, ModelInfo memory info);

    /// @notice Shard `shard` of a model (reverts if unknown / out of range).
    function getShard(bytes32 modelId, uint256 shard) external view returns (Shard memory);

    /// @notice All shards of a model.
    function getShards(bytes32 modelId) external view returns (Shard[] memory);

    /// @notice Hot-path lookup used by JobMarket: the verifier and price of stage `shard`.
    /// @dev Does not check the range; JobMarket only asks for `shard < shardCount`.
    function stageAt(uint32 index, uint256 shard) external view returns (address verifier, uint96 pricePerStage);

    /// @notice Number of registered models.
    function modelCount() external view returns (uint32);

    /// @notice Maximum number of shards of a model.
    function MAX_SHARDS() external view returns (uint8);
}
