import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidRoutingInputError, NoRouteError } from "./errors.ts";
import { createRng, type Random } from "./rng.ts";
import { nextBestForStage, planRoute, predictPath } from "./route.ts";
import { DEFAULT_MISSING_RTT_MS, type HealthState, type NodeView, type ShardRef } from "./types.ts";

const M = "m";
const shards = (k: number): ShardRef[] => Array.from({ length: k }, (_, i) => ({ modelId: M, shardIndex: i }));
type MutableNode = { -readonly [K in keyof NodeView]: NodeView[K] };
const node = (id: string, stage: number | number[], computeMs: number, extra: Partial<MutableNode> = {}): MutableNode => ({
  id,
  clusterId: "c",
  health: "alive",
  shards: (Array.isArray(stage) ? stage : [stage]).map((i) => ({ shard: { modelId: M, shardIndex: i }, computeMs })),
  inFlight: 0,
  queueDepth: 0,
  penaltyMs: 0,
  ...extra,
});
const rttOf = (pairs: [string, string, number][]) => {
  const m = new Map<string, Map<string, number>>();
  for (const [a, b, v] of pairs) {
    if (!m.has(a)) m.set(a, new Map());
    m.get(a)!.set(b, v);
  }
  return m;
};

/** A random instance: 1–4 stages, 1–6 nodes per stage, some nodes serving two consecutive stages. */
function instance(rand: Random) {
  const K = 1 + Math.floor(rand() * 4);
  const nodes: MutableNode[] = [];
  const perStage: MutableNode[][] = [];
  const health = (): HealthState => (rand() < 0.15 ? "dead" : rand() < 0.2 ? "suspect" : "alive");
  for (let k = 0; k < K; k++) {
    const list: MutableNode[] = [];
    const n = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < n; i++) {
      const prevStage = perStage[k - 1];
      if (prevStage && rand() < 0.2 && i < prevStage.length && !prevStage[i].shards.some((s) => s.shard.shardIndex === k)) {
        const shared = prevStage[i]; // the same node serves stage k-1 and k: zero hop
        shared.shards = [...shared.shards, { shard: { modelId: M, shardIndex: k }, computeMs: 1 + rand() * 30 }];
        list.push(shared);
        continue;
      }
      const nd = node(`n${k}.${i}`, k, 1 + rand() * 30, {
        health: health(),
        inFlight: Math.floor(rand() * 4),
        queueDepth: Math.floor(rand() * 4),
        penaltyMs: rand() < 0.3 ? rand() * 20 : 0,
        concurrency: rand() < 0.3 ? 2 : undefined,
      });
      nodes.push(nd);
      list.push(nd);
    }
    perStage.push(list);
  }
  const pairs: [string, string, number][] = [];
  for (const a of nodes) for (const b of nodes) if (a !== b && rand() < 0.85) pairs.push([a.id, b.id, 0.5 + rand() * 40]);
  const clientRttMs = new Map(nodes.filter(() => rand() < 0.9).map((n) => [n.id, 1 + rand() * 30]));
  return { stages: shards(K), nodes, perStage, rtt: rttOf(pairs), clientRttMs };
}

/** Every path over non-dead nodes serving each stage, priced by `predictPath`. */
function bruteForce(inst: ReturnType<typeof instance>, fixed: string[] = [], exclude: string[] = []) {
  const eligible = inst.perStage.map((list, k) => (k < fixed.length ? [fixed[k]] : list.filter((n) => n.health !== "dead" && !exclude.includes(n.id)).map((n) => n.id)));
  let best = Infinity;
  let count = 0;
  const walk = (k: number, path: string[]) => {
    if (k === eligible.length) {
      count++;
      best = Math.min(best, predictPath({ stages: inst.stages, nodes: inst.nodes, rtt: inst.rtt, clientRttMs: inst.clientRttMs, path }).predictedMs);
      return;
    }
    for (const id of eligible[k]) walk(k + 1, [...path, id]);
  };
  walk(0, []);
  return { best, count };
}

