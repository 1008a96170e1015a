/** Prometheus metrics of one node daemon (own registry: several daemons may share a process in tests). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type NodeMetrics = ReturnType<typeof createNodeMetrics>;

export function createNodeMetrics(parameters: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (parameters.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: "proofmesh_node_" });
  const registers = [registry];
  return {
    registry,
    stageExecutions: new Counter({ name: "proofmesh_node_stage_executions_total", help: "stage executions by shard and outcome", labelNames: ["model", "shard", "outcome"], registers }),
    stageComputeMs: new Histogram({
      name: "proofmesh_node_stage_compute_ms",
      help: "shard inference time (ms)",
      labelNames: ["model", "shard", "backend"],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250],
      registers,
    }),
    forwardFailures: new Counter({ name: "proofmesh_node_forward_failures_total", help: "downstream candidates that failed", registers }),
    proofs: new Counter({ name: "proofmesh_node_proofs_total", help: "stage proofs by outcome (submitted, failed, abandoned)", labelNames: ["outcome"], registers }),
    proveMs: new Histogram({ name: "proofmesh_node_prove_ms", help: "witness + Groth16 proving time (ms)", labelNames: ["shard"], buckets: [100, 250, 500, 1000, 2000, 5000, 10000, 30000], registers }),
    proverQueueDepth: new Gauge({ name: "proofmesh_node_prover_queue_depth", help: "stages waiting to be proven or submitted", registers }),
    inFlight: new Gauge({ name: "proofmesh_node_http_in_flight", help: "stage executions in flight", registers }),
    gossipDropped: new Gauge({ name: "proofmesh_node_gossip_dropped", help: "gossip heartbeats dropped by reason", labelNames: ["reason"], registers }),
    gossipAccepted: new Gauge({ name: "proofmesh_node_gossip_accepted", help: "gossip heartbeats accepted", registers }),
  };
}
