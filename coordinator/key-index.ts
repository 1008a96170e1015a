/**
 * Which proving / verification keys the coordinator serves, and where their bytes are.
 *
 * The keys of a model are the ones its ON-CHAIN ceremony record names:
 * `ModelRegistry.ceremonyOf(modelId).shards[k].{zkeyHash, vkeyHash}` (sha256 of the files). The
 * manifest's own zkey / vkey are NOT chosen by reference; a file is served for a key only because
 * its bytes hash to the on-chain hash. Bytes come from (first hit wins, every one hash-checked):
 *   1. the deployment's `keys` files (deploy/deploy.ts writes the final keys of each chain there),
 *   2. the manifest's artefacts (content-addressed; e.g. an in-process chain registering the
 *      development keys),
 *   3. the blob store (ceremony zkeys, keys published with PUT /v1/artifacts/:sha256).
 *
 * On-chain records are cached: a registered record forever (registration is once per model), "not
 * registered" for `negativeTtlMs` (or until `invalidate()`, called on every registry change the
 * indexer sees).
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Hex } from "viem";
import { toModelId } from "../deploy/protocol.ts";
import type { ArtifactEntry, ManifestIndex } from "./artifacts.ts";
import type { BlobStore } from "./blob-store.ts";
import type { CeremonyChainReader, OnChainCeremonyRecord } from "./ceremony-chain.ts";
import type { DeploymentKeys } from "./chain.ts";
import { bareHex as bare } from "../prover/ceremony/hashes.ts";

export type OpenedArtifact = { sha256: string; contentType: string; bytes: number; stream: () => NodeJS.ReadableStream; source: "deployment" | "manifest" | "blob" };

export type VkeyLookup =
  | { status: "ok"; vkeyId: string; path: string; vkey: Record<string, unknown> }
  /** the registry does not know the model (no record, so no key) */
  | { status: "unregistered" }
  /** the record has no such shard */
  | { status: "no-shard"; shards: number }
  /** registered, but no file with the on-chain vkeyHash is held here */
  | { status: "missing"; vkeyHash: string }
  /** not looked up yet (call `recordOf` first) */
  | { status: "unknown" };

export type KeyIndex = {
  /** `ceremonyOf(modelId)` through the cache; throws when the chain cannot be read */
  recordOf(modelId: string): Promise<OnChainCeremonyRecord | null>;
  /** the cached record (undefined: not cached) */
  cachedRecord(modelId: string): OnChainCeremonyRecord | null | undefined;
  invalidate(): void;
  /** the vkey whose sha256 is the on-chain vkeyHash of (model, shard), from the cache */
  vkey(modelId: string, shard: number): VkeyLookup;
  /** any held file whose bytes hash to `sha256` (deployment keys, manifest artefacts, blobs) */
  open(sha256: string): OpenedArtifact | undefined;
  /** the deployment's key files and the on-chain keys of cached records, for GET /v1/artifacts */
  keyArtifacts(): ArtifactEntry[];
  /** true when `sha256` is a zkeyHash / vkeyHash of one of these models' on-chain records */
  isRegisteredKey(sha256: string, modelIds: readonly string[]): Promise<boolean>;
};

export type CreateKeyIndexParameters = {
  manifest: ManifestIndex;
  blobs: BlobStore;
  reader: CeremonyChainReader;
  repoRoot: string;
  deploymentKeys?: DeploymentKeys;
  /** absolute directory the deployment `keys` paths are relative to */
  keysDir?: string;
  negativeTtlMs?: number;
  clock?: () => number;
};


