/**
 * The prover pool with real proofs of the default model's shard 1 (the small one): proofs made
 * in a prover process verify and equal the in-thread ones; a failing proof keeps its error class
 * and leaves the process usable; a prover that dies mid-proof is replaced and its request rejects
 * with the transient ProverWorkerExitedError; close() ends every prover process.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { ProverError } from "../../prover/errors.ts";
import { loadMnist } from "../../prover/data/mnist.ts";
import { getModelManifest } from "../../prover/manifest.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { ROOT } from "../../prover/paths.ts";
import type { ProofCalldata } from "../../prover/prove-shard.ts";
import { runIntLayers } from "../../prover/quant/reference.ts";
import { loadShardArtifacts } from "../../prover/shard-artifacts.ts";
import { verifyGroth16Noble, type SnarkjsGroth16Proof, type SnarkjsGroth16VerificationKey } from "../../prover/verify/noble.ts";
import { ProveStageError, type ProveStageParameters } from "./prove-stage.ts";
import { createProverPool, ProverPoolClosedError, ProverWorkerExitedError, ProverWorkerRemoteError, type ProverPool } from "./prover-pool.ts";

const model = getModelManifest({ modelId: DEFAULT_MODEL_ID });
const shard = model.shards[1];
const pixels = Array.from(loadMnist().test[0].pixels);
const input = runIntLayers({ layers: loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 0 }).layers, input: pixels });
const output = runIntLayers({ layers: loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 1 }).layers, input });
const stage = (binding: bigint, over: Partial<ProveStageParameters> = {}): ProveStageParameters => ({
  manifest: shard,
  wasmPath: join(ROOT, shard.wasm.path),
  zkeyPath: join(ROOT, shard.zkey.path),
  input,
  output,
  binding,
  ...over,
});

/** Calldata back to the snarkjs proof it came from (toCalldata swaps the G2 coordinates for the EVM). */
function verifies(c: ProofCalldata): boolean {
  const s = (x: bigint) => x.toString();
  const proof: SnarkjsGroth16Proof = {
    pi_a: [s(c.a[0]), s(c.a[1]), "1"],
    pi_b: [[s(c.b[0][1]), s(c.b[0][0])], [s(c.b[1][1]), s(c.b[1][0])], ["1", "0"]],
    pi_c: [s(c.c[0]), s(c.c[1]), "1"],
  };
  const vkey = loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 1 }).vkey as unknown as SnarkjsGroth16VerificationKey;
  return verifyGroth16Noble({ vkey, proof, publicSignals: c.pubSignals.map(s) }).valid;
}

/**
 * A stand-in prover process speaking the pool's protocol without snarkjs: binding 666 crashes it
 * (an uncaught exception) mid-request, anything else fails fast.
 */
const fakeDir = mkdtempSync(join(tmpdir(), "proofmesh-fake-prover-"));
const fakeWorker = pathToFileURL(join(fakeDir, "fake-prover.mjs"));
writeFileSync(
  fakeWorker,
  `process.on("message", (m) => {
    if (m.params.binding === "666") setTimeout(() => { throw new Error("boom"); }, 20);
    else process.send({ type: "error", id: m.id, error: { name: "ProverError", message: "fake prover: " + m.params.binding } });
  });
  process.on("disconnect", () => process.exit(0));
  process.send({ type: "ready" });
`,
);

/**
 * A stand-in that "proves" instantly and answers with the bindings it has seen so far, in order,
 * as its public signals: which requests a process got, and when. Binding 666 crashes it.
 */
const echoWorker = pathToFileURL(join(fakeDir, "echo-prover.mjs"));
writeFileSync(
  echoWorker,
  `const seen = [];
  process.on("message", (m) => {
    if (m.params.binding === "666") setTimeout(() => { throw new Error("boom"); }, 20);
    seen.push(m.params.binding);
    const calldata = JSON.stringify({ a: ["1", "2"], b: [["3", "4"], ["5", "6"]], c: ["7", "8"], pubSignals: ["0", "0", m.params.binding, "0"] });
    setTimeout(() => process.send({ type: "result", id: m.id, calldata, publicSignals: [...seen], proveMs: 1 }), 30);
  });
  process.on("disconnect", () => process.exit(0));
  process.send({ type: "ready" });
`,
);

