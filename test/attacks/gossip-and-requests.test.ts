/**
 * Attacks on the real coordinator process's two doors: its gossip port and its job API.
 *
 * Gossip: attacker libp2p peers dial the coordinator's gossip port (as any node does) and publish
 * raw heartbeats into gossipsub, bypassing honest signing: signed by an unregistered key, with a
 * tampered signature, a registered node's captured heartbeat with a field changed (endpoint,
 * load: a "slow"/redirect forgery), the same heartbeat re-originated, a registered node of
 * another cluster claiming this one, a heartbeat for another chain, one of another cluster on this
 * cluster's topic, replays (same seq, older seq, a captured heartbeat replayed after the freshness
 * window). Each must be dropped — counted under its reason in the coordinator's /metrics — and
 * change nothing: jobs still route along the honest nodes, the fake node never appears, and a
 * trap server (the endpoint the forgeries advertise) never receives a single request, not even
 * once the node they impersonate is dead.
 *
 * Requests: a dApp's signed job request with each signed field changed in turn, a signature by
 * another key, an ECDSA-malleated (high-s) signature, and an input that does not match the signed
 * commitment get their specific 4xx and create nothing on chain; the genuine request replayed
 * (concurrently and later) is idempotent: same job, one createAndAssign, escrow charged once.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, test } from "node:test";
import { createWalletClient, http, parseEther, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { jobMarketAbi, stakeRegistryAbi } from "../../contracts/abi/index.ts";
import { signJobRequest, type JobRequest } from "../../deploy/jobs.ts";
import { toModelId } from "../../deploy/protocol.ts";
import { createGossipMesh, heartbeatTopic, type GossipDropReason, type GossipMesh } from "../../node/gossip/mesh.ts";
import { heartbeatTypedData, signHeartbeat } from "../../node/gossip/sign.ts";
import { encodeHeartbeat, HEARTBEAT_VERSION, type Heartbeat, type UnsignedHeartbeat } from "../../node/wire/messages.ts";
import { loadMnist } from "../../prover/data/mnist.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { deposit, jobRequestToWire, parseDeployment, prepareJobRequest, waitForSettlement } from "../../sdk/index.ts";
import { DEV_KEYS, type LocalMesh } from "../harness/local-mesh.ts";
import { waitFor } from "../harness/processes.ts";
import { coordinatorPeer, silentLog, startAdversaryNode, startAttackMesh, type AdversaryNode } from "./adversary.ts";

/** What the forged "slow, overloaded" status says (distinctive values, on the wire grids). */
const FORGED = { load: 0.987654, inFlight: 987_654, queueDepth: 987_654 } as const;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("attack: forged gossip and tampered / replayed job requests against the real coordinator", { timeout: 300_000 }, () => {
  let mesh: LocalMesh;
  let mallory: AdversaryNode; // registered + staked in cluster 2; also listens to cluster 1's topic
  let trap: Server;
  let trapUrl: string;
  const trapHits: string[] = [];
  const anons: GossipMesh[] = [];
  const captured: Heartbeat[] = []; // honest heartbeats of cluster 1 as Mallory's peer received them
  let malloryOld: Heartbeat; // one of Mallory's own heartbeats, replayed after the freshness window
  let malloryOldAtMs = 0;
  const modelId = toModelId(DEFAULT_MODEL_ID).toLowerCase() as Hex;
  const digits = loadMnist().test.slice(40, 43);

  before(async () => {
    trap = createServer((req, res) => {
      trapHits.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
    trapUrl = `http://127.0.0.1:${(trap.address() as { port: number }).port}`;
    mesh = await startAttackMesh({ name: "gossip" });
    // harness keys: deployer 0, nodes 1 and 2, dApp 3
    mallory = await startAdversaryNode({ mesh, name: "mallory", key: DEV_KEYS[4], clusterId: 2, shards: [], modelName: DEFAULT_MODEL_ID, stake: "150", memoryBytes: 25_000_000n, extraClusterIds: [1], via: "viem" });
    mallory.mesh.onHeartbeat((e) => {
      if (e.heartbeat.clusterId === 1) captured.push(e.heartbeat);
    });
    const published = await mallory.mesh.publishHeartbeat({ clusterId: 2, load: 0.5, inFlight: 0, queueDepth: 0, computeEwmaMs: [], backend: "native", endpoint: mallory.url, servedShards: [] });
    malloryOld = published.heartbeat;
    malloryOldAtMs = Date.now();
    const account = privateKeyToAccount(mesh.dAppKey);
    const walletClient = createWalletClient({ chain: mesh.publicClient.chain, transport: http(mesh.chainRpcUrl), account });
    await deposit({ amount: parseEther("10"), publicClient: mesh.publicClient as never, walletClient: walletClient as never, deployment: parseDeployment({ raw: mesh.deployment }) });
  });
  after(async () => {
    await Promise.allSettled(anons.map((m) => m.stop()));
    await mallory?.stop();
    await mesh?.stop();
    await new Promise<void>((resolve) => (trap ? trap.close(() => resolve()) : resolve()));
  });

  // ---------------------------------------------------------------- helpers

  const market = () => mesh.deployment.contracts.JobMarket.address as Address;
  const deployment = () => parseDeployment({ raw: mesh.deployment });
  const signerOf = async (nodeId: number) =>
    (await mesh.publicClient.readContract({ address: mesh.deployment.contracts.StakeRegistry.address, abi: stakeRegistryAbi, functionName: "getNode", args: [nodeId] })).signer;
  type ExplorerNode = {
    id: number;
    signer: string;
    health: string;
    endpointInUse: string;
    lastHeartbeatAtMs: number | null;
    load: number | null;
    queueDepth: number;
    computeMs: { ewmaMs: number }[];
    servedShards: { shard: number }[];
  };
  const explorerNode = async (id: number) => (await (await fetch(`${mesh.coordinatorUrl}/v1/explorer/nodes/${id}`)).json()) as ExplorerNode;
  const explorerNodes = async () => ((await (await fetch(`${mesh.coordinatorUrl}/v1/explorer/nodes?limit=100`)).json()) as { items: ExplorerNode[] }).items;

  async function dropped(reason: GossipDropReason): Promise<number> {
    const text = await (await fetch(`${mesh.coordinatorUrl}/metrics`)).text();
    const m = text.match(new RegExp(`^proofmesh_coordinator_gossip_heartbeats_dropped\\{reason="${reason}"\\} (\\d+)$`, "m"));
    assert.ok(m, `no ${reason} drop counter in /metrics`);
    return Number(m[1]);
  }

  /**
   * A fresh attacker libp2p peer connected to the coordinator's gossip port. Each rejected message
   * costs its sender peer score (invalid², ~9 → graylisted and ignored): a few attacks per peer.
   */
  async function anonPeer(): Promise<GossipMesh> {
    const m = await createGossipMesh({ chainId: mesh.chainId, clusterIds: [1, 2], bootstrap: [await coordinatorPeer(mesh)], isRegistered: async () => true, log: silentLog, rttIntervalMs: 0 });
    anons.push(m);
    await m.waitForTopicPeers({ minPeers: 1, timeoutMs: 30_000 });
    return m;
  }

  /** Publishes raw bytes on a cluster's topic from `peer`; the drop counter of `reason` must grow by exactly one. */
  async function expectDropped(reason: GossipDropReason, peer: GossipMesh, clusterId: number, hb: Heartbeat | Uint8Array, { exact = true } = {}) {
    const before = await dropped(reason);
    const bytes = hb instanceof Uint8Array ? hb : encodeHeartbeat(hb);
    const { recipients } = await peer.libp2p.services.pubsub.publish(heartbeatTopic({ chainId: mesh.chainId, clusterId }), bytes);
    assert.ok(recipients.length >= 1, "the coordinator is subscribed and receives it");
    await waitFor({ what: `a "${reason}" drop counted by the coordinator`, timeoutMs: 10_000, intervalMs: 100, check: async () => (await dropped(reason)) > before });
    if (exact) assert.equal(await dropped(reason), before + 1, `exactly one "${reason}" drop`);
  }

  function unsigned(p: { nodeAddress: Address; peerId: string; clusterId: number; endpoint?: string; chainId?: number; seq?: number; sentAtMs?: number; shards?: number[] }): UnsignedHeartbeat {
    const now = Date.now();
    return {
      version: HEARTBEAT_VERSION,
      chainId: p.chainId ?? mesh.chainId,
      nodeAddress: p.nodeAddress,
      peerId: p.peerId,
      clusterId: p.clusterId,
      seq: p.seq ?? now * 10,
      sentAtMs: p.sentAtMs ?? now,
      load: 0,
      inFlight: 0,
      queueDepth: 0,
      computeEwmaMs: (p.shards ?? [0, 1]).map((shard) => ({ modelId, shard, ewmaMs: 0.001 })),
      rttMs: [],
      backend: "native",
      endpoint: p.endpoint ?? trapUrl,
      servedShards: (p.shards ?? [0, 1]).map((shard) => ({ modelId, shard })),
    };
  }

  async function postJob(body: unknown): Promise<{ status: number; body: Record<string, unknown>; replay: string | null }> {
    const res = await fetch(`${mesh.coordinatorUrl}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, replay: res.headers.get("x-idempotent-replay") };
  }

  const dAppWallet = () => createWalletClient({ chain: mesh.publicClient.chain, transport: http(mesh.chainRpcUrl), account: privateKeyToAccount(mesh.dAppKey) });
  const dAppBalance = () => mesh.publicClient.readContract({ address: market(), abi: jobMarketAbi, functionName: "balanceOf", args: [privateKeyToAccount(mesh.dAppKey).address] });
  const statusOnChain = (jobId: bigint) => mesh.publicClient.readContract({ address: market(), abi: jobMarketAbi, functionName: "statusOf", args: [jobId] });
  const jobIdOfReq = (r: JobRequest) => (BigInt(r.dApp) << 64n) | r.nonce;
  const createdEvents = (jobId: bigint) => mesh.publicClient.getContractEvents({ address: market(), abi: jobMarketAbi, eventName: "JobCreated", args: { jobId }, fromBlock: 0n, toBlock: "latest" });

  async function signedRequest(input: number[], nonce: bigint) {
    const { request } = await prepareJobRequest({ publicClient: mesh.publicClient as never, deployment: deployment(), dApp: privateKeyToAccount(mesh.dAppKey).address, input, clusterId: 1, nonce });
    const signature = await signJobRequest({ walletClient: dAppWallet() as never, chainId: mesh.chainId, jobMarket: market(), request });
    return { request, signature };
  }

  // ---------------------------------------------------------------- gossip

  test("forged heartbeats are dropped by reason and change nothing: no fake node, no redirect, honest routing", async () => {
    const [a, b] = mesh.nodes;
    const aSigner = await signerOf(a.nodeId);
    const honest = await waitFor({ what: "an honest heartbeat of node a captured", timeoutMs: 10_000, check: async () => captured.findLast((h) => h.nodeAddress === aSigner) });
    const nodesBefore = await explorerNodes();

    // 1. a fake node: valid signature, unregistered key, claims both shards at the trap endpoint
    const fakeKey = privateKeyToAccount(generatePrivateKey());
    const p1 = await anonPeer();
    await expectDropped("not-registered", p1, 1, await signHeartbeat({ account: fakeKey, heartbeat: unsigned({ nodeAddress: fakeKey.address, peerId: p1.peerId, clusterId: 1 }) }));

    // 2. a registered node's heartbeat, tampered signature
    const sig = honest.signature;
    const flipped = `${sig.slice(0, 10)}${((parseInt(sig.slice(10, 12), 16) ^ 0xff) >>> 0).toString(16).padStart(2, "0")}${sig.slice(12)}` as Hex;
    await expectDropped("bad-signature", p1, 1, { ...honest, signature: flipped });

    // 3. node a's real heartbeat with fields changed: "slow, overloaded, and now at the trap endpoint"
    const p2 = await anonPeer();
    await expectDropped("bad-signature", p2, 1, { ...honest, endpoint: trapUrl, ...FORGED, computeEwmaMs: honest.computeEwmaMs.map((e) => ({ ...e, ewmaMs: 3_599_999 })) });

    // 4. node a's real heartbeat, unchanged, re-originated by another peer
    await expectDropped("peer-mismatch", p2, 1, honest);

    // 5. node a's status ("slow, overloaded, at the trap endpoint") signed by the attacker's own
    //    registered key: the signature recovers Mallory, not node a
    const forgedStatus = { ...unsigned({ nodeAddress: aSigner, peerId: p2.peerId, clusterId: 1 }), ...FORGED };
    const forged = { ...forgedStatus, signature: await mallory.signer.signTypedData(heartbeatTypedData(forgedStatus)) };
    await expectDropped("bad-signature", p2, 1, forged);

    // 6. Mallory (registered and staked, but in cluster 2) claims to be a node of cluster 1
    await expectDropped("not-registered", mallory.mesh, 1, await signHeartbeat({ account: mallory.signer, heartbeat: unsigned({ nodeAddress: mallory.signer.address, peerId: mallory.mesh.peerId, clusterId: 1 }) }));

    // 7. another chain (its own EIP-712 domain: a valid signature there)
    await expectDropped("chain-mismatch", mallory.mesh, 2, await signHeartbeat({ account: mallory.signer, heartbeat: unsigned({ nodeAddress: mallory.signer.address, peerId: mallory.mesh.peerId, clusterId: 2, chainId: mesh.chainId + 1 }) }));

    // 8. its cluster-2 heartbeat pushed onto cluster 1's topic
    await expectDropped("cluster-mismatch", mallory.mesh, 1, await signHeartbeat({ account: mallory.signer, heartbeat: unsigned({ nodeAddress: mallory.signer.address, peerId: mallory.mesh.peerId, clusterId: 2, shards: [] }) }));

    // 9. replays of its own accepted heartbeats: the latest again (same bytes), an older seq, one from the past
    const last = await mallory.mesh.publishHeartbeat({ clusterId: 2, load: 0.25, inFlight: 0, queueDepth: 0, computeEwmaMs: [], backend: "native", endpoint: mallory.url, servedShards: [] });
    const replays = async () => (await dropped("replay")) + (await dropped("out-of-order"));
    const r0 = await replays();
    await mallory.mesh.libp2p.services.pubsub.publish(last.topic, encodeHeartbeat(last.heartbeat));
    await waitFor({ what: "the replay dropped", timeoutMs: 10_000, check: async () => (await replays()) > r0 });
    const older = await signHeartbeat({ account: mallory.signer, heartbeat: unsigned({ nodeAddress: mallory.signer.address, peerId: mallory.mesh.peerId, clusterId: 2, shards: [], seq: last.heartbeat.seq - 1 }) });
    await expectDropped("out-of-order", mallory.mesh, 2, older, { exact: false });
    const past = await signHeartbeat({ account: mallory.signer, heartbeat: unsigned({ nodeAddress: mallory.signer.address, peerId: mallory.mesh.peerId, clusterId: 2, shards: [], sentAtMs: Date.now() - 60_000 }) });
    await expectDropped("stale", mallory.mesh, 2, past, { exact: false });

    // The coordinator's view: no new node, node a where it really is, jobs along a → b, the trap untouched.
    const nodesAfter = await explorerNodes();
    assert.deepEqual(nodesAfter.map((n) => n.id), nodesBefore.map((n) => n.id), "no node appeared");
    assert.equal(nodesAfter.some((n) => n.signer.toLowerCase() === fakeKey.address.toLowerCase()), false);
    const aView = await explorerNode(a.nodeId);
    assert.equal(aView.endpointInUse, a.endpoint, "node a's endpoint is the one it signed");
    assert.notEqual(aView.load, FORGED.load, "node a's load is what it signed");
    assert.notEqual(aView.queueDepth, FORGED.queueDepth);
    assert.ok(aView.computeMs.every((c) => c.ewmaMs < 3_599_999), "no forged compute time");
    const { request, signature } = await signedRequest(Array.from(digits[0].pixels), 7_000n);
    const r = await postJob({ request: jobRequestToWire(request), signature, input: Array.from(digits[0].pixels) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual((r.body.route as { nodeId: number }[]).map((s) => s.nodeId), [a.nodeId, b.nodeId], "routing unchanged");
    assert.deepEqual(trapHits, [], "nothing was ever sent to the forged endpoint");
    // its escrow is taken before the next test measures balances
    await waitFor({ what: "the job relayed", timeoutMs: 60_000, check: async () => (await statusOnChain(jobIdOfReq(request))) >= 2 });
  });

  // ---------------------------------------------------------------- job requests

  test("tampered requests (each signed field, another key's signature, a malleated signature, an unsigned input swap) get their 4xx and create nothing", async () => {
    const input = Array.from(digits[1].pixels);
    const { request, signature } = await signedRequest(input, 8_000n);
    const wire = jobRequestToWire(request);
    const balance0 = await dAppBalance();
    const attacker = privateKeyToAccount(generatePrivateKey());
    const tampered: [string, Record<string, unknown>, Hex, string][] = [
      ["dApp", { ...wire, dApp: attacker.address }, signature, "BAD_SIGNATURE"],
      ["modelId", { ...wire, modelId: toModelId("mnist-mlp-784-56-10") }, signature, "BAD_SIGNATURE"],
      ["inputCommitment", { ...wire, inputCommitment: (request.inputCommitment + 1n).toString() }, signature, "BAD_SIGNATURE"],
      ["maxFee", { ...wire, maxFee: (request.maxFee + 1n).toString() }, signature, "BAD_SIGNATURE"],
      ["deadline", { ...wire, deadline: (request.deadline + 1n).toString() }, signature, "BAD_SIGNATURE"],
      ["nonce", { ...wire, nonce: (request.nonce + 1n).toString() }, signature, "BAD_SIGNATURE"],
      ["clusterId", { ...wire, clusterId: 2 }, signature, "BAD_SIGNATURE"],
    ];
    // signed by another key (the attacker signs the dApp's request: the dApp would pay)
    const foreignSig = await signJobRequest({ walletClient: createWalletClient({ chain: mesh.publicClient.chain, transport: http(mesh.chainRpcUrl), account: attacker }) as never, chainId: mesh.chainId, jobMarket: market(), request });
    tampered.push(["signer", wire, foreignSig, "BAD_SIGNATURE"]);
    // ECDSA malleability: (r, n − s, v ^ 1) recovers the same signer; only low-s is accepted
    const s = BigInt(`0x${signature.slice(66, 130)}`);
    const v = parseInt(signature.slice(130, 132), 16);
    const malleated = `${signature.slice(0, 66)}${(SECP256K1_N - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    tampered.push(["high-s signature", wire, malleated, "BAD_SIGNATURE"]);

    for (const [what, req, sig, code] of tampered) {
      const r = await postJob({ request: req, signature: sig, input });
      assert.equal(r.body.code, code, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.status, 401, what);
      assert.match(String(r.body.message), /signature/i, what);
    }
    // the input is not signed but committed: swapping it is caught by the commitment
    const other = Array.from(digits[2].pixels);
    const swapped = await postJob({ request: wire, signature, input: other });
    assert.deepEqual([swapped.status, swapped.body.code], [400, "COMMITMENT_MISMATCH"], JSON.stringify(swapped.body));

    // Nothing exists anywhere: not at the coordinator, not on chain, no escrow taken.
    const ids = new Set<bigint>([jobIdOfReq(request), jobIdOfReq({ ...request, dApp: attacker.address }), jobIdOfReq({ ...request, nonce: request.nonce + 1n })]);
    await new Promise((r) => setTimeout(r, 1_000)); // a relay (every 200 ms) would have happened by now
    for (const id of ids) {
      const st = await fetch(`${mesh.coordinatorUrl}/v1/jobs/${id}`);
      assert.equal(st.status, 404, `job ${id} unknown to the coordinator`);
      assert.equal(((await st.json()) as { code: string }).code, "UNKNOWN_JOB");
      assert.equal(await statusOnChain(id), 0, `job ${id} not on chain`);
      assert.equal((await createdEvents(id)).length, 0);
    }
    assert.equal(await dAppBalance(), balance0, "no escrow taken");

    // The genuine request still goes through afterwards (nothing was burnt by the forgeries).
    const ok = await postJob({ request: wire, signature, input });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.jobId, jobIdOfReq(request).toString());
    await waitFor({ what: "the genuine job relayed", timeoutMs: 60_000, check: async () => (await statusOnChain(jobIdOfReq(request))) >= 2 });
  });

  test("a replayed signed request is idempotent: same job and answer, one createAndAssign, escrow charged once", async () => {
    const input = Array.from(digits[2].pixels);
    const { request, signature } = await signedRequest(input, 9_000n);
    const jobId = jobIdOfReq(request);
    const body = { request: jobRequestToWire(request), signature, input };
    const balance0 = await dAppBalance();
    const escrow = (await prepareJobRequest({ publicClient: mesh.publicClient as never, deployment: deployment(), dApp: request.dApp, input, clusterId: 1, nonce: 1n, checkBalance: false })).escrow;

    // Three identical submissions at once, then more later: one job.
    const first = await Promise.all([postJob(body), postJob(body), postJob(body)]);
    for (const r of first) assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(new Set(first.map((r) => JSON.stringify({ ...r.body, status: undefined, fastPathMs: undefined }))).size, 1, "the same answer to every copy");
    assert.equal(first.filter((r) => r.replay === "false").length, 1, "exactly one was executed, the others were replays");
    await waitFor({ what: "the relay", timeoutMs: 60_000, check: async () => (await statusOnChain(jobId)) >= 2 });
    const again = await postJob(body);
    assert.deepEqual([again.status, again.replay, again.body.jobId, again.body.result], [200, "true", jobId.toString(), first[0].body.result]);

    // Same nonce, different (validly signed) content: refused.
    const other = Array.from(digits[0].pixels);
    const { request: base } = await prepareJobRequest({ publicClient: mesh.publicClient as never, deployment: deployment(), dApp: request.dApp, input: other, clusterId: 1, nonce: 9_001n });
    const r2 = { ...base, nonce: request.nonce };
    const s2 = await signJobRequest({ walletClient: dAppWallet() as never, chainId: mesh.chainId, jobMarket: market(), request: r2 });
    const conflict = await postJob({ request: jobRequestToWire(r2), signature: s2, input: other });
    assert.deepEqual([conflict.status, conflict.body.code], [409, "NONCE_USED"], JSON.stringify(conflict.body));

    // Settles once; the dApp paid exactly one escrow (nothing refunded: every stage was proven).
    const settled = await waitForSettlement({ publicClient: mesh.publicClient as never, deployment: deployment(), jobId, expectedResult: BigInt(first[0].body.result as number), timeoutMs: 120_000 });
    assert.ok(settled.result >= 0n);
    // replayed until the coordinator has indexed the settlement too: every replay is the same job
    const late = await waitFor({
      what: "a replay reporting the settled job",
      timeoutMs: 20_000,
      intervalMs: 250,
      check: async () => {
        const r = await postJob(body);
        assert.deepEqual([r.status, r.body.jobId], [200, jobId.toString()]);
        return r.body.status === "settled" && r;
      },
    });
    assert.deepEqual([late.status, late.replay, late.body.jobId, late.body.status], [200, "true", jobId.toString(), "settled"]);
    assert.equal((await createdEvents(jobId)).length, 1, "one JobCreated");
    assert.equal(await dAppBalance(), balance0 - escrow, "charged once");
  });

  // ---------------------------------------------------------------- a dead node cannot be impersonated

  test("once node b is dead, forged heartbeats cannot revive it or point its shard at the trap: jobs fail, nothing reaches the trap, nothing is charged", async () => {
    const b = mesh.nodes[1];
    const bSigner = await signerOf(b.nodeId);
    const honest = captured.findLast((h) => h.nodeAddress === bSigner);
    assert.ok(honest, "a captured heartbeat of node b");
    await mesh.group.stop(b.proc);
    await waitFor({ what: "node b dead at the coordinator", timeoutMs: 15_000, intervalMs: 200, check: async () => (await explorerNode(b.nodeId)).health === "dead" });
    const lastSeen = (await explorerNode(b.nodeId)).lastHeartbeatAtMs;

    // Its last real heartbeat, refreshed and redirected (signature no longer matches), three times;
    // the fake node of cluster 1 again; Mallory's old heartbeat, replayed after the freshness window.
    const p = await anonPeer();
    for (let i = 0; i < 3; i++) {
      await expectDropped("bad-signature", p, 1, { ...honest, sentAtMs: Date.now(), seq: honest.seq + 1_000 + i, endpoint: trapUrl });
    }
    const fakeKey = privateKeyToAccount(generatePrivateKey());
    const pf = p;
    await expectDropped("not-registered", pf, 1, await signHeartbeat({ account: fakeKey, heartbeat: unsigned({ nodeAddress: fakeKey.address, peerId: pf.peerId, clusterId: 1, shards: [1] }) }));
    const waitMs = malloryOldAtMs + 11_000 - Date.now();
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    await expectDropped("stale", mallory.mesh, 2, malloryOld, { exact: false });

    const bView = await explorerNode(b.nodeId);
    assert.equal(bView.health, "dead", "still dead");
    assert.equal(bView.lastHeartbeatAtMs, lastSeen, "no heartbeat of b was accepted");
    assert.equal(bView.endpointInUse, b.endpoint);

    const input = Array.from(digits[0].pixels);
    const { request, signature } = await signedRequest(input, 10_000n);
    const balance0 = await dAppBalance();
    const r = await postJob({ request: jobRequestToWire(request), signature, input });
    assert.equal(r.status, 503, `no live server of shard 1 exists: ${JSON.stringify(r.body)}`);
    assert.ok(["PIPELINE_UNAVAILABLE", "NO_ROUTE"].includes(String(r.body.code)), JSON.stringify(r.body));
    assert.deepEqual(trapHits, [], "the forged endpoint was never called (not even probed)");
    assert.equal(await statusOnChain(jobIdOfReq(request)), 0);
    assert.equal(await dAppBalance(), balance0, "a failed fast path charges nothing");
  });
});
