import * as snarkjs from "snarkjs";
import type { Groth16Proof } from "./prove-shard.ts";
import { loadShardArtifacts } from "./shard-artifacts.ts";

export type VerifyShardParameters = {
  modelId: string;
  shard: number;
  proof: Groth16Proof;
  publicSignals: readonly string[];
};

/** Verifies a shard proof with snarkjs against the shard's verification key. */
export async function verifyShard({ modelId, shard, proof, publicSignals }: VerifyShardParameters): Promise<boolean> {
  const { vkey } = loadShardArtifacts({ modelId, shard });
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  return (await snarkjs.groth16.verify(vkey, [...publicSignals], proof, silent)) as boolean;
}
