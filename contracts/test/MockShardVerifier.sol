// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IShardVerifier} from "../interfaces/IShardVerifier.sol";

/// @title MockShardVerifier
/// @notice TEST ONLY. Returns a settable answer without checking the proof, so unit tests can
///         exercise everything JobMarket checks around the verifier (binding, linking, field
///         bounds, ordering, settlement). Never register it on a real network.
contract MockShardVerifier is IShardVerifier {
    bool public answer = true;

    function setAnswer(bool answer_) external {
        answer = answer_;
    }

    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[4] calldata)
        external
        view
        returns (bool)
    {
        return answer;
    }
}

/// @title PrecompileCostVerifier
/// @notice TEST/BENCH ONLY. Accepts any proof but spends the gas of a snarkjs Groth16 verifier
///         with 4 public signals: 4 x (ecMul + ecAdd) for the linear combination of the IC points
///         and one 4-pair ecPairing, on the point at infinity (valid input, same precompile price).
contract PrecompileCostVerifier is IShardVerifier {
    function verifyProof(uint256[2] calldata, uint256[2][2] calldata, uint256[2] calldata, uint256[4] calldata pub)
        external
        view
        returns (bool ok)
    {
        assembly ("memory-safe") {
            let p := mload(0x40)
            // vk_x accumulator at p..p+0x40 = (0,0); scratch at p+0x40
            mstore(p, 0)
            mstore(add(p, 0x20), 0)
            ok := 1
            for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
                // ecMul(IC_i, pub_i) with IC_i = infinity
                let q := add(p, 0x40)
                mstore(q, 0)
                mstore(add(q, 0x20), 0)
                mstore(add(q, 0x40), calldataload(add(pub, mul(i, 0x20))))
                ok := and(ok, staticcall(gas(), 7, q, 0x60, q, 0x40))
                // ecAdd(acc, result)
                mstore(add(q, 0x40), mload(p))
                mstore(add(q, 0x60), mload(add(p, 0x20)))
                ok := and(ok, staticcall(gas(), 6, q, 0x80, p, 0x40))
            }
            // ecPairing over 4 pairs of (G1 infinity, G2 infinity): 4 * 192 bytes of zeros
            let z := add(p, 0x100)
            for { let i := 0 } lt(i, 0x300) { i := add(i, 0x20) } { mstore(add(z, i), 0) }
            ok := and(ok, staticcall(gas(), 8, z, 0x300, z, 0x20))
            ok := and(ok, mload(z))
        }
    }
}
