/**
 * The Solidity verifier of a Groth16 verification key, rendered exactly as the finalizer makes it
 * (prover/ceremony/export-keys.ts: snarkjs's verifier_groth16.sol.ejs template rendered with the
 * key, renamed per shard, pragma pinned, GENERATED header), so an auditor can compile it and
 * compare the result with the code deployed on chain. Rendering from the key is what snarkjs's
 * `zkey export solidityverifier` does after exporting the key (zkey_export_solidityverifier.js);
 * sdk/verifier-source.test.ts checks the two agree byte for byte.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { solidityVerifier } from "../prover/ceremony/export-keys.ts";
import { InvalidParameterError } from "./errors.ts";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

type Ejs = { render(template: string, data: Record<string, unknown>): string };
let ejs: Ejs | undefined;
let template: string | undefined;

export type VerifierSourceFromVkeyParameters = {
  /** the snarkjs Groth16 verification key (as exported, decimal strings) */
  vkey: Record<string, unknown>;
  /** contract name, `verifierContractName({ modelId, shard })` */
  contract: string;
  /** manifest model id, e.g. "mnist-mlp-784-64-32-10" (written in the header) */
  modelId: string;
  shard: number;
};
export type VerifierSourceFromVkeyReturnType = string;

export function verifierSourceFromVkey({ vkey, contract, modelId, shard }: VerifierSourceFromVkeyParameters): VerifierSourceFromVkeyReturnType {
  if (vkey.protocol !== "groth16") throw new InvalidParameterError(`verification key protocol is ${String(vkey.protocol)}, not groth16`);
  ejs ??= require("ejs") as Ejs;
  template ??= readFileSync(path.join(REPO_ROOT, "node_modules/snarkjs/templates/verifier_groth16.sol.ejs"), "utf8");
  return solidityVerifier({ sol: ejs.render(template, vkey), contract, modelId, shard });
}

/**
 * Runtime code without solc's CBOR metadata (its last 2 bytes give the metadata's length): what
 * the code does. The metadata holds a hash of the compiler input (file names, settings) and is
 * never executed, so a verifier compiled by Hardhat from the same source differs only there.
 */
function withoutMetadata(code: string): string | undefined {
  const hex = code.toLowerCase().replace(/^0x/, "");
  if (hex.length < 4) return undefined;
  const n = parseInt(hex.slice(-4), 16);
  const cut = hex.length - 4 - 2 * n;
  // a solc metadata map starts with 0xa1..0xa5 (a CBOR map of 1..5 entries)
  if (cut <= 0 || !/^a[1-5]$/.test(hex.slice(cut, cut + 2))) return undefined;
  return hex.slice(0, cut);
}

export type CompareRuntimeCodeParameters = { onChain: string; compiled: string };
/** "exact": byte for byte; "metadata": equal apart from the solc metadata (same behaviour); "different" */
export type CompareRuntimeCodeReturnType = "exact" | "metadata" | "different";

export function compareRuntimeCode({ onChain, compiled }: CompareRuntimeCodeParameters): CompareRuntimeCodeReturnType {
  const a = onChain.toLowerCase().replace(/^0x/, "");
  const b = compiled.toLowerCase().replace(/^0x/, "");
  if (a.length > 0 && a === b) return "exact";
  const sa = withoutMetadata(a);
  const sb = withoutMetadata(b);
  return sa !== undefined && sa.length > 0 && sa === sb ? "metadata" : "different";
}
