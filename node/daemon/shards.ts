/**
 * The shards this node serves: chosen from the manifest (the node's on-chain models, optionally
 * narrowed by `--shards`), checked against the ModelRegistry (shard count, weightsHash), their
 * artefacts resolved by content hash, and one onnxruntime session each. The proving key is the
 * one the chain names: the zkey whose sha256 is the model's ceremony record's `zkeyHash`
 * (`ModelRegistry.ceremonyOf`), fetched from the coordinator or peers, never the repository's
 * development key (whose verifier no chain registers).
 */
import { join } from "node:path";
import type { Logger } from "pino";
import type { Hex, PublicClient, Address } from "viem";
import { modelRegistryAbi } from "../../contracts/abi/index.ts";
import { toModelId } from "../../deploy/protocol.ts";
import { readManifest, type ShardManifest } from "../../prover/manifest.ts";
import { resolveBackend, createShardSession, runShard, type ShardBackend, type ShardSession } from "../../prover/model/run-onnx.ts";
import { ROOT } from "../../prover/paths.ts";
import { NodeError } from "../errors.ts";
import { resolveArtifacts, type ArtifactRef, type ResolvedArtifact } from "./artifacts.ts";

export type ServedShard = {
  modelName: string;
  modelId: Hex;
  shard: number;
  shardCount: number;
  manifest: ShardManifest;
  session: ShardSession;
  onnxPath: string;
  wasmPath: string;
  zkeyPath: string;
  /** EWMA of the compute time, ms (0 until the first run) */
  ewmaMs: number;
};

export type ShardCatalog = {
  readonly backend: ShardBackend;
  list(): ServedShard[];
  get(modelId: Hex, shard: number): ServedShard | undefined;
  /** runs one input through the shard; output = last layer, result = argmax (last shard) */
  run(s: ServedShard, input: readonly number[]): Promise<{ output: number[]; result: number | undefined; computeMs: number }>;
  /** sha256 → file, for GET /v1/artifacts/:sha256 */
  artifacts: ReadonlyMap<string, ResolvedArtifact>;
  release(): Promise<void>;
};

/** "<model>" or "<model>:<shard>" selectors → set of "model:shard" keys (undefined = all). */
function parseSelectors(selectors: readonly string[] | undefined): ((model: string, shard: number) => boolean) | undefined {
  if (!selectors || selectors.length === 0) return undefined;
  const rules = selectors.map((s) => {
    const m = /^([^:]+)(?::(\d+))?$/.exec(s);
    if (!m) throw new NodeError("INVALID_ARGUMENT", `--shards entry "${s}" must be <model> or <model>:<shard>`);
    return { model: m[1], shard: m[2] === undefined ? undefined : Number(m[2]) };
  });
  return (model, shard) => rules.some((r) => (r.model === model || toModelId(r.model) === toModelId(model)) && (r.shard === undefined || r.shard === shard));
}

export type LoadShardCatalogParameters = {
  publicClient: PublicClient;
  modelRegistry: Address;
  /** the node's on-chain model ids */
  nodeModelIds: readonly Hex[];
  selectors?: readonly string[];
  backend: ShardBackend;
  cacheDir: string;
  embedded: boolean;
  sources: readonly string[];
  /** sha256 → local file of keys the deployment lists (tried first in embedded mode) */
  keyFiles?: ReadonlyMap<string, string>;
  log: Logger;
};

