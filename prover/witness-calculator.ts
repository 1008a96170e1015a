import { readFileSync } from "node:fs";
// circom's own runtime (the one snarkjs.wtns.calculate uses), kept loaded per shard.
import { WitnessCalculatorBuilder } from "circom_runtime";
import { ProverError } from "./errors.ts";

interface WitnessCalculator {
  calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean): Promise<Uint8Array>;
}

const calculators = new Map<string, Promise<WitnessCalculator>>();

export type CalculateWitnessParameters = {
  wasmPath: string;
  /** circuit inputs: decimal strings or arrays of them */
  input: Record<string, string | string[]>;
};

/**
 * Computes a circuit's witness (.wtns bytes) with a WebAssembly instance compiled once
 * per circuit and reused — snarkjs.wtns.calculate recompiles it on every call.
 * Every `===` of the circuit is asserted while computing: inputs that contradict the
 * public signals throw.
 */
export async function calculateWitness({ wasmPath, input }: CalculateWitnessParameters): Promise<Uint8Array> {
  let wc = calculators.get(wasmPath);
  if (!wc) {
    wc = WitnessCalculatorBuilder(readFileSync(wasmPath)) as Promise<WitnessCalculator>;
    calculators.set(wasmPath, wc);
  }
  const big: Record<string, bigint | bigint[]> = {};
  for (const [k, v] of Object.entries(input)) big[k] = Array.isArray(v) ? v.map((x) => BigInt(x)) : BigInt(v);
  try {
    return await (await wc).calculateWTNSBin(big, true);
  } catch (cause) {
    throw new ProverError(`witness generation failed: the inputs violate a constraint of ${wasmPath.split("/").slice(-3).join("/")}`, { cause });
  }
}
