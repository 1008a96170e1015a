pragma circom 2.2.0;

include "circomlib/circuits/bitify.circom";

/// RangeCheck(BITS): constrains 0 <= in < 2^BITS.
///
/// Does NOT enforce: anything for BITS >= 253 (the decomposition would no longer be
/// unique modulo r); callers must keep BITS small (ProofMesh uses <= 64).
template RangeCheck(BITS) {
    assert(BITS > 0 && BITS < 253);
    signal input in;
    component bits = Num2Bits(BITS);
    bits.in <== in;
}
