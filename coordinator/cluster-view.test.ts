/**
 * Cluster view without a chain: registry rows → eligibility, placement, gossip ingestion
 * (served shards, queue, gossiped EWMA, RTT matrix keyed by node id), health timings with an
 * injected clock, compute EWMA from observed traces, and penalties.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { getAddress, type Address, type Hex } from "viem";
import type { HeartbeatEvent } from "../node/gossip/mesh.ts";
import { createClusterView } from "./cluster-view.ts";
import { openDb } from "./db.ts";

const M = `0x${"ab".repeat(32)}` as Hex;
const addr = (i: number) => getAddress(`0x${i.toString(16).padStart(40, "0")}`) as Address;

function setup() {
  const db = openDb({ file: ":memory:" });
  db.prepare("INSERT INTO clusters VALUES (1, 'eu', 'eu-1', '100', 1, 1, '0x')").run();
  db.prepare("INSERT INTO models VALUES (?, 1, 2, '2', 1, 1, '0x')").run(M);
  db.prepare("INSERT INTO shards VALUES (?, 0, ?, '0x00', '600', '1')").run(M, addr(99));
  db.prepare("INSERT INTO shards VALUES (?, 1, ?, '0x00', '600', '1')").run(M, addr(99));
  const node = (id: number, memory: number, stake: string, unbonding = "0") =>
    db.prepare("INSERT INTO nodes (id, operator, signer, endpoint, cluster_id, memory_bytes, model_ids, stake, unbonding, registered_block, registered_tx, updated_block) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, 1, '0x', 1)").run(
      id,
      addr(id),
      addr(100 + id),
      `http://127.0.0.1:${9000 + id}`,
      String(memory),
      JSON.stringify([M]),
      stake,
      unbonding,
    );
  node(1, 1000, "200"); // fits one shard
  node(2, 1000, "200");
  node(3, 2000, "200"); // fits both
  node(4, 2000, "50"); // below min stake
  node(5, 2000, "200", "10"); // unbonding
  let nowMs = 1_000_000;
  const view = createClusterView({ db, log: pino({ level: "silent" }), probeIntervalMs: 0, probeTimeoutMs: 100, replicas: 2, nowMs: () => nowMs });
  view.refresh();
  return { view, tick: (ms: number) => (nowMs += ms), now: () => nowMs };
}

describe("cluster view", () => {
  it("eligibility follows the JobMarket rules; placement respects memory", () => {
    const { view } = setup();
    assert.equal(view.ineligibleReason(view.node(4)!)?.includes("below cluster minimum"), true);
    assert.equal(view.ineligibleReason(view.node(5)!), "stake unbonding");
    const p = view.placement();
    for (const n of p.nodes) assert.ok(n.usedBytes <= (n.id === "3" ? 2000 : 1000));
    assert.equal(p.replicas.length, 2);
    for (const r of p.replicas) assert.equal(r.nodeIds.length, 2);
    const inputs = view.routingInputs({ modelId: M, clusterId: 1 });
    assert.deepEqual(inputs.nodes.map((n) => n.id).sort(), ["1", "2", "3"]);
  });

  it("heartbeats: served shards, queue, gossiped EWMA and the RTT matrix by node id", () => {
    const { view, tick } = setup();
    assert.equal(view.isRegistered(addr(101), 1), true);
    assert.equal(view.isRegistered(addr(101), 2), false);
    assert.equal(view.isRegistered(addr(1), 1), false, "the operator is not the signing key");
    const hb = {
      heartbeat: {
        version: 1,
        chainId: 31337,
        nodeAddress: addr(101),
        peerId: "12D3KooWRMpzpR6n6ATkzg3bbKRhEUhraubs7U2UZKAuKU2ciTcn",
        clusterId: 1,
        seq: 1,
        sentAtMs: 1,
        load: 0.5,
        inFlight: 1,
        queueDepth: 3,
        computeEwmaMs: [{ modelId: M, shard: 1, ewmaMs: 7.5 }],
        rttMs: [{ nodeAddress: addr(102), rttMs: 1.25 }],
        backend: "native",
        endpoint: "http://127.0.0.1:7777",
        servedShards: [{ modelId: M, shard: 1 }],
        signature: `0x${"00".repeat(65)}`,
      },
    } as unknown as HeartbeatEvent;
    view.ingestHeartbeat(hb);
    const s = view.snapshot(view.node(1)!);
    assert.deepEqual(s.servedShards, [{ modelId: M, shardIndex: 1 }]);
    assert.equal(s.queueDepth, 3);
    assert.equal(s.endpointInUse, "http://127.0.0.1:7777");
    assert.deepEqual(s.computeMs, [{ modelId: M, shard: 1, ewmaMs: 7.5, source: "gossip" }]);
    assert.deepEqual(s.rttMs, [{ nodeId: 2, rttMs: 1.25 }]);
    const inputs = view.routingInputs({ modelId: M, clusterId: 1 });
    assert.equal(inputs.rtt.get("1")?.get("2"), 1.25);
    assert.equal(inputs.nodes.find((n) => n.id === "1")?.queueDepth, 1, "routing's backlog is the node's fast-path inFlight, not its prover backlog (queueDepth 3)");
    // observed traces override the gossiped estimate
    view.recordCompute({ nodeId: 1, shard: { modelId: M, shardIndex: 1 }, computeMs: 20 });
    assert.equal(view.snapshot(view.node(1)!).computeMs[0].source, "observed");
    // Silent for 6 s: dead, heartbeat stale, left out of placement; still listed with the shards it
    // last announced, so the pipeline's last resort (try dead nodes) has it to try.
    tick(6_000);
    const late = view.routingInputs({ modelId: M, clusterId: 1 }).nodes.find((n) => n.id === "1");
    assert.equal(late?.health, "dead");
    assert.deepEqual(late?.shards.map((x) => x.shard.shardIndex), [1]);
  });

  it("health: silence → suspect at 600 ms, dead at 1200 ms; failures penalise and accelerate", () => {
    const { view, tick } = setup();
    assert.equal(view.healthOf(2), "alive");
    tick(650);
    assert.equal(view.healthOf(2), "suspect");
    tick(600);
    assert.equal(view.healthOf(2), "dead");
    const { view: v2 } = setup();
    v2.recordOutcome({ nodeId: 3, kind: "timeout" });
    assert.equal(v2.healthOf(3), "suspect");
    assert.ok(v2.snapshot(v2.node(3)!).penaltyMs >= 250);
    v2.recordOutcome({ nodeId: 3, kind: "error" });
    assert.equal(v2.healthOf(3), "dead");
  });
});
