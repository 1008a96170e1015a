/**
 * The coordinator's live view of the mesh: the staked nodes from the chain index, plus what
 * gossip, probes and observed requests say about them; turned into the routing package's
 * `NodeView`s, RTT matrix and placement.
 *
 * Health (coordinator/routing/health.ts, DEFAULT_HEALTH_CONFIG):
 * - evidence of life = an accepted signed heartbeat (gossip, nodes beat every 250 ms) OR a
 *   successful active probe `GET {endpoint}/v1/health` (every `probeIntervalMs`, default 250 ms,
 *   timeout `probeTimeoutMs`, default 400 ms);
 * - suspect after 600 ms of silence or one failed probe/request; dead after 1200 ms of silence,
 *   two consecutive failures, or silence ≥ 600 ms plus one failure; dead is sticky until two
 *   fresh signs of life with no outstanding failure.
 * - Bound: a killed node stops answering probes at once, so it is dead within
 *   600 ms (suspect) + ≤ 250 ms (next probe fails) + probe timeout ≤ ~1.25 s, and at the latest
 *   1.2 s after its last sign of life; a request that hits it first is retried at once anyway.
 *
 * Compute time: EWMA per (node, shard) of the `computeMs` the pipeline traces report (half-life
 * 10 s, prior = the node's gossiped EWMA, else `priorComputeMs`). RTT: node↔node from the signed
 * heartbeats' `rttMs`, coordinator→node from the probes. Backlog: the node's gossiped `inFlight`
 * (stage executions in progress), not its gossiped `queueDepth` (prover backlog, shown in the
 * explorer only).
 *
 * Which shards a node serves: what its latest heartbeat announces (`servedShards`) when it has
 * gossiped, otherwise what placement assigned it (capacity = registered memoryBytes vs shard
 * memoryBytes from the ModelRegistry). Eligible = in an active cluster, stake ≥ min stake, nothing
 * unbonding, model registered by the node (the JobMarket's `checkEligible` rules).
 */
import type { Logger } from "pino";
import { getAddress, type Address } from "viem";
import type { HeartbeatEvent } from "../node/gossip/mesh.ts";
import { createEwma, readEwma, readPenalty, updateEwma, addPenalty, ZERO_PENALTY, type EwmaState, type PenaltyState } from "./routing/ewma.ts";
import { createHealth, healthAt, observeHealth, type HealthEvent, type HealthRecord } from "./routing/health.ts";
import { placeShards, type PlaceShardsReturnType } from "./routing/placement.ts";
import { shardKey, type HealthState, type NodeView, type ShardRef } from "./routing/types.ts";
import type { Db } from "./db.ts";

/** Probe timeouts observed this much later than due are blamed on our own event loop. */
export const LOOP_LAG_TOLERANCE_MS = 150;

export type NodeRow = {
  id: number;
  operator: Address;
  signer: Address;
  endpoint: string;
  clusterId: number;
  memoryBytes: bigint;
  modelIds: string[];
  stake: bigint;
  unbonding: bigint;
  unbondEnd: number;
  slashed: bigint;
};

export type ClusterRow = { id: number; label: string; region: string; minStake: bigint; active: boolean };
export type ShardRow = { modelId: string; shard: number; verifier: Address; weightsHash: string; memoryBytes: bigint; pricePerStage: bigint };
export type ModelRow = { modelId: string; index: number; shardCount: number; totalPrice: bigint; active: boolean; shards: ShardRow[] };

type Runtime = {
  health: HealthRecord;
  penalty: PenaltyState;
  ewma: Map<string, EwmaState>;
  gossipEwma: Map<string, number>;
  inFlight: number;
  /** the node's prover backlog (heartbeat `queueDepth`: stages waiting to be proven or submitted) */
  queueDepth: number;
  /** the node's fast-path stage executions in progress (heartbeat `inFlight`): the backlog routing uses */
  gossipInFlight: number;
  load: number | null;
  servedShards: ShardRef[] | null;
  gossipEndpoint: string | null;
  heartbeatAtMs: number | null;
  peerRtt: Map<string, number>;
  probeRttMs: number | null;
  lastProbe: { ok: boolean; atMs: number; error?: string } | null;
};

