/**
 * Shard placement: which nodes of each cluster hold which shards.
 *
 * Every cluster gets its own replicas of every model (requests are routed inside the job's
 * cluster). Greedy and deterministic (inputs sorted by id; ties by node id):
 *
 * - Replica-major: round r places replica r of every shard of every model before any replica
 *   r+1, so extra replicas never take the memory a first replica needs.
 * - Within a round a model's shards are placed in pipeline order as a *chain*: shard k goes to
 *   the node minimising  estimated compute (referenceComputeMs / speedFactor)
 *                        + RTT from the node holding this chain's shard k−1 (0 on the same node)
 *                          — or the coordinator's RTT for shard 0 —
 *                        (+ the coordinator's RTT for the last shard),
 *   among live nodes with enough free memory that do not already hold that shard. Consecutive
 *   shards therefore colocate on one node when it fits (no hop at all), otherwise land on a
 *   fast node close to the previous one. A model larger than any node is thereby split across
 *   nodes shard by shard; a node never holds more than its `capacityBytes`.
 * - A shard that gets no replica in a cluster is reported `unplaceable` with a reason; one that
 *   gets fewer than `targetReplicas` is reported `underReplicated`.
 */
import { InvalidRoutingInputError } from "./errors.ts";
import { lookupClientRtt, lookupRtt } from "./rtt.ts";
import { DEFAULT_MISSING_RTT_MS, type ClientRtt, type ClusterId, type HealthState, type ModelId, type NodeId, type RttMatrix, type ShardRef } from "./types.ts";

export type PlacementShard = {
  shardIndex: number;
  memoryBytes: number;
  /** Compute time on a speedFactor-1 node (ms), used to prefer fast nodes (default 1). */
  referenceComputeMs?: number;
};
export type PlacementModel = { modelId: ModelId; shards: readonly PlacementShard[] };
export type PlacementNode = {
  id: NodeId;
  clusterId: ClusterId;
  /** Memory available for shards (bytes). */
  capacityBytes: number;
  /** Relative compute speed, higher is faster (default 1). */
  speedFactor?: number;
  /** Dead nodes get nothing (default alive). */
  health?: HealthState;
};

export type PlaceShardsParameters = {
  models: readonly PlacementModel[];
  nodes: readonly PlacementNode[];
  /** Replicas wanted per shard per cluster (default 3). */
  targetReplicas?: number;
  rtt?: RttMatrix;
  clientRttMs?: ClientRtt;
  defaultRttMs?: number;
  /** Restrict to these clusters (default: every cluster that has a node). */
  clusterIds?: readonly ClusterId[];
};

export type UnplaceableReason = "no-live-nodes" | "larger-than-any-node" | "insufficient-free-memory";