export async function loadShardCatalog(parameters: LoadShardCatalogParameters): Promise<ShardCatalog> {
  const { publicClient, modelRegistry, nodeModelIds, selectors, cacheDir, embedded, sources, log } = parameters;
  const backend = await resolveBackend({
    preferred: parameters.backend,
    onFallback: (err) => log.warn({ err: err instanceof Error ? err.message : String(err) }, "onnxruntime-node has no native build here: serving with the WASM backend (onnxruntime-web)"),
  });
  const select = parseSelectors(selectors);
  const onChain = new Set(nodeModelIds.map((m) => m.toLowerCase()));
  const wanted: { modelName: string; modelId: Hex; manifest: ShardManifest; shardCount: number; zkeySha256: string }[] = [];
  for (const model of readManifest().models) {
    const modelId = toModelId(model.id);
    if (!onChain.has(modelId.toLowerCase())) continue;
    const shards = model.shards.filter((s) => !select || select(model.id, s.index));
    if (shards.length === 0) continue;
    // The registry is the source of truth: same shard count and weights as the manifest.
    const registered = await publicClient.readContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: "getShards", args: [modelId] });
    const ceremony = await publicClient.readContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: "ceremonyOf", args: [modelId] });
    if (registered.length !== model.shards.length) {
      throw new NodeError("WEIGHTS_MISMATCH", `model ${model.id}: ModelRegistry has ${registered.length} shards, the manifest ${model.shards.length}: refusing to serve`);
    }
    for (const s of shards) {
      const reg = registered[s.index];
      if (reg.weightsHash.toLowerCase() !== s.weightsHash.toLowerCase()) {
        throw new NodeError(
          "WEIGHTS_MISMATCH",
          `model ${model.id} shard ${s.index}: the ModelRegistry weightsHash ${reg.weightsHash} differs from the manifest's ${s.weightsHash}: refusing to serve`,
          { details: "the local manifest/artefacts are for another build of the model; update the repository or the registry" },
        );
      }
      wanted.push({ modelName: model.id, modelId, manifest: s, shardCount: model.shards.length, zkeySha256: ceremony.shards[s.index].zkeyHash.slice(2).toLowerCase() });
    }
  }
  if (wanted.length === 0) {
    throw new NodeError("UNKNOWN_MODEL", "this node serves no shard: none of its on-chain models (or --shards) is in the local manifest", {
      details: `on-chain models: ${nodeModelIds.join(", ") || "none"}; manifest: ${readManifest().models.map((m) => m.id).join(", ")}`,
    });
  }
  const refs: ArtifactRef[] = wanted.flatMap((w) => [
    ...(["onnx", "wasm"] as const).map((kind) => ({
      sha256: w.manifest[kind].sha256,
      ...(w.manifest[kind].bytes !== undefined ? { bytes: w.manifest[kind].bytes } : {}),
      repoPath: join(ROOT, w.manifest[kind].path),
      label: `${w.modelName} shard ${w.manifest.index} ${kind}`,
    })),
    // The chain's key: the deployment's own file when this machine deployed it, else fetched by hash.
    { sha256: w.zkeySha256, repoPath: parameters.keyFiles?.get(w.zkeySha256) ?? join(ROOT, w.manifest.zkey.path), label: `${w.modelName} shard ${w.manifest.index} zkey (ModelRegistry ceremony record)` },
  ]);
  const artifacts = await resolveArtifacts({ refs, cacheDir, embedded, sources, log });
  const served: ServedShard[] = [];
  for (const w of wanted) {
    const path = (sha256: string) => artifacts.get(sha256)!.path;
    const session = await createShardSession({ path: path(w.manifest.onnx.sha256), backend });
    const { zkeySha256: _z, ...rest } = w;
    served.push({ ...rest, shard: w.manifest.index, session, onnxPath: path(w.manifest.onnx.sha256), wasmPath: path(w.manifest.wasm.sha256), zkeyPath: path(w.zkeySha256), ewmaMs: 0 });
  }
  log.info({ backend, shards: served.map((s) => `${s.modelName}:${s.shard}`), artifacts: [...artifacts.values()].map((a) => a.source) }, "shards loaded");
  const key = (modelId: Hex, shard: number) => `${modelId.toLowerCase()}:${shard}`;
  const byKey = new Map(served.map((s) => [key(s.modelId, s.shard), s]));
  return {
    backend,
    artifacts,
    list: () => served,
    get: (modelId, shard) => byKey.get(key(modelId, shard)),
    async run(s, input) {
      const t0 = performance.now();
      const { y, result } = await runShard({ session: s.session, inputs: [input] });
      const computeMs = performance.now() - t0;
      s.ewmaMs = s.ewmaMs === 0 ? computeMs : 0.8 * s.ewmaMs + 0.2 * computeMs;
      return { output: y[0], result: result?.[0], computeMs };
    },
    async release() {
      for (const s of served) await s.session.session.release().catch(() => {});
    },
  };
}