describe("prover pool", { timeout: 120_000 }, () => {
  let pool: ProverPool;
  before(() => {
    pool = createProverPool({ size: 2 });
  });
  after(async () => {
    await pool?.close();
  });

  it("proves in prover processes, in parallel: the proofs verify and bind what was asked", async () => {
    const [a, b] = await Promise.all([pool.prove(stage(11n)), pool.prove(stage(22n))]);
    assert.ok(verifies(a.calldata) && verifies(b.calldata));
    assert.deepEqual(a.publicSignals.slice(2), ["11", String(output.indexOf(Math.max(...output)))]);
    assert.equal(b.calldata.pubSignals[2], 22n);
    assert.equal(a.publicSignals[0], b.publicSignals[0], "same input commitment");
    assert.ok(a.proveMs > 0);
    assert.deepEqual(pool.stats(), { workers: 2, busy: 0, queued: 0, replaced: 0 });
  });

  it("a failing proof rejects with the prover's own error class, and the worker keeps proving", async () => {
    const wrong = output.map((v, i) => (i === 0 ? v + 1 : v));
    const err = await pool.prove(stage(1n, { output: wrong })).catch((e: unknown) => e);
    assert.ok(err instanceof ProverError, String(err));
    assert.match(err.message, /witness generation failed/);
    assert.ok(err.cause instanceof ProverWorkerRemoteError, "the worker's stack travels as the cause");
    await assert.rejects(pool.prove(stage(1n, { input: input.slice(1) })), (e) => e instanceof ProveStageError && /inputs, expected/.test(e.message));
    const ok = await pool.prove(stage(3n));
    assert.ok(verifies(ok.calldata));
    assert.equal(pool.stats().replaced, 0);
  });

  it("a worker that dies mid-request is replaced: its request rejects as transient, the next one is served", async () => {
    const fake = createProverPool({ size: 1, workerUrl: fakeWorker });
    try {
      const err = await fake.prove(stage(666n)).catch((e: unknown) => e);
      assert.ok(err instanceof ProverWorkerExitedError, String(err));
      assert.equal(err.transient, true);
      assert.match(err.message, /exit code 1/); // the uncaught "boom" went to the prover's stderr
      assert.deepEqual(fake.stats(), { workers: 1, busy: 0, queued: 0, replaced: 1 });
      await assert.rejects(fake.prove(stage(8n)), (e) => e instanceof ProverError && e.message === "fake prover: 8");
    } finally {
      await fake.close();
    }
  });

  it("warm-up: every process proves the warm-up stages before its first request", async () => {
    const pool2 = createProverPool({ size: 2, workerUrl: echoWorker });
    try {
      const warmed = pool2.warmUp([stage(100n), stage(101n)]);
      // requests made during the warm-up wait only for the warm-up proof in flight, not for the rest
      const [a, b] = await Promise.all([pool2.prove(stage(5n)), pool2.prove(stage(6n))]);
      for (const [r, own] of [[a, "5"], [b, "6"]] as const) {
        // whichever process served it had made the first warm-up proof, and not yet the second
        assert.equal(r.publicSignals[0], "100", JSON.stringify(r.publicSignals));
        assert.equal(r.publicSignals.at(-1), own);
        assert.ok(!r.publicSignals.includes("101"), `served after the whole warm-up: ${JSON.stringify(r.publicSignals)}`);
      }
      assert.equal(a.calldata.pubSignals[2], 5n, "a warm-up answer is never handed to a request");
      // the rest of the warm-up runs once the processes are idle again, then requests are served at once
      await warmed;
      const c = await pool2.prove(stage(7n));
      assert.equal(c.publicSignals[0], "100");
      assert.deepEqual(c.publicSignals.slice(-2), ["101", "7"], JSON.stringify(c.publicSignals));
    } finally {
      await pool2.close();
    }
  });

  it("warm-up: a prover process that replaces a dead one warms up before its first request", async () => {
    const pool1 = createProverPool({ size: 1, workerUrl: echoWorker });
    try {
      await pool1.warmUp([stage(100n)]);
      assert.deepEqual((await pool1.prove(stage(5n))).publicSignals, ["100", "5"]);
      await assert.rejects(pool1.prove(stage(666n)), ProverWorkerExitedError);
      assert.deepEqual((await pool1.prove(stage(8n))).publicSignals, ["100", "8"]);
      assert.equal(pool1.stats().replaced, 1);
    } finally {
      await pool1.close();
    }
  });

  it("warm-up: a warm-up proof that kills its process turns warm-up off (no crash loop); a second warmUp() call does not strand the first", async () => {
    const pool4 = createProverPool({ size: 1, workerUrl: echoWorker });
    try {
      await pool4.warmUp([stage(666n)]); // resolves although the process died in it
      assert.deepEqual((await pool4.prove(stage(5n))).publicSignals, ["5"], "the replacement serves at once, without the deadly warm-up");
      assert.equal(pool4.stats().replaced, 1);
      const first = pool4.warmUp([stage(100n)]);
      const second = pool4.warmUp([stage(101n)]);
      await Promise.all([first, second]);
      assert.deepEqual((await pool4.prove(stage(6n))).publicSignals.slice(-2), ["101", "6"]);
    } finally {
      await pool4.close();
    }
  });

  it("warm-up with no stages, or after close, resolves at once", async () => {
    const pool3 = createProverPool({ size: 1, workerUrl: echoWorker });
    await pool3.warmUp([]);
    assert.deepEqual((await pool3.prove(stage(4n))).publicSignals, ["4"]);
    await pool3.close();
    await pool3.warmUp([stage(1n)]);
  });

  it("close() rejects queued and in-flight requests and ends every prover process", async () => {
    const handles = () => process.getActiveResourcesInfo().filter((r) => r !== "Timeout" && r !== "TTYWrap");
    const baseline = handles().length;
    const small = createProverPool({ size: 1 });
    const inFlight = small.prove(stage(5n)).catch((e: unknown) => e);
    const queued = small.prove(stage(6n)).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    await small.close();
    assert.ok((await inFlight) instanceof ProverPoolClosedError);
    assert.ok((await queued) instanceof ProverPoolClosedError);
    await assert.rejects(small.prove(stage(7n)), ProverPoolClosedError);
    assert.deepEqual(small.stats(), { workers: 0, busy: 0, queued: 0, replaced: 0 });
    // no process handle survives close (libuv releases a dead child's handles a moment after its
    // 'close' event), and the test process exits: node --test would time out otherwise
    for (let i = 0; i < 40 && handles().length > baseline; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(handles().length <= baseline, `handles: ${handles().join(", ")}`);
  });
});
