/**
 * Fault: a slow node. Real processes (Hardhat node, deploy, coordinator, three node daemons set
 * up by the operator CLI, each behind a latency proxy); one cluster where node a serves shard 0
 * and nodes b and c both serve shard 1, so stage 1 has two candidates.
 *
 * 1. warm-up: bursts of 4 concurrent jobs through the SDK; the stage-1 node that carried the
 *    most traffic becomes the victim;
 * 2. slow: the victim's proxy gets +SLOW_EXTRA_MS one way (its round trip grows by 2×); the
 *    coordinator sees it in its probes (probe RTT) and must route stage 1 away from it;
 * 3. fast again: the delay is removed; the victim must re-enter the near-optimal set, and
 *    traffic may return to it (power-of-two choices between near-optimal nodes).
 *
 * The bound (coordinator/routing/route.ts; coordinator/sim/sim-routing.ts targets):
 * - per decision, exactly: the chosen path's predicted cost ≤ threshold = opt + max(0.3 ms, ε·opt),
 *   ε = 0.05 (`DEFAULT_EPSILON_REL`) — checked on every job's route explanation;
 * - end to end, observed: once the coordinator noticed, the fast path's p99 must stay within
 *   (1 + ε) × the no-fault p99 plus a jitter allowance J:  p99_after ≤ 1.05 · p99_nofault + J.
 *   p99_nofault is measured on both sides of the fault (warm-up and fast-again phases, same
 *   traffic, all nodes fast), the larger of the two: drift of the shared machine over the minute
 *   does not count against the router, and each phase has about as many jobs as the
 *   after-detection set (< 100: p99 is each set's maximum), so the same order statistic is compared.
 *   J = 50 ms: on this loopback mesh (2 shared cores, a chain and four Node processes, plus
 *   whatever else runs) the fast path's p99 over ~70 jobs moves by tens of ms between
 *   phases without any fault, and after detection stage 1 runs on one node instead of two
 *   (bursts queue on it). A job through the slow node costs +2·SLOW_EXTRA_MS = +300 ms (its
 *   request and its answer cross the delayed proxy), so routing that kept using the slow node
 *   breaks the bound; the < 20 % share assertion catches a minority of such jobs.
 * The coordinator runs with --no-relay (no jobs go on chain, nodes abandon their stages after
 * --assignment-wait-ms) so Groth16 proving does not load the two cores while latency is measured.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { loadMnist } from "../../prover/data/mnist.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { DEFAULT_EPSILON_REL } from "../../coordinator/routing/route.ts";
import { type ProofMeshClient } from "../../sdk/index.ts";
import { meshClient, startLocalMesh, type LocalMesh, type NodeSpec, type RunningNode } from "../harness/local-mesh.ts";

const BASE_DELAY_MS = 3;
const SLOW_EXTRA_MS = 150;
const JITTER_MS = 50;
const BURST = 4;
const CYCLE_MS = 1_000;
const WARMUP_DISCARD_MS = 3_000;
const WARMUP_MS = 14_000;
const SLOW_MS = 20_000;
const FAST_AGAIN_MS = 20_000;
const MAX_JOBS = 240; // < 256 lanes (nonce % 256): with --no-relay every submission keeps its lane

type Phase = "warmup" | "slow" | "fast-again";
type Job = {
  phase: Phase;
  /** ms since the phase began, at submission start / answer */
  tStart: number;
  tEnd: number;
  jobId: bigint;
  stage1NodeId: number;
  sdkMs: number;
  fastPathMs: number;
  observedMs: number;
  predictedMs: number;
  thresholdMs: number;
  optimumMs: number;
  stage1NearOptimal: number[];
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fault: a slow node (routing moves load away, p99 within the routing bound)", { timeout: 300_000 }, () => {
  let mesh: LocalMesh;
  let client: ProofMeshClient;
  const digits = loadMnist().test;
  const log = (m: string) => console.log(`[slow-node] ${m}`);

  before(async () => {
    const node = (name: string, shard: number): NodeSpec => ({
      name,
      clusterId: 1,
      oneWayDelayMs: shard === 0 ? 2 : BASE_DELAY_MS,
      memoryBytes: 25_000_000n,
      stake: "150",
      shards: `${DEFAULT_MODEL_ID}:${shard}`,
      serveArgs: ["--assignment-wait-ms", "1000"],
    });
    mesh = await startLocalMesh({
      workDir: join(tmpdir(), `proofmesh-slow-node-${process.pid}`),
      clusters: [{ label: "eu-west", region: "eu-west-1", minStake: "100" }],
      nodes: [node("a", 0), node("b", 1), node("c", 1)],
      modelId: DEFAULT_MODEL_ID,
      coordinatorArgs: ["--no-relay", "--rate-limit-per-minute", "100000"],
      log: () => {},
    });
    client = meshClient(mesh);
    const { escrow } = await client.estimateJobFee();
    // --no-relay: the coordinator reserves the escrow of every pending submission.
    await client.deposit({ amount: escrow * BigInt(MAX_JOBS) });
  });
  after(async () => {
    await mesh?.stop();
  });

  test("stage 1 leaves the slowed node once the coordinator notices; p99 stays within (1+ε)·p99_nofault + J; traffic may return", async () => {
    const [a, b, c] = mesh.nodes;
    const stage1 = new Map<number, RunningNode>([
      [b.nodeId, b],
      [c.nodeId, c],
    ]);
    const jobs: Job[] = [];
    let n = 0;

    async function one(phase: Phase, t0: number): Promise<void> {
      const d = digits[n++ % digits.length];
      const tStart = performance.now() - t0;
      const { jobId, answer } = await client.submitJob({ input: Array.from(d.pixels), clusterId: 1 });
      const tEnd = performance.now() - t0;
      assert.equal(answer.route[0].nodeId, a.nodeId, "stage 0 has one candidate (node a)");
      const trace = (await client.getJobTrace({ jobId })) as { route: { observedMs: number; predictedMs: number; thresholdMs: number; optimumMs: number; stages: { nodeId: number; nearOptimalNodeIds: number[] }[] } };
      const r = trace.route;
      jobs.push({
        phase,
        tStart,
        tEnd,
        jobId,
        stage1NodeId: answer.route[1].nodeId,
        sdkMs: tEnd - tStart,
        fastPathMs: answer.fastPathMs,
        observedMs: r.observedMs,
        predictedMs: r.predictedMs,
        thresholdMs: r.thresholdMs,
        optimumMs: r.optimumMs,
        stage1NearOptimal: r.stages[1].nearOptimalNodeIds,
      });
    }

    async function runPhase(phase: Phase, durationMs: number): Promise<number> {
      const t0 = performance.now();
      while (performance.now() - t0 < durationMs) {
        assert.ok(n + BURST <= MAX_JOBS, "job budget (lanes) exhausted");
        const cycle = performance.now();
        await Promise.all(Array.from({ length: BURST }, () => one(phase, t0)));
        await sleep(Math.max(0, CYCLE_MS - (performance.now() - cycle)));
      }
      return t0;
    }

    // RTT estimate of each stage-1 node as the coordinator sees it (for the report).
    const probeRtt = async (id: number) => ((await (await fetch(`${mesh.coordinatorUrl}/v1/explorer/nodes/${id}`)).json()) as { probeRttMs: number | null; health: string });

    // ---- 1. warm-up, no fault
    await runPhase("warmup", WARMUP_MS);
    const warm = jobs.filter((j) => j.phase === "warmup" && j.tStart >= WARMUP_DISCARD_MS);
    const warmCount = (id: number) => warm.filter((j) => j.stage1NodeId === id).length;
    const victimId = warmCount(b.nodeId) >= warmCount(c.nodeId) ? b.nodeId : c.nodeId;
    const victim = stage1.get(victimId)!;
    const other = victimId === b.nodeId ? c : b;
    const warmShare = warmCount(victimId) / warm.length;
    log(`warm-up: ${warm.length} measured jobs; stage 1 on node ${b.nodeId} (b) ${warmCount(b.nodeId)}, node ${c.nodeId} (c) ${warmCount(c.nodeId)}; victim = node ${victimId} (${victim.name}), share ${(100 * warmShare).toFixed(0)} %`);
    const rttBefore = (await probeRtt(victimId)).probeRttMs ?? 0;
    log(`coordinator probe RTT before: victim ${rttBefore.toFixed(1)} ms, other ${(await probeRtt(other.nodeId)).probeRttMs?.toFixed(1)} ms`);

    // ---- 2. slow
    victim.proxy.setDelayMs(BASE_DELAY_MS + SLOW_EXTRA_MS);
    const tSlow = performance.now();
    // Finer than the bursts: when the coordinator's RTT estimate of the victim rose by half the added round trip.
    let rttNoticedAtMs: number | undefined;
    const poller = (async () => {
      while (rttNoticedAtMs === undefined && performance.now() - tSlow < 10_000) {
        if (((await probeRtt(victimId)).probeRttMs ?? 0) >= rttBefore + SLOW_EXTRA_MS) rttNoticedAtMs = performance.now() - tSlow;
        else await sleep(50);
      }
    })();
    await runPhase("slow", SLOW_MS);
    await poller;
    const slow = jobs.filter((j) => j.phase === "slow");
    // Noticed = the first routing decision (in submission order) that no longer counts the victim as near-optimal for stage 1.
    const firstExcluded = slow.filter((j) => !j.stage1NearOptimal.includes(victimId)).sort((x, y) => x.tStart - y.tStart)[0];
    assert.ok(firstExcluded, "the coordinator never stopped considering the slow node near-optimal");
    const noticedAtMs = firstExcluded.tEnd; // upper bound: the decision was made before its answer
    const afterDetection = slow.filter((j) => j.tStart >= noticedAtMs);
    const beforeDetection = slow.filter((j) => j.tStart < noticedAtMs);
    const slowShare = afterDetection.filter((j) => j.stage1NodeId === victimId).length / afterDetection.length;
    const rttSlow = await probeRtt(victimId);
    log(`slow (+${SLOW_EXTRA_MS} ms one way on node ${victimId}): first routing decision without it within ${noticedAtMs.toFixed(0)} ms (its RTT estimate +${SLOW_EXTRA_MS} ms after ${rttNoticedAtMs?.toFixed(0) ?? "—"} ms); ${beforeDetection.length} jobs before (${beforeDetection.filter((j) => j.stage1NodeId === victimId).length} via the victim), ${afterDetection.length} after, of which ${afterDetection.filter((j) => j.stage1NodeId === victimId).length} via the victim (share ${(100 * slowShare).toFixed(1)} %); coordinator probe RTT of the victim ${rttSlow.probeRttMs?.toFixed(1)} ms (${rttSlow.health})`);

    // ---- 3. fast again
    victim.proxy.setDelayMs(BASE_DELAY_MS);
    await runPhase("fast-again", FAST_AGAIN_MS);
    const again = jobs.filter((j) => j.phase === "fast-again");
    const firstBack = again.filter((j) => j.stage1NearOptimal.includes(victimId)).sort((x, y) => x.tStart - y.tStart)[0];
    const backShare = again.filter((j) => j.stage1NodeId === victimId).length / again.length;
    const lateAgain = again.filter((j) => j.tStart >= FAST_AGAIN_MS / 2);
    const lateShare = lateAgain.filter((j) => j.stage1NodeId === victimId).length / Math.max(1, lateAgain.length);
    log(`fast again: victim back in the near-optimal set after ${firstBack ? `${firstBack.tEnd.toFixed(0)} ms` : "never"}; share of the victim ${(100 * backShare).toFixed(1)} % over the phase, ${(100 * lateShare).toFixed(1)} % in its second half (${lateAgain.length} jobs)`);

    // ---- latencies and the bound
    const obs = (xs: Job[]) => xs.map((j) => j.observedMs);
    const noFault = [...warm, ...again];
    const p99NoFault = Math.max(pct(obs(warm), 99), pct(obs(again), 99));
    const p99After = pct(obs(afterDetection), 99);
    const bound = (1 + DEFAULT_EPSILON_REL) * p99NoFault + JITTER_MS;
    const row = (name: string, xs: Job[]) =>
      `${name.padEnd(22)} n=${String(xs.length).padStart(3)}  pipeline p50 ${pct(obs(xs), 50).toFixed(1).padStart(6)}  p99 ${pct(obs(xs), 99).toFixed(1).padStart(6)} ms | fastPathMs p99 ${pct(xs.map((j) => j.fastPathMs), 99).toFixed(1).padStart(6)} | SDK p50 ${pct(xs.map((j) => j.sdkMs), 50).toFixed(1).padStart(6)} ms`;
    log(row("warm-up (measured)", warm));
    log(row("slow, before noticed", beforeDetection));
    log(row("slow, after noticed", afterDetection));
    log(row("fast again", again));
    log(row("no fault (both)", noFault));
    log(`bound: p99 after detection ${p99After.toFixed(1)} ms ≤ (1+${DEFAULT_EPSILON_REL})·${p99NoFault.toFixed(1)} + ${JITTER_MS} = ${bound.toFixed(1)} ms (p99 ratio after/no-fault ${(p99After / p99NoFault).toFixed(2)}; the routing simulator's target for this ratio is ≤ 1.2)`);

    // ---- assertions
    for (const j of jobs) assert.ok(j.predictedMs <= j.thresholdMs + 1e-6 * Math.max(1, j.thresholdMs), `job ${j.jobId}: chosen path ${j.predictedMs} ms above the near-optimal threshold ${j.thresholdMs} ms`);
    assert.ok(warm.length >= 16, `too few warm-up jobs (${warm.length})`);
    assert.ok(noticedAtMs <= 5_000, `the coordinator took ${noticedAtMs.toFixed(0)} ms to notice (probes every 250 ms should see +${2 * SLOW_EXTRA_MS} ms RTT within a second or two)`);
    assert.ok(afterDetection.length >= 24, `too few jobs after detection (${afterDetection.length})`);
    assert.ok(slowShare < 0.2, `share of jobs through the slow node after detection is ${(100 * slowShare).toFixed(1)} % (≥ 20 %)`);
    assert.ok(p99After <= bound, `p99 after detection ${p99After.toFixed(1)} ms exceeds the bound ${bound.toFixed(1)} ms`);
    assert.ok(firstBack, "the victim never re-entered the near-optimal set once fast again");
  });
});
