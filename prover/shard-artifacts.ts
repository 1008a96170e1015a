import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ShardArtifactError, ShardInputError } from "./errors.ts";
import { getModelManifest, type ShardManifest } from "./manifest.ts";
import { ROOT, intModelPath } from "./paths.ts";
import type { IntLayer, IntModel } from "./quant/semantics.ts";

export interface ShardArtifacts {
  modelId: string;
  manifest: ShardManifest;
  layers: IntLayer[];
  wasmPath: string;
  zkeyPath: string;
  vkey: Record<string, unknown>;
}

const cache = new Map<string, ShardArtifacts>();

/** Loads (once) what proving and verifying a shard needs, checked against the manifest's hashes. */
export function loadShardArtifacts({ modelId, shard }: { modelId: string; shard: number }): ShardArtifacts {
  const key = `${modelId}/${shard}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const model = getModelManifest({ modelId });
  const manifest = model.shards.find((s) => s.index === shard);
  if (!manifest) throw new ShardInputError(`model "${modelId}" has no shard ${shard} (it has ${model.shards.length})`);
  const int = JSON.parse(readFileSync(intModelPath(modelId), "utf8")) as IntModel;
  const layers = int.layers.slice(manifest.layers[0], manifest.layers[1]);
  const weightsHash = "0x" + createHash("sha256").update(JSON.stringify(layers)).digest("hex");
  if (weightsHash !== manifest.weightsHash) throw new ShardArtifactError(`weights of ${key} do not match the manifest's weightsHash`);
  const wasmPath = join(ROOT, manifest.wasm.path);
  const zkeyPath = join(ROOT, manifest.zkey.path);
  for (const p of [wasmPath, zkeyPath])
    if (!existsSync(p)) throw new ShardArtifactError(`missing ${manifest.wasm.path === p ? "witness wasm" : "proving key"} ${p}: run \`npm run build:circuits\``);
  const vkey = JSON.parse(readFileSync(join(ROOT, manifest.vkey.path), "utf8")) as Record<string, unknown>;
  const artifacts: ShardArtifacts = { modelId, manifest, layers, wasmPath, zkeyPath, vkey };
  cache.set(key, artifacts);
  return artifacts;
}
