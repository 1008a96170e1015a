/**
 * Request routing: one node per pipeline stage, minimising predicted latency.
 *
 * Predicted latency of a path n₀ … n_{K−1} for stages s₀ … s_{K−1} (all in ms):
 *
 *   L = ½·rtt(client, n₀)
 *     + Σ_k [ compute(n_k, s_k) + queue(n_k, s_k) + penalty(n_k) ]
 *     + Σ_{k≥1} ½·rtt(n_{k−1}, n_k)
 *     + ½·rtt(n_{K−1}, client)
 *
 *   compute  = the node's EWMA compute time for that shard (`NodeView.shards[].computeMs`)
 *   queue    = backlog · compute / concurrency, backlog = max(inFlight, queueDepth): the
 *              coordinator's own fresh count and the node's (stale) gossip overlap, so the larger
 *              is used rather than their sum; FIFO single-class approximation
 *   penalty  = the node's decayed error/timeout penalty + `suspectPenaltyMs` if suspect
 *   ½·rtt    = one-way delay of a transfer (activations or the answer), symmetric-link assumption
 *              (`oneWayRttFraction`, default ½); `rtt.ts` fills missing pairs conservatively.
 *
 * The sum is evaluated left to right in exactly that order (client hop, stage 0, hop, stage 1,
 * …, answer hop) everywhere, so the DP's optimum and `predictPath` of the same path agree bit for
 * bit. The optimum is exact: forward dynamic programming over the layered graph (stage k's
 * candidates are layer k, edges carry the hop, vertices the stage cost), O(K·N²).
 *
 * Load spreading: every path within threshold = opt + max(epsilonAbsMs, epsilonRel·opt) is
 * "near-optimal". A backward DP gives, for each (stage, node), the best completion cost; the path
 * is then built stage by stage: the candidates whose best completion given the chosen prefix stays
 * under the threshold form the near-optimal set, two distinct ones are drawn with the injected
 * `random`, and the less loaded (backlog/concurrency; then lower cost) wins. Each step keeps a
 * completion under the threshold available, so the chosen path is always within ε of the
 * optimum (ε = 0 → an optimal path).
 */
import { InvalidRoutingInputError, NoRouteError } from "./errors.ts";
import type { Random } from "./rng.ts";
import { lookupClientRtt, lookupRtt } from "./rtt.ts";
import { DEFAULT_MISSING_RTT_MS, sameShard, type ClientRtt, type ClusterId, type NodeId, type NodeView, type RttMatrix, type ShardRef } from "./types.ts";

export type RouteOptions = {
  /** Only nodes of this cluster are eligible (the job's cluster). */
  clusterId?: ClusterId;
  /** Never route to these nodes (e.g. nodes that already failed this request). */
  excludeNodeIds?: Iterable<NodeId>;
  /** RTT assumed for unmeasured pairs (default `DEFAULT_MISSING_RTT_MS` = 250 ms). */
  defaultRttMs?: number;
  /** Fraction of an RTT one transfer costs (default 0.5: one-way on a symmetric link). */
  oneWayRttFraction?: number;
  /** Added to a suspect node's stage cost (default 50 ms). */
  suspectPenaltyMs?: number;
  /** Near-optimal slack, relative to the optimum (default 0.05). */
  epsilonRel?: number;
  /** Near-optimal slack, absolute; the larger of the two applies (default 0.3 ms). */
  epsilonAbsMs?: number;
  /** Uniform [0,1) source for the power-of-two choice (default `Math.random`; inject a seeded one for tests). */
  random?: Random;
  /** Alternatives reported per stage in the explanation (default 3). */
  maxAlternatives?: number;
};

export const DEFAULT_SUSPECT_PENALTY_MS = 50;
export const DEFAULT_EPSILON_REL = 0.05;
export const DEFAULT_EPSILON_ABS_MS = 0.3;

/** Cost breakdown of one stage of a path (ms). */
export type StagePrediction = {
  stageIndex: number;
  shard: ShardRef;
  nodeId: NodeId;
  /** Transfer into this stage: from the client (stage 0) or the previous stage's node. */
  transferInMs: number;
  computeMs: number;
  queueMs: number;
  penaltyMs: number;
  /** transferInMs + computeMs + queueMs + penaltyMs. */
  stageMs: number;
};

