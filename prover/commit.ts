import { buildPoseidon } from "circomlibjs";

/** BN254 scalar field order r: every public signal must be < R. */
export const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

type Poseidon = ((inputs: bigint[]) => unknown) & { F: { toObject(x: unknown): bigint } };
let poseidonPromise: Promise<Poseidon> | undefined;
function poseidon(): Promise<Poseidon> {
  poseidonPromise ??= buildPoseidon() as Promise<Poseidon>;
  return poseidonPromise;
}

export class CommitInputError extends Error {
  override name = "CommitInputError";
}

export type CommitValuesParameters = {
  /** unsigned integers, each < 2^bits */
  values: readonly (number | bigint)[];
  /** width of each value in bits (1..248) */
  bits: number;
};

/**
 * Poseidon commitment to a vector of unsigned `bits`-bit values, exactly as the
 * circuit template `PackCommit(N, BITS)` (circuits/lib/pack_commit.circom) computes it.
 */
export async function commitValues({ values, bits }: CommitValuesParameters): Promise<bigint> {
  if (!Number.isInteger(bits) || bits < 1 || bits > 248) throw new CommitInputError(`bits must be an integer in 1..248, got ${bits}`);
  const limit = 1n << BigInt(bits);
  const perChunk = Math.floor(248 / bits);
  const chunks: bigint[] = [];
  for (let c = 0; c * perChunk < values.length; c++) {
    let acc = 0n;
    for (let k = 0; k < perChunk; k++) {
      const i = c * perChunk + k;
      if (i >= values.length) break;
      const raw = values[i];
      if (typeof raw === "number" && !Number.isSafeInteger(raw)) throw new CommitInputError(`value ${i} is not an integer: ${raw}`);
      const v = BigInt(raw);
      if (v < 0n || v >= limit) throw new CommitInputError(`value ${i} = ${v} is outside [0, 2^${bits})`);
      acc += v << BigInt(k * bits);
    }
    chunks.push(acc);
  }
  const p = await poseidon();
  let state = BigInt(values.length) + BigInt(bits) * 4294967296n;
  for (let g = 0; g < chunks.length; g += 15) {
    state = p.F.toObject(p([state, ...chunks.slice(g, g + 15)]));
  }
  return state;
}
