// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title ModelRegistry
/// @notice Owner-curated registry of sharded models and their trusted-setup ceremony records
///         (see {IModelRegistry}). Immutable per model.
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

    /// @inheritdoc IModelRegistry
    bytes32 public constant CONTRIBUTION_TYPEHASH =
        keccak256("Contribution(bytes32 modelId,uint256 index,bytes32 transcriptHash)");

    /// @inheritdoc IModelRegistry
    /// @dev keccak256(abi.encode(keccak256("EIP712Domain(string name,string version)"),
    ///      keccak256("ProofMesh Ceremony"), keccak256("1"))); checked by the tests.
    bytes32 public constant CEREMONY_DOMAIN_SEPARATOR =
        0xa6f65eacf85974bfbd64bb119d0a91255cc729a09641e01a90c72076aa9ac250;

    /// @inheritdoc IModelRegistry
    uint8 public minContributions = 1;

    mapping(bytes32 modelId => ModelInfo) private _models;
    mapping(uint32 index => bytes32 modelId) private _modelIds;
    mapping(uint32 index => mapping(uint256 shard => Stage)) private _stages;
    mapping(uint32 index => mapping(uint256 shard => ShardMeta)) private _shardMeta;
    uint32 private _modelCount;
    mapping(bytes32 modelId => CeremonyRecord) private _ceremonies;

    constructor(address owner_) Ownable(owner_) {}

    /// @inheritdoc IModelRegistry
    function registerModel(bytes32 modelId, Shard[] calldata shards, CeremonyRecord calldata record)
        external
        onlyOwner
        returns (uint32 index)
    {
        if (modelId == bytes32(0)) revert ModelRegistry_ZeroModelId();
        if (_models[modelId].index != 0) revert ModelRegistry_ModelExists(modelId);
        uint256 n = shards.length;
        if (n == 0 || n > MAX_SHARDS) revert ModelRegistry_BadShardCount(n, MAX_SHARDS);
        _recordCeremony(modelId, n, record);

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

    /// @dev Checks the ceremony record in the documented order, then stores it and emits its events.
    function _recordCeremony(bytes32 modelId, uint256 shardCount, CeremonyRecord calldata record) private {
        if (record.shards.length != shardCount) {
            revert ModelRegistry_ShardKeysCountMismatch(record.shards.length, shardCount);
        }
        uint64 beaconBlock = record.beaconBlock;
        if (beaconBlock >= block.number) revert ModelRegistry_BeaconNotInPast(beaconBlock, block.number);
        bytes32 beaconHash = blockhash(beaconBlock);
        if (beaconHash == bytes32(0)) revert ModelRegistry_BeaconTooOld(beaconBlock, block.number);
        if (beaconHash != record.beaconHash) {
            revert ModelRegistry_BeaconHashMismatch(beaconBlock, beaconHash, record.beaconHash);
        }
        Contribution[] calldata cs = record.contributions;
        if (cs.length < minContributions) revert ModelRegistry_TooFewContributions(cs.length, minContributions);
        for (uint256 i; i < cs.length; ++i) {
            (address signer, ECDSA.RecoverError err,) =
                ECDSA.tryRecoverCalldata(contributionDigest(modelId, i, cs[i].transcriptHash), cs[i].signature);
            if (err != ECDSA.RecoverError.NoError || signer != cs[i].operator) {
                revert ModelRegistry_BadContributionSignature(i, cs[i].operator);
            }
        }
        CeremonyRecord storage r = _ceremonies[modelId];
        for (uint256 i; i < cs.length; ++i) {
            Contribution calldata c = cs[i];
            for (uint256 j; j < i; ++j) {
                if (cs[j].operator == c.operator) revert ModelRegistry_DuplicateContributor(c.operator);
            }
            r.contributions.push(Contribution(c.operator, c.transcriptHash, c.signature));
            emit ContributionRecorded(modelId, i, c.operator, c.transcriptHash, c.signature);
        }
        if (record.ptauHash == bytes32(0)) revert ModelRegistry_ZeroPtauHash();
        for (uint256 k; k < shardCount; ++k) {
            ShardKeys calldata keys = record.shards[k];
            if (keys.zkeyHash == bytes32(0) || keys.vkeyHash == bytes32(0)) revert ModelRegistry_ZeroKeyHash(k);
            r.shards.push(keys);
            emit ShardKeysRecorded(modelId, uint8(k), keys.zkeyHash, keys.vkeyHash);
        }
        (r.ptauHash, r.beaconBlock, r.beaconHash) = (record.ptauHash, beaconBlock, beaconHash);
        emit CeremonyRecorded(modelId, record.ptauHash, beaconBlock, beaconHash, cs.length);
    }

    /// @inheritdoc IModelRegistry
    function setMinContributions(uint8 n) external onlyOwner {
        if (n == 0) revert ModelRegistry_ZeroMinContributions();
        minContributions = n;
        emit MinContributionsSet(n);
    }

    /// @inheritdoc IModelRegistry
    function contributionDigest(bytes32 modelId, uint256 index, bytes32 transcriptHash)
        public
        pure
        returns (bytes32)
    {
        return MessageHashUtils.toTypedDataHash(
            CEREMONY_DOMAIN_SEPARATOR, keccak256(abi.encode(CONTRIBUTION_TYPEHASH, modelId, index, transcriptHash))
        );
    }

    /// @inheritdoc IModelRegistry
    function ceremonyOf(bytes32 modelId) external view returns (CeremonyRecord memory) {
        if (_models[modelId].index == 0) revert ModelRegistry_UnknownModel(modelId);
        return _ceremonies[modelId];
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