export type StageDecision = {
  stageIndex: number;
  /** Eligible nodes for the stage. */
  candidateCount: number;
  /** Nodes that kept a path within the threshold given the chosen prefix. */
  nearOptimalNodeIds: NodeId[];
  /** The two drawn for the power-of-two choice (one when the set had one member). */
  sampledNodeIds: NodeId[];
  chosenNodeId: NodeId;
  reason: "only-near-optimal" | "less-loaded" | "equal-load-lower-cost" | "equal-load-and-cost";
  /** Best candidates by the best full path through them (regardless of the prefix). */
  alternatives: { nodeId: NodeId; bestPathMs: number; nearOptimal: boolean }[];
};

export type PlanRouteParameters = {
  /** The pipeline's shards in order. */
  stages: readonly ShardRef[];
  nodes: readonly NodeView[];
  rtt: RttMatrix;
  clientRttMs: ClientRtt;
} & RouteOptions;

export type PlanRouteReturnType = {
  /** Chosen node per stage. */
  path: NodeId[];
  stages: StagePrediction[];
  /** Answer transfer, last node → client. */
  transferOutMs: number;
  /** Predicted latency of the chosen path (formula above). */
  predictedMs: number;
  /** Predicted latency of an optimal path (exact). */
  optimumMs: number;
  /** One optimal path (deterministic: first minimum in input order). */
  optimalPath: NodeId[];
  /** Paths up to this predicted latency were near-optimal. */
  thresholdMs: number;
  decisions: StageDecision[];
};

type Cand = { node: NodeView; computeMs: number; queueMs: number; penaltyMs: number; costMs: number; load: number };

type Problem = {
  stages: readonly ShardRef[];
  cands: Cand[][];
  /** hop[k][i][j]: transfer from cands[k-1][i] to cands[k][j] (k ≥ 1). */
  hop: number[][][];
  inMs: number[];
  outMs: number[];
};

type Resolved = Required<Omit<RouteOptions, "clusterId" | "excludeNodeIds">> & { clusterId?: ClusterId; exclude: Set<NodeId> };

function resolve(o: RouteOptions): Resolved {
  const r: Resolved = {
    clusterId: o.clusterId,
    exclude: new Set(o.excludeNodeIds ?? []),
    defaultRttMs: o.defaultRttMs ?? DEFAULT_MISSING_RTT_MS,
    oneWayRttFraction: o.oneWayRttFraction ?? 0.5,
    suspectPenaltyMs: o.suspectPenaltyMs ?? DEFAULT_SUSPECT_PENALTY_MS,
    epsilonRel: o.epsilonRel ?? DEFAULT_EPSILON_REL,
    epsilonAbsMs: o.epsilonAbsMs ?? DEFAULT_EPSILON_ABS_MS,
    random: o.random ?? Math.random,
    maxAlternatives: o.maxAlternatives ?? 3,
  };
  if (!(r.epsilonRel >= 0 && r.epsilonAbsMs >= 0 && r.suspectPenaltyMs >= 0 && r.defaultRttMs >= 0 && r.oneWayRttFraction >= 0))
    throw new InvalidRoutingInputError("route options must be ≥ 0");
  return r;
}

/** Stage cost of `node` for `shard`, or undefined when it does not serve the shard. */
function candidate(node: NodeView, shard: ShardRef, o: Resolved): Cand | undefined {
  const served = node.shards.find((s) => sameShard(s.shard, shard));
  if (!served) return undefined;
  const conc = Math.max(1, node.concurrency ?? 1);
  const backlog = Math.max(0, node.inFlight, node.queueDepth);
  const computeMs = Math.max(0, served.computeMs);
  const queueMs = (backlog * computeMs) / conc;
  const penaltyMs = Math.max(0, node.penaltyMs) + (node.health === "suspect" ? o.suspectPenaltyMs : 0);
  return { node, computeMs, queueMs, penaltyMs, costMs: computeMs + queueMs + penaltyMs, load: backlog / conc };
}