/** The formula written out independently of route.ts. */
function naiveCost(inst: ReturnType<typeof instance>, path: string[]) {
  const rtt = (a: string, b: string) => {
    if (a === b) return 0;
    const ab = inst.rtt.get(a)?.get(b);
    const ba = inst.rtt.get(b)?.get(a);
    return ab !== undefined && ba !== undefined ? (ab + ba) / 2 : (ab ?? ba ?? DEFAULT_MISSING_RTT_MS);
  };
  const client = (id: string) => inst.clientRttMs.get(id) ?? DEFAULT_MISSING_RTT_MS;
  let t = client(path[0]) / 2 + client(path[path.length - 1]) / 2;
  path.forEach((id, k) => {
    const n = inst.nodes.find((x) => x.id === id)!;
    const c = n.shards.find((s) => s.shard.shardIndex === k)!.computeMs;
    t += c + (Math.max(n.inFlight, n.queueDepth) * c) / (n.concurrency ?? 1) + n.penaltyMs + (n.health === "suspect" ? 50 : 0);
    if (k > 0) t += rtt(path[k - 1], id) / 2;
  });
  return t;
}

describe("planRoute: errors", () => {
  test("no stages", () => {
    assert.throws(() => planRoute({ stages: [], nodes: [], rtt: new Map(), clientRttMs: new Map() }), InvalidRoutingInputError);
  });
  test("a stage with only dead nodes has no route", () => {
    const nodes = [node("a", 0, 5), node("b", 1, 5, { health: "dead" })];
    assert.throws(
      () => planRoute({ stages: shards(2), nodes, rtt: new Map(), clientRttMs: new Map() }),
      (e: unknown) => e instanceof NoRouteError && e.stageIndex === 1,
    );
  });
  test("cluster filter and exclusions apply", () => {
    const nodes = [node("a", 0, 5, { clusterId: "x" }), node("b", 0, 5)];
    assert.throws(() => planRoute({ stages: shards(1), nodes, rtt: new Map(), clientRttMs: new Map(), clusterId: "y" }), NoRouteError);
    assert.deepEqual(planRoute({ stages: shards(1), nodes, rtt: new Map(), clientRttMs: new Map(), clusterId: "x" }).path, ["a"]);
    assert.deepEqual(planRoute({ stages: shards(1), nodes, rtt: new Map(), clientRttMs: new Map(), excludeNodeIds: ["a"] }).path, ["b"]);
  });
  test("negative epsilon is rejected", () => {
    assert.throws(() => planRoute({ stages: shards(1), nodes: [node("a", 0, 1)], rtt: new Map(), clientRttMs: new Map(), epsilonRel: -1 }), InvalidRoutingInputError);
  });
});

describe("planRoute: cost formula", () => {
  test("hand-computed two-stage path", () => {
    const nodes = [node("a", 0, 10, { inFlight: 2, queueDepth: 1 }), node("b", 1, 20, { queueDepth: 3, concurrency: 2, penaltyMs: 7, health: "suspect" })];
    const rtt = rttOf([["a", "b", 8], ["b", "a", 12]]);
    const clientRttMs = new Map([["a", 4]]); // b unmeasured → default
    const p = planRoute({ stages: shards(2), nodes, rtt, clientRttMs });
    // ½·4 + (10 + 2·10) + ½·(8+12)/2 + (20 + 3·20/2 + 7 + 50) + ½·250
    assert.equal(p.predictedMs, 2 + 30 + 5 + 107 + 125);
    assert.equal(p.optimumMs, p.predictedMs);
    assert.deepEqual(p.stages.map((s) => s.stageMs), [32, 112]);
    assert.equal(p.transferOutMs, 125);
  });
  test("predictPath matches an independent implementation on random paths", () => {
    const rand = createRng({ seed: 7 });
    for (let i = 0; i < 200; i++) {
      const inst = instance(rand);
      const path = inst.perStage.map((l) => l[Math.floor(rand() * l.length)].id);
      const got = predictPath({ ...inst, path }).predictedMs;
      assert.ok(Math.abs(got - naiveCost(inst, path)) < 1e-9, `${got} vs ${naiveCost(inst, path)}`);
    }
  });
});