export type ClusterViewOptions = {
  db: Db;
  log: Logger;
  probeIntervalMs: number;
  probeTimeoutMs: number;
  replicas: number;
  /** compute-time prior (ms) before any measurement, default 5 */
  priorComputeMs?: number;
  ewmaHalfLifeMs?: number;
  nowMs?: () => number;
  fetch?: typeof fetch;
};

export type NodeSnapshot = NodeRow & {
  health: HealthState;
  eligible: boolean;
  ineligibleReason: string | null;
  endpointInUse: string;
  inFlight: number;
  queueDepth: number;
  load: number | null;
  penaltyMs: number;
  probeRttMs: number | null;
  lastHeartbeatAtMs: number | null;
  lastProbe: { ok: boolean; atMs: number; error?: string } | null;
  placedShards: ShardRef[];
  servedShards: ShardRef[];
  computeMs: { modelId: string; shard: number; ewmaMs: number; source: "observed" | "gossip" | "prior" }[];
  rttMs: { nodeId: number; rttMs: number }[];
};

export type ClusterView = ReturnType<typeof createClusterView>;

export function createClusterView(o: ClusterViewOptions) {
  const now = o.nowMs ?? (() => Date.now());
  const doFetch = o.fetch ?? fetch;
  const prior = o.priorComputeMs ?? 5;
  const halfLife = o.ewmaHalfLifeMs ?? 10_000;
  const log = o.log.child({ component: "cluster-view" });
  const rt = new Map<number, Runtime>();
  let nodes: NodeRow[] = [];
  let clusters = new Map<number, ClusterRow>();
  let models = new Map<string, ModelRow>();
  let bySigner = new Map<string, NodeRow>();
  let placement: PlaceShardsReturnType = { replicas: [], nodes: [], unplaceable: [], underReplicated: [] };
  let placedByNode = new Map<number, ShardRef[]>();
  let placementKey = "";
  let probeTimer: ReturnType<typeof setInterval> | undefined;
  const probing = new Set<number>();

  function runtime(id: number): Runtime {
    let r = rt.get(id);
    if (!r) {
      r = {
        health: createHealth({ nowMs: now() }),
        penalty: ZERO_PENALTY,
        ewma: new Map(),
        gossipEwma: new Map(),
        inFlight: 0,
        queueDepth: 0,
        gossipInFlight: 0,
        load: null,
        servedShards: null,
        gossipEndpoint: null,
        heartbeatAtMs: null,
        peerRtt: new Map(),
        probeRttMs: null,
        lastProbe: null,
      };
      rt.set(id, r);
    }
    return r;
  }

  function observe(id: number, event: HealthEvent | undefined) {
    const r = runtime(id);
    r.health = observeHealth({ record: r.health, event, nowMs: now() });
  }

  function healthOf(id: number): HealthState {
    return healthAt({ record: runtime(id).health, nowMs: now() });
  }

  /** Reloads nodes, clusters and models from the index (after the indexer saw registry events). */
  function refresh() {
    const rows = o.db.prepare("SELECT * FROM nodes ORDER BY id").all() as Record<string, string | number>[];
    nodes = rows.map((r) => ({
      id: Number(r.id),
      operator: getAddress(String(r.operator)),
      signer: getAddress(String(r.signer)),
      endpoint: String(r.endpoint),
      clusterId: Number(r.cluster_id),
      memoryBytes: BigInt(r.memory_bytes),
      modelIds: JSON.parse(String(r.model_ids)) as string[],
      stake: BigInt(r.stake),
      unbonding: BigInt(r.unbonding),
      unbondEnd: Number(r.unbond_end),
      slashed: BigInt(r.slashed),
    }));
    bySigner = new Map(nodes.map((n) => [n.signer.toLowerCase(), n]));
    clusters = new Map(
      (o.db.prepare("SELECT * FROM clusters ORDER BY id").all() as Record<string, string | number>[]).map((r) => [
        Number(r.id),
        { id: Number(r.id), label: String(r.label), region: String(r.region), minStake: BigInt(r.min_stake), active: Number(r.active) === 1 },
      ]),
    );
    const shardRows = (o.db.prepare("SELECT * FROM shards ORDER BY model_id, shard").all() as Record<string, string | number>[]).map((r) => ({
      modelId: String(r.model_id),
      shard: Number(r.shard),
      verifier: getAddress(String(r.verifier)),
      weightsHash: String(r.weights_hash),
      memoryBytes: BigInt(r.memory_bytes),
      pricePerStage: BigInt(r.price_per_stage),
    }));
    models = new Map(
      (o.db.prepare("SELECT * FROM models ORDER BY model_id").all() as Record<string, string | number>[]).map((r) => [
        String(r.model_id),
        {
          modelId: String(r.model_id),
          index: Number(r.idx),
          shardCount: Number(r.shard_count),
          totalPrice: BigInt(r.total_price),
          active: Number(r.active) === 1,
          shards: shardRows.filter((s) => s.modelId === String(r.model_id)),
        },
      ]),
    );
    for (const n of nodes) runtime(n.id);
    replace();
  }

  function ineligibleReason(n: NodeRow): string | null {
    if (n.clusterId === 0) return "not in a cluster";
    const c = clusters.get(n.clusterId);
    if (!c) return `unknown cluster ${n.clusterId}`;
    if (!c.active) return `cluster ${n.clusterId} inactive`;
    if (n.unbonding > 0n) return "stake unbonding";
    if (n.stake < c.minStake || n.stake === 0n) return `stake ${n.stake} below cluster minimum ${c.minStake}`;
    return null;
  }

  /** Recomputes placement when the registry or the set of dead nodes changed. */
  function replace() {
    const eligible = nodes.filter((n) => ineligibleReason(n) === null);
    const key = JSON.stringify([eligible.map((n) => [n.id, n.clusterId, String(n.memoryBytes), n.modelIds, healthOf(n.id) === "dead"]), [...models.keys()]]);
    if (key === placementKey) return;
    placementKey = key;
    const free = new Map(eligible.map((n) => [n.id, Number(n.memoryBytes)]));
    const out: PlaceShardsReturnType = { replicas: [], nodes: [], unplaceable: [], underReplicated: [] };
    const byNode = new Map<number, ShardRef[]>();
    for (const m of [...models.values()].filter((x) => x.active && x.shards.length === x.shardCount)) {
      const holders = eligible.filter((n) => n.modelIds.includes(m.modelId));
      if (holders.length === 0) continue;
      const r = placeShards({
        models: [{ modelId: m.modelId, shards: m.shards.map((s) => ({ shardIndex: s.shard, memoryBytes: Math.max(1, Number(s.memoryBytes)) })) }],
        nodes: holders.map((n) => ({ id: String(n.id), clusterId: String(n.clusterId), capacityBytes: free.get(n.id) ?? 0, health: healthOf(n.id) })),
        targetReplicas: o.replicas,
      });
      out.replicas.push(...r.replicas);
      out.unplaceable.push(...r.unplaceable);
      out.underReplicated.push(...r.underReplicated);
      for (const pn of r.nodes) {
        const id = Number(pn.id);
        free.set(id, pn.freeBytes);
        byNode.set(id, [...(byNode.get(id) ?? []), ...pn.shards]);
      }
    }
    out.nodes = eligible.map((n) => ({ id: String(n.id), clusterId: String(n.clusterId), shards: byNode.get(n.id) ?? [], usedBytes: Number(n.memoryBytes) - (free.get(n.id) ?? 0), freeBytes: free.get(n.id) ?? 0 }));
    placement = out;
    placedByNode = byNode;
    log.debug({ replicas: out.replicas.length, unplaceable: out.unplaceable.length }, "placement recomputed");
  }

  function served(n: NodeRow): ShardRef[] {
    const r = runtime(n.id);
    const fresh = r.heartbeatAtMs !== null && now() - r.heartbeatAtMs < 5_000;
    if (fresh && r.servedShards) return r.servedShards.filter((s) => n.modelIds.includes(s.modelId));
    const placed = placedByNode.get(n.id) ?? [];
    // Placement leaves dead nodes out. A node whose heartbeats stopped for > 5 s (an event loop
    // starved by proving on a loaded machine looks just like a crash) still serves what it last
    // announced: keep that, so the pipeline's last resort (try nodes marked dead when a stage has
    // no live node) has something to try instead of refusing the job with NO_ROUTE.
    if (placed.length === 0 && r.servedShards) return r.servedShards.filter((s) => n.modelIds.includes(s.modelId));
    return placed;
  }

  function computeOf(n: NodeRow, s: ShardRef): { ewmaMs: number; source: "observed" | "gossip" | "prior" } {
    const r = runtime(n.id);
    const k = shardKey(s);
    const e = r.ewma.get(k);
    if (e) return { ewmaMs: readEwma({ ewma: e }), source: "observed" };
    const g = r.gossipEwma.get(k);
    if (g !== undefined) return { ewmaMs: g, source: "gossip" };
    return { ewmaMs: prior, source: "prior" };
  }

  const endpointOf = (n: NodeRow): string => runtime(n.id).gossipEndpoint ?? n.endpoint;

  // ------------------------------------------------------------------ inputs from the world

  /** Gossip listener: a verified heartbeat of a registered signer. */
  function ingestHeartbeat(event: HeartbeatEvent) {
    const hb = event.heartbeat;
    const n = bySigner.get(hb.nodeAddress.toLowerCase());
    if (!n) return;
    const r = runtime(n.id);
    observe(n.id, { kind: "heartbeat" });
    r.heartbeatAtMs = now();
    r.queueDepth = hb.queueDepth;
    r.gossipInFlight = hb.inFlight;
    r.load = hb.load;
    r.servedShards = hb.servedShards.map((s) => ({ modelId: s.modelId.toLowerCase(), shardIndex: s.shard }));
    r.gossipEndpoint = hb.endpoint;
    for (const e of hb.computeEwmaMs) r.gossipEwma.set(shardKey({ modelId: e.modelId.toLowerCase(), shardIndex: e.shard }), e.ewmaMs);
    r.peerRtt.clear();
    for (const p of hb.rttMs) {
      const peer = bySigner.get(p.nodeAddress.toLowerCase());
      if (peer) r.peerRtt.set(String(peer.id), p.rttMs);
    }
  }

  /** gossip `isRegistered`: the heartbeat's signer is a registered node signer in that cluster. */
  function isRegistered(nodeAddress: Address, clusterId: number): boolean {
    const n = bySigner.get(nodeAddress.toLowerCase());
    return n !== undefined && n.clusterId === clusterId;
  }

  async function probe(n: NodeRow): Promise<void> {
    if (probing.has(n.id)) return;
    probing.add(n.id);
    const r = runtime(n.id);
    const t0 = performance.now();
    try {
      const res = await doFetch(endpointUrl(endpointOf(n), "v1/health"), { signal: AbortSignal.timeout(o.probeTimeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const ms = performance.now() - t0;
      r.probeRttMs = r.probeRttMs === null ? ms : 0.7 * r.probeRttMs + 0.3 * ms;
      r.lastProbe = { ok: true, atMs: now() };
      observe(n.id, { kind: "heartbeat" });
      observe(n.id, { kind: "probe-ok" });
    } catch (err) {
      const elapsedMs = performance.now() - t0;
      const timeout = (err as Error)?.name === "TimeoutError";
      r.lastProbe = { ok: false, atMs: now(), error: err instanceof Error ? err.message : String(err) };
      // A timeout that fired far too late means OUR event loop was blocked, not that the node is
      // slow: do not count it (a dead node refuses at once; a hung one times out on time).
      if (timeout && elapsedMs > o.probeTimeoutMs + LOOP_LAG_TOLERANCE_MS) return;
      observe(n.id, { kind: "probe-failed" });
    } finally {
      probing.delete(n.id);
    }
  }

  async function probeAll(): Promise<void> {
    await Promise.all(nodes.filter((n) => ineligibleReason(n) === null).map((n) => probe(n)));
    replace();
  }

  // ------------------------------------------------------------------ request outcomes

  function recordOutcome({ nodeId, kind }: { nodeId: number; kind: "ok" | "error" | "timeout" }) {
    const r = runtime(nodeId);
    if (kind === "ok") return observe(nodeId, { kind: "request-ok" });
    r.penalty = addPenalty({ penalty: r.penalty, kind, nowMs: now() });
    observe(nodeId, { kind: kind === "timeout" ? "request-timeout" : "request-failed" });
  }

  function recordCompute({ nodeId, shard, computeMs }: { nodeId: number; shard: ShardRef; computeMs: number }) {
    const r = runtime(nodeId);
    const k = shardKey(shard);
    const e = r.ewma.get(k) ?? createEwma({ priorValue: r.gossipEwma.get(k) ?? computeMs, nowMs: now() });
    r.ewma.set(k, updateEwma({ ewma: e, value: computeMs, nowMs: now(), halfLifeMs: halfLife }));
  }

  function addInFlight(nodeIds: readonly number[], delta: number) {
    for (const id of nodeIds) {
      const r = runtime(id);
      r.inFlight = Math.max(0, r.inFlight + delta);
    }
  }

  // ------------------------------------------------------------------ routing inputs

  function routingInputs({ modelId, clusterId }: { modelId: string; clusterId: number }) {
    replace();
    const m = models.get(modelId.toLowerCase());
    const stages: ShardRef[] = m ? m.shards.map((s) => ({ modelId: m.modelId, shardIndex: s.shard })) : [];
    const views: NodeView[] = [];
    const rtt = new Map<string, Map<string, number>>();
    const clientRttMs = new Map<string, number>();
    const t = now();
    for (const n of nodes) {
      if (n.clusterId !== clusterId || ineligibleReason(n) !== null || !n.modelIds.includes(modelId.toLowerCase())) continue;
      const r = runtime(n.id);
      const shards = served(n).filter((s) => s.modelId === modelId.toLowerCase());
      views.push({
        id: String(n.id),
        clusterId: String(n.clusterId),
        health: healthOf(n.id),
        shards: shards.map((s) => ({ shard: s, computeMs: computeOf(n, s).ewmaMs })),
        inFlight: r.inFlight,
        // The fast-path backlog the node reports (its stage executions in progress), NOT its prover
        // backlog (`queueDepth` of the heartbeat): routing prices backlog × the shard's compute time,
        // and stages waiting to be proven do not delay a stage execution by that.
        queueDepth: r.gossipInFlight,
        penaltyMs: readPenalty({ penalty: r.penalty, nowMs: t }),
      });
      if (r.peerRtt.size > 0) rtt.set(String(n.id), new Map(r.peerRtt));
      if (r.probeRttMs !== null) clientRttMs.set(String(n.id), r.probeRttMs);
    }
    return { stages, nodes: views, rtt, clientRttMs };
  }

  function node(id: number): NodeRow | undefined {
    return nodes.find((n) => n.id === id);
  }

  function snapshot(n: NodeRow): NodeSnapshot {
    const r = runtime(n.id);
    const servedShards = served(n);
    const reason = ineligibleReason(n);
    return {
      ...n,
      health: healthOf(n.id),
      eligible: reason === null,
      ineligibleReason: reason,
      endpointInUse: endpointOf(n),
      inFlight: r.inFlight,
      queueDepth: r.queueDepth,
      load: r.load,
      penaltyMs: readPenalty({ penalty: r.penalty, nowMs: now() }),
      probeRttMs: r.probeRttMs,
      lastHeartbeatAtMs: r.heartbeatAtMs,
      lastProbe: r.lastProbe,
      placedShards: placedByNode.get(n.id) ?? [],
      servedShards,
      computeMs: servedShards.map((s) => ({ modelId: s.modelId, shard: s.shardIndex, ...computeOf(n, s) })),
      rttMs: [...r.peerRtt].map(([id, ms]) => ({ nodeId: Number(id), rttMs: ms })),
    };
  }

  return {
    refresh,
    ingestHeartbeat,
    isRegistered,
    probeAll,
    recordOutcome,
    recordCompute,
    addInFlight,
    routingInputs,
    node,
    endpointOf,
    healthOf,
    ineligibleReason,
    nodes: () => nodes,
    clusters: () => [...clusters.values()],
    models: () => [...models.values()],
    model: (modelId: string) => models.get(modelId.toLowerCase()),
    cluster: (id: number) => clusters.get(id),
    placement: () => {
      replace();
      return placement;
    },
    snapshot,
    start() {
      if (o.probeIntervalMs > 0 && !probeTimer) {
        probeTimer = setInterval(() => void probeAll(), o.probeIntervalMs);
        probeTimer.unref?.();
      }
    },
    stop() {
      if (probeTimer) clearInterval(probeTimer);
      probeTimer = undefined;
    },
  };
}

/** `{endpoint}/{rel}`, keeping any path prefix of the endpoint. */
export function endpointUrl(endpoint: string, rel: string): URL {
  return new URL(rel, endpoint.endsWith("/") ? endpoint : `${endpoint}/`);
}