function buildProblem(p: { stages: readonly ShardRef[]; nodes: readonly NodeView[]; rtt: RttMatrix; clientRttMs: ClientRtt; pinned?: readonly NodeId[] }, o: Resolved): Problem {
  const { stages, nodes, rtt, clientRttMs } = p;
  if (stages.length === 0) throw new InvalidRoutingInputError("pipeline has no stages");
  const byId = p.pinned ? new Map(nodes.map((n) => [n.id, n])) : undefined;
  const cands: Cand[][] = stages.map((shard, k) => {
    const pin = p.pinned?.[k];
    if (pin !== undefined) {
      // A stage already executed: its node is fixed whatever its health now.
      const node = byId!.get(pin);
      const c = node && candidate(node, shard, o);
      if (!c) throw new InvalidRoutingInputError(`pinned node does not serve stage ${k}`);
      return [c];
    }
    const list: Cand[] = [];
    for (const node of nodes) {
      if (node.health === "dead" || o.exclude.has(node.id)) continue;
      if (o.clusterId !== undefined && node.clusterId !== o.clusterId) continue;
      const c = candidate(node, shard, o);
      if (c) list.push(c);
    }
    if (list.length === 0) throw new NoRouteError(k);
    return list;
  });
  const f = o.oneWayRttFraction;
  const one = (a: NodeId, b: NodeId) => f * lookupRtt({ rtt, fromNodeId: a, toNodeId: b, defaultRttMs: o.defaultRttMs });
  const hop: number[][][] = [[]];
  for (let k = 1; k < stages.length; k++) hop.push(cands[k - 1].map((a) => cands[k].map((b) => one(a.node.id, b.node.id))));
  const client = (c: Cand) => f * lookupClientRtt({ clientRttMs, nodeId: c.node.id, defaultRttMs: o.defaultRttMs });
  return { stages, cands, hop, inMs: cands[0].map(client), outMs: cands[stages.length - 1].map(client) };
}

/** Forward DP: fwd[k][j] = best cost from the client through stage k ending at cands[k][j]. */
function forward(pr: Problem): { fwd: number[][]; arg: number[][] } {
  const K = pr.cands.length;
  const fwd: number[][] = [pr.cands[0].map((c, j) => pr.inMs[j] + c.costMs)];
  const arg: number[][] = [pr.cands[0].map(() => -1)];
  for (let k = 1; k < K; k++) {
    const prev = fwd[k - 1];
    const h = pr.hop[k];
    const row: number[] = [];
    const argRow: number[] = [];
    pr.cands[k].forEach((c, j) => {
      let best = Infinity;
      let bi = -1;
      for (let i = 0; i < prev.length; i++) {
        const v = prev[i] + h[i][j];
        if (v < best) (best = v), (bi = i);
      }
      row.push(best + c.costMs);
      argRow.push(bi);
    });
    fwd.push(row);
    arg.push(argRow);
  }
  return { fwd, arg };
}

/** Backward DP: bwd[k][j] = best cost after stage k's compute at cands[k][j] to the client. */
function backward(pr: Problem): number[][] {
  const K = pr.cands.length;
  const bwd: number[][] = new Array(K);
  bwd[K - 1] = pr.outMs.slice();
  for (let k = K - 2; k >= 0; k--) {
    const next = bwd[k + 1];
    const h = pr.hop[k + 1];
    const nc = pr.cands[k + 1];
    bwd[k] = pr.cands[k].map((_, i) => {
      let best = Infinity;
      for (let j = 0; j < nc.length; j++) best = Math.min(best, h[i][j] + nc[j].costMs + next[j]);
      return best;
    });
  }
  return bwd;
}

function optimum(pr: Problem, fwd: number[][], arg: number[][]): { optimumMs: number; optimal: number[] } {
  const K = pr.cands.length;
  let optimumMs = Infinity;
  let bj = -1;
  fwd[K - 1].forEach((v, j) => {
    const t = v + pr.outMs[j];
    if (t < optimumMs) (optimumMs = t), (bj = j);
  });
  const optimal = new Array<number>(K);
  for (let k = K - 1; k >= 0; k--) (optimal[k] = bj), (bj = arg[k][bj]);
  return { optimumMs, optimal };
}

