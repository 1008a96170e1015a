/**
 * A dead node routed around, with real HTTP stub nodes (test-fixture.ts) and the real chain:
 * - a killed node is marked dead by the probes within 1.5 s, and new jobs avoid it;
 * - the planned FIRST node dies before health notices: the request is retried on the next best
 *   first node and the client sees no failure (the failure is penalised and recorded);
 * - a node failing downstream is skipped by the upstream node's fallback candidates, and the
 *   coordinator penalises it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadMnist } from "../prover/data/mnist.ts";
import { MODEL_ID, setupChain, startCoordinator, type ChainFixture } from "./test-fixture.ts";

const digits = loadMnist().test;
const pixelsOf = (i: number) => Array.from(digits[i].pixels);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("routing around dead nodes", { timeout: 110_000 }, () => {
  let t: ChainFixture;
  let c: Awaited<ReturnType<typeof startCoordinator>>;
  const submit = async (i: number) => {
    const s = await t.submission({ pixels: pixelsOf(i) });
    const r = await c.app.inject({ method: "POST", url: "/v1/jobs", payload: s.body });
    return { s, r };
  };
  const slow = (nodeId: number) => {
    for (const k of [0, 1]) for (let i = 0; i < 5; i++) c.coordinator.view.recordCompute({ nodeId, shard: { modelId: MODEL_ID, shardIndex: k }, computeMs: 400 });
  };

  before(async () => {
    t = await setupChain({ nodesInCluster1: 4 });
    c = await startCoordinator({ chain: t.chain, overrides: { probeIntervalMs: 250, probeTimeoutMs: 400, stageTimeoutMs: 3_000 } });
    await sleep(300);
  });
  after(async () => {
    await c?.close();
    await t?.close();
  });

  it("a killed node is dead within 1.5 s and routed around", async () => {
    const victim = t.stubs[0];
    const id = victim.identity.nodeId;
    assert.equal(c.coordinator.view.healthOf(id), "alive");
    const killedAt = performance.now();
    await victim.kill();
    while (c.coordinator.view.healthOf(id) !== "dead") {
      assert.ok(performance.now() - killedAt < 1_500, "dead within 1.5 s");
      await sleep(10);
    }
    const detectedMs = performance.now() - killedAt;
    assert.ok(detectedMs < 1_500, `detected in ${detectedMs.toFixed(0)} ms`);
    const node = (await c.app.inject({ method: "GET", url: `/v1/explorer/nodes/${id}` })).json();
    assert.equal(node.health, "dead");
    for (let i = 0; i < 6; i++) {
      const { r } = await submit(10 + i);
      assert.equal(r.statusCode, 200, r.body);
      const route = r.json().route as { nodeId: number }[];
      assert.ok(route.every((s) => s.nodeId !== id), `job ${i} avoided dead node ${id}: ${JSON.stringify(route)}`);
    }
  });

  it("the planned first node dies unnoticed: retried on the next best first node, no client failure", async () => {
    const [, a, b, d] = t.stubs;
    // make `a` the clear optimum for both stages, then kill it before any probe can notice
    slow(b.identity.nodeId);
    slow(d.identity.nodeId);
    c.coordinator.view.stop(); // no probes: only the request itself can discover the failure
    await a.kill();
    const { s, r } = await submit(30);
    assert.equal(r.statusCode, 200, r.body);
    const route = r.json().route as { nodeId: number }[];
    assert.ok(route.every((x) => x.nodeId !== a.identity.nodeId));
    const trace = (await c.app.inject({ method: "GET", url: `/v1/explorer/jobs/${s.jobId}` })).json();
    assert.equal(trace.route.attempts.length, 2);
    assert.equal(trace.route.attempts[0].firstNodeId, a.identity.nodeId);
    assert.equal(trace.route.attempts[0].outcome, "error");
    assert.equal(trace.route.attempts[1].outcome, "ok");
    const snap = c.coordinator.view.snapshot(c.coordinator.view.node(a.identity.nodeId)!);
    assert.ok(snap.penaltyMs > 0, "failure penalised");
    assert.notEqual(snap.health, "alive");
    c.coordinator.view.start();
  });

  it("a failing downstream candidate is skipped by the node's fallback and penalised", async () => {
    const [, , b, d] = t.stubs;
    // b first (fast) for stage 0, d the planned stage-1 node but failing; b itself is the fallback
    d.failWith = 500;
    let sawFallback = false;
    for (let i = 0; i < 6 && !sawFallback; i++) {
      const { s, r } = await submit(40 + i);
      assert.equal(r.statusCode, 200, r.body);
      const trace = (await c.app.inject({ method: "GET", url: `/v1/explorer/jobs/${s.jobId}` })).json();
      if (trace.route.downstreamFailures.some((f: { nodeId: number }) => f.nodeId === d.identity.nodeId)) sawFallback = true;
      assert.ok(trace.route.stages.every((x: { nodeId: number }) => x.nodeId !== d.identity.nodeId) || trace.route.stages[0].nodeId === d.identity.nodeId);
    }
    d.failWith = null;
    const snap = c.coordinator.view.snapshot(c.coordinator.view.node(d.identity.nodeId)!);
    if (sawFallback) assert.ok(snap.penaltyMs > 0);
    // whatever path was chosen, every job succeeded; the chain accepts the nodes actually used
    await c.coordinator.jobs.relayDue();
    assert.equal(c.coordinator.jobs.relayCounts().failed, 0);
  });
});
