/**
 * `npm run bench` — ProofMesh performance, each figure against a baseline run in the same process.
 * Writes bench/results.json and bench/results.md and prints the markdown table.
 *
 *   1. fast path: whole model on onnxruntime-node in this process (baseline) vs
 *      (a) POST /v1/stages/execute to node A (shard 0) forwarding to node B (shard 1), direct on loopback,
 *      (b) POST /v1/jobs through a coordinator started with --no-relay (signed, validated, routed, piped),
 *      (c) the physical floor of both: bare node:http chains of 2 and 3 processes with the same payloads
 *          and no work (bench/hop-floor.ts), so "ProofMesh's own" overhead = path − compute − hops;
 *      every fast-path figure is timed by the same small client process (bench/fast-path-client.ts);
 *   2. coordinator: autocannon on POST /v1/jobs (replayed signed submissions: validation + ECDSA
 *      recover + idempotency lookup; fresh jobs are capped at 256 open lanes per dApp without relay)
 *      and planRoute decisions/s in process on a synthetic 3-cluster view;
 *   3. proving: prover/bench-prove.ts (median of 5) + K proofs back to back per shard with loaded keys;
 *   4. settlement: a few jobs through the relaying coordinator; gas from the receipts; answer → settled time.
 *
 * Flags: --n <pipeline requests per path, a multiple of 10 up to 200; 200> --duration <autocannon s, 10> --settle <jobs, 3> --k <saturated proofs per shard, 6>
 *        --assignment-wait-ms <node serve flag, 3000; 600000 = the default, shows the backlog effect>
 *        --skip-prove --skip-mesh --work-dir <dir>
 *        --fast-path-only: only the baseline, the micro costs and the two fast-path figures (quick iteration)
 *        --via-proxy: nodes behind the harness's 0 ms delay proxies, as in the tests (an extra TCP relay per hop)
 *        --profile: --cpu-prof in every mesh process (NODE_OPTIONS), top self time of the nodes and coordinators;
 *                   writes bench/profile-results.{json,md} instead (profiling slows the figures down)
 * Everything started is stopped (ProcessGroup of the local mesh), also on error.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { createWalletClient, decodeFunctionData, http, keccak256, parseEther, recoverTypedDataAddress, stringToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { jobMarketAbi, proofMeshTokenAbi } from "../contracts/abi/index.ts";
import { planRoute } from "../coordinator/routing/route.ts";
import type { NodeView, ShardRef } from "../coordinator/routing/types.ts";
import { createRng } from "../coordinator/routing/rng.ts";
import { jobMarketDomain, jobRequestTypes, signJobRequest } from "../deploy/jobs.ts";
import { commitValues } from "../prover/commit.ts";
import { toModelId } from "../deploy/protocol.ts";
import { loadMnist } from "../prover/data/mnist.ts";
import { getModelManifest } from "../prover/manifest.ts";
import { createShardSession, runShard } from "../prover/model/run-onnx.ts";
import { DEFAULT_MODEL_ID } from "../prover/models/config.ts";
import { proveShard } from "../prover/prove-shard.ts";
import { releaseProverThreads } from "../prover/release.ts";
import { createProofMeshClient, estimateJobFee, jobRequestToWire, parseDeployment, prepareJobRequest } from "../sdk/index.ts";
import { chainStatusName, JOB_STATUS } from "../sdk/types.ts";
import { DEV_KEYS, startLocalMesh, type LocalMesh } from "../test/harness/local-mesh.ts";
import { freePort, waitFor } from "../test/harness/processes.ts";
import { recoverJobRequestSigner } from "../coordinator/recover-signer.ts";
import { parseServerTiming, postJson } from "../node/wire/post-json.ts";
import { runFastPathClient, type FastPathExchange } from "./fast-path-client.ts";
import { startHopChain } from "./hop-floor.ts";
import { createProverPool } from "../node/daemon/prover-pool.ts";
import { runIntLayers } from "../prover/quant/reference.ts";
import { loadShardArtifacts } from "../prover/shard-artifacts.ts";

const ROOT = resolve(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    n: { type: "string", default: "200" },
    duration: { type: "string", default: "10" },
    settle: { type: "string", default: "3" },
    k: { type: "string", default: "6" },
    "assignment-wait-ms": { type: "string", default: "3000" },
    "skip-prove": { type: "boolean", default: false },
    "skip-mesh": { type: "boolean", default: false },
    "fast-path-only": { type: "boolean", default: false },
    "ceremony-only": { type: "boolean", default: false },
    "via-proxy": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "work-dir": { type: "string", default: join(ROOT, ".proofmesh/bench") },
  },
});
const N = Number(values.n);
const DURATION = Number(values.duration);
const SETTLE = Number(values.settle);
const K = Number(values.k);
const ASSIGN_WAIT_MS = Number(values["assignment-wait-ms"]);
const ROUNDS = 10; // batches per fast path, alternating with its floor chain
const BATCH_WARMUP = 5; // unmeasured requests at the start of each batch (a fresh client process)
// one dApp has 256 open lanes without relay: 1 + ROUNDS × (BATCH_WARMUP + N / ROUNDS) submissions must fit
if (!(N >= 10 && N <= 200 && N % ROUNDS === 0)) throw new Error(`--n must be a multiple of ${ROUNDS} in 10..200`);

const t0 = Date.now();
const say = (m: string) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}`);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => {
  const s = sorted(xs);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN;
};
const median = (xs: number[]) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const dist = (xs: number[]) => ({ n: xs.length, p50: r3(pct(xs, 50)), p95: r3(pct(xs, 95)), p99: r3(pct(xs, 99)), median: r3(median(xs)), mean: r3(xs.reduce((a, b) => a + b, 0) / xs.length), max: r3(Math.max(...xs)) });
const r3 = (x: number) => Math.round(x * 1000) / 1000;
/** per-key medians of Server-Timing style records */
const medians = (rows: Record<string, number>[]) => Object.fromEntries([...new Set(rows.flatMap((r) => Object.keys(r)))].map((k) => [k, r3(median(rows.map((r) => r[k]).filter((v) => v !== undefined)))]));

const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? "?", memGB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, platform: `${process.platform}-${process.arch}`, date: new Date().toISOString() };
const CMD = "npm run bench";
const results: Record<string, unknown> = { machine, command: CMD, flags: { n: N, duration: DURATION, settle: SETTLE, k: K, assignmentWaitMs: ASSIGN_WAIT_MS, viaProxy: values["via-proxy"] } };

const model = getModelManifest({ modelId: DEFAULT_MODEL_ID });
const modelId = toModelId(DEFAULT_MODEL_ID);
const digits = loadMnist().test;
const inputOf = (i: number) => Array.from(digits[i % digits.length].pixels);

