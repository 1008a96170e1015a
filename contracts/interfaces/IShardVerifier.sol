// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IShardVerifier
/// @notice Interface of the snarkjs-generated Groth16 verifier of one model shard.
/// @dev Every ProofMesh shard circuit has exactly four public signals, in this order:
///      `[inCommit, outCommit, binding, result]` (`result == 0` on non-last shards).
///      snarkjs verifiers return `false` (they do not revert) on a bad proof or on a public
///      signal `>= r`; callers MUST require the returned value.
interface IShardVerifier {
    /// @notice Verifies a Groth16 proof.
    /// @param _pA Proof point A (G1).
    /// @param _pB Proof point B (G2).
    /// @param _pC Proof point C (G1).
    /// @param _pubSignals Public signals `[inCommit, outCommit, binding, result]`.
    /// @return True iff the proof is valid for these public signals.
    function verifyProof(
        uint256[2] calldata _pA,
        uint256[2][2] calldata _pB,
        uint256[2] calldata _pC,
        uint256[4] calldata _pubSignals
    ) external view returns (bool);
}
