/**
 * Fast path: plan a route (routing/route.ts planRoute: exact DP + power-of-two choices), turn it
 * into a StageExecuteRequest whose every hop carries fallback candidates in next-best order
 * (routing/route.ts nextBestForStage, iterated), call stage 0's node, and validate the answer.
 *
 * Failures: the called node failing entirely (refused, timeout, 5xx, invalid answer) penalises it
 * (error / timeout penalty + health failure) and the request is re-planned without it, up to
 * `maxAttempts` first nodes, so the client sees no failure. Downstream candidates the nodes
 * report as failed (`failedCandidates`) are penalised too. Observed per-stage compute times feed
 * the (node, shard) EWMA.
 */
import type { Logger } from "pino";
import { getAddress } from "viem";
import { argmax } from "../prover/quant/reference.ts";
import {
  parseStageExecuteResponse,
  StageLimits,
  WireValidationError,
  type RouteHop,
  type StageExecuteRequest,
  type StageExecuteResponse,
} from "../node/wire/messages.ts";
import { postJson, PostJsonError, type PostJsonReturnType } from "../node/wire/post-json.ts";
import { endpointUrl, type ClusterView } from "./cluster-view.ts";
import { NoRouteError } from "./routing/errors.ts";
import { nextBestForStage, planRoute, predictPath, type PlanRouteReturnType } from "./routing/route.ts";
import type { Random } from "./routing/rng.ts";
import { PipelineError } from "./errors.ts";

export type StageExplanation = {
  stage: number;
  nodeId: number;
  address: string;
  plannedNodeId: number;
  /** fallback candidates sent for this hop, in order (first = planned) */
  candidates: number[];
  /** predicted stage cost (transfer in + compute + queue + penalty) of the node that ran it */
  predictedMs: number;
  predictedComputeMs: number;
  observedComputeMs: number;
  /** wall time at the node, including everything downstream */
  observedTotalMs: number;
  reason: string;
  nearOptimalNodeIds: number[];
  alternatives: { nodeId: number; bestPathMs: number; nearOptimal: boolean }[];
};

export type AttemptRecord = { firstNodeId: number; outcome: "ok" | "error" | "timeout"; error: string | null; elapsedMs: number };

export type RouteExplanation = {
  predictedMs: number;
  optimumMs: number;
  thresholdMs: number;
  observedMs: number;
  stages: StageExplanation[];
  attempts: AttemptRecord[];
  downstreamFailures: { stage: number; nodeId: number; error: string }[];
};

export type ExecuteParameters = { jobId: bigint; modelId: string; clusterId: number; input: readonly number[] };
export type ExecuteReturnType = { response: StageExecuteResponse; route: RouteExplanation; nodeIds: number[] };

export type Pipeline = { execute(p: ExecuteParameters): Promise<ExecuteReturnType> };

export type CreatePipelineParameters = {
  view: ClusterView;
  log: Logger;
  timeoutMs: number;
  maxAttempts: number;
  /** fallbacks per hop besides the planned node (default 2) */
  fallbacks?: number;
  random?: Random;
  fetch?: typeof fetch;
};

