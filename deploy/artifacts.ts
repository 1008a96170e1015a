import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { Abi, Hex } from "viem";

import { ArtifactNotFoundError } from "./errors.ts";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const artifactsDir = path.join(repoRoot, "artifacts");

export type Artifact = { contractName: string; sourceName: string; abi: Abi; bytecode: Hex };

/** Reads a Hardhat 3 artifact, e.g. `loadArtifact({ name: "JobMarket" })` (source defaults to contracts/<name>.sol). */
export async function loadArtifact({ name, sourceName }: { name: string; sourceName?: string }): Promise<Artifact> {
  const source = sourceName ?? `contracts/${name}.sol`;
  const file = path.join(artifactsDir, source, `${name}.json`);
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (cause) {
    throw new ArtifactNotFoundError(`Artifact ${name} not found`, {
      cause,
      details: `${path.relative(repoRoot, file)} is missing; run \`npx hardhat build\` first`,
    });
  }
  const json = JSON.parse(raw) as Artifact;
  return { contractName: json.contractName, sourceName: json.sourceName, abi: json.abi, bytecode: json.bytecode };
}