// ───────────────────────── 1. in-process baseline ─────────────────────────
async function baseline() {
  say(`baseline: ${model.shards.length} ONNX shards of ${DEFAULT_MODEL_ID} on onnxruntime-node, in process`);
  const sessions = await Promise.all(model.shards.map((s) => createShardSession({ path: join(ROOT, s.onnx.path), backend: "native" })));
  const once = async (x: number[]) => {
    let cur = x;
    let result = -1;
    for (const s of sessions) {
      const out = await runShard({ session: s, inputs: [cur] });
      cur = out.y[0];
      if (out.result) result = out.result[0];
    }
    return result;
  };
  for (let i = 0; i < 50; i++) await once(inputOf(i));
  const ms: number[] = [];
  for (let i = 0; i < N; i++) {
    const x = inputOf(1000 + i);
    const t = performance.now();
    await once(x);
    ms.push(performance.now() - t);
  }
  await Promise.all(sessions.map((s) => s.session.release()));
  return dist(ms);
}

// ───────────────────────── 2b. route decisions in process ─────────────────────────
function routeDecisions() {
  const rand = createRng({ seed: 1 });
  const stages: ShardRef[] = model.shards.map((s) => ({ modelId, shardIndex: s.index }));
  // 3 clusters × 8 nodes, every node serving one shard (4 per shard per cluster), full RTT matrix.
  const nodes: NodeView[] = [];
  for (let c = 1; c <= 3; c++)
    for (let j = 0; j < 8; j++)
      nodes.push({ id: String(nodes.length + 1), clusterId: String(c), health: j === 7 ? "suspect" : "alive", shards: [{ shard: stages[j % stages.length], computeMs: 0.2 + rand() }], inFlight: Math.floor(rand() * 3), queueDepth: Math.floor(rand() * 4), penaltyMs: 0 });
  const rtt = new Map(nodes.map((a) => [a.id, new Map(nodes.filter((b) => b !== a).map((b) => [b.id, a.clusterId === b.clusterId ? 1 + rand() * 4 : 20 + rand() * 60]))]));
  const clientRttMs = new Map(nodes.map((n) => [n.id, 1 + rand() * 30]));
  const one = (i: number) => planRoute({ stages, nodes, rtt, clientRttMs, clusterId: String(1 + (i % 3)), random: rand });
  for (let i = 0; i < 20_000; i++) one(i);
  const lat: number[] = [];
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < 2000) {
    const t = performance.now();
    one(count++);
    lat.push((performance.now() - t) * 1000);
  }
  const elapsed = performance.now() - start;
  return { view: "3 clusters × 8 nodes (24), 2 stages, full RTT matrix, cluster filter", decisionsPerSec: Math.round(count / (elapsed / 1000)), medianUs: r3(median(lat)), p99Us: r3(pct(lat, 99)) };
}

// ───────────────────────── per-submission CPU costs of the coordinator, in process ─────────────────────────
async function microCosts() {
  const account = privateKeyToAccount(DEV_KEYS[5]);
  const jobMarket = privateKeyToAccount(DEV_KEYS[6]).address; // any valid verifyingContract: only CPU cost is measured
  const x = inputOf(5);
  const time = async (n: number, f: (i: number) => unknown) => {
    for (let i = 0; i < 5; i++) await f(i);
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await f(i);
      ms.push(performance.now() - t);
    }
    return r3(median(ms));
  };
  const request = { dApp: account.address, modelId, inputCommitment: await commitValues({ values: x, bits: 8 }), maxFee: 10n ** 18n, deadline: 2_000_000_000n, nonce: 1n, clusterId: 1 };
  const signature = await account.signTypedData({ domain: jobMarketDomain({ chainId: 31337, jobMarket }), types: jobRequestTypes, primaryType: "JobRequest", message: request });
  const body = JSON.stringify({ request: { ...request, inputCommitment: String(request.inputCommitment), maxFee: String(request.maxFee), deadline: String(request.deadline), nonce: "1" }, signature, input: x });
  return {
    poseidonInputCommitmentMs: await time(50, () => commitValues({ values: x, bits: 8 })),
    eip712RecoverViemMs: await time(200, () => recoverTypedDataAddress({ domain: jobMarketDomain({ chainId: 31337, jobMarket }), types: jobRequestTypes, primaryType: "JobRequest", message: request, signature })),
    eip712RecoverMs: await time(200, () => recoverJobRequestSigner({ chainId: 31337, jobMarket, request, signature })),
    submissionKeccakMs: await time(200, () => keccak256(stringToBytes(body))),
    jsonParseBodyMs: await time(200, () => JSON.parse(body)),
    bodyBytes: body.length,
  };
}