class AttemptError extends PipelineError {
  override name = "AttemptError";
  readonly kind: "error" | "timeout";
  constructor(kind: "error" | "timeout", message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

export function createPipeline(p: CreatePipelineParameters): Pipeline {
  const { view, timeoutMs, maxAttempts } = p;
  const fallbacks = Math.min(p.fallbacks ?? 2, StageLimits.maxCandidates - 1);
  const log = p.log.child({ component: "pipeline" });

  function fallbackOrder(inputs: ReturnType<ClusterView["routingInputs"]>, path: string[], clusterId: number): string[][] {
    return path.map((chosen, k) => {
      const order = [chosen];
      for (let i = 0; i < fallbacks; i++) {
        try {
          const nb = nextBestForStage({ ...inputs, prefix: path.slice(0, k), failedNodeIds: order, clusterId: String(clusterId) });
          order.push(nb.nodeId);
        } catch (err) {
          if (err instanceof NoRouteError) break;
          throw err;
        }
      }
      return order;
    });
  }

  function candidate(id: string) {
    const n = view.node(Number(id));
    if (!n) throw new PipelineError(`unknown node ${id}`);
    return { nodeId: n.id, address: n.operator, endpoint: view.endpointOf(n) };
  }

  async function call(first: { endpoint: string }, body: StageExecuteRequest): Promise<StageExecuteResponse> {
    let res: PostJsonReturnType;
    try {
      res = await postJson({ url: endpointUrl(first.endpoint, "v1/stages/execute"), body: JSON.stringify(body), timeoutMs, ...(p.fetch ? { fetch: p.fetch } : {}) });
    } catch (cause) {
      const timeout = cause instanceof PostJsonError && cause.timedOut;
      throw new AttemptError(timeout ? "timeout" : "error", timeout ? `no answer within ${timeoutMs} ms` : (cause as Error)?.message, { cause });
    }
    const text = res.text;
    if (res.status < 200 || res.status > 299) {
      let code = "";
      try {
        code = (JSON.parse(text) as { code?: string }).code ?? "";
      } catch {
        /* not JSON */
      }
      throw new AttemptError("error", `HTTP ${res.status}${code ? ` ${code}` : ""}: ${text.slice(0, 200)}`);
    }
    try {
      return parseStageExecuteResponse(text);
    } catch (cause) {
      throw new AttemptError("error", cause instanceof WireValidationError ? `invalid answer: ${cause.message}` : "invalid answer", { cause });
    }
  }

  /**
   * The answer must cover every stage in order, by eligible nodes of the cluster, with result = argmax.
   * Traces are relayed (unsigned) by the upstream nodes, and the relay assigns each stage on chain to
   * the node its trace names — which is slashed if it does not prove. So a trace may only name the
   * node we called (stage 0) or one of the candidates we sent for that hop, and may only report as
   * failed candidates of the next hop: otherwise any node could get an arbitrary staked node
   * assigned a stage it never ran (and slashed for it), or degrade any node's health.
   */
  function checkAnswer(r: StageExecuteResponse, jobId: bigint, modelId: string, stageCount: number, clusterId: number, hops: readonly RouteHop[]): string | undefined {
    if (r.jobId !== jobId.toString() || r.modelId.toLowerCase() !== modelId.toLowerCase()) return "answer is for another job";
    if (r.stages.length !== stageCount) return `answer has ${r.stages.length} stage traces, expected ${stageCount}`;
    for (let k = 0; k < stageCount; k++) {
      const t = r.stages[k];
      if (t.stage !== k) return `trace ${k} is for stage ${t.stage}`;
      const n = view.node(t.nodeId);
      if (!n || n.clusterId !== clusterId || view.ineligibleReason(n) !== null) return `stage ${k} ran on node ${t.nodeId}, not an eligible node of cluster ${clusterId}`;
      if (getAddress(t.address) !== n.operator) return `stage ${k} trace address does not match node ${t.nodeId}'s operator`;
      const offered = k === 0 ? [hops[0].candidates[0].nodeId] : hops[k].candidates.map((c) => c.nodeId);
      if (!offered.includes(t.nodeId)) return `stage ${k} ran on node ${t.nodeId}, which was not ${k === 0 ? "the node called" : `a candidate sent for stage ${k} (${offered.join(", ")})`}`;
      const next = k + 1 < stageCount ? hops[k + 1].candidates.map((c) => c.nodeId) : [];
      const stray = t.failedCandidates.find((f) => !next.includes(f.nodeId));
      if (stray) return `stage ${k}'s trace reports node ${stray.nodeId} as failed, which was not a candidate sent for stage ${k + 1}`;
    }
    if (r.output.length === 0 || argmax(r.output) !== r.result) return "result is not the argmax of the logits";
    return undefined;
  }

  async function execute({ jobId, modelId, clusterId, input }: ExecuteParameters): Promise<ExecuteReturnType> {
    const failed: string[] = [];
    const attempts: AttemptRecord[] = [];
    const t0 = performance.now();
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const inputs = view.routingInputs({ modelId, clusterId });
      if (inputs.stages.length === 0) throw new PipelineError(`model ${modelId} has no shards`);
      let plan: PlanRouteReturnType;
      try {
        plan = planRoute({ ...inputs, clusterId: String(clusterId), excludeNodeIds: failed, ...(p.random ? { random: p.random } : {}) });
      } catch (err) {
        if (err instanceof NoRouteError && attempts.length > 0) break; // everything tried failed
        if (!(err instanceof NoRouteError)) throw err;
        // Every node of some stage looks dead (a heartbeat gap while it proves on a loaded
        // machine looks the same as a crash). Rather than refusing the client, try those nodes
        // as suspects, last: a node that really is down fails this attempt like any other.
        const revived = inputs.nodes.map((n) => (n.health === "dead" ? { ...n, health: "suspect" as const } : n));
        plan = planRoute({ ...inputs, nodes: revived, clusterId: String(clusterId), excludeNodeIds: failed, ...(p.random ? { random: p.random } : {}) });
        log.warn({ jobId: jobId.toString(), path: plan.path }, "no live route: trying nodes marked dead as a last resort");
      }
      const orders = fallbackOrder(inputs, plan.path, clusterId);
      const hops: RouteHop[] = orders.map((ids, k) => ({ stage: k, candidates: ids.map(candidate) }));
      const first = hops[0].candidates[0];
      const body: StageExecuteRequest = { jobId: jobId.toString(), modelId: modelId.toLowerCase(), stage: 0, input: [...input], route: hops.slice(1), timeoutMs };
      const planned = plan.path.map(Number);
      view.addInFlight(planned, +1);
      const ta = performance.now();
      try {
        const response = await call(first, body);
        const bad = checkAnswer(response, jobId, modelId, inputs.stages.length, clusterId, hops);
        if (bad) throw new AttemptError("error", bad);
        const elapsedMs = performance.now() - ta;
        attempts.push({ firstNodeId: first.nodeId, outcome: "ok", error: null, elapsedMs });
        const used = response.stages.map((s) => s.nodeId);
        const downstreamFailures: RouteExplanation["downstreamFailures"] = [];
        response.stages.forEach((s, k) => {
          view.recordOutcome({ nodeId: s.nodeId, kind: "ok" });
          view.recordCompute({ nodeId: s.nodeId, shard: inputs.stages[k], computeMs: s.computeMs });
          for (const f of s.failedCandidates) {
            downstreamFailures.push({ stage: k + 1, nodeId: f.nodeId, error: f.error });
            if (view.node(f.nodeId)) view.recordOutcome({ nodeId: f.nodeId, kind: /timeout|timed out/i.test(f.error) ? "timeout" : "error" });
          }
        });
        // Predicted cost of the path actually used (same formula as the plan).
        let actual = plan.stages;
        if (used.some((id, k) => id !== planned[k])) {
          try {
            actual = predictPath({ ...inputs, path: used.map(String) }).stages;
          } catch {
            /* a node outside the inputs: keep the plan's numbers */
          }
        }
        const route: RouteExplanation = {
          predictedMs: plan.predictedMs,
          optimumMs: plan.optimumMs,
          thresholdMs: plan.thresholdMs,
          observedMs: performance.now() - t0,
          attempts,
          downstreamFailures,
          stages: response.stages.map((s, k) => {
            const d = plan.decisions[k];
            return {
              stage: k,
              nodeId: s.nodeId,
              address: getAddress(s.address),
              plannedNodeId: planned[k],
              candidates: orders[k].map(Number),
              predictedMs: actual[k].stageMs,
              predictedComputeMs: actual[k].computeMs,
              observedComputeMs: s.computeMs,
              observedTotalMs: s.totalMs,
              reason: d.reason,
              nearOptimalNodeIds: d.nearOptimalNodeIds.map(Number),
              alternatives: d.alternatives.map((a) => ({ nodeId: Number(a.nodeId), bestPathMs: a.bestPathMs, nearOptimal: a.nearOptimal })),
            };
          }),
        };
        return { response, route, nodeIds: used };
      } catch (err) {
        const kind = err instanceof AttemptError ? err.kind : "error";
        const msg = err instanceof Error ? err.message : String(err);
        attempts.push({ firstNodeId: first.nodeId, outcome: kind, error: msg, elapsedMs: performance.now() - ta });
        view.recordOutcome({ nodeId: first.nodeId, kind });
        failed.push(String(first.nodeId));
        log.warn({ jobId: jobId.toString(), nodeId: first.nodeId, kind, err: msg, attempt }, "pipeline attempt failed, retrying with the next best first node");
      } finally {
        view.addInFlight(planned, -1);
      }
    }
    throw new PipelineError(`pipeline failed after ${attempts.length} attempt(s): ${attempts.map((a) => `node ${a.firstNodeId}: ${a.error}`).join("; ")}`);
  }

  return { execute };
}
