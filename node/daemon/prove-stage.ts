/**
 * Proves one executed stage from the artefacts the node holds (witness wasm + zkey, which may
 * live in the artefact cache rather than the repository), using the shard output the node
 * computed with onnxruntime (exactly the integer reference; the witness generator re-checks it
 * against every constraint, so a wrong output fails here, never on chain).
 * Circuit input and proving are the prover's own (circuitInputFor, proveCircuit).
 */
import { R } from "../../prover/commit.ts";
import type { ShardManifest } from "../../prover/manifest.ts";
import { proveCircuit, toCalldata, type ProofCalldata } from "../../prover/prove-shard.ts";
import { circuitInputFor } from "../../prover/witness.ts";

export class ProveStageError extends Error {
  override name = "ProveStageError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type ProveStageParameters = {
  manifest: ShardManifest;
  wasmPath: string;
  zkeyPath: string;
  input: readonly number[];
  /** the shard's output as computed by the node (last shard: signed logits) */
  output: readonly number[];
  binding: bigint;
};

export type ProveStageReturnType = { calldata: ProofCalldata; publicSignals: string[]; proveMs: number };

export async function proveStage(parameters: ProveStageParameters): Promise<ProveStageReturnType> {
  const { manifest: m, wasmPath, zkeyPath, input, output, binding } = parameters;
  if (input.length !== m.inputShape[1]) throw new ProveStageError(`shard ${m.index}: ${input.length} inputs, expected ${m.inputShape[1]}`);
  if (output.length !== m.outputShape[1]) throw new ProveStageError(`shard ${m.index}: ${output.length} outputs, expected ${m.outputShape[1]}`);
  if (binding < 0n || binding >= R) throw new ProveStageError("binding must be in [0, r)");
  const t0 = performance.now();
  const { circuitInput } = await circuitInputFor({ manifest: m, input, output, binding });
  const { proof, publicSignals } = await proveCircuit({ wasmPath, zkeyPath, circuitInput });
  return { calldata: toCalldata({ proof, publicSignals }), publicSignals, proveMs: performance.now() - t0 };
}

/** Calldata ⇄ JSON (bigints as decimal strings), for the SQLite store. */
export function encodeCalldata(c: ProofCalldata): string {
  return JSON.stringify(c, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

export function decodeCalldata(s: string): ProofCalldata {
  const j = JSON.parse(s) as { a: string[]; b: string[][]; c: string[]; pubSignals: string[] };
  const n = BigInt;
  return {
    a: [n(j.a[0]), n(j.a[1])],
    b: [
      [n(j.b[0][0]), n(j.b[0][1])],
      [n(j.b[1][0]), n(j.b[1][1])],
    ],
    c: [n(j.c[0]), n(j.c[1])],
    pubSignals: [n(j.pubSignals[0]), n(j.pubSignals[1]), n(j.pubSignals[2]), n(j.pubSignals[3])],
  };
}
