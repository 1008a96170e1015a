/**
 * The verification key and the Solidity verifier of a (final) zkey, exported by snarkjs: the only
 * way either is made. The verifier is renamed per shard and marked generated.
 */
import { readFileSync } from "node:fs";
import type { pino } from "pino";
import * as snarkjs from "snarkjs";
import { snarkLogger } from "../build/setup-shard.ts";
import { ROOT } from "../paths.ts";

export type ExportKeysParameters = { zkeyPath: string; contract: string; modelId: string; shard: number; log: pino.Logger };
export type ExportKeysReturnType = {
  vkey: Record<string, unknown>;
  /** the vkey file's exact bytes (its sha256 is the on-chain vkeyHash) */
  vkeyJson: string;
  verifierSource: string;
};

export async function exportKeys({ zkeyPath, contract, modelId, shard, log }: ExportKeysParameters): Promise<ExportKeysReturnType> {
  const vkey = (await snarkjs.zKey.exportVerificationKey(zkeyPath, snarkLogger(log))) as Record<string, unknown>;
  const template = readFileSync(`${ROOT}/node_modules/snarkjs/templates/verifier_groth16.sol.ejs`, "utf8");
  const sol = (await snarkjs.zKey.exportSolidityVerifier(zkeyPath, { groth16: template }, snarkLogger(log))) as string;
  return { vkey, vkeyJson: JSON.stringify(vkey, null, 1) + "\n", verifierSource: solidityVerifier({ sol, contract, modelId, shard }) };
}

/** Renames snarkjs's Groth16Verifier per shard, pins the pragma, marks the file generated (also used by auditors rendering from a vkey: sdk/verifier-source.ts). */
export function solidityVerifier({ sol, contract, modelId, shard }: { sol: string; contract: string; modelId: string; shard: number }): string {
  const header = `// GENERATED from the ceremony zkey of ${modelId} shard ${shard} (prover/ceremony/export-keys.ts) — DO NOT EDIT.\n// Public signals: [inCommit, outCommit, binding, result]. Returns false (does not revert) on an invalid proof:\n// callers must require the result.\n`;
  const body = sol.replace(/pragma solidity [^;]+;/, "pragma solidity 0.8.30;").replace(/contract Groth16Verifier\b/, `contract ${contract}`);
  if (!body.includes(`contract ${contract}`)) throw new Error("unexpected snarkjs verifier template");
  return header + body;
}
