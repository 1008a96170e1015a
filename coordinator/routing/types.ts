/**
 * The coordinator's view of the mesh, as the routing and placement algorithms read it.
 * Plain readonly data: the service owns and updates it (EWMA, gossip, health), the
 * algorithms never mutate it.
 */

/** A node's id (its registry id / address as text). */
export type NodeId = string;
/** A cluster's id (on-chain cluster object, as text). */
export type ClusterId = string;
/** A registered model's id. */
export type ModelId = string;

/** One pipeline shard: shard `shardIndex` (0-based, contiguous layer range) of model `modelId`. */
export type ShardRef = { readonly modelId: ModelId; readonly shardIndex: number };

/** Health as decided by `health.ts`: suspect nodes may be used with a penalty, dead nodes never. */
export type HealthState = "alive" | "suspect" | "dead";

/** A shard a node serves, with the coordinator's EWMA of the node's compute time for it. */
export type ServedShard = {
  readonly shard: ShardRef;
  /** EWMA of measured compute time of this shard on this node (ms), seeded from a benchmark prior. */
  readonly computeMs: number;
};

/** What the coordinator knows about one node at a given instant. */
export type NodeView = {
  readonly id: NodeId;
  readonly clusterId: ClusterId;
  readonly health: HealthState;
  readonly shards: readonly ServedShard[];
  /** Requests this coordinator routed to the node whose stage completion it has not yet seen. */
  readonly inFlight: number;
  /** Queue length (waiting + in service) the node last gossiped; may be stale. */
  readonly queueDepth: number;
  /** Decayed error/timeout penalty (ms) from `ewma.ts` `readPenalty`, added to the stage cost. */
  readonly penaltyMs: number;
  /** Requests the node computes in parallel (default 1). */
  readonly concurrency?: number;
};

/**
 * Round-trip times between nodes (ms), `rtt.get(a)?.get(b)`. Measured by probes and gossip,
 * so possibly asymmetric and incomplete: see `rtt.ts` for how missing entries are filled.
 */
export type RttMatrix = ReadonlyMap<NodeId, ReadonlyMap<NodeId, number>>;

/** The coordinator's (= the client's entry point's) RTT to each node (ms); missing → default. */
export type ClientRtt = ReadonlyMap<NodeId, number>;

/**
 * RTT (ms) assumed for a pair with no measurement in either direction. Deliberately
 * conservative (an inter-region round trip), so an unmeasured link is used only when nothing
 * measured is competitive, yet never makes a stage unroutable.
 */
export const DEFAULT_MISSING_RTT_MS = 250;

/** Same (model, shard index)? */
export function sameShard(a: ShardRef, b: ShardRef): boolean {
  return a.shardIndex === b.shardIndex && a.modelId === b.modelId;
}

/** Stable text key of a shard, `${modelId}#${shardIndex}`. */
export function shardKey(shard: ShardRef): string {
  return `${shard.modelId}#${shard.shardIndex}`;
}