/** Left-fold cost of a path given as candidate indexes, in the documented order. */
function describe(pr: Problem, idx: readonly number[]): { stages: StagePrediction[]; transferOutMs: number; totalMs: number } {
  let total = 0;
  const stages = idx.map((j, k) => {
    const c = pr.cands[k][j];
    const transferInMs = k === 0 ? pr.inMs[j] : pr.hop[k][idx[k - 1]][j];
    total = total + transferInMs;
    total = total + c.costMs;
    return { stageIndex: k, shard: pr.stages[k], nodeId: c.node.id, transferInMs, computeMs: c.computeMs, queueMs: c.queueMs, penaltyMs: c.penaltyMs, stageMs: transferInMs + c.costMs };
  });
  const transferOutMs = pr.outMs[idx[idx.length - 1]];
  return { stages, transferOutMs, totalMs: total + transferOutMs };
}

/**
 * Plans a request's path: the exact optimum by DP, then a near-optimal path chosen by
 * power-of-two choices to spread load (see the file comment for the formula and the rule).
 * Throws `NoRouteError` when a stage has no eligible node.
 */
export function planRoute(parameters: PlanRouteParameters): PlanRouteReturnType {
  const o = resolve(parameters);
  const pr = buildProblem(parameters, o);
  const K = pr.cands.length;
  const { fwd, arg } = forward(pr);
  const bwd = backward(pr);
  const { optimumMs, optimal } = optimum(pr, fwd, arg);
  const thresholdMs = optimumMs + Math.max(o.epsilonAbsMs, o.epsilonRel * optimumMs);
  // Float slack only: sums in a different order may differ in the last bits.
  const limit = thresholdMs + 1e-9 * Math.max(1, Math.abs(thresholdMs));

  const chosen: number[] = [];
  const decisions: StageDecision[] = [];
  let prefixMs = 0;
  for (let k = 0; k < K; k++) {
    const cs = pr.cands[k];
    const through = cs.map((c, j) => (k === 0 ? pr.inMs[j] : prefixMs + pr.hop[k][chosen[k - 1]][j]) + c.costMs + bwd[k][j]);
    let near: number[] = [];
    through.forEach((v, j) => v <= limit && near.push(j));
    if (near.length === 0) near = [optimal[k]]; // unreachable but for float pathologies; stay exact
    let pick: number;
    let sampled: number[];
    let reason: StageDecision["reason"];
    if (near.length === 1) {
      pick = near[0];
      sampled = [pick];
      reason = "only-near-optimal";
    } else {
      const a = Math.min(near.length - 1, Math.floor(o.random() * near.length));
      let b = Math.min(near.length - 2, Math.floor(o.random() * (near.length - 1)));
      if (b >= a) b++;
      const ja = near[a];
      const jb = near[b];
      sampled = [ja, jb];
      const la = cs[ja].load;
      const lb = cs[jb].load;
      if (la !== lb) (pick = la < lb ? ja : jb), (reason = "less-loaded");
      else if (through[ja] !== through[jb]) (pick = through[ja] < through[jb] ? ja : jb), (reason = "equal-load-lower-cost");
      else (pick = ja), (reason = "equal-load-and-cost");
    }
    chosen.push(pick);
    prefixMs = (k === 0 ? pr.inMs[pick] : prefixMs + pr.hop[k][chosen[k - 1]][pick]) + cs[pick].costMs;
    const global = cs.map((_, j) => ({ j, v: fwd[k][j] + bwd[k][j] })).sort((x, y) => x.v - y.v || x.j - y.j);
    decisions.push({
      stageIndex: k,
      candidateCount: cs.length,
      nearOptimalNodeIds: near.map((j) => cs[j].node.id),
      sampledNodeIds: sampled.map((j) => cs[j].node.id),
      chosenNodeId: cs[pick].node.id,
      reason,
      alternatives: global.slice(0, o.maxAlternatives).map(({ j, v }) => ({ nodeId: cs[j].node.id, bestPathMs: v, nearOptimal: v <= limit })),
    });
  }
  const d = describe(pr, chosen);
  return {
    path: d.stages.map((s) => s.nodeId),
    stages: d.stages,
    transferOutMs: d.transferOutMs,
    predictedMs: d.totalMs,
    optimumMs,
    optimalPath: optimal.map((j, k) => pr.cands[k][j].node.id),
    thresholdMs,
    decisions,
  };
}

