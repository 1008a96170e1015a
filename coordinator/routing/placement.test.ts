import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidRoutingInputError } from "./errors.ts";
import { placeShards, type PlacementModel, type PlacementNode } from "./placement.ts";
import { createRng } from "./rng.ts";

const GB = 1_000_000_000;
const model = (modelId: string, sizesGb: number[]): PlacementModel => ({ modelId, shards: sizesGb.map((g, shardIndex) => ({ shardIndex, memoryBytes: g * GB, referenceComputeMs: 10 })) });
const nodesOf = (cluster: string, gbs: number[], speeds: number[] = []): PlacementNode[] =>
  gbs.map((g, i) => ({ id: `${cluster}-${String(i).padStart(2, "0")}`, clusterId: cluster, capacityBytes: g * GB, speedFactor: speeds[i] ?? 1 }));

function checkCapacity(res: ReturnType<typeof placeShards>, nodes: PlacementNode[], models: PlacementModel[]) {
  const size = new Map(models.flatMap((m) => m.shards.map((s) => [`${m.modelId}#${s.shardIndex}`, s.memoryBytes])));
  for (const n of res.nodes) {
    const cap = nodes.find((x) => x.id === n.id)!.capacityBytes;
    const used = n.shards.reduce((s, r) => s + size.get(`${r.modelId}#${r.shardIndex}`)!, 0);
    assert.equal(used, n.usedBytes);
    assert.ok(used <= cap, `${n.id} over capacity`);
  }
  for (const r of res.replicas) assert.equal(new Set(r.nodeIds).size, r.nodeIds.length, "replicas on distinct nodes");
}

describe("placeShards: errors", () => {
  test("bad arguments", () => {
    assert.throws(() => placeShards({ models: [], nodes: [], targetReplicas: 0 }), InvalidRoutingInputError);
    assert.throws(() => placeShards({ models: [], nodes: [...nodesOf("c", [1]), ...nodesOf("c", [1])] }), InvalidRoutingInputError);
    assert.throws(() => placeShards({ models: [model("m", [0])], nodes: nodesOf("c", [1]) }), InvalidRoutingInputError);
  });
});

describe("placeShards: unplaceable", () => {
  test("a shard larger than any node, a cluster out of memory, a cluster with only dead nodes", () => {
    const nodes = [...nodesOf("a", [8, 8]), ...nodesOf("b", [4]), { ...nodesOf("d", [100])[0], health: "dead" as const }];
    const res = placeShards({ models: [model("big", [20]), model("m", [6, 6, 6])], nodes, targetReplicas: 1 });
    const why = (c: string, m: string, k: number) => res.unplaceable.find((u) => u.clusterId === c && u.modelId === m && u.shardIndex === k)?.reason;
    assert.equal(why("a", "big", 0), "larger-than-any-node");
    assert.equal(why("a", "m", 2), "insufficient-free-memory"); // two 8 GB nodes hold two 6 GB shards
    assert.equal(why("b", "m", 0), "larger-than-any-node");
    assert.equal(why("d", "m", 1), "no-live-nodes");
    assert.ok(res.replicas.some((r) => r.clusterId === "a" && r.modelId === "m" && r.shardIndex === 1));
    checkCapacity(res, nodes, [model("big", [20]), model("m", [6, 6, 6])]);
  });
});

describe("placeShards: placement", () => {
  test("replicas up to the target, fewer reported when the cluster is too small", () => {
    const models = [model("m", [2, 2])];
    const nodes = [...nodesOf("a", [4, 4, 4, 4]), ...nodesOf("b", [2, 2])];
    const res = placeShards({ models, nodes, targetReplicas: 3 });
    for (const r of res.replicas.filter((x) => x.clusterId === "a")) assert.equal(r.nodeIds.length, 3);
    assert.deepEqual(
      res.underReplicated.map((u) => [u.clusterId, u.shardIndex, u.replicas]),
      [["b", 0, 1], ["b", 1, 1]],
    );
    checkCapacity(res, nodes, models);
  });
  test("a model larger than any node is split across nodes", () => {
    const models = [model("m", [6, 6, 6])]; // 18 GB model, 8 GB nodes
    const nodes = nodesOf("a", [8, 8, 8, 8, 8, 8]);
    const res = placeShards({ models, nodes, targetReplicas: 2 });
    assert.equal(res.unplaceable.length, 0);
    assert.equal(res.replicas.length, 3);
    for (const r of res.replicas) assert.equal(r.nodeIds.length, 2);
    assert.equal(new Set(res.replicas.flatMap((r) => r.nodeIds)).size, 6);
    checkCapacity(res, nodes, models);
  });
  test("prefers fast nodes and colocates consecutive shards, else picks the low-RTT neighbour", () => {
    const nodes = nodesOf("a", [12, 6, 6, 6], [2, 1, 1, 1.5]);
    const rtt = new Map([["a-00", new Map([["a-01", 1], ["a-02", 30], ["a-03", 30]])]]);
    const res = placeShards({ models: [model("m", [6, 6, 6])], nodes, targetReplicas: 1, rtt });
    assert.deepEqual(res.replicas.map((r) => r.nodeIds[0]), ["a-00", "a-00", "a-01"]); // a-01 is 1 ms away, a-03 faster but 30 ms
  });
  test("deterministic whatever the input order; capacity holds on random clusters", () => {
    const rand = createRng({ seed: 11 });
    for (let i = 0; i < 100; i++) {
      const nodes = nodesOf(`c${i % 3}`, Array.from({ length: 1 + Math.floor(rand() * 10) }, () => 1 + Math.floor(rand() * 16)), Array.from({ length: 10 }, () => 0.5 + rand()));
      const models = [model("x", Array.from({ length: 1 + Math.floor(rand() * 4) }, () => 1 + Math.floor(rand() * 8))), model("y", [1 + Math.floor(rand() * 5)])];
      const target = 1 + Math.floor(rand() * 4);
      const res = placeShards({ models, nodes, targetReplicas: target });
      checkCapacity(res, nodes, models);
      assert.deepEqual(placeShards({ models: [...models].reverse(), nodes: [...nodes].reverse(), targetReplicas: target }), res);
      for (const u of res.unplaceable) assert.ok(!res.replicas.some((r) => r.modelId === u.modelId && r.shardIndex === u.shardIndex && r.clusterId === u.clusterId));
    }
  });
});
