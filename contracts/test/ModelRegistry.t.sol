// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {Fixture} from "./Fixture.t.sol";

/// @notice ModelRegistry's ceremony record: every refusal, storage, events, signatures.
contract ModelRegistryTest is Fixture {
    /// @dev secp256k1 group order.
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    bytes32 internal constant ID = keccak256("proofmesh/ceremony-test");
    uint256 internal constant OTHER_KEY = 0xBAD;

    function _shards() internal view returns (IModelRegistry.Shard[] memory shards) {
        shards = new IModelRegistry.Shard[](2);
        shards[0] = IModelRegistry.Shard(address(v0), keccak256("w0"), 1, PRICE0);
        shards[1] = IModelRegistry.Shard(address(v1), keccak256("w1"), 1, PRICE1);
    }

    function _expectRevertRegister(IModelRegistry.CeremonyRecord memory rec, bytes memory err) internal {
        IModelRegistry.Shard[] memory shards = _shards();
        vm.expectRevert(err);
        models.registerModel(ID, shards, rec);
    }

    function _badSig(uint256 index, address operator) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IModelRegistry.ModelRegistry_BadContributionSignature.selector, index, operator);
    }

    // --- valid registration ---

    function test_Register_StoresRecordAndEmitsEvents() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        for (uint256 i; i < 2; ++i) {
            IModelRegistry.Contribution memory c = rec.contributions[i];
            vm.expectEmit(address(models));
            emit IModelRegistry.ContributionRecorded(ID, i, c.operator, c.transcriptHash, c.signature);
        }
        for (uint256 k; k < 2; ++k) {
            vm.expectEmit(address(models));
            emit IModelRegistry.ShardKeysRecorded(ID, uint8(k), rec.shards[k].zkeyHash, rec.shards[k].vkeyHash);
        }
        vm.expectEmit(address(models));
        emit IModelRegistry.CeremonyRecorded(ID, PTAU_HASH, rec.beaconBlock, rec.beaconHash, 2);
        vm.expectEmit(address(models));
        emit IModelRegistry.ModelRegistered(ID, 2, 2, PRICE0 + PRICE1);
        uint32 index = models.registerModel(ID, _shards(), rec);
        assertEq(index, 2);

        IModelRegistry.CeremonyRecord memory got = models.ceremonyOf(ID);
        assertEq(abi.encode(got), abi.encode(rec), "whole record round-trips");
        assertEq(got.beaconBlock, block.number - 1);
        assertEq(got.beaconHash, blockhash(block.number - 1));
        assertNotEq(got.beaconHash, bytes32(0));
        assertEq(got.contributions[1].operator, vm.addr(CONTRIBUTOR2_KEY));
        assertEq(got.contributions[1].signature.length, 65);
        assertEq(got.shards[1].vkeyHash, keccak256(abi.encode("vkey", uint256(1))));
        assertEq(abi.encode(models.ceremonyOf(MODEL)), abi.encode(_ceremony(MODEL, 2)), "fixture's model");
    }

    function test_Register_OldestAvailableBeacon() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        vm.roll(block.number + 255); // beacon = block.number - 256: the oldest hash still available
        models.registerModel(ID, _shards(), rec);
        assertEq(models.ceremonyOf(ID).beaconBlock, block.number - 256);
    }

    function test_Register_SingleContributionMeetsDefaultMinimum() public {
        assertEq(models.minContributions(), 1);
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        IModelRegistry.Contribution[] memory one = new IModelRegistry.Contribution[](1);
        one[0] = rec.contributions[0];
        rec.contributions = one;
        models.registerModel(ID, _shards(), rec);
        assertEq(models.ceremonyOf(ID).contributions.length, 1);
    }

    function test_CeremonyOf_RevertWhen_UnknownModel() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistry_UnknownModel.selector, ID));
        models.ceremonyOf(ID);
    }

    function test_DomainAndTypehash_MatchIndependentEip712() public view {
        assertEq(
            models.CEREMONY_DOMAIN_SEPARATOR(),
            keccak256(
                abi.encode(
                    keccak256("EIP712Domain(string name,string version)"),
                    keccak256("ProofMesh Ceremony"),
                    keccak256("1")
                )
            )
        );
        assertEq(
            models.CONTRIBUTION_TYPEHASH(), keccak256("Contribution(bytes32 modelId,uint256 index,bytes32 transcriptHash)")
        );
        assertEq(models.contributionDigest(ID, 7, bytes32(uint256(9))), _contributionDigest(ID, 7, bytes32(uint256(9))));
    }

    // --- refusals ---

    function test_RevertWhen_ShardKeysCountMismatch() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 3);
        _expectRevertRegister(
            rec, abi.encodeWithSelector(IModelRegistry.ModelRegistry_ShardKeysCountMismatch.selector, 3, 2)
        );
        rec = _ceremony(ID, 1);
        _expectRevertRegister(
            rec, abi.encodeWithSelector(IModelRegistry.ModelRegistry_ShardKeysCountMismatch.selector, 1, 2)
        );
    }

    function test_RevertWhen_ShardKeysCountMismatch_BeforeBeaconChecks() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 1);
        rec.beaconBlock = uint64(block.number + 1);
        _expectRevertRegister(
            rec, abi.encodeWithSelector(IModelRegistry.ModelRegistry_ShardKeysCountMismatch.selector, 1, 2)
        );
    }

    function test_RevertWhen_BeaconIsCurrentBlock() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        rec.beaconBlock = uint64(block.number);
        _expectRevertRegister(
            rec,
            abi.encodeWithSelector(IModelRegistry.ModelRegistry_BeaconNotInPast.selector, block.number, block.number)
        );
    }

    function test_RevertWhen_BeaconInFuture() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        rec.beaconBlock = uint64(block.number + 5);
        _expectRevertRegister(
            rec,
            abi.encodeWithSelector(IModelRegistry.ModelRegistry_BeaconNotInPast.selector, block.number + 5, block.number)
        );
    }

    function test_RevertWhen_BeaconTooOld() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        vm.roll(block.number + 256); // beacon = block.number - 257
        _expectRevertRegister(
            rec,
            abi.encodeWithSelector(
                IModelRegistry.ModelRegistry_BeaconTooOld.selector, block.number - 257, block.number
            )
        );
    }

    function test_RevertWhen_BeaconHashMismatch() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        bytes32 expected = rec.beaconHash;
        rec.beaconHash = keccak256("not the block hash");
        _expectRevertRegister(
            rec,
            abi.encodeWithSelector(
                IModelRegistry.ModelRegistry_BeaconHashMismatch.selector, rec.beaconBlock, expected, rec.beaconHash
            )
        );
        // the hash of a neighbouring block is not accepted either
        rec.beaconHash = blockhash(rec.beaconBlock - 1);
        _expectRevertRegister(
            rec,
            abi.encodeWithSelector(
                IModelRegistry.ModelRegistry_BeaconHashMismatch.selector, rec.beaconBlock, expected, rec.beaconHash
            )
        );
    }

    function test_RevertWhen_TooFewContributions() public {
        models.setMinContributions(3);
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        _expectRevertRegister(
            rec, abi.encodeWithSelector(IModelRegistry.ModelRegistry_TooFewContributions.selector, 2, 3)
        );
    }

    function test_RevertWhen_NoContributions() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        rec.contributions = new IModelRegistry.Contribution[](0);
        _expectRevertRegister(
            rec, abi.encodeWithSelector(IModelRegistry.ModelRegistry_TooFewContributions.selector, 0, 1)
        );
    }

    function test_RevertWhen_SignedByAnotherKey() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        IModelRegistry.Contribution memory c = rec.contributions[1];
        c.signature = _signContribution(OTHER_KEY, ID, 1, c.transcriptHash);
        _expectRevertRegister(rec, _badSig(1, c.operator));
        // the same signature is accepted once the record names its real signer
        c.operator = vm.addr(OTHER_KEY);
        models.registerModel(ID, _shards(), rec);
    }

    function test_RevertWhen_SignatureForAnotherModel() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        IModelRegistry.Contribution memory c = rec.contributions[0];
        c.signature = _signContribution(CONTRIBUTOR1_KEY, MODEL, 0, c.transcriptHash);
        _expectRevertRegister(rec, _badSig(0, c.operator));
    }

    function test_RevertWhen_SignatureForAnotherIndex() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        IModelRegistry.Contribution memory c = rec.contributions[1];
        c.signature = _signContribution(CONTRIBUTOR2_KEY, ID, 0, c.transcriptHash);
        _expectRevertRegister(rec, _badSig(1, c.operator));
        // swapping two valid contributions breaks both positions
        rec = _ceremony(ID, 2);
        (rec.contributions[0], rec.contributions[1]) = (rec.contributions[1], rec.contributions[0]);
        _expectRevertRegister(rec, _badSig(0, vm.addr(CONTRIBUTOR2_KEY)));
    }

    function test_RevertWhen_SignatureForAnotherTranscript() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        IModelRegistry.Contribution memory c = rec.contributions[0];
        c.transcriptHash = keccak256("another transcript");
        _expectRevertRegister(rec, _badSig(0, c.operator));
    }

    function test_RevertWhen_HighSMalleatedTwin() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        IModelRegistry.Contribution memory c = rec.contributions[1];
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(CONTRIBUTOR2_KEY, _contributionDigest(ID, 1, c.transcriptHash));
        bytes32 highS = bytes32(N - uint256(s));
        uint8 flippedV = v == 27 ? 28 : 27;
        // the twin is a valid ECDSA signature by the same key...
        assertEq(ecrecover(_contributionDigest(ID, 1, c.transcriptHash), flippedV, r, highS), c.operator);
        // ...which the registry refuses (low s only)
        c.signature = abi.encodePacked(r, highS, flippedV);
        _expectRevertRegister(rec, _badSig(1, c.operator));
    }

    function test_RevertWhen_MalformedSignature() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        IModelRegistry.Contribution memory c = rec.contributions[0];
        bytes memory sig = c.signature;
        (bytes32 r, bytes32 s) = abi.decode(sig, (bytes32, bytes32));
        c.signature = abi.encodePacked(r, s); // 64 bytes (ERC-2098 not accepted)
        _expectRevertRegister(rec, _badSig(0, c.operator));
        c.signature = "";
        _expectRevertRegister(rec, _badSig(0, c.operator));
        c.signature = new bytes(65); // recovers to address(0)
        c.operator = address(0);
        _expectRevertRegister(rec, _badSig(0, address(0)));
    }

    function test_RevertWhen_DuplicateContributor() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        IModelRegistry.Contribution memory c = rec.contributions[1];
        c.operator = vm.addr(CONTRIBUTOR1_KEY);
        c.signature = _signContribution(CONTRIBUTOR1_KEY, ID, 1, c.transcriptHash);
        _expectRevertRegister(
            rec, abi.encodeWithSelector(IModelRegistry.ModelRegistry_DuplicateContributor.selector, c.operator)
        );
    }

    function test_RevertWhen_ZeroPtauHash() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        rec.ptauHash = bytes32(0);
        _expectRevertRegister(rec, abi.encodeWithSelector(IModelRegistry.ModelRegistry_ZeroPtauHash.selector));
    }

    function test_RevertWhen_ZeroZkeyHash() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        rec.shards[1].zkeyHash = bytes32(0);
        _expectRevertRegister(rec, abi.encodeWithSelector(IModelRegistry.ModelRegistry_ZeroKeyHash.selector, 1));
    }

    function test_RevertWhen_ZeroVkeyHash() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        rec.shards[0].vkeyHash = bytes32(0);
        _expectRevertRegister(rec, abi.encodeWithSelector(IModelRegistry.ModelRegistry_ZeroKeyHash.selector, 0));
    }

    function test_RevertWhen_NotOwner() public {
        IModelRegistry.CeremonyRecord memory rec = _ceremony(ID, 2);
        IModelRegistry.Shard[] memory shards = _shards();
        vm.prank(op1);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, op1));
        models.registerModel(ID, shards, rec);
    }

    // --- minContributions ---

    function test_setMinContributions() public {
        assertEq(models.minContributions(), 1);

        vm.prank(op1);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, op1));
        models.setMinContributions(2);

        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistry_ZeroMinContributions.selector));
        models.setMinContributions(0);
        assertEq(models.minContributions(), 1);

        vm.expectEmit(address(models));
        emit IModelRegistry.MinContributionsSet(2);
        models.setMinContributions(2);
        assertEq(models.minContributions(), 2);
        models.registerModel(ID, _shards(), _ceremony(ID, 2)); // exactly the minimum
    }

    // --- signatures ---

    function testFuzz_ContributionSignatureRecovers(uint256 key, bytes32 modelId, bytes32 transcriptHash, uint256 index)
        public
    {
        key = bound(key, 1, N - 1);
        vm.assume(modelId != bytes32(0) && modelId != MODEL);
        assertEq(models.contributionDigest(modelId, index, transcriptHash), _contributionDigest(modelId, index, transcriptHash));

        IModelRegistry.CeremonyRecord memory rec = _ceremony(modelId, 2);
        IModelRegistry.Contribution[] memory one = new IModelRegistry.Contribution[](1);
        one[0] = IModelRegistry.Contribution(vm.addr(key), transcriptHash, _signContribution(key, modelId, 0, transcriptHash));
        rec.contributions = one;
        models.registerModel(modelId, _shards(), rec);
        IModelRegistry.Contribution memory got = models.ceremonyOf(modelId).contributions[0];
        assertEq(got.operator, vm.addr(key));
        assertEq(got.transcriptHash, transcriptHash);
    }
}