export type PlaceShardsReturnType = {
  /** One entry per (cluster, model, shard) that got at least one replica; nodeIds in replica order. */
  replicas: { clusterId: ClusterId; modelId: ModelId; shardIndex: number; nodeIds: NodeId[] }[];
  /** Per node: what it holds and its memory use after placement. */
  nodes: { id: NodeId; clusterId: ClusterId; shards: ShardRef[]; usedBytes: number; freeBytes: number }[];
  unplaceable: { clusterId: ClusterId; modelId: ModelId; shardIndex: number; memoryBytes: number; reason: UnplaceableReason; message: string }[];
  underReplicated: { clusterId: ClusterId; modelId: ModelId; shardIndex: number; replicas: number; targetReplicas: number }[];
};

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Places every shard of every model on the nodes of each cluster (see the file comment). */
export function placeShards({ models, nodes, targetReplicas = 3, rtt = new Map(), clientRttMs, defaultRttMs = DEFAULT_MISSING_RTT_MS, clusterIds }: PlaceShardsParameters): PlaceShardsReturnType {
  if (!(Number.isInteger(targetReplicas) && targetReplicas >= 1)) throw new InvalidRoutingInputError("targetReplicas must be an integer ≥ 1");
  const seen = new Set<string>();
  for (const n of nodes) {
    if (seen.has(n.id)) throw new InvalidRoutingInputError(`duplicate node ${n.id}`);
    seen.add(n.id);
    if (!(n.capacityBytes >= 0) || !((n.speedFactor ?? 1) > 0)) throw new InvalidRoutingInputError(`bad capacity or speed for ${n.id}`);
  }
  for (const m of models) {
    const idx = new Set<number>();
    for (const s of m.shards) {
      if (!(s.memoryBytes > 0) || idx.has(s.shardIndex)) throw new InvalidRoutingInputError(`bad shard ${m.modelId}#${s.shardIndex}`);
      idx.add(s.shardIndex);
    }
  }
  const sortedModels = [...models].sort((a, b) => (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0)).map((m) => ({ ...m, shards: [...m.shards].sort((a, b) => a.shardIndex - b.shardIndex) }));
  const allClusters = [...new Set(nodes.map((n) => n.clusterId))].sort();
  const clusters = clusterIds ? [...new Set(clusterIds)].sort() : allClusters;

  const out: PlaceShardsReturnType = { replicas: [], nodes: [], unplaceable: [], underReplicated: [] };
  for (const clusterId of clusters) {
    const members = nodes.filter((n) => n.clusterId === clusterId).sort(byId);
    const live = members.filter((n) => n.health !== "dead");
    const free = new Map(live.map((n) => [n.id, n.capacityBytes]));
    const held = new Map<NodeId, ShardRef[]>(members.map((n) => [n.id, []]));
    const holders = new Map<string, NodeId[]>(); // `${model}#${k}` → nodes in replica order
    const key = (m: ModelId, k: number) => `${m}#${k}`;
    const hopMs = (from: NodeId | undefined, to: NodeId) =>
      from === undefined ? (clientRttMs ? lookupClientRtt({ clientRttMs, nodeId: to, defaultRttMs }) : 0) : lookupRtt({ rtt, fromNodeId: from, toNodeId: to, defaultRttMs });

    for (let r = 0; r < targetReplicas; r++) {
      for (const m of sortedModels) {
        let prev: NodeId | undefined;
        m.shards.forEach((s, i) => {
          const k = key(m.modelId, s.shardIndex);
          const have = holders.get(k) ?? [];
          if (have.length < r) return (prev = undefined); // an earlier round already failed: memory only shrinks
          let best: PlacementNode | undefined;
          let bestScore = Infinity;
          for (const n of live) {
            if (free.get(n.id)! < s.memoryBytes || have.includes(n.id)) continue;
            const last = i === m.shards.length - 1 && clientRttMs ? lookupClientRtt({ clientRttMs, nodeId: n.id, defaultRttMs }) : 0;
            const score = (s.referenceComputeMs ?? 1) / (n.speedFactor ?? 1) + hopMs(prev, n.id) + last;
            if (score < bestScore) (bestScore = score), (best = n);
          }
          if (!best) return (prev = undefined);
          free.set(best.id, free.get(best.id)! - s.memoryBytes);
          held.get(best.id)!.push({ modelId: m.modelId, shardIndex: s.shardIndex });
          holders.set(k, [...have, best.id]);
          prev = best.id;
        });
      }
    }

    const maxCapacity = Math.max(0, ...live.map((n) => n.capacityBytes));
    for (const m of sortedModels) {
      for (const s of m.shards) {
        const ids = holders.get(key(m.modelId, s.shardIndex)) ?? [];
        if (ids.length > 0) {
          out.replicas.push({ clusterId, modelId: m.modelId, shardIndex: s.shardIndex, nodeIds: ids });
          if (ids.length < targetReplicas) out.underReplicated.push({ clusterId, modelId: m.modelId, shardIndex: s.shardIndex, replicas: ids.length, targetReplicas });
          continue;
        }
        const [reason, message]: [UnplaceableReason, string] =
          live.length === 0
            ? ["no-live-nodes", `cluster ${clusterId} has no live node`]
            : s.memoryBytes > maxCapacity
              ? ["larger-than-any-node", `needs ${s.memoryBytes} bytes, largest node has ${maxCapacity}`]
              : ["insufficient-free-memory", `needs ${s.memoryBytes} bytes, no node has that much free`];
        out.unplaceable.push({ clusterId, modelId: m.modelId, shardIndex: s.shardIndex, memoryBytes: s.memoryBytes, reason, message });
      }
    }
    for (const n of members) {
      const f = free.get(n.id);
      const usedBytes = f === undefined ? 0 : n.capacityBytes - f;
      out.nodes.push({ id: n.id, clusterId, shards: held.get(n.id)!, usedBytes, freeBytes: n.capacityBytes - usedBytes });
    }
  }
  return out;
}
