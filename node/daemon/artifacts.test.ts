/**
 * Model lifecycle: artefacts fetched by content hash (from the first source that has them with
 * the right hash), cached, re-used, evicted when no longer served; a wrong hash or a registry
 * weightsHash that differs from the manifest refuses to serve.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import type { PublicClient } from "viem";
import { toModelId } from "../../deploy/protocol.ts";
import { getModelManifest } from "../../prover/manifest.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { ROOT } from "../../prover/paths.ts";
import { NodeError } from "../errors.ts";
import { resolveArtifacts, type ArtifactRef } from "./artifacts.ts";
import { loadShardCatalog } from "./shards.ts";

const log = pino({ level: "silent" });
const shard1 = getModelManifest({ modelId: DEFAULT_MODEL_ID }).shards[1];

function serve(handler: (sha: string) => Buffer | undefined): Promise<{ url: string; server: Server; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const sha = /^\/v1\/artifacts\/([0-9a-f]{64})$/.exec(req.url ?? "")?.[1];
    hits.push(sha ?? "");
    const body = sha ? handler(sha) : undefined;
    if (!body) {
      res.statusCode = 404;
      res.end("{}");
      return;
    }
    res.setHeader("content-type", "application/octet-stream");
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server, hits })));
}

describe("artefacts by content hash", { timeout: 30_000 }, () => {
  let dir: string;
  let good: Awaited<ReturnType<typeof serve>>;
  let liar: Awaited<ReturnType<typeof serve>>;
  const bytes = readFileSync(join(ROOT, shard1.onnx.path));
  const ref: ArtifactRef = { sha256: shard1.onnx.sha256, bytes: shard1.onnx.bytes, repoPath: join(ROOT, shard1.onnx.path), label: "shard 1 onnx" };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "proofmesh-artifacts-"));
    good = await serve((sha) => (sha === shard1.onnx.sha256 ? bytes : undefined));
    liar = await serve(() => Buffer.from("not the model"));
  });
  after(() => {
    good.server.close();
    liar.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("embedded mode uses the matching repository file", async () => {
    const got = await resolveArtifacts({ refs: [ref], cacheDir: join(dir, "c0"), sources: [], log });
    assert.equal(got.get(ref.sha256)?.source, "embedded");
    assert.equal(got.get(ref.sha256)?.path, ref.repoPath);
  });

  it("fetches from the next source when one serves wrong bytes, caches, then reuses the cache; evicts what is no longer served", async () => {
    const cacheDir = join(dir, "c1");
    const missing = { ...ref, repoPath: join(dir, "absent.onnx") };
    const got = await resolveArtifacts({ refs: [missing], cacheDir, embedded: false, sources: [liar.url, "http://127.0.0.1:1", good.url], log });
    const a = got.get(ref.sha256)!;
    assert.equal(a.source, "fetched");
    assert.equal(a.from, good.url);
    assert.equal(createHash("sha256").update(readFileSync(a.path)).digest("hex"), ref.sha256);
    writeFileSync(join(cacheDir, "a".repeat(64)), "stale artefact of a shard no longer served");
    const hits = good.hits.length;
    const again = await resolveArtifacts({ refs: [missing], cacheDir, embedded: false, sources: [good.url], log });
    assert.equal(again.get(ref.sha256)?.source, "cache");
    assert.equal(good.hits.length, hits, "no second download");
    assert.equal(existsSync(join(cacheDir, "a".repeat(64))), false, "evicted");
    await resolveArtifacts({ refs: [], cacheDir, sources: [], log });
    assert.equal(existsSync(join(cacheDir, ref.sha256)), false, "evicted once no shard needs it");
  });

  it("refuses to serve when no source has the right bytes", async () => {
    const missing = { ...ref, repoPath: join(dir, "absent.onnx") };
    await assert.rejects(resolveArtifacts({ refs: [missing], cacheDir: join(dir, "c2"), embedded: false, sources: [liar.url], log }), (err: NodeError) => {
      assert.equal(err.code, "ARTIFACT_MISMATCH");
      assert.match(err.message, /not available with the right hash: refusing to serve/);
      return true;
    });
    await assert.rejects(resolveArtifacts({ refs: [missing], cacheDir: join(dir, "c3"), embedded: false, sources: [], log }), (err: NodeError) => err.code === "ARTIFACT_UNAVAILABLE");
  });

  it("refuses to serve a model whose registry weightsHash differs from the manifest", async () => {
    const model = getModelManifest({ modelId: DEFAULT_MODEL_ID });
    const fakeRegistry = {
      readContract: async ({ functionName }: { functionName: string }) =>
        functionName === "ceremonyOf"
          ? { shards: model.shards.map((s) => ({ zkeyHash: `0x${s.zkey.sha256}`, vkeyHash: `0x${s.vkey.sha256}` })) }
          : model.shards.map((s, i) => ({ verifier: "0x0000000000000000000000000000000000000001", weightsHash: i === 1 ? `0x${"ee".repeat(32)}` : s.weightsHash, memoryBytes: 0n, pricePerStage: 0n })),
    } as unknown as PublicClient;
    const params = { publicClient: fakeRegistry, modelRegistry: "0x0000000000000000000000000000000000000002", nodeModelIds: [toModelId(DEFAULT_MODEL_ID)], backend: "native", cacheDir: join(dir, "c4"), embedded: true, sources: [], log } as const;
    await assert.rejects(loadShardCatalog(params), (err: NodeError) => {
      assert.equal(err.code, "WEIGHTS_MISMATCH");
      assert.match(err.message, /shard 1: the ModelRegistry weightsHash 0xeeee.* differs from the manifest's .*refusing to serve/);
      return true;
    });
    // serving only shard 0 is fine
    const catalog = await loadShardCatalog({ ...params, selectors: [`${DEFAULT_MODEL_ID}:0`] });
    assert.deepEqual(catalog.list().map((s) => s.shard), [0]);
    await catalog.release();
  });
});