describe("planRoute: exact optimum vs brute force", () => {
  test("600 random instances: DP optimum == brute force; ε=0 picks an optimal path; default ε stays within the threshold", () => {
    const rand = createRng({ seed: 2024 });
    let checked = 0;
    let noRoute = 0;
    let paths = 0;
    while (checked < 600) {
      const inst = instance(rand);
      const bf = bruteForce(inst);
      if (bf.count === 0) {
        assert.throws(() => planRoute({ ...inst }), NoRouteError);
        noRoute++;
        continue;
      }
      paths += bf.count;
      const exact = planRoute({ ...inst, epsilonRel: 0, epsilonAbsMs: 0, random: createRng({ seed: checked }) });
      assert.equal(exact.optimumMs, bf.best);
      assert.equal(exact.predictedMs, bf.best);
      assert.equal(predictPath({ ...inst, path: exact.optimalPath }).predictedMs, bf.best);
      const spread = planRoute({ ...inst, random: createRng({ seed: checked }) });
      assert.equal(spread.optimumMs, bf.best);
      assert.ok(spread.predictedMs >= bf.best && spread.predictedMs <= spread.thresholdMs + 1e-9);
      assert.equal(spread.thresholdMs, bf.best + Math.max(0.3, 0.05 * bf.best));
      for (const id of [...spread.path, ...exact.path]) assert.notEqual(inst.nodes.find((n) => n.id === id)!.health, "dead");
      assert.deepEqual(planRoute({ ...inst, random: createRng({ seed: checked }) }).path, spread.path, "deterministic under a seeded rng");
      checked++;
    }
    assert.ok(noRoute > 0 && paths > 5000, `coverage: ${noRoute} unroutable, ${paths} paths`);
  });
});

describe("planRoute: health", () => {
  test("a dead node is never chosen, however fast", () => {
    const nodes = [node("fast", 0, 0.1, { health: "dead" }), node("slow", 0, 500)];
    const rand = createRng({ seed: 1 });
    for (let i = 0; i < 100; i++) assert.deepEqual(planRoute({ stages: shards(1), nodes, rtt: new Map(), clientRttMs: new Map(), random: rand }).path, ["slow"]);
  });
  test("a suspect node pays the penalty: loses a tie, wins only by more than the penalty, and is used when alone", () => {
    const base = { stages: shards(1), rtt: new Map(), clientRttMs: new Map(), epsilonRel: 0, epsilonAbsMs: 0 };
    assert.deepEqual(planRoute({ ...base, nodes: [node("s", 0, 10, { health: "suspect" }), node("a", 0, 10)] }).path, ["a"]);
    assert.deepEqual(planRoute({ ...base, nodes: [node("s", 0, 10, { health: "suspect" }), node("a", 0, 55)] }).path, ["a"]);
    assert.deepEqual(planRoute({ ...base, nodes: [node("s", 0, 10, { health: "suspect" }), node("a", 0, 65)] }).path, ["s"]);
    assert.deepEqual(planRoute({ ...base, nodes: [node("s", 0, 10, { health: "suspect" })], suspectPenaltyMs: 80 }).stages[0].penaltyMs, 80);
  });
  test("an error penalty steers traffic away from a fast but failing node", () => {
    const base = { stages: shards(1), rtt: new Map(), clientRttMs: new Map(), epsilonRel: 0, epsilonAbsMs: 0 };
    assert.deepEqual(planRoute({ ...base, nodes: [node("flaky", 0, 5, { penaltyMs: 100 }), node("ok", 0, 20)] }).path, ["ok"]);
  });
});

