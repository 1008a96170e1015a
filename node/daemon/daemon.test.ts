/**
 * The node daemon end to end on a child `hardhat node` (real deploy, real generated verifiers):
 * two nodes on loopback serve the two shards of the default model; the test acts as the
 * coordinator. Node A executes stage 0 and forwards to node B (after a dead candidate), the
 * answer equals the integer reference; B is stopped before the job is even on chain, the job is
 * created and assigned, A proves and submits stage 0, B restarts from its home, resumes its
 * pending stage, proves and submits, and the chain settles with the same result. Also: bad input
 * is a 4xx ApiError, health/metrics/artefact routes, and a tampered heartbeat is dropped.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseEther, type Hex } from "viem";
import { jobIdOf, signJobRequest, type JobRequest } from "../../deploy/jobs.ts";
import { toModelId } from "../../deploy/protocol.ts";
import { commitValues } from "../../prover/commit.ts";
import { loadMnist } from "../../prover/data/mnist.ts";
import { getModelManifest } from "../../prover/manifest.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { ROOT } from "../../prover/paths.ts";
import { argmax, runIntLayers } from "../../prover/quant/reference.ts";
import { releaseProverThreads } from "../../prover/release.ts";
import { loadShardArtifacts } from "../../prover/shard-artifacts.ts";
import { signHeartbeat } from "../gossip/sign.ts";
import { readKeys, homePaths } from "../config/home.ts";
import { freePort, runCli, startTestChain, DEV_KEYS, type TestChain } from "../test-chain.ts";
import { encodeHeartbeat, HEARTBEAT_VERSION, parseNodeHealth, parseStageExecuteResponse, type StageExecuteRequest } from "../wire/messages.ts";
import { resolveServeConfig } from "./config.ts";
import { createNodeLogger, startNodeDaemon, type NodeDaemon } from "./server.ts";

const MODEL = toModelId(DEFAULT_MODEL_ID);

async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe("node daemon: 2-shard job on loopback, proven and settled", { timeout: 170_000 }, () => {
  let t: TestChain;
  const nodes: { home: string; port: number; nodeId: number; operator: Hex; daemon?: NodeDaemon }[] = [];
  const log = createNodeLogger({ level: process.env.PROOFMESH_TEST_LOG ?? "silent" });
  const pixels = Array.from(loadMnist().test[3].pixels);
  const layers0 = loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 0 }).layers;
  const layers1 = loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 1 }).layers;
  const logits = runIntLayers({ layers: [...layers0, ...layers1], input: pixels });
  const expected = argmax(logits);
  let jobReq: JobRequest;
  let jobId: bigint;
  let env: Record<string, string>;

  function startNode(i: number, extra: Record<string, string | string[] | boolean> = {}) {
    const n = nodes[i];
    const config = resolveServeConfig({
      values: {
        home: n.home,
        "rpc-url": t.rpcUrl,
        deployments: t.deploymentsDir,
        port: String(n.port),
        shards: `${DEFAULT_MODEL_ID}:${i}`,
        "chain-poll-interval-ms": "100",
        "heartbeat-interval-ms": "250",
        "shutdown-grace-ms": "5000",
        "prover-concurrency": "1",
        ...extra,
      },
      env: {},
    });
    return startNodeDaemon({ config, log: log.child({ node: i }), defaultMetrics: false });
  }

  before(async () => {
    t = await startTestChain();
    await t.createCluster("100");
    env = { PROOFMESH_RPC_URL: t.rpcUrl, PROOFMESH_DEPLOYMENTS: t.deploymentsDir };
    for (const i of [0, 1]) {
      const home = join(t.dir, `node${i}`);
      const port = await freePort();
      const init = await runCli(["init", "--home", home, "--json"], env);
      const operator = init.json!.operator as Hex;
      await t.fundEth(operator);
      await t.mint(operator, "500");
      const reg = await runCli(
        ["register", "--home", home, "--endpoint", `http://127.0.0.1:${port}`, "--cluster", "1", "--memory-bytes", String(1n << 30n), "--models", DEFAULT_MODEL_ID, "--json"],
        env,
      );
      assert.equal(reg.code, 0, reg.err);
      assert.equal((await runCli(["stake", "200", "--home", home, "--json"], env)).code, 0);
      nodes.push({ home, port, nodeId: reg.json!.nodeId as number, operator });
    }
    // the dApp: funds its JobMarket balance
    const dApp = t.wallet(DEV_KEYS[1]);
    await t.mint(dApp.account.address, "100");
    await t.wait(await t.contracts.token.write.approve([t.deployment.contracts.jobMarket, parseEther("100")], { account: dApp.account }));
    await t.wait(await t.contracts.market.write.deposit([dApp.account.address, parseEther("100")], { account: dApp.account }));
    const now = (await t.publicClient.getBlock()).timestamp;
    jobReq = {
      dApp: dApp.account.address,
      modelId: MODEL,
      inputCommitment: await commitValues({ values: pixels, bits: 8 }),
      maxFee: parseEther("5"),
      deadline: now + 3600n,
      nonce: 1n,
      clusterId: 1,
    };
    jobId = jobIdOf(jobReq);
  });

  let child: ChildProcess | undefined;
  after(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    for (const n of nodes) await n.daemon?.close().catch(() => {});
    await releaseProverThreads();
    await t?.stop();
  });

  it("boots both nodes; they gossip signed heartbeats to each other", async () => {
    nodes[0].daemon = await startNode(0);
    const peerA = nodes[0].daemon.gossip!.multiaddrs()[0];
    nodes[1].daemon = await startNode(1, { peer: [peerA] });
    const [a, b] = [nodes[0].daemon, nodes[1].daemon];
    await waitFor("heartbeats both ways", () => a.gossip!.stats().accepted > 0 && b.gossip!.stats().accepted > 0, 10_000);
    const health = parseNodeHealth(await (await fetch(`${a.url}/v1/health`)).text());
    assert.equal(health.status, "ok");
    assert.equal(health.nodeId, nodes[0].nodeId);
    assert.equal(health.backend, "native");
    assert.deepEqual(health.servedShards.map((s) => [s.model, s.shard]), [[DEFAULT_MODEL_ID, 0]]);
    assert.equal(health.gossip?.peers, 1);
  });

  it("rejects bad input with specific 4xx ApiErrors (never 5xx)", async () => {
    const a = nodes[0].daemon!;
    const post = async (body: unknown, url = `${a.url}/v1/stages/execute`) => {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { code: string; message: string } };
    };
    const good: StageExecuteRequest = { jobId: "1", modelId: MODEL, stage: 0, input: pixels, route: [], timeoutMs: 1000 };
    let r = await post("{not json");
    assert.equal(r.status, 400);
    assert.equal(r.body.code, "BAD_REQUEST");
    r = await post({ ...good, input: pixels.map((p) => p + 300) });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /body\/input\/\d+/);
    r = await post({ ...good, extra: 1 });
    assert.equal(r.status, 400);
    r = await post({ ...good, stage: 1, input: pixels.slice(0, 64) });
    assert.equal(r.status, 404);
    assert.equal(r.body.code, "SHARD_NOT_SERVED");
    r = await post({ ...good, input: pixels.slice(0, 100) });
    assert.equal(r.body.code, "BAD_INPUT");
    r = await post(good);
    assert.equal(r.status, 400);
    assert.equal(r.body.code, "ROUTE_INCOMPLETE");
    r = await post({ ...good, route: [{ stage: 2, candidates: [{ nodeId: 2, address: nodes[1].operator, endpoint: "http://127.0.0.1:1" }] }] });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /route\/0\/stage: must be 1/);
    const notFound = await fetch(`${a.url}/v1/nope`);
    assert.equal(notFound.status, 404);
    assert.equal(((await notFound.json()) as { code: string }).code, "NOT_FOUND");
    assert.equal(a.store.counts().pending, 0, "rejected requests are not recorded");
  });

  it("executes stage 0 on A, forwards to B past a dead candidate, answers the integer reference; both stages persisted", async () => {
    const [a, b] = [nodes[0].daemon!, nodes[1].daemon!];
    const dead = await freePort();
    const req: StageExecuteRequest = {
      jobId: jobId.toString(),
      modelId: MODEL,
      stage: 0,
      input: pixels,
      route: [
        {
          stage: 1,
          candidates: [
            { nodeId: 99, address: nodes[0].operator, endpoint: `http://127.0.0.1:${dead}` },
            { nodeId: nodes[1].nodeId, address: nodes[1].operator, endpoint: b.url },
          ],
        },
      ],
      timeoutMs: 10_000,
    };
    const res = await fetch(`${a.url}/v1/stages/execute`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(req) });
    assert.equal(res.status, 200);
    const answer = parseStageExecuteResponse(await res.text());
    assert.deepEqual(answer.output, logits);
    assert.equal(answer.result, expected);
    assert.deepEqual(answer.stages.map((s) => [s.stage, s.nodeId, s.backend]), [
      [0, nodes[0].nodeId, "native"],
      [1, nodes[1].nodeId, "native"],
    ]);
    assert.equal(answer.stages[0].failedCandidates.length, 1);
    assert.equal(answer.stages[0].failedCandidates[0].nodeId, 99);
    assert.equal(a.store.get(jobId.toString(), 0)?.status, "pending");
    assert.equal(b.store.get(jobId.toString(), 1)?.status, "pending");
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    assert.match(metrics, /proofmesh_node_stage_executions_total\{model="mnist-mlp-784-64-32-10",shard="0",outcome="ok"\} 1/);
    assert.match(metrics, /proofmesh_node_forward_failures_total 1/);
  });

  it("serves its artefacts by content hash (peers fetch shards from here)", async () => {
    const a = nodes[0].daemon!;
    const shard0 = getModelManifest({ modelId: DEFAULT_MODEL_ID }).shards[0];
    const res = await fetch(`${a.url}/v1/artifacts/${shard0.onnx.sha256}`);
    assert.equal(res.status, 200);
    const { createHash } = await import("node:crypto");
    assert.equal(createHash("sha256").update(Buffer.from(await res.arrayBuffer())).digest("hex"), shard0.onnx.sha256);
    const shard1 = getModelManifest({ modelId: DEFAULT_MODEL_ID }).shards[1];
    const missing = await fetch(`${a.url}/v1/artifacts/${shard1.onnx.sha256}`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { code: string }).code, "ARTIFACT_NOT_FOUND");
  });

  it("B stopped before proving; job assigned; A proves stage 0; restarted B resumes, proves stage 1; the chain settles with the answer", async () => {
    await nodes[1].daemon!.close();
    nodes[1].daemon = undefined;
    const dApp = t.wallet(DEV_KEYS[1]);
    const signature = await signJobRequest({ walletClient: dApp, chainId: t.chainId, jobMarket: t.deployment.contracts.jobMarket, request: jobReq });
    await t.wait(await t.contracts.market.write.createAndAssign([jobReq, signature, [nodes[0].nodeId, nodes[1].nodeId]]));

    const a = nodes[0].daemon!;
    await waitFor("stage 0 accepted on chain", () => a.store.get(jobId.toString(), 0)?.status === "submitted" || undefined, 60_000, 200);
    const job = await t.contracts.market.read.getJob([jobId]);
    assert.equal(job.nextStage, 1);
    assert.equal(await t.contracts.market.read.statusOf([jobId]), 2, "still Assigned: stage 1's node is down");

    nodes[1].daemon = await startNode(1, { peer: [a.gossip!.multiaddrs()[0]] });
    assert.equal(nodes[1].daemon.resumed, 1, "the pending stage is resumed from SQLite");
    await waitFor("job settled", async () => ((await t.contracts.market.read.statusOf([jobId])) === 3 ? true : undefined), 60_000, 200);
    assert.equal(await t.contracts.market.read.resultOf([jobId]), BigInt(expected));
    await waitFor("B records its submission", () => nodes[1].daemon!.store.get(jobId.toString(), 1)?.status === "submitted" || undefined, 10_000);
    const earnings = await t.contracts.market.read.balanceOf([nodes[1].operator]);
    assert.ok(earnings > 0n, "stage 1 node paid");
    const status = await runCli(["status", "--home", nodes[1].home, "--json"], env);
    assert.equal(status.json?.earnings, earnings.toString());
    assert.equal((status.json?.daemon as { reachable: boolean }).reachable, true);
    assert.equal((status.json?.local as { counts: { submitted: number } }).counts.submitted, 1);
  });

  it("drops a tampered heartbeat (valid signature, one field changed) and a heartbeat from an unregistered key", async () => {
    const [a, b] = [nodes[0].daemon!, nodes[1].daemon!];
    await waitFor("B hears A", () => b.gossip!.stats().accepted > 0, 10_000);
    await a.gossip!.waitForTopicPeers({ minPeers: 1, timeoutMs: 10_000 });
    const before = b.gossip!.stats().dropped;
    const keys = readKeys(homePaths(nodes[0].home));
    const now = Date.now();
    const signed = await signHeartbeat({
      account: keys.signer,
      heartbeat: {
        version: HEARTBEAT_VERSION,
        chainId: t.chainId,
        nodeAddress: keys.signer.address,
        peerId: a.gossip!.peerId,
        clusterId: 1,
        seq: now + 1_000_000,
        sentAtMs: now,
        load: 0.5,
        inFlight: 0,
        queueDepth: 0,
        computeEwmaMs: [],
        rttMs: [],
        backend: "native",
        endpoint: a.url,
        servedShards: [{ modelId: MODEL, shard: 0 }],
      },
    });
    const topic = a.gossip!.topics[0];
    await a.gossip!.libp2p.services.pubsub.publish(topic, encodeHeartbeat({ ...signed, queueDepth: 0, load: 0.001 }));
    await waitFor("bad-signature drop", () => b.gossip!.stats().dropped["bad-signature"] > before["bad-signature"] || undefined, 5_000);
    const { privateKeyToAccount, generatePrivateKey } = await import("viem/accounts");
    const stranger = privateKeyToAccount(generatePrivateKey());
    const foreign = await signHeartbeat({ account: stranger, heartbeat: { ...signed, nodeAddress: stranger.address, seq: now + 2_000_000 } as never });
    await a.gossip!.libp2p.services.pubsub.publish(topic, encodeHeartbeat(foreign));
    await waitFor("not-registered drop", () => b.gossip!.stats().dropped["not-registered"] > before["not-registered"] || undefined, 5_000);
  });

  it("`proofmesh node serve --backend wasm` (child process): same integer answer in a wasm → native pipeline; refuses closed jobs; SIGTERM shuts down cleanly", async () => {
    const a = nodes[0];
    await a.daemon!.close();
    a.daemon = undefined;
    child = spawn(
      join(ROOT, "bin/proofmesh"),
      ["node", "serve", "--home", a.home, "--port", String(a.port), "--backend", "wasm", "--shards", `${DEFAULT_MODEL_ID}:0`, "--log-level", "warn", "--json"],
      { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout! });
    child.once("exit", () => lines.close());
    const first = await Promise.race([
      new Promise<string>((resolve) => lines.once("line", resolve)),
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000).unref()),
    ]);
    const serving = JSON.parse(first) as { ok: boolean; url: string; backend: string; nodeId: number };
    assert.equal(serving.ok, true);
    assert.equal(serving.backend, "wasm");
    const health = parseNodeHealth(await (await fetch(`${serving.url}/v1/health`)).text());
    assert.equal(health.backend, "wasm");
    const b = nodes[1].daemon!;
    const route = [{ stage: 1, candidates: [{ nodeId: nodes[1].nodeId, address: nodes[1].operator, endpoint: b.url }] }];
    const post = (jobIdText: string) =>
      fetch(`${serving.url}/v1/stages/execute`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jobId: jobIdText, modelId: MODEL, stage: 0, input: pixels, route, timeoutMs: 10_000 } satisfies StageExecuteRequest),
      });
    const res = await post((jobId + 1n).toString());
    assert.equal(res.status, 200);
    const answer = parseStageExecuteResponse(await res.text());
    assert.deepEqual(answer.output, logits, "wasm stage 0 + native stage 1 == integer reference");
    assert.deepEqual(answer.stages.map((s) => s.backend), ["wasm", "native"]);
    const closed = await post(jobId.toString());
    assert.equal(closed.status, 409);
    assert.equal(((await closed.json()) as { code: string }).code, "JOB_CLOSED");
    const exit = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    assert.equal(await Promise.race([exit, new Promise<string>((r) => setTimeout(() => r("timeout"), 15_000).unref())]), 0, stderr);
  });
});
