pragma circom 2.2.0;

include "circomlib/circuits/poseidon.circom";

/// PackCommit(N, BITS): Poseidon commitment to N unsigned values of BITS bits each.
///
/// Values are packed little-endian, floor(248 / BITS) per field element ("chunk"),
/// then absorbed 15 chunks at a time: h_0 = N + BITS * 2^32,
/// h_{j+1} = Poseidon([h_j, chunk_{15j}, ..., chunk_{15j+14}]) (the last group may be
/// shorter); out = the last h. Equal to `commitValues` in prover/commit.ts.
///
/// Does NOT enforce: that each value is < 2^BITS. Packing is injective only if they
/// are; the CALLER must range-check the values (or derive them from range-checked
/// signals so that the bound holds by construction).
template PackCommit(N, BITS) {
    assert(BITS > 0 && BITS <= 248);
    signal input values[N];
    signal output out;

    var PER_CHUNK = 248 \ BITS;
    var CHUNKS = (N + PER_CHUNK - 1) \ PER_CHUNK;
    var GROUPS = (CHUNKS + 14) \ 15;

    signal chunk[CHUNKS];
    for (var c = 0; c < CHUNKS; c++) {
        var lc = 0;
        var e = 1;
        for (var k = 0; k < PER_CHUNK; k++) {
            var i = c * PER_CHUNK + k;
            if (i < N) {
                lc += values[i] * e;
                e = e * (1 << BITS);
            }
        }
        chunk[c] <== lc;
    }

    component h[GROUPS];
    signal state[GROUPS + 1];
    state[0] <== N + BITS * 4294967296;
    for (var g = 0; g < GROUPS; g++) {
        var size = CHUNKS - g * 15;
        if (size > 15) size = 15;
        h[g] = Poseidon(size + 1);
        h[g].inputs[0] <== state[g];
        for (var k = 0; k < size; k++) h[g].inputs[k + 1] <== chunk[g * 15 + k];
        state[g + 1] <== h[g].out;
    }
    out <== state[GROUPS];
}
