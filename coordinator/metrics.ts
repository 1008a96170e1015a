/** Prometheus metrics of one coordinator instance (own registry: several apps can live in one process, e.g. tests). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

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
  return { registry, http, jobs, rejected, fastPath, relays, expired, nodes, indexedBlock, indexLag, heartbeats };
}
