/**
 * Faults, with real processes on loopback (issue 8): one mesh — a Hardhat chain reached by the
 * services through a TCP proxy that can be cut, the deploy script, the coordinator, and three node
 * daemons set up by the operator CLI in one cluster: node a serves shard 0, nodes b and c both
 * serve shard 1 (so a request can be rerouted). Every wait is bounded; proving (node a's shard 0)
 * dominates the run time, so each scenario uses as few jobs as it needs.
 *
 *  1. A node killed (SIGKILL) right after answering J1: J2 is answered through the other shard-1
 *     node. J1's unproven stage is not reassigned (the JobMarket has no reassignment): the job
 *     expires at its deadline — also on a quiet chain, with no block mined after the deadline —
 *     with a refund of what was not paid and the dead node slashed (node a instead, should the
 *     machine be too loaded for a to prove stage 0 in time). The other node, killed right
 *     after answering J2 and restarted, resumes its pending proof from its SQLite store and J2
 *     settles; the first node, restarted after the expiry, abandons its stage.
 *  2. The coordinator SIGKILLed with proofs in flight and restarted with its database deleted: it
 *     keeps its gossip peer id (nodes dial it by multiaddr + peer id), so heartbeats resume; the
 *     jobs settle (nodes prove and submit without the coordinator); the rebuilt index
 *     (GET /v1/jobs/:id, /v1/explorer/...) matches the chain's events for every job; a job whose
 *     relay was lost with the database is not on chain, and its signed submission is accepted
 *     again by the new coordinator.
 *  3. The chain RPC cut (every service's connection dropped, new ones refused) for 10 s while a
 *     relay and proofs are pending: health endpoints keep answering, a submission is refused with
 *     503 CHAIN_UNAVAILABLE; after the RPC returns the coordinator reads the chain again, the
 *     pending relay and proofs go through and the jobs settle.
 *  4. Nothing stuck: every job is settled or expired on chain, no node holds an open or failed stage.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { parseEther, type Address } from "viem";
import { jobMarketAbi, stakeRegistryAbi } from "../../contracts/abi/index.ts";
import { loadMnist } from "../../prover/data/mnist.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { argmax, runIntLayers } from "../../prover/quant/reference.ts";
import { loadShardArtifacts } from "../../prover/shard-artifacts.ts";
import { jobRequestToWire, ProofMeshApiError, type ProofMeshClient, type SubmitJobReturnType } from "../../sdk/index.ts";
import { DEV_KEYS, meshClient, startLocalMesh, type LocalMesh, type RunningNode } from "../harness/local-mesh.ts";
import { waitFor } from "../harness/processes.ts";

const STATUS = { None: 0, Created: 1, Assigned: 2, Settled: 3, Expired: 4 } as const;
const T0 = Date.now();
const note = (msg: string) => console.log(`[faults +${((Date.now() - T0) / 1000).toFixed(1)}s] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Job = SubmitJobReturnType & { input: number[]; expected: number; label: string };

describe("faults (real processes, loopback, bounded in time)", { timeout: 900_000 }, () => {
  let mesh: LocalMesh;
  let client: ProofMeshClient;
  let market: Address;
  let a: RunningNode;
  let shard1: RunningNode[];
  const jobs: Job[] = [];
  const numbers: Record<string, number | string> = {};
  const digits = loadMnist().test.slice(20, 40);
  let nextDigit = 0;
  const layers = [0, 1].flatMap((shard) => loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard }).layers);

  const pc = () => mesh.publicClient;
  const statusOf = async (jobId: bigint) => Number(await pc().readContract({ address: market, abi: jobMarketAbi, functionName: "statusOf", args: [jobId] }));
  const nodeById = (id: number) => mesh.nodes.find((n) => n.nodeId === id)!;

  /** How far the chain's clock (the pending block's timestamp) is ahead of this machine's wall clock, s. */
  async function chainClockAheadS(): Promise<number> {
    const b = await pc().getBlock({ blockTag: "pending" });
    return Number(b.timestamp) - Math.floor(Date.now() / 1000);
  }

  /** A deadline `seconds` from now: wall clock or chain time (the pending block's), whichever is later. */
  async function deadlineIn(seconds: number): Promise<bigint> {
    const b = await pc().getBlock({ blockTag: "pending" });
    const wall = BigInt(Math.floor(Date.now() / 1000));
    return (wall > b.timestamp ? wall : b.timestamp) + BigInt(seconds);
  }

  async function submit(label: string, deadlineSeconds: number): Promise<Job> {
    const d = digits[nextDigit++ % digits.length];
    const input = Array.from(d.pixels);
    const expected = argmax(runIntLayers({ layers, input }));
    const r = await client.submitJob({ input, clusterId: 1, deadline: await deadlineIn(deadlineSeconds) });
    assert.equal(r.answer.result, expected, `${label}: the fast-path answer equals the integer reference`);
    const job = { ...r, input, expected, label };
    jobs.push(job);
    return job;
  }

  async function api(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
    const r = await fetch(`${mesh.coordinatorUrl}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
    return { status: r.status, body: await r.json() };
  }

  async function waitChain(job: Job, want: number[], timeoutMs: number): Promise<number> {
    return waitFor({
      what: `${job.label} (job ${job.jobId}) to reach chain status ${want.join("/")}`,
      timeoutMs,
      intervalMs: 250,
      check: async () => {
        const s = await statusOf(job.jobId);
        return want.includes(s) ? s : undefined;
      },
    }).catch(async (err) => {
      throw new Error(`${(err as Error).message} (now ${await statusOf(job.jobId)}; node stages: ${JSON.stringify(await stagesOf(job))})`);
    });
  }

  /** What every node's store says about a job's stages (diagnostics and stuck checks). */
  async function stagesOf(job: Job) {
    const out: Record<string, unknown> = {};
    for (const n of mesh.nodes) {
      try {
        const r = await fetch(`${n.url}/v1/stages?limit=1000`, { signal: AbortSignal.timeout(15_000) });
        const { stages } = (await r.json()) as { stages: { jobId: string; stage: number; status: string; lastError: string | null }[] };
        for (const s of stages) if (s.jobId === job.jobId.toString()) out[`${n.name}/${s.stage}`] = `${s.status}${s.lastError ? ` (${s.lastError.slice(0, 120)})` : ""}`;
      } catch {
        out[n.name] = "unreachable";
      }
    }
    return out;
  }

  /** The coordinator's view of every node (diagnostics). */
  async function nodeViews(): Promise<{ id: number; health: string; lastHeartbeatAtMs: number | null }[]> {
    return ((await api("/v1/explorer/nodes")).body.items as { id: number; health: string; lastHeartbeatAtMs: number | null }[]).map(({ id, health, lastHeartbeatAtMs }) => ({ id, health, lastHeartbeatAtMs }));
  }

  /** Restarts any node a previous (failed) test left killed, so each test starts from a whole mesh. */
  async function ensureNodesUp() {
    for (const n of mesh.nodes) if (n.proc.child.exitCode !== null || n.proc.child.signalCode !== null) await mesh.startNode(n);
  }

  async function jobEvents(jobId: bigint) {
    const q = { address: market, abi: jobMarketAbi, args: { jobId }, fromBlock: 0n, toBlock: "latest" as const };
    const [created, assigned, proven, settled, expired] = await Promise.all([
      pc().getContractEvents({ ...q, eventName: "JobCreated" }),
      pc().getContractEvents({ ...q, eventName: "JobAssigned" }),
      pc().getContractEvents({ ...q, eventName: "StageProven" }),
      pc().getContractEvents({ ...q, eventName: "JobSettled" }),
      pc().getContractEvents({ ...q, eventName: "JobExpired" }),
    ]);
    return { created, assigned, proven, settled, expired };
  }

  /** The coordinator's job status and explorer trace agree with the chain's state and events. */
  async function assertIndexMatchesChain(job: Job) {
    const id = job.jobId.toString();
    const chainStatus = await statusOf(job.jobId);
    const ev = await jobEvents(job.jobId);
    const st = await api(`/v1/jobs/${id}`);
    const tr = await api(`/v1/explorer/jobs/${id}?verify=true`);
    if (chainStatus === STATUS.None) {
      assert.equal(st.status, 404, `${job.label}: not on chain, so unknown to a rebuilt index`);
      assert.equal(st.body.code, "UNKNOWN_JOB");
      return;
    }
    assert.equal(st.status, 200, `${job.label}: GET /v1/jobs/${id} → ${JSON.stringify(st.body)}`);
    assert.equal(tr.status, 200, `${job.label}: GET /v1/explorer/jobs/${id} → ${JSON.stringify(tr.body).slice(0, 300)}`);
    const s = st.body;
    const t = tr.body;
    const name = ({ [STATUS.Settled]: "settled", [STATUS.Expired]: "expired" } as Record<number, string>)[chainStatus];
    assert.ok(name, `${job.label}: the chain status ${chainStatus} should be terminal by now`);
    assert.equal(s.status, name, `${job.label}: status`);
    assert.equal(t.status, name, `${job.label}: trace status`);
    // request and signature, rebuilt from the createAndAssign calldata
    assert.deepEqual(t.request, { ...jobRequestToWire(job.request), dApp: job.request.dApp, modelId: job.request.modelId.toLowerCase() }, `${job.label}: signed request`);
    assert.equal(String(t.signature).toLowerCase(), job.signature.toLowerCase(), `${job.label}: signature`);
    assert.equal(s.deadline, job.request.deadline.toString());
    assert.equal(s.nonce, job.request.nonce.toString());
    // creation, assignment
    assert.equal(ev.created.length, 1);
    assert.equal(t.creation.txHash, ev.created[0].transactionHash, `${job.label}: creation tx`);
    assert.equal(t.escrow, ev.created[0].args.escrow!.toString(), `${job.label}: escrow`);
    assert.equal(ev.assigned.length, 1);
    const nodeIds = ev.assigned[0].args.nodeIds!.map(Number);
    assert.deepEqual(s.nodeIds, nodeIds, `${job.label}: assigned nodes`);
    assert.deepEqual(t.assignment.nodeIds, nodeIds);
    assert.equal(t.assignment.txHash, ev.assigned[0].transactionHash);
    // stages
    assert.equal(s.stagesProven, ev.proven.length, `${job.label}: stages proven`);
    for (const st of t.stages as { stage: number; proven: boolean; nodeId: number; txHash: string | null; paid: string | null; verification: { valid: boolean } | null }[]) {
      const p = ev.proven.find((e) => Number(e.args.stage) === st.stage);
      assert.equal(st.proven, Boolean(p), `${job.label}: stage ${st.stage} proven`);
      if (p) {
        assert.equal(st.nodeId, Number(p.args.nodeId), `${job.label}: stage ${st.stage} node`);
        assert.equal(st.txHash, p.transactionHash, `${job.label}: stage ${st.stage} tx`);
        assert.equal(st.paid, p.args.paid!.toString(), `${job.label}: stage ${st.stage} paid`);
        assert.equal(st.verification?.valid, true, `${job.label}: stage ${st.stage} proof re-verifies (noble) from the indexed calldata`);
      }
    }
    // settlement / expiry
    if (chainStatus === STATUS.Settled) {
      const result = await pc().readContract({ address: market, abi: jobMarketAbi, functionName: "resultOf", args: [job.jobId] });
      assert.equal(s.chainResult, result.toString(), `${job.label}: chain result`);
      assert.equal(result, BigInt(job.expected), `${job.label}: the chain verified the fast-path answer`);
      assert.equal(t.settlement.txHash, ev.settled[0].transactionHash);
      assert.equal(t.settlement.result, ev.settled[0].args.result!.toString());
      assert.equal(t.expiry, null);
    } else {
      const x = ev.expired[0];
      assert.ok(x, `${job.label}: a JobExpired event`);
      assert.deepEqual(t.expiry, { refund: x.args.refund!.toString(), slashedNodeId: Number(x.args.slashedNodeId), slashed: x.args.slashed!.toString(), txHash: x.transactionHash });
      assert.equal(t.settlement, null);
    }
    // the event log, in chain order
    const names = [...ev.created, ...ev.assigned, ...ev.proven, ...ev.settled, ...ev.expired]
      .sort((x, y) => (x.blockNumber === y.blockNumber ? x.logIndex - y.logIndex : Number(x.blockNumber - y.blockNumber)))
      .map((e) => e.eventName);
    assert.deepEqual(
      (t.events as { name: string }[]).map((e) => e.name),
      names,
      `${job.label}: indexed events`,
    );
  }

  before(async () => {
    mesh = await startLocalMesh({
      workDir: join(tmpdir(), `proofmesh-faults-${process.pid}`),
      clusters: [{ label: "eu-west", region: "eu-west-1", minStake: "100" }],
      nodes: [
        { name: "a", clusterId: 1, oneWayDelayMs: 1, memoryBytes: 25_000_000n, stake: "150", shards: `${DEFAULT_MODEL_ID}:0` },
        { name: "b", clusterId: 1, oneWayDelayMs: 2, memoryBytes: 25_000_000n, stake: "150", shards: `${DEFAULT_MODEL_ID}:1` },
        { name: "c", clusterId: 1, oneWayDelayMs: 2, memoryBytes: 25_000_000n, stake: "150", shards: `${DEFAULT_MODEL_ID}:1` },
      ],
      modelId: DEFAULT_MODEL_ID,
      // short job deadlines are accepted (5 s margin) and expired within a second of passing
      coordinatorArgs: ["--min-deadline-margin-sec", "5", "--sweep-interval-ms", "1000"],
      rpcProxy: true,
      parallelNodeSetup: true,
      log: note,
    });
    numbers.meshStartS = ((Date.now() - T0) / 1000).toFixed(1);
    market = mesh.deployment.contracts.JobMarket.address;
    a = mesh.nodes[0];
    shard1 = mesh.nodes.slice(1);
    // The dApp talks to the chain directly (meshClient): the faults are between the services and the chain.
    client = meshClient(mesh);
    await client.deposit({ amount: parseEther("50") });
    numbers.chainClockAheadOfWallS = await chainClockAheadS();
    note(`mesh up in ${numbers.meshStartS} s`);
  });

  after(async () => {
    if (mesh) numbers.chainClockAheadOfWallAtEndS = await chainClockAheadS().catch(() => "n/a");
    note(`numbers: ${JSON.stringify(numbers)}`);
    await mesh?.stop();
  });

  test("1. a node killed mid-job: the request is rerouted, the dead node's stage expires with refund and slash; a restarted node resumes its proof", async () => {
    // J1: kill the shard-1 node that answered it, before it can prove. 60 s: node a should prove
    // J1's stage 0 before the deadline (2–50 s per shard-0 proof, depending on the machine's load).
    const j1 = await submit("J1", 60);
    const victim = nodeById(j1.answer.route[1].nodeId);
    const survivor = shard1.find((n) => n !== victim)!;
    await mesh.group.kill(victim.proc);
    const killedAt = Date.now();
    note(`J1 answered through ${j1.answer.route.map((r) => r.nodeId).join("→")}; killed node ${victim.name} (${victim.nodeId})`);

    // J2 right after the kill: answered through the survivor.
    const t2 = performance.now();
    const j2 = await submit("J2", 180);
    numbers.rerouteSubmitMs = Math.round(performance.now() - t2);
    numbers.rerouteFastPathMs = Math.round(j2.answer.fastPathMs);
    assert.deepEqual(j2.answer.route.map((r) => r.nodeId), [a.nodeId, survivor.nodeId], "J2 is rerouted through the surviving shard-1 node");
    // ... which is killed right after answering, and restarted below.
    await mesh.group.kill(survivor.proc);
    const trace2 = (await api(`/v1/explorer/jobs/${j2.jobId}`)).body;
    numbers.rerouteDownstreamFailures = trace2.route.downstreamFailures.length;
    note(`J2 answered via ${survivor.name} in ${numbers.rerouteSubmitMs} ms (fast path ${numbers.rerouteFastPathMs} ms, downstream failures seen: ${JSON.stringify(trace2.route.downstreamFailures)}); killed ${survivor.name}`);

    // The coordinator marks the first killed node dead (heartbeats stop, probes fail).
    await waitFor({
      what: `the coordinator to mark node ${victim.name} dead`,
      timeoutMs: 15_000,
      intervalMs: 100,
      check: async () => (await api(`/v1/explorer/nodes/${victim.nodeId}`)).body.health === "dead",
    });
    numbers.deadDetectedMs = Date.now() - killedAt;

    // The survivor comes back: it resumes J2's stage from its store, proves it, J2 settles.
    const restartAt = Date.now();
    await mesh.startNode(survivor);
    numbers.nodeRestartMs = Date.now() - restartAt;
    await waitChain(j2, [STATUS.Settled], 120_000);
    numbers.settleAfterNodeRestartMs = Date.now() - restartAt;
    note(`${survivor.name} restarted in ${numbers.nodeRestartMs} ms; J2 settled ${numbers.settleAfterNodeRestartMs} ms after the restart`);
    const result2 = await pc().readContract({ address: market, abi: jobMarketAbi, functionName: "resultOf", args: [j2.jobId] });
    assert.equal(result2, BigInt(j2.expected), "J2: the chain verified the answer");
    const s2 = String((await stagesOf(j2))[`${survivor.name}/1`]);
    assert.ok(s2.startsWith("submitted"), `the restarted node submitted J2's stage itself (its store: ${s2})`);

    // J1: no reassignment on chain; at the deadline the sweeper expires it: refund + slash.
    await waitChain(j1, [STATUS.Expired], 60_000);
    const ev = await jobEvents(j1.jobId);
    const x = ev.expired[0];
    const deadline = Number(j1.request.deadline);
    const expiredBlock = await pc().getBlock({ blockNumber: x.blockNumber });
    numbers.expiredAfterDeadlineS = Number(expiredBlock.timestamp) - deadline;
    // Was the chain quiet at the deadline (no block after it before the expire transaction)? Then
    // only an expiry simulated against the pending block could succeed (a quiet automine chain's
    // latest block stays older than the deadline).
    const blockBefore = await pc().getBlock({ blockNumber: x.blockNumber - 1n });
    numbers.chainQuietAtJ1Deadline = Number(blockBefore.timestamp) <= deadline ? "yes" : "no";
    assert.ok(numbers.expiredAfterDeadlineS <= 10, `expired ${numbers.expiredAfterDeadlineS} s after the deadline (sweeper every 1 s)`);
    // Stage 1 (the dead node's) can never be proven. Stage 0 is proven by node a unless the machine
    // was too loaded for a to prove it before the deadline: then a, the first unproven stage's
    // node, is the one slashed (reported as numbers.j1Stage0ProvenInTime = "no").
    assert.ok(ev.proven.length <= 1 && ev.proven.every((e) => Number(e.args.stage) === 0 && Number(e.args.nodeId) === a.nodeId), "J1: at most stage 0 proven, by node a");
    numbers.j1Stage0ProvenInTime = ev.proven.length === 1 ? "yes" : "no";
    const slashedNode = ev.proven.length === 1 ? victim : a;
    const escrow = ev.created[0].args.escrow!;
    const paid = ev.proven.reduce((sum, e) => sum + e.args.paid!, 0n);
    const slashAmount = await pc().readContract({ address: market, abi: jobMarketAbi, functionName: "slashAmount" });
    assert.equal(Number(x.args.slashedNodeId), slashedNode.nodeId, `the node of the first unproven stage (${slashedNode.name}) is slashed`);
    assert.equal(x.args.slashed, slashAmount);
    assert.equal(x.args.refund, escrow - paid, "refund = escrow − what the proven stage was paid");
    // balances right before and at the expire transaction (one transaction per block on Hardhat)
    const at = { blockNumber: x.blockNumber };
    const prev = { blockNumber: x.blockNumber - 1n };
    const dApp = j1.request.dApp;
    const bal = async (p: { blockNumber: bigint }) => pc().readContract({ address: market, abi: jobMarketAbi, functionName: "balanceOf", args: [dApp], ...p });
    assert.equal((await bal(at)) - (await bal(prev)), escrow - paid, "the dApp's deposit was refunded");
    const registry = mesh.deployment.contracts.StakeRegistry.address as Address;
    const stake = async (p: { blockNumber: bigint }) => (await pc().readContract({ address: registry, abi: stakeRegistryAbi, functionName: "getNode", args: [slashedNode.nodeId], ...p })).stake;
    assert.equal((await stake(prev)) - (await stake(at)), slashAmount, `node ${slashedNode.name}'s stake decreased by the slash amount`);
    const st1 = await api(`/v1/jobs/${j1.jobId}`);
    assert.equal(st1.body.status, "expired");
    note(`J1 expired ${numbers.expiredAfterDeadlineS} s after its deadline (chain quiet: ${numbers.chainQuietAtJ1Deadline}): refund ${x.args.refund}, node ${slashedNode.name} slashed ${x.args.slashed}`);

    // The dead node comes back: it resumes J1's stage, sees the job closed and abandons it.
    await mesh.startNode(victim);
    await waitFor({
      what: `node ${victim.name} to abandon J1's stage after its restart`,
      timeoutMs: 30_000,
      intervalMs: 250,
      check: async () => (await stagesOf(j1))[`${victim.name}/1`]?.toString().startsWith("abandoned"),
    });
  });

  test("2. the coordinator crashes with proofs in flight and restarts with its database deleted: jobs settle, the rebuilt index matches the chain", async () => {
    await ensureNodesUp();
    // J3 on chain (assigned, proofs pending) at the crash; J4 answered just before it.
    const j3 = await submit("J3", 180);
    await waitChain(j3, [STATUS.Assigned, STATUS.Settled], 30_000);
    const j4 = await submit("J4", 180);
    const peerIdBefore = (await api("/v1/health")).body.gossip?.peerId;
    await mesh.stopCoordinator({ crash: true });
    const crashedAt = Date.now();
    const atCrash = await Promise.all([j3, j4].map((j) => statusOf(j.jobId)));
    numbers.chainStatusAtCoordinatorCrash = atCrash.join(",");
    note(`coordinator killed; chain status at the crash J3, J4 = ${atCrash.join(",")}`);
    assert.notEqual(atCrash[1], STATUS.Settled, "J4 is in flight at the crash");

    await mesh.startCoordinator({ deleteDb: true });
    numbers.coordinatorRestartMs = Date.now() - crashedAt;
    const health = (await api("/v1/health")).body;
    assert.equal(health.status, "ok");
    assert.equal(health.relay.pending + health.relay.confirmed + health.relay.failed, 0, "a fresh database: no submissions");
    note(`coordinator back (empty database) in ${numbers.coordinatorRestartMs} ms; indexed to block ${health.indexer.lastIndexedBlock}`);
    // Same gossip identity (the nodes dial its multiaddr, peer id included): heartbeats resume.
    assert.equal(health.gossip?.peerId, peerIdBefore, "the restarted coordinator keeps its gossip peer id");
    const restartedAt = Date.now();
    await waitFor({
      what: "heartbeats from every node at the restarted coordinator",
      timeoutMs: 30_000,
      intervalMs: 100,
      check: async () => (await nodeViews()).every((n) => n.lastHeartbeatAtMs !== null && n.lastHeartbeatAtMs >= restartedAt),
    }).catch(async (err) => {
      throw new Error(`${(err as Error).message} (restarted at ${restartedAt}; nodes: ${JSON.stringify(await nodeViews())})`);
    });
    numbers.heartbeatsBackAfterRestartMs = Date.now() - restartedAt;

    // A job whose relay had not reached the chain before the crash is lost with the database:
    // unknown to the rebuilt index, nothing escrowed; the dApp still holds its signed request,
    // and the new coordinator accepts it again.
    const lostRelays: string[] = [];
    for (const j of [j3, j4]) {
      if ((await statusOf(j.jobId)) !== STATUS.None) continue;
      lostRelays.push(j.label);
      const lost = await api(`/v1/jobs/${j.jobId}`);
      assert.equal(lost.status, 404, `${j.label}: a job that never reached the chain is unknown to the rebuilt index`);
      assert.equal(lost.body.code, "UNKNOWN_JOB");
      const again = await api("/v1/jobs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ request: jobRequestToWire(j.request), signature: j.signature, input: j.input }),
      });
      assert.equal(again.status, 200, `${j.label} resubmitted: ${JSON.stringify(again.body)}`);
      assert.equal(again.body.result, j.expected);
      const attempts = (await api(`/v1/explorer/jobs/${j.jobId}`)).body.route.attempts as { outcome: string }[];
      assert.deepEqual(attempts.map((x) => x.outcome), ["ok"], `${j.label}: routed on what the nodes announce, first attempt right (${JSON.stringify(attempts)})`);
    }
    numbers.relaysLostWithDb = lostRelays.join(",") || "none";
    note(`relays lost with the database (resubmitted): ${numbers.relaysLostWithDb}`);
    await Promise.all([j3, j4].map((j) => waitChain(j, [STATUS.Settled], 150_000)));
    numbers.settleAfterCoordinatorCrashMs = Date.now() - crashedAt;
    note(`J3, J4 settled ${numbers.settleAfterCoordinatorCrashMs} ms after the crash`);

    // The index rebuilt from the chain alone matches it for every job submitted so far.
    await waitFor({
      what: "the rebuilt index to catch up with the chain",
      timeoutMs: 15_000,
      intervalMs: 250,
      check: async () => (await Promise.all(jobs.map(async (j) => (await api(`/v1/jobs/${j.jobId}`)).body.status))).every((s) => s === "settled" || s === "expired"),
    });
    for (const j of jobs) await assertIndexMatchesChain(j);
    const list = (await api("/v1/explorer/jobs?limit=100")).body;
    assert.deepEqual(new Set(list.items.map((i: { jobId: string }) => i.jobId)), new Set(jobs.map((j) => j.jobId.toString())), "the explorer lists exactly the jobs on chain");
    const nodes = (await api("/v1/explorer/nodes")).body.items as { id: number; stake: string; slashed: string }[];
    for (const n of nodes) {
      const onChain = await pc().readContract({ address: mesh.deployment.contracts.StakeRegistry.address, abi: stakeRegistryAbi, functionName: "getNode", args: [n.id] });
      assert.equal(n.stake, onChain.stake.toString(), `node ${n.id}: indexed stake`);
    }
  });

  test("3. the chain RPC goes away and comes back: services stay up, submissions are refused with 503 CHAIN_UNAVAILABLE, pending relays and proofs go through after", async () => {
    await ensureNodesUp();
    await waitFor({
      what: "every node alive in the coordinator's view",
      timeoutMs: 30_000,
      intervalMs: 250,
      check: async () => (await nodeViews()).every((n) => n.health === "alive" && n.lastHeartbeatAtMs !== null && Date.now() - n.lastHeartbeatAtMs < 3_000),
    }).catch(async (err) => {
      throw new Error(`${(err as Error).message} (now ${Date.now()}; nodes: ${JSON.stringify(await nodeViews())})`);
    });
    // J5 on chain with proofs pending, J6 answered (its relay pending) when the RPC goes away.
    const j5 = await submit("J5", 180);
    await waitChain(j5, [STATUS.Assigned], 30_000);
    const j6 = await submit("J6", 180);
    const proxy = mesh.rpcProxy!;
    proxy.setDown(true);
    const downAt = Date.now();
    const atCut = await Promise.all([j5, j6].map((j) => statusOf(j.jobId)));
    numbers.chainStatusAtRpcCut = atCut.join(",");
    note(`RPC cut; chain status J5, J6 = ${atCut.join(",")}`);
    assert.ok(atCut.every((s) => s !== STATUS.Settled), "J5 and J6 are not settled when the RPC goes away");

    // While the RPC is down: health endpoints answer, the coordinator reports the outage.
    // (Generous timeout: a node proving on an overloaded machine answers late, RPC or not.)
    await sleep(2_000);
    let slowestHealthMs = 0;
    for (const n of mesh.nodes) {
      const t = performance.now();
      const r = await fetch(`${n.url}/v1/health`, { signal: AbortSignal.timeout(20_000) });
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - t);
      assert.equal(r.status, 200, `node ${n.name} health while the RPC is down`);
      assert.equal(((await r.json()) as { status: string }).status, "ok");
    }
    numbers.slowestNodeHealthWhileRpcDownMs = Math.round(slowestHealthMs);
    const degraded = await waitFor({
      what: "the coordinator to report the chain outage",
      timeoutMs: 15_000,
      intervalMs: 250,
      check: async () => {
        const h = await api("/v1/health");
        assert.equal(h.status, 200);
        return h.body.status === "degraded" ? h.body : undefined;
      },
    });
    assert.ok(degraded.indexer.consecutiveFailures > 0 && degraded.indexer.lastError, `indexer error reported: ${JSON.stringify(degraded.indexer)}`);
    const t7 = performance.now();
    const refused = await submit("J7", 180).then(
      () => undefined,
      (e: unknown) => e,
    );
    numbers.refusedSubmitMs = Math.round(performance.now() - t7);
    assert.ok(refused instanceof ProofMeshApiError, `a submission while the RPC is down fails with an API error, got ${String(refused)}`);
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.code, "CHAIN_UNAVAILABLE");
    note(`submission refused in ${numbers.refusedSubmitMs} ms: ${refused.statusCode} ${refused.code}: ${refused.shortMessage}`);
    const st5 = await api(`/v1/jobs/${j5.jobId}`);
    assert.equal(st5.status, 200, "job status is served from the index while the RPC is down");

    await sleep(Math.max(0, 10_000 - (Date.now() - downAt)));
    proxy.setDown(false);
    const upAt = Date.now();
    numbers.rpcDownMs = upAt - downAt;
    await waitFor({ what: "the coordinator to report ok after the RPC returned", timeoutMs: 30_000, intervalMs: 250, check: async () => (await api("/v1/health")).body.status === "ok" });
    numbers.coordinatorRecoveredMs = Date.now() - upAt;
    // The submit path reads the chain again: a dApp with no deposit is now told so (402), not 503.
    // (No job is created: this costs no proof.)
    const poorClient = meshClient(mesh, DEV_KEYS[DEV_KEYS.length - 1]);
    const probe = await poorClient.submitJob({ input: Array.from(digits[0].pixels), clusterId: 1, deadline: await deadlineIn(180), checkBalance: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(probe instanceof ProofMeshApiError && probe.statusCode === 402 && probe.code === "INSUFFICIENT_DEPOSIT", `after the RPC returned: ${String(probe)}`);
    await Promise.all([j5, j6].map((j) => waitChain(j, [STATUS.Settled], 150_000)));
    numbers.settleAfterRpcBackMs = Date.now() - upAt;
    note(`RPC back after ${numbers.rpcDownMs} ms; coordinator ok in ${numbers.coordinatorRecoveredMs} ms; J5, J6 settled ${numbers.settleAfterRpcBackMs} ms after`);
    for (const j of [j5, j6]) {
      await waitFor({ what: `${j.label} settled in the index`, timeoutMs: 10_000, intervalMs: 250, check: async () => (await api(`/v1/jobs/${j.jobId}`)).body.status === "settled" });
      await assertIndexMatchesChain(j);
      // routed on what the nodes announce (heartbeats), so the first attempt is the right one
      const attempts = (await api(`/v1/explorer/jobs/${j.jobId}`)).body.route.attempts as { outcome: string; error: string | null }[];
      assert.deepEqual(attempts.map((x) => x.outcome), ["ok"], `${j.label}: pipeline attempts ${JSON.stringify(attempts)}`);
    }
  });

  test("4. nothing stuck: every job settled or expired on chain, no node holds an open or failed stage", async () => {
    for (const j of jobs) {
      const s = await statusOf(j.jobId);
      assert.ok(s === STATUS.Settled || s === STATUS.Expired, `${j.label}: chain status ${s}`);
    }
    const expired = [];
    for (const j of jobs) if ((await statusOf(j.jobId)) === STATUS.Expired) expired.push(j.label);
    assert.deepEqual(expired, ["J1"], "only the job whose node was killed for good expired");
    await waitFor({
      what: "every node's stages to be final",
      timeoutMs: 30_000,
      intervalMs: 500,
      check: async () => {
        for (const n of mesh.nodes) {
          const h = (await (await fetch(`${n.url}/v1/health`, { signal: AbortSignal.timeout(15_000) })).json()) as { proofs: Record<string, number> };
          if (h.proofs.pending + h.proofs.proven > 0) return false;
        }
        return true;
      },
    });
    for (const n of mesh.nodes) {
      const r = (await (await fetch(`${n.url}/v1/stages?limit=1000`)).json()) as { stages: { jobId: string; stage: number; status: string; lastError: string | null }[] };
      const bad = r.stages.filter((s) => s.status === "failed");
      assert.deepEqual(bad, [], `node ${n.name} has failed stages`);
    }
  });
});

