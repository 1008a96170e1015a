/** Prometheus metrics of one coordinator instance (own registry: several apps can live in one process, e.g. tests). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { GOSSIP_DROP_REASONS, type GossipMeshStats } from "../node/gossip/mesh.ts";

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics({ defaults = true }: { defaults?: boolean } = {}) {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: "proofmesh_coordinator_" });
  const http = new Histogram({
    name: "proofmesh_coordinator_http_request_duration_ms",
    help: "HTTP request duration (ms) by route and status code",
    labelNames: ["method", "route", "status"] as const,
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000],
    registers: [registry],
  });
  const jobs = new Counter({ name: "proofmesh_coordinator_jobs_total", help: "Job submissions by outcome", labelNames: ["outcome"] as const, registers: [registry] });
  const rejected = new Counter({ name: "proofmesh_coordinator_jobs_rejected_total", help: "Rejected submissions by error code", labelNames: ["code"] as const, registers: [registry] });
  const fastPath = new Histogram({
    name: "proofmesh_coordinator_fast_path_ms",
    help: "Coordinator receive → answer (ms)",
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
    registers: [registry],
  });
  const relays = new Counter({ name: "proofmesh_coordinator_relays_total", help: "createAndAssign relays by outcome", labelNames: ["outcome"] as const, registers: [registry] });
  const expired = new Counter({ name: "proofmesh_coordinator_expired_total", help: "Jobs expired by the sweeper", registers: [registry] });
  const nodes = new Gauge({ name: "proofmesh_coordinator_nodes", help: "Registered nodes by health state", labelNames: ["state"] as const, registers: [registry] });
  const indexedBlock = new Gauge({ name: "proofmesh_coordinator_indexed_block", help: "Last block indexed", registers: [registry] });
  const indexLag = new Gauge({ name: "proofmesh_coordinator_index_lag_blocks", help: "Head minus last indexed block", registers: [registry] });
  const heartbeats = new Counter({ name: "proofmesh_coordinator_heartbeats_total", help: "Accepted gossip heartbeats", registers: [registry] });
  // Read from the gossip validator's own counters when scraped (services.ts sets the source).
  let gossipStats: (() => GossipMeshStats | undefined) | undefined;
  new Gauge({
    name: "proofmesh_coordinator_gossip_heartbeats_dropped",
    help: "Gossip heartbeats the validator dropped since start, by reason (forged, tampered, replayed, stale, foreign chain or cluster…)",
    labelNames: ["reason"] as const,
    registers: [registry],
    collect() {
      const s = gossipStats?.();
      for (const reason of GOSSIP_DROP_REASONS) this.set({ reason }, s?.dropped[reason] ?? 0);
    },
  });
  new Gauge({
    name: "proofmesh_coordinator_gossip_heartbeats_received",
    help: "Gossip heartbeats that reached the validator since start (accepted + dropped)",
    registers: [registry],
    collect() {
      this.set(gossipStats?.()?.received ?? 0);
    },
  });
  /** Where the gossip drop counters come from (the coordinator's listen-only mesh). */
  const setGossipStatsSource = (source: () => GossipMeshStats | undefined) => {
    gossipStats = source;
  };
  return { registry, http, jobs, rejected, fastPath, relays, expired, nodes, indexedBlock, indexLag, heartbeats, setGossipStatsSource };
}
