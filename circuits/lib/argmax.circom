pragma circom 2.2.0;

include "circomlib/circuits/bitify.circom";

/// ArgMax(N, DIFF_BITS): constrains `result` to be the index of the largest of
/// `values` (the LOWEST index on ties).
///
/// A one-hot selector sel (boolean, sums to 1) picks result = Σ i·sel_i and
/// maxv = Σ sel_i·values_i; then for every i, maxv - values_i - [i < result] >= 0,
/// checked by a DIFF_BITS-bit range check (strict for lower indices: ties go low).
///
/// Does NOT enforce: |values_i - values_j| + 1 < 2^DIFF_BITS. The caller sizes
/// DIFF_BITS from the real bound of the values (a larger difference makes the proof
/// impossible, never wrong).
template ArgMax(N, DIFF_BITS) {
    assert(DIFF_BITS < 252);
    signal input values[N];
    signal input result;

    signal sel[N];
    var acc = 0;
    var idx = 0;
    var bestIdx = 0;
    for (var i = 1; i < N; i++) {
        if (values[i] > values[bestIdx]) {
            bestIdx = i;
        }
    }
    for (var i = 0; i < N; i++) {
        sel[i] <-- (i == bestIdx) ? 1 : 0;
        sel[i] * (sel[i] - 1) === 0;
        acc += sel[i];
        idx += i * sel[i];
    }
    acc === 1;
    result === idx;

    signal picked[N];
    var maxv = 0;
    for (var i = 0; i < N; i++) {
        picked[i] <== sel[i] * values[i];
        maxv += picked[i];
    }
    component diff[N];
    for (var i = 0; i < N; i++) {
        var above = 0; // 1 iff result > i
        for (var j = i + 1; j < N; j++) above += sel[j];
        diff[i] = Num2Bits(DIFF_BITS);
        diff[i].in <== maxv - values[i] - above;
    }
}
