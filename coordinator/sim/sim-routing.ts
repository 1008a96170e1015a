/**
 * `npm run sim:routing`: discrete-event simulation of request routing over a mesh of edge nodes.
 *
 * Seeded and deterministic. The topology (5 clusters × 44 nodes, heterogeneous speeds, memory
 * and RTTs), the shard placement (`placeShards`), the Poisson arrivals and each request's
 * compute noise are identical in every scenario (common random numbers), so the strategies are
 * compared on the same work. Each request is routed inside its client's cluster.
 *
 * World model (the "truth"; the coordinator only sees measurements of it):
 * - node: FIFO single server; a stage takes referenceMs[stage] / speed × slowdown × noise
 *   (noise lognormal, σ 0.25, mean 1);
 * - transfer between two nodes, or client ↔ node: one-way = true RTT / 2;
 * - heartbeats every 250 ms (±20 ms jitter) carrying the queue length, delivered after the
 *   one-way delay to the coordinator;
 * - the dying node stops (queue lost, no more heartbeats) at `deathAtMs`; a request sent to it, or
 *   queued in it, fails when the sender's stage timeout (`stageTimeoutMs`) fires;
 * - the slow node computes 10× slower than its speed (and than its benchmark) for the whole run.
 *
 * Coordinator model (identical for every strategy, so only the path choice differs):
 * - health: `observeHealth` / `healthAt` from heartbeats and request outcomes, evaluated every
 *   `tickMs`; dead nodes are skipped by every strategy;
 * - a stage whose planned node is marked dead by the time the previous stage finishes is
 *   re-planned before dispatch; a failed stage is retried (up to `maxRetries` per request) —
 *   the router by `nextBestForStage`, the baselines by their own rule among the remaining nodes;
 * - router only: EWMA compute per (node, shard) (prior = benchmark, half-life 2 s), in-flight
 *   counts, gossiped queue depth, decayed failure penalties, measured RTTs with ~3 % of pairs
 *   missing (→ the conservative default).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { addPenalty, createEwma, DEFAULT_PENALTY_CONFIG, readEwma, readPenalty, updateEwma, ZERO_PENALTY, type EwmaState, type PenaltyState } from "../routing/ewma.ts";
import { NoRouteError } from "../routing/errors.ts";
import { createHealth, DEFAULT_HEALTH_CONFIG, healthAt, observeHealth, type HealthEvent, type HealthRecord } from "../routing/health.ts";
import { placeShards } from "../routing/placement.ts";
import { createRng, type Random } from "../routing/rng.ts";
import { nextBestForStage, planRoute, predictPath } from "../routing/route.ts";
import type { HealthState, NodeId, ShardRef } from "../routing/types.ts";
import { EventQueue } from "./event-queue.ts";

// ---------------------------------------------------------------------------------------------
// Configuration

export type SimConfig = {
  seed: number;
  clusters: number;
  nodesPerCluster: number;
  /** Per stage compute time on a speed-1 node (ms). */
  referenceMs: number[];
  shardBytes: number;
  /** Node memory choices (bytes), drawn uniformly. */
  capacityChoicesBytes: number[];
  targetReplicas: number;
  /** Offered load as a fraction of the cluster's estimated bottleneck-stage capacity. */
  load: number;
  durationMs: number;
  heartbeatIntervalMs: number;
  tickMs: number;
  stageTimeoutMs: number;
  maxRetries: number;
  slowdown: number;
  deathAtMs: number;
  ewmaHalfLifeMs: number;
  missingRttFraction: number;
  /** Requests between two brute-force checks of the router's optimum. */
  bruteForceEvery: number;
};

export const DEFAULT_SIM_CONFIG: SimConfig = {
  seed: 42,
  clusters: 5,
  nodesPerCluster: 44,
  referenceMs: [12, 18, 10],
  shardBytes: 6e9,
  capacityChoicesBytes: [8e9, 8e9, 8e9, 12e9, 16e9],
  targetReplicas: 14,
  load: 0.7,
  durationMs: 20_000,
  heartbeatIntervalMs: DEFAULT_HEALTH_CONFIG.heartbeatIntervalMs,
  tickMs: 50,
  stageTimeoutMs: 200,
  maxRetries: 2,
  slowdown: 10,
  deathAtMs: 8_000,
  ewmaHalfLifeMs: 2_000,
  missingRttFraction: 0.03,
  bruteForceEvery: 400,
};

