import { R, commitValues } from "./commit.ts";
import { ShardInputError } from "./errors.ts";
import { argmax, runIntLayers } from "./quant/reference.ts";
import type { ShardManifest } from "./manifest.ts";
import type { ShardArtifacts } from "./shard-artifacts.ts";

export type BuildWitnessInputParameters = {
  artifacts: ShardArtifacts;
  /** the shard's input activations (stage 0: raw pixels 0..255) */
  input: readonly number[];
  /** the job/stage/prover binding (< r), see computeBinding */
  binding: bigint;
};

export type BuildWitnessInputReturnType = {
  /** the JSON input of the circuit's witness generator */
  circuitInput: Record<string, string | string[]>;
  output: number[];
  /** argmax of the logits on the last shard, else 0 */
  result: number;
  inCommit: bigint;
  outCommit: bigint;
};

/** Validates activations, runs the integer reference, and computes the commitments the circuit will check. */
export async function buildWitnessInput({ artifacts, input, binding }: BuildWitnessInputParameters): Promise<BuildWitnessInputReturnType> {
  const m = artifacts.manifest;
  const where = `${artifacts.modelId} shard ${m.index}`;
  if (!Array.isArray(input)) throw new ShardInputError(`${where}: input must be an array of integers`);
  if (input.length !== m.inputShape[1]) throw new ShardInputError(`${where}: expected ${m.inputShape[1]} input activations, got ${input.length}`);
  const max = 2 ** m.inBits - 1;
  input.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new ShardInputError(`${where}: activation ${i} = ${v} is not an integer in [0, ${max}]`);
  });
  if (typeof binding !== "bigint" || binding < 0n || binding >= R) throw new ShardInputError(`${where}: binding must be a bigint in [0, r)`);

  const output = runIntLayers({ layers: artifacts.layers, input });
  return { ...(await circuitInputFor({ manifest: m, input, output, binding })), output };
}

export type CircuitInputForParameters = {
  manifest: ShardManifest;
  input: readonly number[];
  /** the shard's output (last shard: signed logits) — the witness generator re-checks it */
  output: readonly number[];
  binding: bigint;
};

/** The commitments, result and witness-generator input of a shard whose output is known. */
export async function circuitInputFor({ manifest: m, input, output, binding }: CircuitInputForParameters): Promise<Omit<BuildWitnessInputReturnType, "output">> {
  const offset = BigInt(m.outOffset);
  const committed = m.isLast ? output.map((v) => BigInt(v) + offset) : output;
  const inCommit = await commitValues({ values: input, bits: m.inBits });
  const outCommit = await commitValues({ values: committed, bits: m.outBits });
  const result = m.isLast ? argmax(output) : 0;
  const circuitInput = {
    inCommit: inCommit.toString(),
    outCommit: outCommit.toString(),
    binding: binding.toString(),
    result: String(result),
    x: input.map(String),
  };
  return { circuitInput, result, inCommit, outCommit };
}
