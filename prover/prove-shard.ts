import { readFileSync } from "node:fs";
import * as snarkjs from "snarkjs";
import { ProverError } from "./errors.ts";
import { loadShardArtifacts } from "./shard-artifacts.ts";
import { buildWitnessInput } from "./witness.ts";
import { calculateWitness } from "./witness-calculator.ts";

const zkeys = new Map<string, Uint8Array>();
/** The proving key, read once and then proven from memory (snarkjs only reads it). */
function zkeyFile(path: string): { type: "mem"; data: Uint8Array } {
  let data = zkeys.get(path);
  if (!data) {
    data = readFileSync(path);
    zkeys.set(path, data);
  }
  return { type: "mem", data };
}

/** A snarkjs Groth16 proof (decimal strings, projective coordinates). */
export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

/** Arguments of the generated Solidity verifier's verifyProof, ready for viem. */
export interface ProofCalldata {
  a: readonly [bigint, bigint];
  b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  c: readonly [bigint, bigint];
  /** [inCommit, outCommit, binding, result] */
  pubSignals: readonly [bigint, bigint, bigint, bigint];
}

export type ProveShardParameters = {
  /**
   * the proving key: default the repository's development key; a chain's registered key (its
   * ModelRegistry ceremony record's zkey) to prove for that chain's verifiers
   */
  zkeyPath?: string;
  modelId: string;
  shard: number;
  /** the shard's input activations (stage 0: raw pixels 0..255) */
  input: readonly number[];
  binding: bigint;
};

export type ProveShardReturnType = {
  proof: Groth16Proof;
  /** [inCommit, outCommit, binding, result] as decimal strings */
  publicSignals: string[];
  calldata: ProofCalldata;
  output: number[];
  result: number;
  inCommit: bigint;
  outCommit: bigint;
  timings: { witnessMs: number; proveMs: number };
};

/** Runs the shard on its input and proves it: witness (circom wasm) then Groth16 (snarkjs). */
export async function proveShard({ modelId, shard, input, binding, zkeyPath }: ProveShardParameters): Promise<ProveShardReturnType> {
  const artifacts = { ...loadShardArtifacts({ modelId, shard }), ...(zkeyPath ? { zkeyPath } : {}) };
  const w = await buildWitnessInput({ artifacts, input, binding });
  const { proof, publicSignals, timings } = await proveCircuit({ wasmPath: artifacts.wasmPath, zkeyPath: artifacts.zkeyPath, circuitInput: w.circuitInput });
  return {
    proof,
    publicSignals,
    calldata: toCalldata({ proof, publicSignals }),
    output: w.output,
    result: w.result,
    inCommit: w.inCommit,
    outCommit: w.outCommit,
    timings,
  };
}

export type ProveCircuitParameters = {
  wasmPath: string;
  zkeyPath: string;
  circuitInput: Record<string, string | string[]>;
};

/**
 * Witness (circom wasm, compiled once per circuit) then Groth16 (snarkjs, proving key read once
 * and kept in memory). Shared by proveShard and the node daemon, which proves from the
 * artefacts it fetched into its cache.
 */
export async function proveCircuit({ wasmPath, zkeyPath, circuitInput }: ProveCircuitParameters): Promise<{
  proof: Groth16Proof;
  publicSignals: string[];
  timings: { witnessMs: number; proveMs: number };
}> {
  const t0 = performance.now();
  const wtns = await calculateWitness({ wasmPath, input: circuitInput });
  const t1 = performance.now();
  const { proof, publicSignals } = (await snarkjs.groth16.prove(zkeyFile(zkeyPath), { type: "mem", data: wtns })) as {
    proof: Groth16Proof;
    publicSignals: string[];
  };
  return { proof, publicSignals, timings: { witnessMs: t1 - t0, proveMs: performance.now() - t1 } };
}

/** snarkjs proof → the Solidity verifier's (a, b, c, pubSignals); G2 coordinates are swapped for the EVM precompile. */
export function toCalldata({ proof, publicSignals }: { proof: Groth16Proof; publicSignals: readonly string[] }): ProofCalldata {
  if (publicSignals.length !== 4) throw new ProverError(`expected 4 public signals, got ${publicSignals.length}`);
  const n = (s: string) => BigInt(s);
  return {
    a: [n(proof.pi_a[0]), n(proof.pi_a[1])],
    b: [
      [n(proof.pi_b[0][1]), n(proof.pi_b[0][0])],
      [n(proof.pi_b[1][1]), n(proof.pi_b[1][0])],
    ],
    c: [n(proof.pi_c[0]), n(proof.pi_c[1])],
    pubSignals: [n(publicSignals[0]), n(publicSignals[1]), n(publicSignals[2]), n(publicSignals[3])],
  };
}