describe("planRoute: load spreading", () => {
  test("equal paths: power-of-two choices keeps in-flight counts level", () => {
    const nodes = ["a", "b", "c", "d", "e"].map((id) => node(id, 0, 1));
    const clientRttMs = new Map(nodes.map((n) => [n.id, 100]));
    const rand = createRng({ seed: 99 });
    for (let i = 0; i < 500; i++) {
      const p = planRoute({ stages: shards(1), nodes, rtt: new Map(), clientRttMs, random: rand, epsilonRel: 0.5 });
      nodes.find((n) => n.id === p.path[0])!.inFlight++;
    }
    const counts = nodes.map((n) => n.inFlight);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 3, `unbalanced: ${counts}`);
  });
  test("equal idle paths are spread near-uniformly (not always the first)", () => {
    const nodes = ["a", "b", "c", "d"].map((id) => node(id, 0, 10));
    const rand = createRng({ seed: 5 });
    const hits = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const p = planRoute({ stages: shards(1), nodes, rtt: new Map(), clientRttMs: new Map(), random: rand });
      hits.set(p.path[0], (hits.get(p.path[0]) ?? 0) + 1);
      assert.equal(p.predictedMs, p.optimumMs);
    }
    for (const id of ["a", "b", "c", "d"]) assert.ok(Math.abs(hits.get(id)! - 1000) < 150, `${id}: ${hits.get(id)}`);
  });
  test("explains its choice", () => {
    const nodes = [node("a", 0, 10), node("b", 0, 10), node("c", 0, 90)];
    const p = planRoute({ stages: shards(1), nodes, rtt: new Map(), clientRttMs: new Map(), random: createRng({ seed: 3 }) });
    const d = p.decisions[0];
    assert.equal(d.candidateCount, 3);
    assert.deepEqual([...d.nearOptimalNodeIds].sort(), ["a", "b"]);
    assert.equal(d.sampledNodeIds.length, 2);
    assert.deepEqual(d.alternatives.map((x) => x.nearOptimal), [true, true, false]);
  });
});

describe("nextBestForStage", () => {
  test("errors: prefix covering every stage", () => {
    assert.throws(() => nextBestForStage({ stages: shards(1), nodes: [node("a", 0, 1)], rtt: new Map(), clientRttMs: new Map(), prefix: ["a"], failedNodeIds: [] }), InvalidRoutingInputError);
  });
  test("no alternative left → NoRouteError", () => {
    const nodes = [node("a", 0, 1), node("b", 1, 1)];
    assert.throws(() => nextBestForStage({ stages: shards(2), nodes, rtt: new Map(), clientRttMs: new Map(), prefix: ["a"], failedNodeIds: ["b"] }), NoRouteError);
  });
  test("400 random instances: keeps the prefix, avoids failed nodes, equals brute force over the remainder", () => {
    const rand = createRng({ seed: 77 });
    let checked = 0;
    while (checked < 400) {
      const inst = instance(rand);
      const plan = (() => {
        try {
          return planRoute({ ...inst, random: rand });
        } catch {
          return undefined;
        }
      })();
      if (!plan) continue;
      const k = Math.floor(rand() * inst.stages.length);
      const prefix = plan.path.slice(0, k);
      const failed = [plan.path[k]];
      const bf = bruteForce(inst, prefix, failed);
      if (bf.count === 0) {
        assert.throws(() => nextBestForStage({ ...inst, prefix, failedNodeIds: failed }), NoRouteError);
        continue;
      }
      const retry = nextBestForStage({ ...inst, prefix, failedNodeIds: failed });
      assert.equal(retry.stageIndex, k);
      assert.deepEqual(retry.path.slice(0, k), prefix);
      assert.ok(!retry.path.slice(k).includes(failed[0]));
      assert.equal(retry.nodeId, retry.path[k]);
      const total = predictPath({ ...inst, path: retry.path }).predictedMs;
      assert.equal(total, bf.best);
      const prefixMs = retry.stages.slice(0, k).reduce((s, x) => s + x.stageMs, 0);
      assert.ok(Math.abs(retry.predictedRemainingMs - (total - prefixMs)) < 1e-9);
      checked++;
    }
  });
});