// ───────────────────────── 3. proving ─────────────────────────
async function proving() {
  say("proving: prover/bench-prove.ts --runs=5 (child process)");
  const r = spawnSync(process.execPath, [join(ROOT, "prover/bench-prove.ts"), `--model=${DEFAULT_MODEL_ID}`, "--runs=5"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench-prove failed (exit ${r.status})`);
  const rows = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, string | number>[];
  say(`proving: ${K} proofs back to back per shard, keys and wasm loaded once`);
  const saturated: { shard: number; proofs: number; wallMs: number; witnessMs: number; proveMs: number; proofsPerMin: number; witnessShare: number }[] = [];
  // warm-up (wasm instantiation, curve build, zkey read) — then K proofs with everything loaded
  let x = inputOf(0);
  for (const s of model.shards) x = (await proveShard({ modelId: DEFAULT_MODEL_ID, shard: s.index, input: x, binding: 1n })).output;
  for (const s of model.shards) {
    const shardInputs: number[][] = [];
    for (let i = 0; i < K; i++) {
      let v = inputOf(10 + i);
      for (let k = 0; k < s.index; k++) v = (await proveShardOutput(k, v));
      shardInputs.push(v);
    }
    let w = 0;
    let p = 0;
    const t = performance.now();
    for (const v of shardInputs) {
      const res = await proveShard({ modelId: DEFAULT_MODEL_ID, shard: s.index, input: v, binding: 7n });
      w += res.timings.witnessMs;
      p += res.timings.proveMs;
    }
    const wall = performance.now() - t;
    saturated.push({ shard: s.index, proofs: K, wallMs: Math.round(wall), witnessMs: +(w / K).toFixed(1), proveMs: +(p / K).toFixed(1), proofsPerMin: +((K * 60_000) / wall).toFixed(1), witnessShare: +(w / (w + p)).toFixed(3) });
  }
  await releaseProverThreads();
  // The first proof of a fresh prover process (node/daemon/prover-pool.ts, as a node runs it): cold,
  // and after the pool's warm-up proof (on by default in `node serve`).
  say("proving: first proof of shard 0 in a fresh prover process, cold and after the warm-up");
  const s0 = model.shards[0];
  const s0Stage = (input: number[], binding: bigint) => ({ manifest: s0, wasmPath: join(ROOT, s0.wasm.path), zkeyPath: join(ROOT, s0.zkey.path), input, output: runIntLayers({ layers: loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 0 }).layers, input }), binding });
  const firstProof: { coldMs: number[]; warmedMs: number[] } = { coldMs: [], warmedMs: [] };
  for (let i = 0; i < 3; i++) {
    for (const warm of [false, true]) {
      const pool = createProverPool({ size: 1 });
      try {
        const real = s0Stage(inputOf(5000 + i), 9n);
        // both: the process has loaded its modules (a request it refuses at once answers only then)
        await pool.prove({ ...real, input: real.input.slice(1) }).catch(() => undefined);
        if (warm) await pool.warmUp([s0Stage(new Array<number>(s0.inputShape[1]).fill(0), 0n)]);
        const t = performance.now();
        await pool.prove(real);
        (warm ? firstProof.warmedMs : firstProof.coldMs).push(performance.now() - t);
      } finally {
        await pool.close();
      }
    }
  }
  return { rows, saturated, firstProof: { cold: dist(firstProof.coldMs), warmed: dist(firstProof.warmedMs) } };
}
/** The integer output of shard k (reference semantics via the witness builder path = proveShard output). */
async function proveShardOutput(k: number, v: number[]): Promise<number[]> {
  const s = await createShardSession({ path: join(ROOT, model.shards[k].onnx.path), backend: "native" });
  const out = (await runShard({ session: s, inputs: [v] })).y[0];
  await s.session.release();
  return out;
}

// ───────────────────────── mesh phases ─────────────────────────
async function meshPhases() {
  const profDir = `${values["work-dir"]!}-profiles`; // a sibling: startLocalMesh empties the work dir
  if (values.profile) {
    rmSync(profDir, { recursive: true, force: true });
    mkdirSync(profDir, { recursive: true });
    // every process of the mesh inherits it (ProcessGroup passes process.env); analysed by pid below
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --cpu-prof --cpu-prof-dir=${profDir}`.trim();
  }
  const memoryBytes = BigInt(Math.ceil(Math.max(...model.shards.map((s) => s.memoryBytes)) * 1.2));
  const mesh: LocalMesh = await startLocalMesh({
    workDir: values["work-dir"]!,
    clusters: [{ label: "bench", region: "loopback", minStake: "100" }],
    // direct: the nodes advertise their own ports (no latency-injecting TCP relay on the coordinator's hops)
    nodes: model.shards.map((s) => ({ name: `n${s.index}`, clusterId: 1, oneWayDelayMs: 0, direct: !values["via-proxy"], memoryBytes, stake: "150", shards: `${DEFAULT_MODEL_ID}:${s.index}` })),
    modelId: DEFAULT_MODEL_ID,
    log: say,
  });
  const out: Record<string, unknown> = {};
  try {
    const chain = mesh.publicClient.chain!;
    const deployment = parseDeployment({ raw: mesh.deployment });
    const market = deployment.contracts.JobMarket.address;

    // ── 1a. node pipeline direct (jobIds not on chain: the node's assignment check finds nothing and lets it run)
    // Restart the nodes with a short --assignment-wait-ms: the direct-path jobIds (and the no-relay coordinator's jobs)
    // are never assigned on chain, and each such stage stays in the prover queue (waiting for its job's first event,
    // re-reading getJob every 5 s) for 600 s by default. 3 s still lets relayed jobs be proven.
    const health = (await (await fetch(`${mesh.coordinatorUrl}/v1/health`)).json()) as { gossip?: { multiaddrs: string[] } | null };
    const peer = health.gossip?.multiaddrs?.[0];
    for (const n of mesh.nodes) {
      await mesh.group.stop(n.proc);
      const args = [join(ROOT, "node/cli/main.ts"), "node", "serve", "--home", n.home, "--rpc-url", mesh.rpcUrl, "--deployments", mesh.deploymentsDir, "--port", new URL(n.url).port, "--endpoint", n.endpoint, "--coordinator", mesh.coordinatorUrl, "--prover-concurrency", "1", "--assignment-wait-ms", String(ASSIGN_WAIT_MS), "--log-level", "warn", "--no-prover-warm-up"]; // no proof running behind the fast-path figures
      if (peer) args.push("--peer", peer);
      if (n.shards) args.push("--shards", n.shards);
      n.proc = mesh.group.start({ name: `node-${n.name}-bench`, cmd: process.execPath, args, cwd: ROOT });
      await waitFor({ what: `node ${n.name}`, timeoutMs: 60_000, intervalMs: 200, check: async () => (await fetch(`${n.url}/v1/health`).catch(() => undefined))?.ok });
    }
    const [a, ...rest] = mesh.nodes;
    const route = rest.map((n, i) => ({ stage: i + 1, candidates: [{ nodeId: n.nodeId, address: n.operator, endpoint: n.url }] }));
    // The client is node:http with a keep-alive agent (node/wire/post-json.ts, what the coordinator and the
    // nodes use between themselves): Node's fetch alone would add ≈ 0.3-0.5 ms per request to every figure.
    // Every fast-path stage stays in its node's prover queue until abandoned (never assigned on chain,
    // --assignment-wait-ms later: a getJob read, a SQLite write, a log line): wait until both queues
    // are empty before each measurement, so no phase is timed with the previous one's leftovers.
    const quiet = async (what: string) => {
      await waitFor({
        what: `the nodes' prover queues to drain before ${what}`,
        timeoutMs: ASSIGN_WAIT_MS + 60_000, // a stage is abandoned --assignment-wait-ms after it ran (and the next getJob)
        intervalMs: 250,
        check: async () => {
          const depths = await Promise.all(mesh.nodes.map(async (n) => ((await (await fetch(`${n.url}/v1/health`)).json()) as { queueDepth: number }).queueDepth));
          return depths.every((d) => d === 0);
        },
      });
      await new Promise((r) => setTimeout(r, 500)); // the last abandonments' writes and logs
    };
    const executeBody = (i: number) => {
      const jobId = BigInt(`0x${Buffer.from(crypto.getRandomValues(new Uint8Array(31))).toString("hex")}`).toString();
      return JSON.stringify({ jobId, modelId, stage: 0, input: inputOf(i), route, timeoutMs: 10_000 });
    };
    say(`fast path (a): ${N} × POST node A /v1/stages/execute → node B, direct loopback, in ${ROUNDS} batches alternating with a bare 2-process chain (client: bench/fast-path-client.ts)`);
    const nodePids = { nodeA: a.proc.child.pid, nodeB: rest[0]?.proc.child.pid };
    // one real exchange first: the answer's size for the chain's last link
    const sample = await postJson({ url: `${a.url}/v1/stages/execute`, body: executeBody(0), timeoutMs: 10_000 });
    if (sample.status !== 200) throw new Error(`execute ${sample.status}: ${sample.text.slice(0, 500)}`);
    const directSample = { body: executeBody(1), replyBytes: sample.text.length };
    const chain2 = await startHopChain({ hops: 2, replyBytes: directSample.replyBytes });
    const directBodies = Array.from({ length: ROUNDS * (BATCH_WARMUP + N / ROUNDS) }, (_, i) => executeBody(1000 + i));
    await quiet("the direct path");
    const directRun = await interleaved({ pathUrl: `${a.url}/v1/stages/execute`, pathBodies: directBodies, chainUrl: chain2.url, chainBody: directSample.body, pids: nodePids }).finally(() => chain2.stop());
    const direct: number[] = [];
    const compute: number[] = [];
    const clientToA: number[] = [];
    const aOwn: number[] = [];
    const bOwn: number[] = [];
    const aTimings: Record<string, number>[] = [];
    for (const x of directRun.path) {
      if (x.status !== 200) throw new Error(`execute ${x.status}: ${x.text.slice(0, 500)}`);
      const body = JSON.parse(x.text) as { result: number; stages: { computeMs: number; totalMs: number }[] };
      direct.push(x.ms);
      aTimings.push(parseServerTiming(x.serverTiming));
      const [sa, sb] = body.stages;
      compute.push(body.stages.reduce((sum, st) => sum + st.computeMs, 0));
      clientToA.push(x.ms - sa.totalMs);
      if (sb) {
        aOwn.push(sa.totalMs - sb.totalMs - sa.computeMs);
        bOwn.push(sb.totalMs - sb.computeMs);
      }
    }
    // the floor of any exchange with node A on this machine: a request that does no work (a 404)
    const bare: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      const h = await postJson({ url: `${a.url}/v1/no-such-route`, body: "{}", timeoutMs: 5000 }).catch(() => undefined); // a 404: no work but HTTP
      if (h) bare.push(performance.now() - t);
    }
    // what the node's fast path used to wait for besides compute (an on-path JobMarket.getJob eth_call; now a local index lookup)
    const rpc: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await mesh.publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "getJob", args: [BigInt(i + 1)] });
      rpc.push(performance.now() - t);
    }
    out.pipelineDirect = {
      ...dist(direct),
      nodeComputeMsP50: r3(median(compute)),
      breakdownP50: { clientHttpToAMs: r3(median(clientToA)), nodeAOwnMs: r3(median(aOwn)), nodeBOwnMs: r3(median(bOwn)), computeMs: r3(median(compute)) },
      nodeAServerTimingP50: medians(aTimings),
      bareHttp404: dist(bare),
      chainGetJobEthCallMs: dist(rpc),
      cpuPerRequest: directRun.cpu,
    };

    // ── 1b. coordinator with relay off (an extra coordinator process on the same chain)
    const port = await freePort();
    const noRelayUrl = `http://127.0.0.1:${port}`;
    const noRelay = mesh.group.start({
      name: "coordinator-norelay",
      cmd: process.execPath,
      args: [join(ROOT, "coordinator/server.ts"), "--port", String(port), "--rpc-url", mesh.rpcUrl, "--deployments", mesh.deploymentsDir, "--db", join(values["work-dir"]!, "coordinator-norelay.sqlite"), "--coordinator-key", DEV_KEYS[0], "--no-relay", "--no-sweeper", "--no-gossip", "--log-level", "warn", "--rate-limit-per-minute", "100000000"],
      cwd: ROOT,
    });
    await waitFor({ what: "the no-relay coordinator", timeoutMs: 60_000, intervalMs: 250, check: async () => (await fetch(`${noRelayUrl}/v1/health`).catch(() => undefined))?.ok });
    const admin = createWalletClient({ chain, transport: http(mesh.rpcUrl), account: privateKeyToAccount(DEV_KEYS[0]) });
    const dAppKey = DEV_KEYS[1 + mesh.nodes.length + 1];
    const dApp = privateKeyToAccount(dAppKey);
    const dAppWallet = createWalletClient({ chain, transport: http(mesh.rpcUrl), account: dApp });
    const fee = await estimateJobFee({ publicClient: mesh.publicClient as never, deployment, modelId });
    const SIGNED = 1 + ROUNDS * (BATCH_WARMUP + N / ROUNDS); // submissions: one to wait for routing, then the batches
    const total = fee.escrow * BigInt(SIGNED + 10);
    const mint = await admin.writeContract({ address: deployment.contracts.ProofMeshToken.address, abi: proofMeshTokenAbi, functionName: "mint", args: [dApp.address, total] });
    await mesh.publicClient.waitForTransactionReceipt({ hash: mint });
    const client2 = createProofMeshClient({ coordinatorUrl: noRelayUrl, publicClient: mesh.publicClient as never, walletClient: dAppWallet as never, deployment });
    await client2.deposit({ amount: total });
    say(`fast path (b): preparing and signing ${SIGNED} job requests (nonces 0..${SIGNED - 1}, one lane each)`);
    const bodies: string[] = [];
    for (let i = 0; i < SIGNED; i++) {
      const { request } = await prepareJobRequest({ publicClient: mesh.publicClient as never, deployment, dApp: dApp.address, input: inputOf(2000 + i), clusterId: 1, nonce: BigInt(i), checkBalance: false });
      const signature = await signJobRequest({ walletClient: dAppWallet as never, chainId: deployment.chainId, jobMarket: market, request });
      bodies.push(JSON.stringify({ request: jobRequestToWire(request), signature, input: inputOf(2000 + i) }));
    }
    // the coordinator learns the nodes from the chain indexer and its probes: wait until it routes
    // (its answer's size is the chain's last link's)
    const first = await waitFor({ what: "the no-relay coordinator to route", timeoutMs: 60_000, intervalMs: 500, check: async () => {
      const r = await postJson({ url: `${noRelayUrl}/v1/jobs`, body: bodies[0], timeoutMs: 30_000 });
      return r.status === 200 ? r : undefined;
    } });
    const coordSample = { body: bodies[1], replyBytes: first.text.length };
    say(`fast path (b): ${N} × POST /v1/jobs (relay off), in ${ROUNDS} batches alternating with a bare 3-process chain (client: bench/fast-path-client.ts)`);
    const chain3 = await startHopChain({ hops: 3, replyBytes: coordSample.replyBytes });
    await quiet("the coordinator path");
    const coordRun = await interleaved({ pathUrl: `${noRelayUrl}/v1/jobs`, pathBodies: bodies.slice(1), chainUrl: chain3.url, chainBody: coordSample.body, pids: { ...nodePids, coordinator: noRelay.child.pid }, timeoutMs: 30_000 }).finally(() => chain3.stop());
    const coordTimings: Record<string, number>[] = [];
    const viaCoord: number[] = [];
    const coordErrors: string[] = [];
    for (const x of coordRun.path) {
      if (x.status !== 200) {
        coordErrors.push(`POST /v1/jobs ${x.status}: ${x.text.slice(0, 200)}`);
        continue;
      }
      viaCoord.push(x.ms);
      const timing = parseServerTiming(x.serverTiming);
      coordTimings.push({ ...timing, clientAndHttp: x.ms - ["auth", "checks", "commit", "pipeline", "store"].reduce((sum, k) => sum + (timing[k] ?? 0), 0), coordinatorToStage0Http: (timing.pipeline ?? 0) - (timing.stage0 ?? 0) });
    }
    if (coordErrors.length > N / 10) throw new Error(`${coordErrors.length} of ${N} submissions failed, first: ${coordErrors[0]}`);
    out.pipelineCoordinator = { ...dist(viaCoord), failed: coordErrors.length, firstError: coordErrors[0] ?? null, serverTimingP50: medians(coordTimings), cpuPerRequest: coordRun.cpu };

    // ── 1c. the physical floor of both paths (bench/hop-floor.ts), measured in the batches between the path's
    out.hopFloor = {
      direct: { hops: 2, requestBytes: directSample.body.length, replyBytes: directSample.replyBytes, ...dist(directRun.chain) },
      coordinator: { hops: 3, requestBytes: coordSample.body.length, replyBytes: coordSample.replyBytes, ...dist(coordRun.chain) },
    };
    if (values["fast-path-only"]) return out;

    // ── 2a. autocannon on the submit path (replays of answered, signed submissions)
    say(`coordinator: autocannon POST /v1/jobs (replayed signed submissions), ${DURATION} s, 16 connections`);
    const ac = await autocannon({
      url: noRelayUrl,
      connections: 16,
      duration: DURATION,
      requests: bodies.slice(20, 60).map((body) => ({ method: "POST", path: "/v1/jobs", headers: { "content-type": "application/json" }, body })),
    });
    out.autocannonSubmitReplay = { reqPerSec: Math.round(ac.requests.average), latencyP50Ms: ac.latency.p50, latencyP99Ms: ac.latency.p99, non2xx: ac.non2xx, errors: ac.errors, total: ac.requests.total };
    say(`coordinator: autocannon GET /v1/placement (routing state read), ${Math.min(5, DURATION)} s`);
    const ac2 = await autocannon({ url: `${noRelayUrl}/v1/placement`, connections: 16, duration: Math.min(5, DURATION) });
    out.autocannonPlacement = { reqPerSec: Math.round(ac2.requests.average), latencyP50Ms: ac2.latency.p50, latencyP99Ms: ac2.latency.p99, non2xx: ac2.non2xx, errors: ac2.errors };

    // ── 4. settlement through the relaying coordinator
    say(`settlement: ${SETTLE} paid jobs through the relaying coordinator`);
    const wallet1 = createWalletClient({ chain, transport: http(mesh.rpcUrl), account: privateKeyToAccount(mesh.dAppKey) });
    const client1 = createProofMeshClient({ coordinatorUrl: mesh.coordinatorUrl, publicClient: mesh.publicClient as never, walletClient: wallet1 as never, deployment });
    await client1.deposit({ amount: parseEther("100") });
    const fromBlock = (await mesh.publicClient.getBlockNumber()) + 1n;
    const settleMs: number[] = [];
    const answerMs: number[] = [];
    const waits: Promise<void>[] = [];
    for (let i = 0; i < SETTLE; i++) {
      const t = performance.now();
      const { jobId, answer } = await client1.submitJob({ input: inputOf(3000 + i), clusterId: 1 });
      const tAnswer = performance.now();
      answerMs.push(tAnswer - t);
      waits.push(client1.waitForSettlement({ jobId, expectedResult: BigInt(answer.result), timeoutMs: 300_000 }).then(() => void settleMs.push(performance.now() - tAnswer)));
    }
    await Promise.all(waits);
    const toBlock = await mesh.publicClient.getBlockNumber();

    // ── 4b. one job at a time (no queueing behind the other jobs' proofs), the chain polled every 50 ms:
    // when each step became visible on chain, from the client's answer
    say(`settlement: ${SETTLE} jobs one at a time, timeline from the chain`);
    const steps: Record<"assigned" | "stage0Proven" | "settled", number[]> = { assigned: [], stage0Proven: [], settled: [] };
    for (let i = 0; i < SETTLE; i++) {
      const { jobId } = await client1.submitJob({ input: inputOf(4000 + i), clusterId: 1 });
      const tAnswer = performance.now();
      const seen: Partial<Record<keyof typeof steps, number>> = {};
      for (;;) {
        const job = await mesh.publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "getJob", args: [BigInt(jobId)] });
        const dt = performance.now() - tAnswer;
        if (job.status >= JOB_STATUS.Assigned) seen.assigned ??= dt; // Assigned or later
        if (job.nextStage >= 1 || job.status === JOB_STATUS.Settled) seen.stage0Proven ??= dt;
        if (job.status === JOB_STATUS.Settled) {
          seen.settled = dt;
          break;
        }
        if (job.status > JOB_STATUS.Settled) throw new Error(`job ${jobId} ended ${chainStatusName(job.status)}`);
        if (dt > 120_000) throw new Error(`job ${jobId} not settled within 120 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const k of Object.keys(steps) as (keyof typeof steps)[]) steps[k].push(seen[k]!);
    }
    const gasByFn: Record<string, { txs: number; gas: bigint }> = {};
    for (let b = fromBlock; b <= toBlock; b++) {
      const block = await mesh.publicClient.getBlock({ blockNumber: b, includeTransactions: true });
      for (const tx of block.transactions) {
        if (typeof tx === "string" || tx.to?.toLowerCase() !== market.toLowerCase()) continue;
        const rc = await mesh.publicClient.getTransactionReceipt({ hash: tx.hash });
        let fn = "unknown";
        try {
          fn = decodeFunctionData({ abi: jobMarketAbi, data: tx.input }).functionName;
        } catch {}
        const e = (gasByFn[fn] ??= { txs: 0, gas: 0n });
        e.txs++;
        e.gas += rc.gasUsed;
      }
    }
    const jobGas = Object.values(gasByFn).reduce((s, e) => s + e.gas, 0n);
    out.settlement = {
      jobs: SETTLE,
      answerMs: dist(answerMs),
      answerToSettledMs: dist(settleMs),
      oneAtATime: { answerToAssignedMs: dist(steps.assigned), answerToStage0ProvenMs: dist(steps.stage0Proven), answerToSettledMs: dist(steps.settled) },
      gasPerSettledJob: Number(jobGas / BigInt(SETTLE)),
      gasByFunction: Object.fromEntries(Object.entries(gasByFn).map(([k, v]) => [k, { txs: v.txs, gasPerTx: Number(v.gas / BigInt(v.txs)) }])),
    };
  } finally {
    say("stopping the mesh");
    await mesh.stop();
  }
  if (values.profile) {
    const pids = new Map<number, string>(mesh.nodes.map((n) => [n.proc.child.pid!, `node ${n.name} (shard ${n.shards})`]));
    for (const m of (mesh.group as unknown as { procs: { name: string; child: { pid?: number } }[] }).procs) if (m.name === "coordinator-norelay" || m.name === "coordinator") pids.set(m.child.pid!, m.name);
    out.profile = Object.fromEntries([...pids].map(([pid, name]) => [name, topSelf(profDir, pid)]));
  }
  return out;
}

/**
 * Times a fast path against its physical floor at the same moments: ROUNDS batches, each sending
 * its share of `pathBodies` to the path, then as many copies of `chainBody` to the bare chain, from
 * a fresh client process each (bench/fast-path-client.ts). `pathBodies` holds ROUNDS × (BATCH_WARMUP
 * + N / ROUNDS) bodies. CPU of `pids` above their idle rate is summed over the path batches only
 * and given per request sent (the batches' warm-up requests included: /proc cannot tell them apart).
 */
async function interleaved({ pathUrl, pathBodies, chainUrl, chainBody, pids, timeoutMs = 10_000 }: { pathUrl: string; pathBodies: string[]; chainUrl: string; chainBody: string; pids: Record<string, number | undefined>; timeoutMs?: number }) {
  const per = pathBodies.length / ROUNDS;
  const path: FastPathExchange[] = [];
  const chain: number[] = [];
  const snap = () => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
  // what each process burns idle (heartbeats, chain polls, probes), ms of CPU per ms: subtracted below
  const idle0 = snap();
  const tIdle = performance.now();
  await new Promise((r) => setTimeout(r, 3000));
  const idle1 = snap();
  const idleWall = performance.now() - tIdle;
  const idleRate = Object.fromEntries(Object.keys(pids).map((k) => [k, idle0[k] && idle1[k] ? { user: (idle1[k]!.user - idle0[k]!.user) / idleWall, system: (idle1[k]!.system - idle0[k]!.system) / idleWall } : undefined]));
  const busy: Record<string, { user: number; system: number }> = {};
  let sent = 0;
  const clientCpu = { userMs: 0, systemMs: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const before = snap();
    const t = performance.now();
    const value = await runFastPathClient({ url: pathUrl, bodies: pathBodies.slice(r * per, (r + 1) * per), warmup: BATCH_WARMUP, timeoutMs });
    const wall = performance.now() - t;
    const after = snap();
    sent += per;
    for (const k of Object.keys(pids)) {
      const a = before[k];
      const b = after[k];
      const rate = idleRate[k];
      if (!a || !b || !rate) continue;
      const acc = (busy[k] ??= { user: 0, system: 0 });
      acc.user += b.user - a.user - rate.user * wall;
      acc.system += b.system - a.system - rate.system * wall;
    }
    path.push(...value.exchanges);
    clientCpu.userMs += value.cpuPerRequest.userMs / ROUNDS;
    clientCpu.systemMs += value.cpuPerRequest.systemMs / ROUNDS;
    const floor = await runFastPathClient({ url: chainUrl, bodies: new Array<string>(per).fill(chainBody), warmup: BATCH_WARMUP, timeoutMs });
    for (const x of floor.exchanges) if (x.status !== 200) throw new Error(`floor chain answered ${x.status}: ${x.text.slice(0, 200)}`);
    chain.push(...floor.exchanges.map((x) => x.ms));
  }
  const cpu: Record<string, { userMs: number; systemMs: number; idleMsPerS: number }> = {};
  for (const [k, v] of Object.entries(busy)) cpu[k] = { userMs: r3(v.user / sent), systemMs: r3(v.system / sent), idleMsPerS: r3(((idleRate[k]?.user ?? 0) + (idleRate[k]?.system ?? 0)) * 1000) };
  return { path, chain, cpu: { ...cpu, client: { userMs: r3(clientCpu.userMs), systemMs: r3(clientCpu.systemMs), idleMsPerS: 0 } } };
}

/** CPU time (user, system; ms) a process has used so far, from /proc (Linux; undefined elsewhere). */
function cpuMs(pid: number | undefined): { user: number; system: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // after "pid (comm) ", which may hold ") "
    const tick = 1000 / 100; // USER_HZ is 100 on Linux
    return { user: Number(f[11]) * tick, system: Number(f[12]) * tick };
  } catch {
    return undefined;
  }
}

/** Top self-time functions of the .cpuprofile of `pid` (written by --cpu-prof at exit). */
function topSelf(dir: string, pid: number) {
  const file = readdirSync(dir).find((f) => f.includes(`.${pid}.`) && f.endsWith(".cpuprofile"));
  if (!file) return { file: null, top: [] };
  const prof = JSON.parse(readFileSync(join(dir, file), "utf8")) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const byPkg = new Map<string, number>();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    const url = n.callFrame.url.replace(/^file:\/\//, "").replace(ROOT + "/", "");
    const key = `${n.callFrame.functionName || "(anonymous)"} ${url.split("/").slice(-3).join("/")}:${n.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const pkg = url.includes("node_modules/") ? url.split("node_modules/").at(-1)!.split("/").slice(0, url.split("node_modules/").at(-1)!.startsWith("@") ? 2 : 1).join("/") : url.startsWith("node:") ? "node core (js)" : url === "" ? `native/${n.callFrame.functionName}` : url.split("/")[0];
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + dt);
  });
  const busy = [...self].filter(([k]) => !k.startsWith("(idle)") && !k.startsWith("(program)")).reduce((s, [, v]) => s + v, 0);
  const top = [...self].filter(([k]) => !k.startsWith("(idle)")).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([fn, us]) => ({ fn, ms: Math.round(us / 1000), shareOfBusy: +(us / busy).toFixed(3) }));
  const packages = [...byPkg].filter(([k]) => k !== "native/(idle)").sort((a, b) => b[1] - a[1]).slice(0, 8).map(([pkg, us]) => ({ pkg, ms: Math.round(us / 1000), shareOfBusy: +(us / busy).toFixed(3) }));
  return { file: join(dir, file), wallMs: Math.round(total / 1000), busyMs: Math.round(busy / 1000), top, packages };
}

