import { ACT_BITS, maxAbsAcc, type IntLayer } from "../quant/semantics.ts";

/** Circuit sizing of one shard, derived from the real value ranges of its layers. */
export interface ShardParams {
  inSize: number;
  outSize: number;
  /** bits of each input activation (range-checked in the circuit) */
  inBits: number;
  /** bits of each committed output value (logits are committed with an offset) */
  outBits: number;
  /** logits only: offset added to each logit before committing (2^(outBits-1)), else 0 */
  outOffset: bigint;
  /** per layer: width of the signed accumulator's range check */
  accBits: number[];
  isLast: boolean;
}

export function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/**
 * For each layer, accBits is the smallest K with 2^(K−1) > max|acc| over all inputs in
 * range, so the range check is exactly as wide as the real values need.
 */
export function shardParams({ layers }: { layers: readonly IntLayer[] }): ShardParams {
  if (layers.length === 0) throw new Error("empty shard");
  const accBits = layers.map((l) => Math.max(bitLength(maxAbsAcc(l)) + 1, l.shift + 2));
  const last = layers[layers.length - 1];
  const isLast = last.kind === "logits";
  layers.forEach((l, i) => {
    if (l.kind === "logits" && i !== layers.length - 1) throw new Error("logits layer must be last");
    if (i > 0 && l.inSize !== layers[i - 1].outSize) throw new Error(`layer ${i} input size mismatch`);
  });
  const outBits = isLast ? accBits[accBits.length - 1] : ACT_BITS;
  return {
    inSize: layers[0].inSize,
    outSize: last.outSize,
    inBits: ACT_BITS,
    outBits,
    outOffset: isLast ? 1n << BigInt(outBits - 1) : 0n,
    accBits,
    isLast,
  };
}
