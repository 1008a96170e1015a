// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IModelRegistry
/// @notice Registry of pipeline-sharded models. A model is cut into `shardCount` shards; each
///         shard has its own Groth16 verifier (which fixes the shard's weights through its
///         verifying key), a weights commitment, a memory footprint and a price per stage.
///         Each model also carries the record of the phase-2 trusted-setup ceremony its keys came
///         from: secret contributions signed by their operators, then a beacon taken from a block
///         of this chain that did not exist when the ceremony started.
/// @dev Models are immutable once registered (a new verifier or price means a new model id);
///      the owner can only deactivate / reactivate them. JobMarket relies on this: the escrow of
///      a job is derived from the model's total price instead of being stored per job.
///      Contribution signatures are EIP-712 over the domain `{name: "ProofMesh Ceremony", version: "1"}`
///      WITHOUT chainId / verifyingContract (a contributor attests to keys, registrable on any
///      chain): `Contribution(bytes32 modelId,uint256 index,bytes32 transcriptHash)`. The off-chain
///      twin is `prover/ceremony/record.ts`.
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

    /// @notice Final keys of one shard, as produced by its ceremony.
    /// @param zkeyHash sha256 of the final zkey file (what nodes prove with).
    /// @param vkeyHash sha256 of the verification key JSON exported from it (what everybody verifies with).
    struct ShardKeys {
        bytes32 zkeyHash;
        bytes32 vkeyHash;
    }

    /// @notice One secret contribution of a ceremony.
    /// @param operator The contributor's operator key, which signed the contribution.
    /// @param transcriptHash keccak256 of the per-shard blake2b-512 contribution hashes, in shard order.
    /// @param signature 65-byte EIP-712 signature of `Contribution(modelId, index, transcriptHash)` by `operator`,
    ///        `index` being the contribution's 0-based position in the record.
    struct Contribution {
        address operator;
        bytes32 transcriptHash;
        bytes signature;
    }

    /// @notice The trusted-setup ceremony record of a model (immutable, like the model).
    /// @param ptauHash sha256 of the phase-1 powers-of-tau file.
    /// @param beaconBlock Block of this chain whose hash is the final beacon.
    /// @param beaconHash `blockhash(beaconBlock)`, checked at registration.
    /// @param shards Final keys, one entry per model shard (same order).
    /// @param contributions Secret contributions, in the order they were made.
    struct CeremonyRecord {
        bytes32 ptauHash;
        uint64 beaconBlock;
        bytes32 beaconHash;
        ShardKeys[] shards;
        Contribution[] contributions;
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
    /// @notice Emitted once per model, with its ceremony record's header.
    /// @param contributions Number of secret contributions.
    event CeremonyRecorded(
        bytes32 indexed modelId, bytes32 ptauHash, uint64 beaconBlock, bytes32 beaconHash, uint256 contributions
    );
    /// @notice Emitted once per secret contribution of a newly registered model.
    event ContributionRecorded(
        bytes32 indexed modelId,
        uint256 indexed index,
        address indexed operator,
        bytes32 transcriptHash,
        bytes signature
    );
    /// @notice Emitted once per shard of a newly registered model, with its final keys.
    event ShardKeysRecorded(bytes32 indexed modelId, uint8 indexed shard, bytes32 zkeyHash, bytes32 vkeyHash);
    /// @notice Emitted when the owner changes the minimum number of contributions.
    event MinContributionsSet(uint8 minContributions);

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
    /// @notice The ceremony record must give keys for exactly the model's shards.
    error ModelRegistry_ShardKeysCountMismatch(uint256 given, uint256 shardCount);
    /// @notice The beacon block must be strictly before the registration's block.
    error ModelRegistry_BeaconNotInPast(uint64 beaconBlock, uint256 currentBlock);
    /// @notice The beacon block's hash is no longer available (older than 256 blocks).
    error ModelRegistry_BeaconTooOld(uint64 beaconBlock, uint256 currentBlock);
    /// @notice The record's beacon hash is not the beacon block's hash.
    error ModelRegistry_BeaconHashMismatch(uint64 beaconBlock, bytes32 expected, bytes32 given);
    /// @notice The ceremony has fewer secret contributions than `minContributions`.
    error ModelRegistry_TooFewContributions(uint256 given, uint256 minimum);
    /// @notice Contribution `index`'s signature is malformed, malleable (high s) or not by `operator`.
    error ModelRegistry_BadContributionSignature(uint256 index, address operator);
    /// @notice The same operator contributed twice.
    error ModelRegistry_DuplicateContributor(address operator);
    /// @notice The ceremony's ptau hash is zero.
    error ModelRegistry_ZeroPtauHash();
    /// @notice A shard's zkey or vkey hash is zero.
    error ModelRegistry_ZeroKeyHash(uint256 shard);
    /// @notice The minimum number of contributions must be at least 1.
    error ModelRegistry_ZeroMinContributions();

    /// @notice Registers a model, its shards and the ceremony its keys came from (owner only).
    /// @dev Refused, in this order, when: `record.shards.length != shards.length`
    ///      ({ModelRegistry_ShardKeysCountMismatch}); `record.beaconBlock >= block.number`
    ///      ({ModelRegistry_BeaconNotInPast}); `blockhash(record.beaconBlock) == 0`, i.e. older than
    ///      256 blocks ({ModelRegistry_BeaconTooOld}); `blockhash(record.beaconBlock) != record.beaconHash`
    ///      ({ModelRegistry_BeaconHashMismatch}); fewer contributions than {minContributions}
    ///      ({ModelRegistry_TooFewContributions}); a signature that does not recover (low s, 65 bytes)
    ///      to its operator ({ModelRegistry_BadContributionSignature}, first bad index); an operator
    ///      seen twice ({ModelRegistry_DuplicateContributor}); a zero ptau hash
    ///      ({ModelRegistry_ZeroPtauHash}); a zero zkey / vkey hash ({ModelRegistry_ZeroKeyHash}). These come after the model id and shard count checks
    ///      and before the per-shard verifier checks.
    /// @param record The ceremony record, stored whole and returned by {ceremonyOf}.
    /// @return index The model's compact index.
    function registerModel(bytes32 modelId, Shard[] calldata shards, CeremonyRecord calldata record)
        external
        returns (uint32 index);

    /// @notice Sets the minimum number of secret contributions a ceremony needs (owner only, `n >= 1`).
    /// @dev Applies to later registrations only.
    function setMinContributions(uint8 n) external;

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

    /// @notice The ceremony record of a model (reverts {ModelRegistry_UnknownModel} if unknown).
    function ceremonyOf(bytes32 modelId) external view returns (CeremonyRecord memory);

    /// @notice Minimum number of secret contributions of a registered ceremony (default 1, never 0).
    function minContributions() external view returns (uint8);

    /// @notice EIP-712 digest a contributor signs for contribution `index` of `modelId`.
    function contributionDigest(bytes32 modelId, uint256 index, bytes32 transcriptHash)
        external
        pure
        returns (bytes32);

    /// @notice EIP-712 domain separator of contribution signatures (no chainId, no verifyingContract).
    function CEREMONY_DOMAIN_SEPARATOR() external view returns (bytes32);

    /// @notice `keccak256("Contribution(bytes32 modelId,uint256 index,bytes32 transcriptHash)")`.
    function CONTRIBUTION_TYPEHASH() external view returns (bytes32);

    /// @notice Number of registered models.
    function modelCount() external view returns (uint32);

    /// @notice Maximum number of shards of a model.
    function MAX_SHARDS() external view returns (uint8);
}
