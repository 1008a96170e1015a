/**
 * Proves one executed stage from the artefacts the node holds (witness wasm + zkey, which may
 * live in the artefact cache rather than the repository), using the shard output the node
 * computed with onnxruntime (exactly the integer reference; the witness generator re-checks it
 * against every constraint, so a wrong output fails here, never on chain).
 * Same circuit input as prover/witness.ts buildWitnessInput (checked by prove-stage.test.ts).
 */
import { readFileSync } from "node:fs";
import * as snarkjs from "snarkjs";
import { commitValues, R } from "../../prover/commit.ts";
import type { ShardManifest } from "../../prover/manifest.ts";
import { toCalldata, type Groth16Proof, type ProofCalldata } from "../../prover/prove-shard.ts";
import { argmax } from "../../prover/quant/reference.ts";
import { calculateWitness } from "../../prover/witness-calculator.ts";

export class ProveStageError extends Error {
  override name = "ProveStageError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const zkeys = new Map<string, Uint8Array>();

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
  const offset = BigInt(m.outOffset);
  const committed = m.isLast ? output.map((v) => BigInt(v) + offset) : output;
  const t0 = performance.now();
  const inCommit = await commitValues({ values: input, bits: m.inBits });
  const outCommit = await commitValues({ values: committed, bits: m.outBits });
  const result = m.isLast ? argmax(output) : 0;
  const wtns = await calculateWitness({
    wasmPath,
    input: { inCommit: inCommit.toString(), outCommit: outCommit.toString(), binding: binding.toString(), result: String(result), x: input.map(String) },
  });
  let zkey = zkeys.get(zkeyPath);
  if (!zkey) {
    zkey = readFileSync(zkeyPath);
    zkeys.set(zkeyPath, zkey);
  }
  const { proof, publicSignals } = (await snarkjs.groth16.prove({ type: "mem", data: zkey } as never, { type: "mem", data: wtns } as never)) as {
    proof: Groth16Proof;
    publicSignals: string[];
  };
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
