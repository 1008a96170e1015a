/**
 * An in-memory R1CS evaluator for negative witness tests: loads the constraints once,
 * indexes which constraints each witness entry appears in, and re-checks only those
 * when one entry is tampered. Independent of snarkjs's `wtns check` (used too, in tests).
 */
import * as snarkjs from "snarkjs";
import { R } from "../commit.ts";

type Lc = Map<number, bigint>;
export interface R1cs {
  nVars: number;
  constraints: [Lc, Lc, Lc][];
  /** witness index → indices of the constraints it appears in */
  uses: number[][];
}

const mod = (x: bigint) => ((x % R) + R) % R;

export async function loadR1cs({ path }: { path: string }): Promise<R1cs> {
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const json = (await snarkjs.r1cs.exportJson(path, silent)) as { nVars: number; constraints: Record<string, string>[][] };
  const constraints = json.constraints.map(
    (abc) => abc.map((lc) => new Map(Object.entries(lc).map(([k, v]) => [Number(k), BigInt(v)]))) as [Lc, Lc, Lc],
  );
  const uses: number[][] = Array.from({ length: json.nVars }, () => []);
  constraints.forEach((abc, ci) => {
    const seen = new Set<number>();
    for (const lc of abc) for (const k of lc.keys()) seen.add(k);
    for (const k of seen) uses[k].push(ci);
  });
  return { nVars: json.nVars, constraints, uses };
}

function evalLc(lc: Lc, w: (i: number) => bigint): bigint {
  let s = 0n;
  for (const [k, c] of lc) s += c * w(k);
  return mod(s);
}

/** Indices of the constraints A·w × B·w = C·w that do not hold (only those listed, or all). */
export function failingConstraints({ r1cs, witness, only }: { r1cs: R1cs; witness: (i: number) => bigint; only?: number[] }): number[] {
  const ids = only ?? r1cs.constraints.map((_, i) => i);
  return ids.filter((ci) => {
    const [a, b, c] = r1cs.constraints[ci];
    return mod(evalLc(a, witness) * evalLc(b, witness)) !== evalLc(c, witness);
  });
}