export type PredictPathParameters = {
  stages: readonly ShardRef[];
  nodes: readonly NodeView[];
  rtt: RttMatrix;
  clientRttMs: ClientRtt;
  /** One node id per stage. */
  path: readonly NodeId[];
} & Pick<RouteOptions, "defaultRttMs" | "oneWayRttFraction" | "suspectPenaltyMs">;

export type PredictPathReturnType = { stages: StagePrediction[]; transferOutMs: number; predictedMs: number };

/**
 * Predicted latency of an explicit path by the same formula and summation order as `planRoute`
 * (for baselines, audits and brute-force checks). Health and cluster are not checked: it prices
 * whatever path it is given.
 */
export function predictPath(parameters: PredictPathParameters): PredictPathReturnType {
  const { stages, path } = parameters;
  if (path.length !== stages.length) throw new InvalidRoutingInputError("path length differs from stages");
  const o = resolve(parameters);
  const pr = buildProblem({ ...parameters, pinned: path }, o);
  const d = describe(pr, path.map(() => 0));
  return { stages: d.stages, transferOutMs: d.transferOutMs, predictedMs: d.totalMs };
}

export type NextBestForStageParameters = {
  stages: readonly ShardRef[];
  nodes: readonly NodeView[];
  rtt: RttMatrix;
  clientRttMs: ClientRtt;
  /** Nodes of the stages already completed (stages 0 … prefix.length−1); the failed stage is `prefix.length`. */
  prefix: readonly NodeId[];
  /** Nodes that failed this request (at least the one that just failed); excluded from every remaining stage. */
  failedNodeIds: readonly NodeId[];
} & Omit<RouteOptions, "random" | "epsilonRel" | "epsilonAbsMs" | "maxAlternatives">;

export type NextBestForStageReturnType = {
  /** The stage being retried (= prefix.length). */
  stageIndex: number;
  /** The node to retry the stage on. */
  nodeId: NodeId;
  /** Full path: the fixed prefix, then the re-planned remainder (the later stages may change too). */
  path: NodeId[];
  /** Predicted latency from the retry's dispatch to the answer (transfer into the stage onwards). */
  predictedRemainingMs: number;
  stages: StagePrediction[];
};

/**
 * Retry plan after stage `prefix.length` failed: the best node for that stage given the fixed
 * prefix (the previous stage's node re-sends its output; for stage 0 the client does), with the
 * remaining stages re-optimised, excluding every node that failed this request. Exact and
 * deterministic (no load-spreading randomness: a retry wants the best, now).
 */
export function nextBestForStage(parameters: NextBestForStageParameters): NextBestForStageReturnType {
  const { stages, prefix, failedNodeIds } = parameters;
  const stageIndex = prefix.length;
  if (stageIndex >= stages.length) throw new InvalidRoutingInputError("prefix covers every stage");
  const o = resolve({ ...parameters, epsilonRel: 0, epsilonAbsMs: 0 });
  for (const id of failedNodeIds) o.exclude.add(id);
  const pr = buildProblem({ ...parameters, pinned: prefix }, o);
  const { fwd, arg } = forward(pr);
  const { optimal } = optimum(pr, fwd, arg);
  const d = describe(pr, optimal);
  const prefixMs = d.stages.slice(0, stageIndex).reduce((s, x) => s + x.stageMs, 0);
  return {
    stageIndex,
    nodeId: d.stages[stageIndex].nodeId,
    path: d.stages.map((s) => s.nodeId),
    predictedRemainingMs: d.totalMs - prefixMs,
    stages: d.stages,
  };
}
