/**
 * Real libp2p on 127.0.0.1 (random ports): two publishing nodes A and B, a listen-only
 * coordinator C, and M — a registered but misbehaving node that also publishes raw bytes
 * straight into gossipsub (bypassing signing) to inject bad heartbeats.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import type { Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { encodeHeartbeat, type Heartbeat } from "../wire/messages.ts";
import { createGossipMesh, GossipMeshError, heartbeatTopic, type GossipDropReason, type GossipMesh, type HeartbeatEvent } from "./mesh.ts";
import { signHeartbeat } from "./sign.ts";
import { sampleStatus, sampleUnsigned, TEST_CHAIN_ID as CHAIN_ID, TEST_CLUSTER_ID as CLUSTER_ID } from "./test-fixtures.ts";

const log = pino({ level: "silent" });
const keyA = privateKeyToAccount(generatePrivateKey());
const keyB = privateKeyToAccount(generatePrivateKey());
const keyM = privateKeyToAccount(generatePrivateKey());
const keyU = privateKeyToAccount(generatePrivateKey()); // never registered
const registered = new Set([keyA, keyB, keyM].map((k) => k.address.toLowerCase()));
const isRegistered = async (address: Address, clusterId: number) =>
  clusterId === CLUSTER_ID && registered.has(address.toLowerCase());
const topic = heartbeatTopic({ chainId: CHAIN_ID, clusterId: CLUSTER_ID });

async function until(what: string, cond: () => boolean, timeoutMs = 2_000): Promise<number> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - t0;
}

describe("gossip mesh (3 honest peers + 1 attacker on loopback)", { timeout: 30_000 }, () => {
  const meshes: GossipMesh[] = [];
  const got = new Map<string, HeartbeatEvent[]>();
  let A: GossipMesh, B: GossipMesh, C: GossipMesh, M: GossipMesh;
  let startMs = 0;
  let createdMs = 0;

  function record(name: string, mesh: GossipMesh): GossipMesh {
    meshes.push(mesh);
    got.set(name, []);
    mesh.onHeartbeat((e) => got.get(name)!.push(e));
    return mesh;
  }
  const from = (receiver: string, sender: Address) =>
    got.get(receiver)!.filter((e) => e.heartbeat.nodeAddress === sender);

  before(async () => {
    startMs = performance.now();
    C = record("C", await createGossipMesh({ chainId: CHAIN_ID, clusterIds: [CLUSTER_ID], isRegistered, log }));
    const publisher = (signer: typeof keyA, bootstrap: string[]) =>
      createGossipMesh({
        chainId: CHAIN_ID,
        clusterIds: [CLUSTER_ID],
        isRegistered,
        log,
        signer,
        bootstrap,
        heartbeatIntervalMs: 400,
        getStatus: () => sampleStatus({ load: Math.random() }),
        rttIntervalMs: 200,
      });
    A = record("A", await publisher(keyA, C.multiaddrs()));
    B = record("B", await publisher(keyB, [...C.multiaddrs(), ...A.multiaddrs()]));
    M = record(
      "M",
      await createGossipMesh({
        chainId: CHAIN_ID,
        clusterIds: [CLUSTER_ID],
        isRegistered,
        log,
        signer: keyM,
        bootstrap: [...C.multiaddrs(), ...A.multiaddrs(), ...B.multiaddrs()],
      }),
    );
    createdMs = performance.now();
    // The attacker floods to the subscribers it knows of: wait until it knows all three.
    await M.waitForTopicPeers({ minPeers: 3, timeoutMs: 5_000 });
  });

  after(async () => {
    await Promise.allSettled(meshes.map((m) => m.stop()));
  });

  test("valid signed heartbeats reach every other peer within 2 s", async (t) => {
    await until("A→B, A→C, B→A, B→C", () =>
      from("B", keyA.address).length > 0 &&
      from("C", keyA.address).length > 0 &&
      from("A", keyB.address).length > 0 &&
      from("C", keyB.address).length > 0,
    );
    const doneMs = performance.now();
    // Unloaded: ~300 ms to create the four nodes, first deliveries ~250 ms later. Measured from
    // "all nodes up" so that CPU contention during key generation / start-up does not count.
    const elapsedMs = doneMs - createdMs;
    t.diagnostic(`nodes up in ${(createdMs - startMs).toFixed(0)} ms, all first deliveries ${elapsedMs.toFixed(0)} ms later`);
    assert.ok(elapsedMs < 2_000, `took ${elapsedMs.toFixed(0)} ms after all nodes were up`);
    for (const name of ["A", "B", "C"]) {
      for (const e of got.get(name)!) {
        const latencyMs = e.receivedAtMs - e.heartbeat.sentAtMs;
        assert.ok(latencyMs < 2_000, `${name}: heartbeat delivered ${latencyMs} ms after it was sent`);
      }
    }
    const first = from("C", keyA.address)[0]!;
    assert.equal(first.fromPeerId, A.peerId);
    assert.equal(first.heartbeat.peerId, A.peerId);
    assert.equal(first.heartbeat.chainId, CHAIN_ID);
    assert.equal(C.stats().accepted > 0, true);
  });

  test("heartbeats carry measured RTTs to peers whose heartbeat was accepted", async () => {
    const ms = await until(
      "a heartbeat from A with an RTT to B",
      () => from("C", keyA.address).some((e) => e.heartbeat.rttMs.some((r) => r.nodeAddress === keyB.address)),
      3_000,
    );
    const rtt = from("C", keyA.address).flatMap((e) => e.heartbeat.rttMs).find((r) => r.nodeAddress === keyB.address)!;
    // Loose bound: all four nodes share one event loop here, so samples include its lag.
    assert.ok(rtt.rttMs > 0 && rtt.rttMs < 1_000, `loopback rtt ${rtt.rttMs} ms`);
    assert.ok(A.rtts().some((s) => s.peerId === B.peerId && s.nodeAddress === keyB.address));
    assert.ok(ms < 3_000);
  });

  test("seq strictly increases and sentAtMs is fresh on received heartbeats", () => {
    const seqs = from("C", keyA.address).map((e) => e.heartbeat.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(new Set(seqs).size, seqs.length);
  });

  test("the listen-only coordinator cannot publish; unknown clusters are refused", async () => {
    await assert.rejects(C.publishHeartbeat(sampleStatus()), GossipMeshError);
    await assert.rejects(A.publishHeartbeat(sampleStatus({ clusterId: CLUSTER_ID + 1 })), /not one of this mesh's clusterIds/);
  });

  describe("bad heartbeats are dropped, counted by reason, never delivered", () => {
    const receivers = () => [A, B, C];
    const receiverNames = ["A", "B", "C"];
    let marker = 0;

    /** A heartbeat signed by `account`, originated by M's libp2p identity, with a unique endpoint. */
    async function craft(account = keyM, overrides: Partial<Heartbeat> = {}): Promise<Heartbeat> {
      const nowMs = Date.now();
      return signHeartbeat({
        account,
        heartbeat: sampleUnsigned({
          nodeAddress: account.address,
          peerId: M.peerId,
          nowMs,
          seq: nowMs * 10 + marker, // above anything M's mesh would publish
          endpoint: `http://127.0.0.1:9/case-${++marker}`,
          ...overrides,
        }),
      });
    }

    async function injectRaw(bytes: Uint8Array): Promise<void> {
      const { recipients } = await M.libp2p.services.pubsub.publish(topic, bytes);
      assert.equal(recipients.length, 3, "M floods to A, B and C");
    }

    async function expectDropped(reason: GossipDropReason, inject: () => Promise<unknown>, endpoint?: string) {
      const before = receivers().map((r) => r.stats().dropped[reason]);
      await inject();
      await until(`"${reason}" drop counted at A, B and C`, () =>
        receivers().every((r, i) => r.stats().dropped[reason] === before[i]! + 1),
      );
      if (endpoint !== undefined) {
        for (const name of receiverNames) {
          assert.equal(got.get(name)!.some((e) => e.heartbeat.endpoint === endpoint), false, `${name} delivered it`);
        }
      }
    }

    test("a tampered field (signature no longer matches)", async () => {
      const hb = await craft();
      const tampered = { ...hb, load: 0.01 };
      await expectDropped("bad-signature", () => injectRaw(encodeHeartbeat(tampered)), hb.endpoint);
    });

    test("unsigned / garbage bytes", async () => {
      await expectDropped("schema", () => injectRaw(new TextEncoder().encode("{\"hello\":\"world\"}")));
      await expectDropped("schema", () => injectRaw(crypto.getRandomValues(new Uint8Array(64))));
      const { signature: _, ...unsigned } = await craft();
      await expectDropped("schema", () => injectRaw(new TextEncoder().encode(JSON.stringify(unsigned))), unsigned.endpoint);
    });

    test("a valid signature by a key that is not registered", async () => {
      const hb = await craft(keyU);
      await expectDropped("not-registered", () => injectRaw(encodeHeartbeat(hb)), hb.endpoint);
    });

    test("a replayed message (same seq) and an older seq after the original was accepted", async () => {
      const hb = await craft();
      const bytes = encodeHeartbeat(hb);
      await injectRaw(bytes);
      await until("original delivered at A, B and C", () =>
        receiverNames.every((n) => got.get(n)!.some((e) => e.heartbeat.endpoint === hb.endpoint)),
      );
      // Same bytes, new gossipsub message id (new pubsub seqno): only our seq check stops it.
      await expectDropped("replay", () => injectRaw(bytes));
      for (const name of receiverNames) {
        assert.equal(got.get(name)!.filter((e) => e.heartbeat.endpoint === hb.endpoint).length, 1);
      }
      // An older seq (freshly signed, so only the seq check can stop it).
      const older = await craft(keyM, { seq: hb.seq - 1 });
      const beforeOld = receivers().map((r) => r.stats().dropped["out-of-order"]);
      await injectRaw(encodeHeartbeat(older));
      await until("out-of-order drop counted", () => receivers().every((r, i) => r.stats().dropped["out-of-order"] > beforeOld[i]!));
      for (const name of receiverNames) assert.equal(got.get(name)!.some((e) => e.heartbeat.endpoint === older.endpoint), false);
    });

    test("a stale message (sentAtMs older than the freshness window) and one from the future", async () => {
      const stale = await craft(keyM, { sentAtMs: Date.now() - 60_000 });
      await expectDropped("stale", () => injectRaw(encodeHeartbeat(stale)), stale.endpoint);
      const future = await craft(keyM, { sentAtMs: Date.now() + 60_000 });
      await expectDropped("future", () => injectRaw(encodeHeartbeat(future)), future.endpoint);
    });

    test("a message for another chainId", async () => {
      const foreign = await craft(keyM, { chainId: 1 });
      await expectDropped("chain-mismatch", () => injectRaw(encodeHeartbeat(foreign)), foreign.endpoint);
    });

    test("a heartbeat of another cluster on this cluster's topic", async () => {
      const wrongCluster = await craft(keyM, { clusterId: CLUSTER_ID + 1 });
      await expectDropped("cluster-mismatch", () => injectRaw(encodeHeartbeat(wrongCluster)), wrongCluster.endpoint);
    });

    test("someone else's valid heartbeat re-originated by M", async () => {
      const stolen = from("C", keyA.address).at(-1)!.heartbeat;
      const fresh = { ...stolen }; // valid signature by A, but M is not A's libp2p peer
      await expectDropped("peer-mismatch", () => injectRaw(encodeHeartbeat(fresh)));
    });

    test("every reason was counted exactly once per receiver", () => {
      const expected: Partial<Record<GossipDropReason, number>> = {
        "bad-signature": 1,
        schema: 3,
        "not-registered": 1,
        replay: 1,
        stale: 1,
        future: 1,
        "chain-mismatch": 1,
        "cluster-mismatch": 1,
        "peer-mismatch": 1,
      };
      for (const [name, mesh] of [["A", A], ["B", B], ["C", C]] as const) {
        const { dropped } = mesh.stats();
        for (const [reason, count] of Object.entries(dropped)) {
          // Honest heartbeats may arrive late via another path at start-up (and are dropped).
          if (reason === "out-of-order") continue;
          assert.equal(count, expected[reason as GossipDropReason] ?? 0, `${name}: ${reason}`);
        }
      }
    });

    test("M's gossipsub peer score drops below the gossip threshold (Reject), A's does not", async () => {
      // 8 rejections (stale/future/replay are Ignore, not penalised) → P4 ≈ −(8²) for M, decaying
      // ×0.9/s. gossipsub caches scores for one of its heartbeats (700 ms), hence the wait.
      await until("M's score < -10 at A, B and C", () => [A, B, C].every((mesh) => mesh.peerScore(M.peerId) < -10));
      assert.ok(C.peerScore(A.peerId) >= 0, `score of A: ${C.peerScore(A.peerId)}`);
      assert.ok(C.peerScore(B.peerId) >= 0, `score of B: ${C.peerScore(B.peerId)}`);
    });
  });

  test("stop() is clean and idempotent", async () => {
    const extra = await createGossipMesh({ chainId: CHAIN_ID, clusterIds: [CLUSTER_ID], isRegistered, log, bootstrap: C.multiaddrs() });
    await extra.waitForTopicPeers({ minPeers: 1, timeoutMs: 2_000 });
    await extra.stop();
    await extra.stop();
    assert.equal(extra.libp2p.status, "stopped");
  });
});
