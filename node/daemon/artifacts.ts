/**
 * Content-addressed shard artefacts (ONNX, witness wasm, zkey), by the sha256 of the manifest.
 *
 * For each artefact the node needs, in order:
 *   1. embedded: the repository file named by the manifest, if its sha256 matches;
 *   2. cache:    <cacheDir>/<sha256>, if its sha256 matches (re-hashed at boot);
 *   3. fetch:    GET <source>/v1/artifacts/<sha256> from each source (coordinator, then peers),
 *                streamed into the cache and hashed; a wrong hash is discarded and the next source tried.
 * Nothing matches → ArtifactError (the node refuses to serve). Cached files the node no longer
 * needs are evicted.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Logger } from "pino";
import { NodeError } from "../errors.ts";

export type ArtifactRef = {
  sha256: string;
  bytes?: number;
  /** absolute path of the repository copy (embedded mode) */
  repoPath: string;
  /** for messages, e.g. "mnist-mlp-784-64-32-10 shard 0 zkey" */
  label: string;
};

export type ResolvedArtifact = { sha256: string; path: string; source: "embedded" | "cache" | "fetched"; from?: string; bytes: number };

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).byteLength;
  }
  return { sha256: h.digest("hex"), bytes };
}

const SHA256_RE = /^[0-9a-f]{64}$/;

async function fetchInto(parameters: { url: string; dest: string; maxBytes: number; timeoutMs: number }): Promise<{ sha256: string; bytes: number }> {
  const { url, dest, maxBytes, timeoutMs } = parameters;
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const h = createHash("sha256");
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) return cb(new Error(`more than ${maxBytes} bytes`));
      h.update(chunk);
      cb(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(res.body as never), meter, createWriteStream(dest));
  return { sha256: h.digest("hex"), bytes };
}

export type ResolveArtifactsParameters = {
  refs: readonly ArtifactRef[];
  cacheDir: string;
  /** use matching repository files (default true) */
  embedded?: boolean;
  /** base URLs serving GET /v1/artifacts/<sha256> (coordinator first, then peers) */
  sources: readonly string[];
  log: Logger;
  fetchTimeoutMs?: number;
  /** delete cached files not in `refs` (default true) */
  evict?: boolean;
};

export async function resolveArtifacts(parameters: ResolveArtifactsParameters): Promise<Map<string, ResolvedArtifact>> {
  const { refs, cacheDir, embedded = true, sources, log, fetchTimeoutMs = 120_000, evict = true } = parameters;
  mkdirSync(cacheDir, { recursive: true });
  const out = new Map<string, ResolvedArtifact>();
  for (const ref of refs) {
    if (!SHA256_RE.test(ref.sha256)) throw new NodeError("ARTIFACT_MISMATCH", `${ref.label}: manifest sha256 "${ref.sha256}" is not a hex sha256`);
    if (out.has(ref.sha256)) continue;
    if (embedded && existsSync(ref.repoPath)) {
      const got = await sha256File(ref.repoPath);
      if (got.sha256 === ref.sha256) {
        out.set(ref.sha256, { sha256: ref.sha256, path: ref.repoPath, source: "embedded", bytes: got.bytes });
        continue;
      }
      log.warn({ artifact: ref.label, path: ref.repoPath, expected: ref.sha256, got: got.sha256 }, "repository artefact does not match the manifest hash; not using it");
    }
    const cached = join(cacheDir, ref.sha256);
    if (existsSync(cached)) {
      const got = await sha256File(cached);
      if (got.sha256 === ref.sha256) {
        out.set(ref.sha256, { sha256: ref.sha256, path: cached, source: "cache", bytes: got.bytes });
        continue;
      }
      log.warn({ artifact: ref.label, expected: ref.sha256, got: got.sha256 }, "cached artefact is corrupt; deleting");
      unlinkSync(cached);
    }
    const failures: string[] = [];
    for (const source of sources) {
      const url = `${source.replace(/\/+$/, "")}/v1/artifacts/${ref.sha256}`;
      const tmp = `${cached}.${process.pid}.${Date.now()}.tmp`;
      try {
        const got = await fetchInto({ url, dest: tmp, maxBytes: (ref.bytes ?? 1 << 30) + 0, timeoutMs: fetchTimeoutMs });
        if (got.sha256 !== ref.sha256) throw new Error(`content hash ${got.sha256} does not match`);
        renameSync(tmp, cached);
        out.set(ref.sha256, { sha256: ref.sha256, path: cached, source: "fetched", from: source, bytes: got.bytes });
        log.info({ artifact: ref.label, from: source, bytes: got.bytes }, "artefact fetched");
        break;
      } catch (err) {
        if (existsSync(tmp)) unlinkSync(tmp);
        failures.push(`${url}: ${(err as Error).message}`);
      }
    }
    if (!out.has(ref.sha256)) {
      const mismatch = failures.some((f) => f.includes("does not match"));
      throw new NodeError(
        mismatch ? "ARTIFACT_MISMATCH" : "ARTIFACT_UNAVAILABLE",
        `${ref.label} (sha256 ${ref.sha256}) is not available${mismatch ? " with the right hash" : ""}: refusing to serve`,
        {
          details:
            sources.length === 0
              ? "no matching local file and no artefact source: pass --coordinator <url> or --artifact-peer <url>, or build the circuits (`npm run build:circuits`)"
              : failures.join("; "),
        },
      );
    }
  }
  if (evict) {
    for (const f of readdirSync(cacheDir)) {
      if (out.has(f) && out.get(f)!.path === join(cacheDir, f)) continue;
      if (SHA256_RE.test(f) || f.endsWith(".tmp")) {
        unlinkSync(join(cacheDir, f));
        log.info({ file: f }, "evicted artefact no longer served");
      }
    }
  }
  return out;
}