// ───────────────────────── run ─────────────────────────
/**
 * The default model's phase-2 ceremony among 4 operators, as the demo runs it: real chain,
 * coordinator API, the CLI's start / contribute (each verifying what it receives) / finalize.
 * Target (issue 14): ≤ 120 s in all on 2 cores; each contributor's own share reported.
 */
async function ceremonyPhase() {
  const mesh = await startLocalMesh({
    workDir: `${values["work-dir"]!}-ceremony`,
    clusters: [{ label: "eu-west", region: "eu-west-1", minStake: "100" }],
    nodes: ["a", "b", "c", "d"].map((n) => ({ name: `op-${n}`, clusterId: 1, oneWayDelayMs: 0, direct: true, memoryBytes: 64_000_000n, stake: "150" })),
    modelId: DEFAULT_MODEL_ID,
    log: say,
    ceremony: true,
  });
  try {
    const c = mesh.ceremony!;
    return { totalMs: Math.round(c.totalMs), finalizeMs: Math.round(c.finalizeMs), contributions: c.contributions.map((x) => ({ index: x.index, node: x.node, ...x.ms })) };
  } finally {
    await mesh.stop();
  }
}

async function main() {
  if (values["ceremony-only"]) {
    results.ceremony = await ceremonyPhase();
    console.log(render());
    return;
  }
  results.ceremony = await ceremonyPhase();
  results.baseline = await baseline();
  results.routeDecisions = routeDecisions();
  say(`route decisions: ${JSON.stringify(results.routeDecisions)}`);
  results.microCosts = await microCosts();
  say(`per-submission CPU costs: ${JSON.stringify(results.microCosts)}`);
  if (!values["skip-prove"] && !values["fast-path-only"]) results.proving = await proving();
  if (!values["skip-mesh"]) Object.assign(results, await meshPhases());
  const md = render();
  mkdirSync(join(ROOT, "bench"), { recursive: true });
  mkdirSync(join(ROOT, ".proofmesh"), { recursive: true });
  // a profiled run is slower (sampling in every mesh process): it never overwrites the reference results
  // nor does a partial one (--fast-path-only: written under .proofmesh/, not committed)
  const base = values.profile ? "bench/profile-results" : values["fast-path-only"] ? ".proofmesh/bench-fast-path" : "bench/results";
  writeFileSync(join(ROOT, `${base}.json`), JSON.stringify(results, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");
  writeFileSync(join(ROOT, `${base}.md`), md);
  console.log(md);
}

function render(): string {
  type D = ReturnType<typeof dist>;
  const b = results.baseline as D;
  const lines: string[] = [];
  const row = (...c: (string | number)[]) => lines.push(`| ${c.join(" | ")} |`);
  lines.push(`# ProofMesh bench — ${machine.date}`, "", `machine: ${machine.cores} cores, ${machine.cpu}, ${machine.memGB} GB, Node ${machine.node} (${machine.platform}); command: \`${CMD}\` (flags ${JSON.stringify(results.flags)})`, "");
  const cer = results.ceremony as { totalMs: number; finalizeMs: number; contributions: { index: number; node: string; download: number; verify: number; contribute: number; upload: number; submit: number; total: number }[] } | undefined;
  if (cer) {
    lines.push("## Trusted-setup ceremony of the default model (4 operators, real chain + coordinator + CLI)", "");
    row("contributor", "own time ms", "download ms", "verify (zkey verify from the initial zkey) ms", "contribute ms", "upload ms", "coordinator's checks ms");
    row("---", "---", "---", "---", "---", "---", "---");
    for (const x of cer.contributions) row(`#${x.index} ${x.node}`, x.total, x.download, x.verify, x.contribute, x.upload, x.submit);
    lines.push("", `start → model registered: ${cer.totalMs} ms in all, of which finalize (beacon, export, compile, deploy, register, publish) ${cer.finalizeMs} ms; target ≤ 120,000 ms: ${cer.totalMs <= 120_000 ? "MET" : "MISSED"} (\`npm run bench -- --ceremony-only\`).`, "");
    if (!results.baseline) return lines.join("\n");
  }
  lines.push("## Fast path (loopback, sequential, 1 client)", "");
  const floor = results.hopFloor as { direct: D & { hops: number; requestBytes: number; replyBytes: number }; coordinator: D & { hops: number; requestBytes: number; replyBytes: number } } | undefined;
  row("path", "n", "p50 ms", "p95 ms", "p99 ms", "overhead p50 vs baseline ms", "target (≤ 2 ms)", "floor p50 ms (baseline + bare chain)", "ProofMesh's own p50 ms (path − floor)");
  row("---", "---", "---", "---", "---", "---", "---", "---", "---");
  row("baseline: onnxruntime-node, whole model in process", b.n, b.p50, b.p95, b.p99, "—", "", "", "");
  for (const [k, label, f] of [
    ["pipelineDirect", "node A execute → node B (HTTP, direct)", floor?.direct],
    ["pipelineCoordinator", "coordinator POST /v1/jobs (--no-relay) → A → B", floor?.coordinator],
  ] as const) {
    const d = results[k] as D | undefined;
    if (!d) continue;
    const over = d.p50 - b.p50;
    const verdict = over <= 2 ? "MET" : f && f.p50 >= 2 ? "MISSED (the bare chain alone exceeds 2 ms here)" : "MISSED";
    row(label, d.n, d.p50, d.p95, d.p99, r3(over), verdict, f ? r3(b.p50 + f.p50) : "—", f ? r3(d.p50 - b.p50 - f.p50) : "—");
  }
  if (floor)
    for (const [f, label] of [
      [floor.direct, "client → A → B"],
      [floor.coordinator, "client → coordinator → A → B"],
    ] as const)
      row(`floor: bare node:http chain of ${f.hops} processes (${label}), no work`, f.n, f.p50, f.p95, f.p99, "", "", "", "");
  if (floor)
    lines.push(
      "",
      `Floor rows (bench/hop-floor.ts): measured in this run, in ${ROUNDS} batches alternating with the path's own (so both see the same moments of this shared machine), from the same client process (bench/fast-path-client.ts). Each link is a bare node:http process that forwards the body it received with the mesh's own keep-alive client (node/wire/post-json.ts) and answers with what came back; the last one answers a body of the real answer's size. Same payloads as the measured paths (${floor.direct.requestBytes} B in / ${floor.direct.replyBytes} B out for the direct path, ${floor.coordinator.requestBytes} B / ${floor.coordinator.replyBytes} B through the coordinator), no framework, validation, compute, storage or signatures. "ProofMesh's own" = path p50 − baseline p50 − chain p50: what the software adds above compute + hops.`,
    );
  const pd = results.pipelineDirect as (D & { nodeComputeMsP50: number }) | undefined;
  if (pd) {
    const bd = (pd as unknown as { breakdownP50: Record<string, number>; chainGetJobEthCallMs: D }).breakdownP50;
    const rpc = (pd as unknown as { chainGetJobEthCallMs: D }).chainGetJobEthCallMs;
    lines.push(
      "",
      `Direct pipeline breakdown (medians, from the nodes' stage traces): shard compute (both stages) ${bd.computeMs} ms; node A own time excluding compute and B (assignment check, SQLite, forward) ${bd.nodeAOwnMs} ms; node B own time excluding compute ${bd.nodeBOwnMs} ms; client↔A HTTP ${bd.clientHttpToAMs} ms.`,
      `One JobMarket.getJob eth_call on the local hardhat chain (what each node awaited before answering until the JobWatcher's local index replaced it): p50 ${rpc.p50} ms, p95 ${rpc.p95} ms.`,
    );
    const at = (pd as unknown as { nodeAServerTimingP50?: Record<string, number> }).nodeAServerTimingP50;
    if (at) lines.push(`Node A's own Server-Timing (medians): checks before compute ${at.checks} ms, compute ${at.compute} ms, persist + enqueue ${at.store} ms, forward to B and back ${at.forward} ms.`);
    const bh = (pd as unknown as { bareHttp404?: D }).bareHttp404;
    if (bh) lines.push(`The floor of one exchange with node A here (POST to an unknown route: a 404, no work; same client and connection): p50 ${bh.p50} ms, p95 ${bh.p95} ms.`);
  }
  const cpuLine = (what: string, cpu: Record<string, { userMs: number; systemMs: number; idleMsPerS?: number }> | undefined) =>
    cpu && Object.keys(cpu).length
      ? lines.push(
          `CPU per request sent ${what}, above each process's idle use (ms, user + system; from /proc, the client's from process.cpuUsage; the idle use, measured for 3 s before, in brackets as ms per s): ${Object.entries(cpu).map(([k, v]) => `${k} ${v.userMs} + ${v.systemMs}${v.idleMsPerS ? ` (idle ${v.idleMsPerS} ms/s)` : ""}`).join(", ")}.`,
        )
      : undefined;
  cpuLine("on the direct path", (results.pipelineDirect as { cpuPerRequest?: Record<string, { userMs: number; systemMs: number }> } | undefined)?.cpuPerRequest);
  const ct = (results.pipelineCoordinator as { serverTimingP50?: Record<string, number> } | undefined)?.serverTimingP50;
  if (ct)
    lines.push(
      "",
      `Coordinator path breakdown (medians of the coordinator's Server-Timing): signature + idempotency ${ct.auth} ms, model/cluster/deadline/price/lane/deposit checks ${ct.checks} ms, Poseidon input commitment ${ct.commit} ms, pipeline ${ct.pipeline} ms (of which node A and downstream ${ct.stage0} ms, coordinator↔A HTTP ${ct.coordinatorToStage0Http} ms), answer persisted ${ct.store} ms; client↔coordinator HTTP, body parsing and validation ${ct.clientAndHttp} ms.`,
    );
  cpuLine("through the coordinator", (results.pipelineCoordinator as { cpuPerRequest?: Record<string, { userMs: number; systemMs: number }> } | undefined)?.cpuPerRequest);
  lines.push("", "## Coordinator throughput", "");
  row("what", "req or decisions / s", "p50", "p99", "notes");
  row("---", "---", "---", "---", "---");
  const rd = results.routeDecisions as { decisionsPerSec: number; medianUs: number; p99Us: number; view: string };
  row("planRoute in process (pure route decision)", rd.decisionsPerSec, `${rd.medianUs} µs`, `${rd.p99Us} µs`, `${rd.view}; target ≥ 10,000/s: ${rd.decisionsPerSec >= 10_000 ? "MET" : "MISSED"}`);
  const ac = results.autocannonSubmitReplay as { reqPerSec: number; latencyP50Ms: number; latencyP99Ms: number; non2xx: number; errors: number } | undefined;
  if (ac) row("autocannon POST /v1/jobs, replayed signed submissions, 16 conns", ac.reqPerSec, `${ac.latencyP50Ms} ms`, `${ac.latencyP99Ms} ms`, `schema + ECDSA recover + idempotency lookup; non-2xx ${ac.non2xx}, errors ${ac.errors}`);
  const ap = results.autocannonPlacement as { reqPerSec: number; latencyP50Ms: number; latencyP99Ms: number; non2xx: number } | undefined;
  if (ap) row("autocannon GET /v1/placement, 16 conns", ap.reqPerSec, `${ap.latencyP50Ms} ms`, `${ap.latencyP99Ms} ms`, `fastify floor for a small JSON read; non-2xx ${ap.non2xx}`);
  const mc = results.microCosts as Record<string, number> | undefined;
  if (mc)
    lines.push(
      "",
      `Per fresh submission, CPU in the coordinator (medians, this process): Poseidon input commitment ${mc.poseidonInputCommitmentMs} ms, EIP-712 recover ${mc.eip712RecoverMs} ms (coordinator/recover-signer.ts; viem's recoverTypedDataAddress: ${mc.eip712RecoverViemMs} ms), keccak of the submission ${mc.submissionKeccakMs} ms, JSON.parse of the ${mc.bodyBytes}-byte body ${mc.jsonParseBodyMs} ms.`,
    );
  const pv = results.proving as { rows: Record<string, string | number>[]; saturated: { shard: number; proofs: number; wallMs: number; witnessMs: number; proveMs: number; proofsPerMin: number; witnessShare: number }[] } | undefined;
  if (pv) {
    lines.push("", "## Proving (snarkjs Groth16, circom wasm witness; median of 5 after 1 warm-up)", "");
    row("shard", "constraints", "witness ms", "prove ms", "verify snarkjs ms", "verify noble ms", "zkey MB");
    row("---", "---", "---", "---", "---", "---", "---");
    for (const r of pv.rows) row(r.shard, r.constraints, r.witnessMs, r.proveMs, r.verifySnarkjsMs, r.verifyNobleMs, r.zkeyMB);
    lines.push("", `("all": witness = sum of medians; prove = median of witness + prove over the whole model)`, "", "Saturated prover (one process, keys/wasm loaded once, proofs back to back):", "");
    row("shard", "proofs", "wall ms", "witness ms/proof", "prove ms/proof", "proofs/min per node", "witness share");
    row("---", "---", "---", "---", "---", "---", "---");
    for (const s of pv.saturated) row(s.shard, s.proofs, s.wallMs, s.witnessMs, s.proveMs, s.proofsPerMin, `${(s.witnessShare * 100).toFixed(1)} %`);
    const fp = (pv as unknown as { firstProof?: { cold: D; warmed: D } }).firstProof;
    if (fp)
      lines.push(
        "",
        `First proof of shard 0 in a fresh prover process (the node's prover pool, ${fp.cold.n} processes each): cold ${fp.cold.p50} ms p50, after the pool's warm-up proof ${fp.warmed.p50} ms p50 (${r3(fp.cold.p50 / fp.warmed.p50)}× faster; \`node serve\` warms up by default, \`--no-prover-warm-up\` turns it off).`,
      );
  }
  const st = results.settlement as { jobs: number; answerMs: D; answerToSettledMs: D; gasPerSettledJob: number; gasByFunction: Record<string, { txs: number; gasPerTx: number }> } | undefined;
  if (st) {
    lines.push("", "## Settlement (local hardhat chain, automine; relaying coordinator)", "");
    row("jobs", "answer p50 ms (SDK submit incl. prepare + sign)", "answer → settled p50 ms", "answer → settled max ms", "gas per settled job");
    row("---", "---", "---", "---", "---");
    row(st.jobs, st.answerMs.p50, st.answerToSettledMs.p50, st.answerToSettledMs.p99, st.gasPerSettledJob);
    const one = (st as unknown as { oneAtATime?: { answerToAssignedMs: D; answerToStage0ProvenMs: D; answerToSettledMs: D } }).oneAtATime;
    if (one)
      lines.push(
        "",
        `The ${st.jobs} jobs above are submitted back to back, so each waits for the others' proofs (one prover per node), and the SDK polls the chain once a second. One job at a time, the chain read every 50 ms (medians from the answer; max in brackets): assigned on chain ${one.answerToAssignedMs.p50} ms (${one.answerToAssignedMs.max}), stage 0 proven ${one.answerToStage0ProvenMs.p50} ms (${one.answerToStage0ProvenMs.max}), settled ${one.answerToSettledMs.p50} ms (${one.answerToSettledMs.max}).`,
      );
    lines.push("", `gas by function: ${Object.entries(st.gasByFunction).map(([k, v]) => `${k} ×${v.txs} @ ${v.gasPerTx}`).join(", ")}`);
  }
  const prof = results.profile as Record<string, { file: string | null; wallMs?: number; busyMs?: number; top: { fn: string; ms: number; shareOfBusy: number }[]; packages?: { pkg: string; ms: number; shareOfBusy: number }[] }> | undefined;
  if (prof) {
    lines.push("", "## CPU profiles of the mesh processes (`npm run bench -- --profile`; top self time)", "");
    for (const [name, p] of Object.entries(prof)) {
      lines.push(`**${name}** — ${p.file ? `busy ${p.busyMs} ms of ${p.wallMs} ms (${p.file})` : "no profile written"}`, "");
      for (const t of p.top.slice(0, 8)) lines.push(`- ${t.ms} ms (${(t.shareOfBusy * 100).toFixed(1)} %) \`${t.fn}\``);
      if (p.packages) lines.push("", `self time by package: ${p.packages.map((x) => `${x.pkg} ${x.ms} ms (${(x.shareOfBusy * 100).toFixed(1)} %)`).join(", ")}`);
      lines.push("");
    }
  }
  lines.push("", `Reproduce every figure: \`${CMD}\` (proving alone: \`npm run bench:prove\`; gas with the real verifiers alone: \`npm run bench:gas -- --verifier real\`).`, "");
  return lines.join("\n");
}

try {
  await main();
  process.exit(0);
} catch (err) {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
}
