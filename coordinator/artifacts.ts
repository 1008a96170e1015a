/**
 * The prover's manifest as the coordinator uses it: chain model id → manifest model (input size,
 * shard memory), and a content-addressed index of the artefact files (onnx, witness wasm, zkey,
 * vkey, circom source) served at GET /v1/artifacts/:sha256. A file is served only if its bytes
 * hash to the manifest's sha256 (checked once, then cached). Which zkey / vkey a model USES is
 * not the manifest's to say: the on-chain ceremony record names them (key-index.ts).
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Hex } from "viem";
import { toModelId } from "../deploy/protocol.ts";
import type { Manifest, ModelManifest, ShardManifest } from "../prover/manifest.ts";

export type ArtifactKind = "onnx" | "wasm" | "zkey" | "vkey" | "circuit";

export type ArtifactEntry = {
  sha256: string;
  kind: ArtifactKind;
  /** path relative to the repository root */
  path: string;
  modelId: Hex;
  manifestModelId: string;
  shard: number;
  contentType: string;
};

export type ManifestIndex = {
  models: { modelId: Hex; manifest: ModelManifest }[];
  /** the powers of tau every initial zkey was made from (path relative to the repository root) */
  ptau: { path: string; sha256: string } | undefined;
  byModelId(modelId: string): ModelManifest | undefined;
  shard(modelId: string, shard: number): ShardManifest | undefined;
  /** input length of a model's first shard (784 for MNIST) */
  inputSize(modelId: string): number | undefined;
  artifacts(): ArtifactEntry[];
  /** the file behind `sha256` if it exists and matches, else undefined */
  openArtifact(sha256: string): { entry: ArtifactEntry; bytes: number; stream: () => NodeJS.ReadableStream } | undefined;
};

const CONTENT_TYPES: Record<ArtifactKind, string> = {
  onnx: "application/octet-stream",
  wasm: "application/wasm",
  zkey: "application/octet-stream",
  vkey: "application/json",
  circuit: "text/plain; charset=utf-8",
};

export function loadManifestIndex({ manifest, repoRoot }: { manifest: Manifest; repoRoot: string }): ManifestIndex {
  const models = manifest.models.map((m) => ({ modelId: toModelId(m.id).toLowerCase() as Hex, manifest: m }));
  const byId = new Map(models.map((m) => [m.modelId, m.manifest]));
  const entries = new Map<string, ArtifactEntry>();
  for (const m of models) {
    for (const s of m.manifest.shards) {
      for (const kind of ["onnx", "wasm", "zkey", "vkey", "circuit"] as const) {
        const ref = s[kind];
        if (!ref?.sha256) continue;
        entries.set(ref.sha256.toLowerCase(), { sha256: ref.sha256.toLowerCase(), kind, path: ref.path, modelId: m.modelId, manifestModelId: m.manifest.id, shard: s.index, contentType: CONTENT_TYPES[kind] });
      }
    }
  }
  const verified = new Map<string, boolean>();

  function check(entry: ArtifactEntry): boolean {
    const hit = verified.get(entry.sha256);
    if (hit !== undefined) return hit;
    const file = path.resolve(repoRoot, entry.path);
    let ok = false;
    if (existsSync(file)) ok = createHash("sha256").update(readFileSync(file)).digest("hex") === entry.sha256;
    verified.set(entry.sha256, ok);
    return ok;
  }

  const shardOf = (modelId: string, shard: number) => byId.get(modelId.toLowerCase() as Hex)?.shards.find((s) => s.index === shard);
  return {
    models,
    ptau: manifest.ptau ? { path: manifest.ptau.path, sha256: manifest.ptau.sha256.toLowerCase() } : undefined,
    byModelId: (modelId) => byId.get(modelId.toLowerCase() as Hex),
    shard: shardOf,
    inputSize(modelId) {
      const s0 = shardOf(modelId, 0);
      return s0 ? s0.inputShape[1] : undefined;
    },
    artifacts: () => [...entries.values()],
    openArtifact(sha256) {
      const entry = entries.get(sha256.toLowerCase());
      if (!entry || !check(entry)) return undefined;
      const file = path.resolve(repoRoot, entry.path);
      return { entry, bytes: statSync(file).size, stream: () => createReadStream(file) };
    },
  };
}
