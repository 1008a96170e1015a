/**
 * Compiles a generated Groth16 verifier with the pinned npm solc (0.8.30, WebAssembly, offline),
 * with the settings of hardhat.config.ts, for a key made after the contracts were built (a chain's
 * beacon, a ceremony among operators).
 */
import { createRequire } from "node:module";
import type { Abi, Hex } from "viem";
import { ProofMeshDeployError } from "./errors.ts";

const require = createRequire(import.meta.url);

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>;
};

export type CompileVerifierParameters = { source: string; contract: string };
export type CompileVerifierReturnType = {
  abi: Abi;
  /** creation code (what is deployed) */
  bytecode: Hex;
  /** runtime code: what `eth_getCode` returns for a contract deployed from `bytecode` (auditors compare the two) */
  deployedBytecode: Hex;
};

let solc: { compile(input: string): string } | undefined;

export function compileVerifier({ source, contract }: CompileVerifierParameters): CompileVerifierReturnType {
  solc ??= require("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: { [`${contract}.sol`]: { content: source } },
    settings: { evmVersion: "prague", optimizer: { enabled: true, runs: 10_000 }, outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new ProofMeshDeployError(`solc could not compile ${contract}`, { details: errors.map((e) => e.formattedMessage).join("\n") });
  const c = out.contracts?.[`${contract}.sol`]?.[contract];
  if (!c) throw new ProofMeshDeployError(`solc output has no contract ${contract}`);
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}`, deployedBytecode: `0x${c.evm.deployedBytecode.object}` };
}