const MODEL = "sim-model";

// ---------------------------------------------------------------------------------------------
// Topology

type SimNode = {
  id: NodeId;
  index: number;
  cluster: number;
  speed: number;
  declaredSpeed: number;
  capacityBytes: number;
  accessMs: number;
  x: number;
  y: number;
  stages: number[];
};

export type Topology = {
  nodes: SimNode[];
  /** True RTT (ms), n×n. */
  rttTrue: Float64Array;
  /** True client (coordinator of cluster c) ↔ node RTT, clusters×n. */
  clientRttTrue: Float64Array;
  rttView: Map<NodeId, Map<NodeId, number>>;
  clientRttView: Map<NodeId, number>[];
  /** Per cluster, per stage: node indexes serving it (sorted by id). */
  servers: number[][][];
  /** Per cluster arrival rate (requests/ms). */
  ratePerMs: number[];
  slowNode: number;
  dyingNode: number;
  placementSummary: { unplaceable: number; underReplicated: number; colocatedNodes: number; replicasPerStage: number[][] };
};

function normal(rand: Random): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function buildTopology({ config: c }: { config: SimConfig }): Topology {
  const rand = createRng({ seed: c.seed });
  const n = c.clusters * c.nodesPerCluster;
  const nodes: SimNode[] = [];
  const pad = (i: number) => String(i).padStart(3, "0");
  for (let i = 0; i < n; i++) {
    const cluster = Math.floor(i / c.nodesPerCluster);
    const speed = Math.exp(Math.log(0.5) + rand() * Math.log(4)); // log-uniform 0.5 … 2
    const r = Math.sqrt(rand());
    const a = rand() * 2 * Math.PI;
    nodes.push({
      id: `c${cluster}-n${pad(i)}`,
      index: i,
      cluster,
      speed,
      declaredSpeed: speed * Math.exp(0.15 * normal(rand)),
      capacityBytes: c.capacityChoicesBytes[Math.floor(rand() * c.capacityChoicesBytes.length)],
      accessMs: rand() * 3,
      x: r * Math.cos(a),
      y: r * Math.sin(a),
      stages: [],
    });
  }
  const rttTrue = new Float64Array(n * n);
  const rttView = new Map<NodeId, Map<NodeId, number>>();
  for (const a of nodes) rttView.set(a.id, new Map());
  for (const a of nodes)
    for (const b of nodes) {
      if (b.index <= a.index) continue;
      const base =
        a.cluster === b.cluster ? 0.5 + 5 * Math.hypot(a.x - b.x, a.y - b.y) : 40 + 25 * Math.abs(a.cluster - b.cluster) + 10 * Math.hypot(a.x - b.x, a.y - b.y);
      const v = base + a.accessMs + b.accessMs;
      rttTrue[a.index * n + b.index] = rttTrue[b.index * n + a.index] = v;
      if (rand() < c.missingRttFraction) continue; // never measured: the router assumes the default
      const measured = (x: number) => x * (1 + 0.05 * normal(rand)); // probe noise, per direction
      rttView.get(a.id)!.set(b.id, Math.max(0.1, measured(v)));
      rttView.get(b.id)!.set(a.id, Math.max(0.1, measured(v)));
    }
  const clientRttTrue = new Float64Array(c.clusters * n);
  const clientRttView: Map<NodeId, number>[] = [];
  for (let k = 0; k < c.clusters; k++) {
    const r = Math.sqrt(rand());
    const a = rand() * 2 * Math.PI;
    const [cx, cy] = [r * Math.cos(a), r * Math.sin(a)];
    const view = new Map<NodeId, number>();
    for (const nd of nodes) {
      const v = nd.cluster === k ? 0.5 + 5 * Math.hypot(nd.x - cx, nd.y - cy) + nd.accessMs : 40 + 25 * Math.abs(nd.cluster - k) + nd.accessMs;
      clientRttTrue[k * n + nd.index] = v;
      if (nd.cluster === k) view.set(nd.id, v * (1 + 0.05 * normal(rand)));
    }
    clientRttView.push(view);
  }

  const placement = placeShards({
    models: [{ modelId: MODEL, shards: c.referenceMs.map((ms, shardIndex) => ({ shardIndex, memoryBytes: c.shardBytes, referenceComputeMs: ms })) }],
    nodes: nodes.map((nd) => ({ id: nd.id, clusterId: `c${nd.cluster}`, capacityBytes: nd.capacityBytes, speedFactor: nd.declaredSpeed })),
    targetReplicas: c.targetReplicas,
    rtt: rttView,
  });
  const byId = new Map(nodes.map((nd) => [nd.id, nd]));
  const servers: number[][][] = Array.from({ length: c.clusters }, () => c.referenceMs.map(() => [] as number[]));
  for (const r of placement.replicas)
    for (const id of r.nodeIds) {
      const nd = byId.get(id)!;
      nd.stages.push(r.shardIndex);
      servers[nd.cluster][r.shardIndex].push(nd.index);
    }
  for (const perStage of servers) for (const list of perStage) list.sort((a, b) => a - b);
  for (const nd of nodes) nd.stages.sort();

  // Capacity estimate per cluster: each stage's servers, a colocated node's time split evenly.
  const ratePerMs = servers.map((perStage) =>
    c.load * Math.min(...perStage.map((list, k) => list.reduce((s, i) => s + nodes[i].speed / (c.referenceMs[k] * nodes[i].stages.length), 0))),
  );

  // Fault targets: cluster 0's fastest stage-1-only node turns slow; cluster 1's fastest stage-0 node dies.
  const fastest = (list: number[]) => list.reduce((best, i) => (nodes[i].declaredSpeed > nodes[best].declaredSpeed ? i : best), list[0]);
  const slowNode = fastest(servers[0][1].filter((i) => nodes[i].stages.length === 1));
  const dyingNode = fastest(servers[Math.min(1, c.clusters - 1)][0]);
  return {
    nodes,
    rttTrue,
    clientRttTrue,
    rttView,
    clientRttView,
    servers,
    ratePerMs,
    slowNode,
    dyingNode,
    placementSummary: {
      unplaceable: placement.unplaceable.length,
      underReplicated: placement.underReplicated.length,
      colocatedNodes: nodes.filter((nd) => nd.stages.length > 1).length,
      replicasPerStage: servers.map((perStage) => perStage.map((l) => l.length)),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Simulation

export type Strategy = "router" | "round-robin" | "random";
export type Faults = { slow: boolean; dying: boolean };

type Job = { req: Req; stage: number; attempt: number };
type Req = {
  id: number;
  cluster: number;
  t0: number;
  noise: number[];
  path: number[];
  attempt: number;
  failed: Set<number>;
  retries: number;
  predictedMs: number;
  rerouted: boolean;
};

type Ev =
  | { atMs: number; kind: "arrival"; cluster: number }
  | { atMs: number; kind: "at-node"; job: Job; node: number }
  | { atMs: number; kind: "done"; node: number; epoch: number }
  | { atMs: number; kind: "fail"; job: Job; node: number }
  | { atMs: number; kind: "response"; req: Req }
  | { atMs: number; kind: "hb-send"; node: number }
  | { atMs: number; kind: "hb-recv"; node: number; queueLength: number }
  | { atMs: number; kind: "tick" }
  | { atMs: number; kind: "death"; node: number };

type View = {
  id: NodeId;
  clusterId: string;
  health: HealthState;
  shards: { shard: ShardRef; computeMs: number }[];
  inFlight: number;
  queueDepth: number;
  penaltyMs: number;
  concurrency: number;
};

export type RunResult = {
  strategy: Strategy;
  faults: Faults;
  requests: number;
  completed: number;
  clientFailures: number;
  stageFailuresRetried: number;
  preDispatchReroutes: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** p99 of cluster 0 (the slow node's cluster) and cluster 1 (the dying node's). */
  p99Cluster0Ms: number;
  p99Cluster1Ms: number;
  /** Stage executions the slow node performed. */
  slowNodeStages: number;
  /** Router only: chosen predicted cost / exact optimum, over every routing decision. */
  chosenOverOptimum?: { mean: number; max: number; decisions: number };
  /** Router only: sampled brute-force checks of the DP optimum. */
  bruteForce?: { checks: number; mismatches: number; pathsEnumerated: number };
  /** Router only: realised / predicted latency for requests without retry. */
  realisedOverPredicted?: { mean: number };
  /** Dying node: ms from death (and from its last heartbeat) until the coordinator marked it dead. */
  deathDetection?: { afterDeathMs: number; afterLastHeartbeatMs: number } | null;
  /** Sanity: Σ in-flight left after the run drained (must be 0) and requests neither answered nor failed (must be 0). */
  leaks: { inFlight: number; unaccounted: number };
  wallMs: number;
};

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

export function runSim({ config: c, topology: tp, strategy, faults }: { config: SimConfig; topology: Topology; strategy: Strategy; faults: Faults }): RunResult {
  const wall0 = performance.now();
  const N = tp.nodes.length;
  const stages: ShardRef[] = c.referenceMs.map((_, shardIndex) => ({ modelId: MODEL, shardIndex }));
  const K = stages.length;
  const arrivalsRand = createRng({ seed: c.seed + 1 });
  const routerRand = createRng({ seed: c.seed + 2 });
  const baselineRand = createRng({ seed: c.seed + 3 });
  const hbRand = createRng({ seed: c.seed + 4 });
  const q = new EventQueue<Ev>();

  // World state.
  const slowdown = tp.nodes.map((nd) => (faults.slow && nd.index === tp.slowNode ? c.slowdown : 1));
  const dead = new Array<boolean>(N).fill(false);
  const epoch = new Array<number>(N).fill(0);
  const queues: Job[][] = tp.nodes.map(() => []);
  const current: (Job | undefined)[] = new Array(N).fill(undefined);
  const startedAt = new Float64Array(N);
  const lastHbSent = new Float64Array(N);
  const owd = (a: number, b: number) => tp.rttTrue[a * N + b] / 2;
  const clientOwd = (cluster: number, i: number) => tp.clientRttTrue[cluster * N + i] / 2;

  // Coordinator state.
  const views: View[] = tp.nodes.map((nd) => ({
    id: nd.id,
    clusterId: `c${nd.cluster}`,
    health: "alive",
    shards: nd.stages.map((k) => ({ shard: stages[k], computeMs: c.referenceMs[k] / nd.declaredSpeed })),
    inFlight: 0,
    queueDepth: 0,
    penaltyMs: 0,
    concurrency: 1,
  }));
  const clusterViews: View[][] = Array.from({ length: c.clusters }, (_, k) => views.filter((_, i) => tp.nodes[i].cluster === k && tp.nodes[i].stages.length > 0));
  const ewmas: EwmaState[][] = tp.nodes.map((nd) => nd.stages.map((k) => createEwma({ priorValue: c.referenceMs[k] / nd.declaredSpeed, nowMs: 0 })));
  const health: HealthRecord[] = tp.nodes.map(() => createHealth({ nowMs: 0 }));
  const penalties: PenaltyState[] = tp.nodes.map(() => ZERO_PENALTY);
  const idToIndex = new Map(tp.nodes.map((nd) => [nd.id, nd.index]));
  const rrCounter = tp.servers.map((perStage) => perStage.map(() => 0));
  const observe = (i: number, event: HealthEvent, now: number) => {
    health[i] = observeHealth({ record: health[i], event, nowMs: now });
    views[i].health = healthAt({ record: health[i], nowMs: now });
  };

  // Metrics.
  const latencies: number[] = [];
  const latC0: number[] = [];
  const latC1: number[] = [];
  let requests = 0;
  let clientFailures = 0;
  let stageFailures = 0;
  let reroutes = 0;
  let slowNodeStages = 0;
  let ratioSum = 0;
  let ratioMax = 0;
  let decisions = 0;
  let bfChecks = 0;
  let bfMismatch = 0;
  let bfPaths = 0;
  let calibSum = 0;
  let calibN = 0;
  let detectedAt = -1;

  const routeOpts = (cluster: number) => ({ stages, nodes: clusterViews[cluster], rtt: tp.rttView, clientRttMs: tp.clientRttView[cluster], clusterId: `c${cluster}` });

  /** Baselines: the next (round-robin) or a random eligible node of the stage in the cluster. */
  function baselinePick(req: Req, k: number): number | undefined {
    const list = tp.servers[req.cluster][k].filter((i) => views[i].health !== "dead" && !req.failed.has(i));
    if (list.length === 0) return undefined;
    if (strategy === "random") return list[Math.floor(baselineRand() * list.length)];
    const all = tp.servers[req.cluster][k];
    for (let step = 0; step < all.length; step++) {
      const i = all[rrCounter[req.cluster][k]++ % all.length];
      if (views[i].health !== "dead" && !req.failed.has(i)) return i;
    }
    return undefined;
  }

  function bruteForceCheck(cluster: number, optimumMs: number) {
    const o = routeOpts(cluster);
    const eligible = stages.map((_, k) => tp.servers[cluster][k].filter((i) => views[i].health !== "dead").map((i) => tp.nodes[i].id));
    let best = Infinity;
    const walk = (k: number, path: string[]) => {
      if (k === K) {
        bfPaths++;
        best = Math.min(best, predictPath({ ...o, path }).predictedMs);
        return;
      }
      for (const id of eligible[k]) walk(k + 1, [...path, id]);
    };
    walk(0, []);
    bfChecks++;
    if (best !== optimumMs) bfMismatch++;
  }

  function fail(req: Req) {
    clientFailures++;
    req.attempt = -1;
  }

  /** Re-plans stage k (and, for the router, the stages after it) excluding req.failed. */
  function replan(req: Req, k: number): boolean {
    for (let s = k; s < K; s++) views[req.path[s]].inFlight--;
    if (strategy === "router") {
      try {
        const r = nextBestForStage({ ...routeOpts(req.cluster), prefix: req.path.slice(0, k).map((i) => tp.nodes[i].id), failedNodeIds: [...req.failed].map((i) => tp.nodes[i].id) });
        for (let s = k; s < K; s++) req.path[s] = idToIndex.get(r.path[s])!;
      } catch (e) {
        if (!(e instanceof NoRouteError)) throw e;
        return false;
      }
    } else {
      const i = baselinePick(req, k);
      if (i === undefined) return false;
      req.path[k] = i;
    }
    for (let s = k; s < K; s++) views[req.path[s]].inFlight++;
    return true;
  }

  function dispatch(req: Req, k: number, now: number) {
    if (views[req.path[k]].health === "dead") {
      // The planned node was marked dead after planning: re-plan before sending.
      reroutes++;
      req.rerouted = true;
      req.failed.add(req.path[k]);
      if (!replan(req, k)) return fail(req); // replan released the in-flight slots
    }
    const to = req.path[k];
    const delay = k === 0 ? clientOwd(req.cluster, to) : owd(req.path[k - 1], to);
    q.push({ atMs: now + delay, kind: "at-node", job: { req, stage: k, attempt: ++req.attempt }, node: to });
  }

  function startService(i: number, now: number) {
    if (current[i] !== undefined || queues[i].length === 0 || dead[i]) return;
    const job = queues[i].shift()!;
    current[i] = job;
    startedAt[i] = now;
    const ms = (c.referenceMs[job.stage] / tp.nodes[i].speed) * slowdown[i] * job.req.noise[job.stage];
    q.push({ atMs: now + ms, kind: "done", node: i, epoch: epoch[i] });
  }

  function onArrival(cluster: number, now: number) {
    q.push({ atMs: now - Math.log(1 - arrivalsRand()) / tp.ratePerMs[cluster], kind: "arrival", cluster });
    const noise = stages.map(() => Math.exp(0.25 * normal(arrivalsRand) - 0.03125));
    requests++;
    const req: Req = { id: requests, cluster, t0: now, noise, path: [], attempt: 0, failed: new Set(), retries: 0, predictedMs: NaN, rerouted: false };
    if (strategy === "router") {
      try {
        const plan = planRoute({ ...routeOpts(cluster), random: routerRand });
        req.path = plan.path.map((id) => idToIndex.get(id)!);
        req.predictedMs = plan.predictedMs;
        const ratio = plan.predictedMs / plan.optimumMs;
        ratioSum += ratio;
        ratioMax = Math.max(ratioMax, ratio);
        decisions++;
        if (requests % c.bruteForceEvery === 0) bruteForceCheck(cluster, plan.optimumMs);
      } catch (e) {
        if (!(e instanceof NoRouteError)) throw e;
        return fail(req);
      }
    } else {
      for (let k = 0; k < K; k++) {
        const i = baselinePick(req, k);
        if (i === undefined) return fail(req);
        req.path.push(i);
      }
    }
    for (const i of req.path) views[i].inFlight++;
    dispatch(req, 0, now);
  }

  function onDone(i: number, now: number) {
    const job = current[i]!;
    current[i] = undefined;
    const { req, stage } = job;
    if (i === tp.slowNode) slowNodeStages++;
    // Completion report: the node's measured compute time feeds the EWMA.
    const slot = tp.nodes[i].stages.indexOf(stage);
    ewmas[i][slot] = updateEwma({ ewma: ewmas[i][slot], value: now - startedAt[i], nowMs: now, halfLifeMs: c.ewmaHalfLifeMs });
    views[i].shards[slot].computeMs = readEwma({ ewma: ewmas[i][slot] });
    views[i].inFlight--;
    if (health[i].consecutiveFailures > 0) observe(i, { kind: "request-ok" }, now);
    if (stage < K - 1) dispatch(req, stage + 1, now);
    else q.push({ atMs: now + clientOwd(req.cluster, i), kind: "response", req });
    startService(i, now);
  }

  function onFail(job: Job, i: number, now: number) {
    const { req, stage } = job;
    if (req.attempt !== job.attempt) return;
    stageFailures++;
    observe(i, { kind: "request-timeout" }, now);
    penalties[i] = addPenalty({ penalty: penalties[i], kind: "timeout", nowMs: now });
    views[i].penaltyMs = readPenalty({ penalty: penalties[i], nowMs: now });
    req.failed.add(i);
    req.rerouted = true;
    if (++req.retries > c.maxRetries || !replan(req, stage)) {
      if (req.retries > c.maxRetries) for (let s = stage; s < K; s++) views[req.path[s]].inFlight--;
      return fail(req);
    }
    dispatch(req, stage, now);
  }

  // Schedule.
  for (let k = 0; k < c.clusters; k++) q.push({ atMs: -Math.log(1 - arrivalsRand()) / tp.ratePerMs[k], kind: "arrival", cluster: k });
  for (let i = 0; i < N; i++) q.push({ atMs: hbRand() * c.heartbeatIntervalMs, kind: "hb-send", node: i });
  q.push({ atMs: c.tickMs, kind: "tick" });
  if (faults.dying) q.push({ atMs: c.deathAtMs, kind: "death", node: tp.dyingNode });

  let ev: Ev | undefined;
  while ((ev = q.pop())) {
    const now = ev.atMs;
    switch (ev.kind) {
      case "arrival":
        if (now < c.durationMs) onArrival(ev.cluster, now);
        break;
      case "at-node": {
        const { job, node: i } = ev;
        if (job.req.attempt !== job.attempt) break;
        if (dead[i]) q.push({ atMs: now + c.stageTimeoutMs, kind: "fail", job, node: i });
        else {
          queues[i].push(job);
          startService(i, now);
        }
        break;
      }
      case "done":
        if (ev.epoch === epoch[ev.node]) onDone(ev.node, now);
        break;
      case "fail":
        onFail(ev.job, ev.node, now);
        break;
      case "response": {
        const lat = now - ev.req.t0;
        latencies.push(lat);
        if (ev.req.cluster === 0) latC0.push(lat);
        if (ev.req.cluster === 1) latC1.push(lat);
        if (strategy === "router" && !ev.req.rerouted) (calibSum += lat / ev.req.predictedMs), calibN++;
        break;
      }
      case "hb-send": {
        const i = ev.node;
        if (dead[i] || now >= c.durationMs + 5_000) break;
        lastHbSent[i] = now;
        q.push({ atMs: now + tp.clientRttTrue[tp.nodes[i].cluster * N + i] / 2, kind: "hb-recv", node: i, queueLength: queues[i].length + (current[i] ? 1 : 0) });
        q.push({ atMs: now + c.heartbeatIntervalMs + (hbRand() - 0.5) * 40, kind: "hb-send", node: i });
        break;
      }
      case "hb-recv":
        observe(ev.node, { kind: "heartbeat" }, now);
        views[ev.node].queueDepth = ev.queueLength;
        break;
      case "tick":
        for (let i = 0; i < N; i++) {
          views[i].health = healthAt({ record: health[i], nowMs: now });
          views[i].penaltyMs = readPenalty({ penalty: penalties[i], nowMs: now, halfLifeMs: DEFAULT_PENALTY_CONFIG.halfLifeMs });
        }
        if (faults.dying && detectedAt < 0 && views[tp.dyingNode].health === "dead") detectedAt = now;
        if (now < c.durationMs + 5_000) q.push({ atMs: now + c.tickMs, kind: "tick" });
        break;
      case "death": {
        const i = ev.node;
        dead[i] = true;
        epoch[i]++;
        const lost = [...(current[i] ? [current[i]!] : []), ...queues[i]];
        current[i] = undefined;
        queues[i] = [];
        for (const job of lost) q.push({ atMs: now + c.stageTimeoutMs, kind: "fail", job, node: i });
        break;
      }
    }
  }

  const sorted = Float64Array.from(latencies).sort();
  const s0 = Float64Array.from(latC0).sort();
  const s1 = Float64Array.from(latC1).sort();
  return {
    strategy,
    faults,
    requests,
    completed: latencies.length,
    clientFailures,
    stageFailuresRetried: stageFailures,
    preDispatchReroutes: reroutes,
    meanMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    p999Ms: quantile(sorted, 0.999),
    maxMs: sorted[sorted.length - 1],
    p99Cluster0Ms: quantile(s0, 0.99),
    p99Cluster1Ms: quantile(s1, 0.99),
    slowNodeStages,
    ...(strategy === "router"
      ? {
          chosenOverOptimum: { mean: ratioSum / decisions, max: ratioMax, decisions },
          bruteForce: { checks: bfChecks, mismatches: bfMismatch, pathsEnumerated: bfPaths },
          realisedOverPredicted: { mean: calibSum / calibN },
        }
      : {}),
    deathDetection: faults.dying ? (detectedAt < 0 ? null : { afterDeathMs: detectedAt - c.deathAtMs, afterLastHeartbeatMs: detectedAt - lastHbSent[tp.dyingNode] }) : undefined,
    leaks: { inFlight: views.reduce((s, v) => s + v.inFlight, 0), unaccounted: requests - latencies.length - clientFailures },
    wallMs: performance.now() - wall0,
  };
}

// ---------------------------------------------------------------------------------------------
// Main

function main() {
  const log = pino({ name: "sim:routing" }, pino.destination(2));
  const config = DEFAULT_SIM_CONFIG;
  const t0 = performance.now();
  const topology = buildTopology({ config });
  const ps = topology.placementSummary;
  log.info({ nodes: topology.nodes.length, ...ps, ratePerSecond: topology.ratePerMs.map((r) => Math.round(r * 1000)) }, "topology and placement");

  const none: Faults = { slow: false, dying: false };
  const slowOnly: Faults = { slow: true, dying: false };
  const both: Faults = { slow: true, dying: true };
  const scenarios: [Strategy, Faults][] = [
    ["router", none],
    ["router", slowOnly],
    ["router", both],
    ["round-robin", none],
    ["round-robin", both],
    ["random", none],
    ["random", both],
  ];
  const results: RunResult[] = [];
  for (const [strategy, faults] of scenarios) {
    const r = runSim({ config, topology, strategy, faults });
    log.info({ strategy, faults, wallMs: Math.round(r.wallMs), requests: r.requests }, "scenario done");
    results.push(r);
  }

  const find = (s: Strategy, f: Faults) => results.find((r) => r.strategy === s && r.faults === f)!;
  const rNone = find("router", none);
  const rSlow = find("router", slowOnly);
  const rBoth = find("router", both);
  const targets = {
    chosenOverOptimumMean: { value: rBoth.chosenOverOptimum!.mean, target: 1.05, met: rBoth.chosenOverOptimum!.mean <= 1.05 },
    p99SlowOverNoFault: { value: rSlow.p99Ms / rNone.p99Ms, target: 1.2, met: rSlow.p99Ms / rNone.p99Ms <= 1.2 },
    deathDetectedWithinMs: { value: rBoth.deathDetection?.afterLastHeartbeatMs ?? null, target: 1500, met: (rBoth.deathDetection?.afterLastHeartbeatMs ?? Infinity) <= 1500 },
    clientFailures: { value: rBoth.clientFailures, target: 0, met: rBoth.clientFailures === 0 },
  };

  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "—");
  const faultName = (x: Faults) => (x.slow && x.dying ? "slow+dying" : x.slow ? "slow" : "none");
  const rows = results.map((r) => [
    r.strategy,
    faultName(r.faults),
    String(r.completed),
    f(r.meanMs),
    f(r.p50Ms),
    f(r.p99Ms),
    f(r.p99Cluster0Ms),
    f(r.p999Ms),
    String(r.clientFailures),
    String(r.stageFailuresRetried),
    String(r.slowNodeStages),
    r.chosenOverOptimum ? `${f(r.chosenOverOptimum.mean, 4)} / ${f(r.chosenOverOptimum.max, 4)}` : "—",
  ]);
  const head = ["strategy", "faults", "completed", "mean ms", "p50 ms", "p99 ms", "p99 c0 ms", "p99.9 ms", "client fail", "stage fail (retried)", "slow-node stages", "chosen/opt avg / max"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((x, i) => (i < 2 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join("  ");
  const out: string[] = [];
  out.push(`ProofMesh routing simulation — ${topology.nodes.length} nodes in ${config.clusters} clusters, ${config.referenceMs.length}-stage model, ${f(config.durationMs / 1000, 0)} s simulated, seed ${config.seed}`);
  out.push(`offered load ${config.load} of bottleneck capacity (${topology.ratePerMs.map((r) => Math.round(r * 1000)).join(", ")} req/s per cluster); placement: replicas per stage per cluster ${JSON.stringify(ps.replicasPerStage[0])} (c0), ${ps.colocatedNodes} nodes hold 2 consecutive shards, ${ps.underReplicated} under-replicated, ${ps.unplaceable} unplaceable`);
  out.push(`slow node ${topology.nodes[topology.slowNode].id} (${config.slowdown}× compute, cluster 0, stage 1); dying node ${topology.nodes[topology.dyingNode].id} (cluster 1, stage 0, dies at ${config.deathAtMs} ms)`);
  out.push("");
  out.push(line(head));
  out.push(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) out.push(line(r));
  out.push("");
  out.push(`router chosen/optimum (predicted, same state; ${rBoth.chosenOverOptimum!.decisions} decisions, slow+dying run): mean ${f(targets.chosenOverOptimumMean.value, 4)} (target ≤ 1.05: ${targets.chosenOverOptimumMean.met ? "met" : "MISSED"}), max ${f(rBoth.chosenOverOptimum!.max, 4)}`);
  out.push(`DP optimum vs brute force (sampled): ${rBoth.bruteForce!.checks + rNone.bruteForce!.checks + rSlow.bruteForce!.checks} checks, ${rBoth.bruteForce!.mismatches + rNone.bruteForce!.mismatches + rSlow.bruteForce!.mismatches} mismatches`);
  out.push(`router p99 with one slow node / no fault: ${f(rSlow.p99Ms)} / ${f(rNone.p99Ms)} = ${f(targets.p99SlowOverNoFault.value, 3)} (target ≤ 1.2: ${targets.p99SlowOverNoFault.met ? "met" : "MISSED"}); slow+dying / no fault: ${f(rBoth.p99Ms / rNone.p99Ms, 3)}`);
  out.push(`dying node marked dead ${f(rBoth.deathDetection?.afterDeathMs ?? NaN, 0)} ms after death, ${f(targets.deathDetectedWithinMs.value ?? NaN, 0)} ms after its last heartbeat (target ≤ 1500: ${targets.deathDetectedWithinMs.met ? "met" : "MISSED"})`);
  out.push(`router realised/predicted latency (requests without retry): ${f(rNone.realisedOverPredicted!.mean, 3)} (no fault), ${f(rBoth.realisedOverPredicted!.mean, 3)} (slow+dying)`);
  out.push(`sanity: in-flight left after drain ${results.map((r) => r.leaks.inFlight).join("/")}, unaccounted requests ${results.map((r) => r.leaks.unaccounted).join("/")} (all must be 0)`);
  out.push(`total wall time ${f((performance.now() - t0) / 1000, 1)} s`);
  process.stdout.write(out.join("\n") + "\n");

  const file = join(import.meta.dirname, "results.json");
  writeFileSync(
    file,
    JSON.stringify(
      {
        config,
        topology: { nodes: topology.nodes.length, slowNode: topology.nodes[topology.slowNode].id, dyingNode: topology.nodes[topology.dyingNode].id, ratePerSecond: topology.ratePerMs.map((r) => r * 1000), placement: ps },
        targets,
        results,
      },
      null,
      2,
    ) + "\n",
  );
  log.info({ file }, "results written");
}

if (import.meta.main) main();
