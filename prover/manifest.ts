import { readFileSync } from "node:fs";
import { MANIFEST_PATH } from "./paths.ts";

export interface FileRef {
  /** path relative to the repository root */
  path: string;
  sha256: string;
  bytes?: number;
}

/** Everything later stages (registry, placement, node, prover) need to know about a shard. */
export interface ShardManifest {
  index: number;
  /** layer range [from, to) of the integer model */
  layers: [number, number];
  inputShape: [number, number];
  outputShape: [number, number];
  inBits: number;
  outBits: number;
  /** decimal; offset added to each committed logit (last shard), else "0" */
  outOffset: string;
  accBits: number[];
  isLast: boolean;
  /** 0x-prefixed sha256 of the shard's integer layers (canonical JSON) */
  weightsHash: `0x${string}`;
  constraints: number;
  /** what a node needs in memory to serve the shard: ONNX + witness wasm + zkey */
  memoryBytes: number;
  onnx: FileRef;
  circuit: FileRef;
  wasm: FileRef;
  /** the deterministic initial phase-2 zkey (`zkey new`; never proves): what ceremonies start from */
  initialZkey: FileRef;
  /**
   * the repository's development-ceremony zkey (4 secret contributions, no beacon): what local
   * tests prove with. A chain proves with the zkey its ModelRegistry record names (same
   * contributions + that chain's beacon, or its own ceremony).
   */
  zkey: FileRef;
  vkey: FileRef;
  verifier: { contract: string; path: string };
}

export interface ModelManifest {
  id: string;
  default: boolean;
  report: { testDigits: number; floatAccuracy: number; intAccuracy: number; argmaxAgreement: number };
  /** the development ceremony's record (prover/ceremony/record.ts CeremonyRecord) */
  ceremony: { path: string };
  shards: ShardManifest[];
}

export interface Manifest {
  note: string;
  /** phase 1: the file, its hashes (blake2b-512 as public ceremonies publish it) and what it is (prover/ceremony/public-ptau.ts) */
  ptau: { path: string; sha256: string; blake2b: string; power: number; source: "hermez-public-ceremony" | "proofmesh-development" | "unknown" };
  models: ModelManifest[];
}

export class UnknownModelError extends Error {
  override name = "UnknownModelError";
}

let cached: Manifest | undefined;
/** The generated shard manifest (prover/models/manifest.json). */
export function readManifest(): Manifest {
  cached ??= JSON.parse(readFileSync(MANIFEST_PATH, "utf8")) as Manifest;
  return cached;
}

export function getModelManifest({ modelId }: { modelId: string }): ModelManifest {
  const m = readManifest().models.find((x) => x.id === modelId);
  if (!m) throw new UnknownModelError(`unknown model "${modelId}" (known: ${readManifest().models.map((x) => x.id).join(", ")})`);
  return m;
}
