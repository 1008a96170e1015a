pragma circom 2.2.0;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

/// RequantClamp(ACC_BITS, SHIFT): out = clamp(floor(acc / 2^SHIFT), 0, 255).
///
/// acc is a signed integer with |acc| < 2^(ACC_BITS - 1). acc + 2^(ACC_BITS-1) is
/// decomposed into ACC_BITS bits: the low SHIFT bits are the division remainder, the
/// rest is q + 2^(ACC_BITS-1-SHIFT) where q = floor(acc / 2^SHIFT). The top bit is
/// the sign of q (set iff q >= 0, i.e. the ReLU); q <= 255 iff the bits between
/// SHIFT+8 and ACC_BITS-2 are all zero (otherwise the output saturates at 255).
///
/// Does NOT enforce: |acc| < 2^(ACC_BITS-1). The caller must size ACC_BITS from the
/// real bound of acc (inputs range-checked, weights constant): if acc could exceed
/// it, the decomposition would fail (no proof), never yield a wrong output.
template RequantClamp(ACC_BITS, SHIFT) {
    assert(ACC_BITS >= SHIFT + 2 && ACC_BITS < 253);
    signal input acc;
    signal output out;

    component bits = Num2Bits(ACC_BITS);
    bits.in <== acc + (1 << (ACC_BITS - 1));

    var MAG = ACC_BITS - 1 - SHIFT; // magnitude bits of q
    var LOW = MAG < 8 ? MAG : 8;
    var low = 0;
    for (var j = 0; j < LOW; j++) low += bits.out[SHIFT + j] * (1 << j);

    signal pos <== bits.out[ACC_BITS - 1];
    if (MAG <= 8) {
        // q < 2^MAG <= 256: no upper saturation possible.
        out <== pos * low;
    } else {
        var high = 0;
        for (var j = SHIFT + 8; j < ACC_BITS - 1; j++) high += bits.out[j];
        component highZero = IsZero();
        highZero.in <== high;
        signal inRange <== pos * highZero.out;
        out <== inRange * low + 255 * (pos - inRange);
    }
}