export function createKeyIndex(p: CreateKeyIndexParameters): KeyIndex {
  const { manifest, blobs, reader, repoRoot } = p;
  const clock = p.clock ?? Date.now;
  const negativeTtlMs = p.negativeTtlMs ?? 2_000;
  const records = new Map<string, { record: OnChainCeremonyRecord | null; at: number }>();
  const inflight = new Map<string, Promise<OnChainCeremonyRecord | null>>();
  const manifestIdOf = new Map(manifest.models.map((m) => [m.modelId.toLowerCase(), m.manifest.id]));

  // deployment key files (hash-checked once, on first use)
  const deploymentFiles = new Map<string, ArtifactEntry & { abs: string }>();
  for (const [model, entry] of Object.entries(p.deploymentKeys ?? {})) {
    const modelId = toModelId(model).toLowerCase() as Hex;
    for (const f of entry.files) {
      const abs = path.resolve(p.keysDir ?? repoRoot, f.path);
      deploymentFiles.set(f.sha256, {
        sha256: f.sha256,
        kind: f.kind,
        path: path.relative(repoRoot, abs),
        modelId,
        manifestModelId: model,
        shard: f.shard,
        contentType: f.kind === "vkey" ? "application/json" : "application/octet-stream",
        abs,
      });
    }
  }
  const checked = new Map<string, boolean>();
  function deploymentFile(sha256: string) {
    const f = deploymentFiles.get(sha256);
    if (!f) return undefined;
    let ok = checked.get(sha256);
    if (ok === undefined) {
      ok = existsSync(f.abs) && createHash("sha256").update(readFileSync(f.abs)).digest("hex") === sha256;
      checked.set(sha256, ok);
    }
    return ok ? f : undefined;
  }

  function isVkeyHash(sha256: string): boolean {
    if (deploymentFiles.get(sha256)?.kind === "vkey") return true;
    for (const { record } of records.values()) if (record?.shards.some((s) => bare(s.vkeyHash) === sha256)) return true;
    return false;
  }

  function open(sha: string): OpenedArtifact | undefined {
    const sha256 = bare(sha);
    const d = deploymentFile(sha256);
    if (d) return { sha256, contentType: d.contentType, bytes: statSync(d.abs).size, stream: () => createReadStream(d.abs), source: "deployment" };
    const m = manifest.openArtifact(sha256);
    if (m) return { sha256, contentType: m.entry.contentType, bytes: m.bytes, stream: m.stream, source: "manifest" };
    const b = blobs.open(sha256);
    if (b) return { sha256, contentType: isVkeyHash(sha256) ? "application/json" : "application/octet-stream", bytes: b.bytes, stream: b.stream, source: "blob" };
    return undefined;
  }

  const parsedVkeys = new Map<string, Record<string, unknown>>();
  function readJson(sha256: string): { path: string; vkey: Record<string, unknown> } | undefined {
    const d = deploymentFile(sha256);
    const m = d ? undefined : manifest.openArtifact(sha256);
    const file = d ? d.abs : m ? path.resolve(repoRoot, m.entry.path) : blobs.pathOf(sha256);
    if (!file) return undefined;
    const where = d ? d.path : m ? m.entry.path : `/v1/artifacts/${sha256}`;
    let vkey = parsedVkeys.get(sha256);
    if (!vkey) {
      try {
        const text = readFileSync(file);
        // blobs are named by their hash when written; the file could still have been replaced on disk
        if (createHash("sha256").update(text).digest("hex") !== sha256) return undefined;
        vkey = JSON.parse(text.toString("utf8")) as Record<string, unknown>;
      } catch {
        return undefined;
      }
      parsedVkeys.set(sha256, vkey);
    }
    return { path: where, vkey };
  }

  function cachedRecord(modelId: string): OnChainCeremonyRecord | null | undefined {
    const hit = records.get(modelId.toLowerCase());
    if (!hit) return undefined;
    if (hit.record === null && clock() - hit.at > negativeTtlMs) return undefined;
    return hit.record;
  }

  async function recordOf(modelId: string): Promise<OnChainCeremonyRecord | null> {
    const id = modelId.toLowerCase();
    const hit = cachedRecord(id);
    if (hit !== undefined) return hit;
    let pending = inflight.get(id);
    if (!pending) {
      pending = reader
        .ceremonyOf(id as Hex)
        .then((record) => {
          records.set(id, { record, at: clock() });
          return record;
        })
        .finally(() => inflight.delete(id));
      inflight.set(id, pending);
    }
    return pending;
  }

  return {
    recordOf,
    cachedRecord,
    invalidate() {
      for (const [id, v] of records) if (v.record === null) records.delete(id);
    },
    vkey(modelId, shard) {
      const record = cachedRecord(modelId);
      if (record === undefined) return { status: "unknown" };
      if (record === null) return { status: "unregistered" };
      const s = record.shards[shard];
      if (!s) return { status: "no-shard", shards: record.shards.length };
      const vkeyId = bare(s.vkeyHash);
      const v = readJson(vkeyId);
      if (!v) return { status: "missing", vkeyHash: vkeyId };
      return { status: "ok", vkeyId, path: v.path, vkey: v.vkey };
    },
    open,
    keyArtifacts() {
      const out = new Map<string, ArtifactEntry>();
      for (const f of deploymentFiles.values()) if (deploymentFile(f.sha256)) out.set(f.sha256, { sha256: f.sha256, kind: f.kind, path: f.path, modelId: f.modelId, manifestModelId: f.manifestModelId, shard: f.shard, contentType: f.contentType });
      for (const [modelId, { record }] of records) {
        if (!record) continue;
        for (const [k, s] of record.shards.entries()) {
          for (const kind of ["zkey", "vkey"] as const) {
            const sha256 = bare(kind === "zkey" ? s.zkeyHash : s.vkeyHash);
            if (out.has(sha256)) continue;
            const o = open(sha256);
            if (!o) continue;
            const m = manifest.openArtifact(sha256);
            out.set(sha256, {
              sha256,
              kind,
              path: o.source === "manifest" && m ? m.entry.path : `/v1/artifacts/${sha256}`,
              modelId: modelId as Hex,
              manifestModelId: manifestIdOf.get(modelId) ?? modelId,
              shard: k,
              contentType: kind === "vkey" ? "application/json" : "application/octet-stream",
            });
          }
        }
      }
      return [...out.values()];
    },
    async isRegisteredKey(sha, modelIds) {
      const sha256 = bare(sha);
      for (const id of new Set(modelIds.map((x) => x.toLowerCase()))) {
        const record = await recordOf(id);
        if (record?.shards.some((s) => bare(s.zkeyHash) === sha256 || bare(s.vkeyHash) === sha256)) return true;
      }
      return false;
    },
  };
}
