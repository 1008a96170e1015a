/**
 * Soak: 200 paid jobs through the whole pipeline with proving on (`npm run test:soak`; not part
 * of `npm test`, 10–25 minutes on 2 cores).
 *
 * Real processes: a Hardhat node, the deploy script, the coordinator, four node daemons set up by
 * the operator CLI in two clusters (one node per shard per cluster, as in the demo), behind
 * latency proxies. The dApp submits JOBS jobs through the SDK, CONCURRENCY at a time, alternating
 * clusters; the coordinator relays them, the nodes prove every stage and the chain settles them,
 * or the coordinator's sweeper expires them after their deadline (refund + slash), which bounds
 * the test.
 *
 * Asserts:
 * - every job is answered on the fast path and ends Settled or Expired on chain (escrowOf = 0);
 * - token conservation to the wei: the token's totalSupply is unchanged and equals the sum over
 *   every holder (dApp wallet, each operator's wallet, the deployer/fee recipient's wallet, the
 *   JobMarket and the StakeRegistry) before and after; inside the JobMarket, its token balance
 *   equals the internal balances (dApp, operators, fee recipient) + accrued fees (no open job
 *   remains); inside the StakeRegistry, its balance equals Σ stake + Σ unbonding + treasury;
 * - the flows match the events: Δ dApp deposit = −(Σ StageProven.paid + Σ JobSettled.coordinatorFee);
 *   Δ each operator's JobMarket balance = Σ StageProven.paid of its node; every StageProven pays the
 *   shard's price; Δ accrued fees = Σ JobSettled.coordinatorFee; Δ stake of each node = −Σ JobExpired
 *   slashed of that node; Δ treasury = Σ slashed; Δ dApp and operator wallets = 0;
 * - each settled job carries exactly one StageProven per stage and one JobSettled, each expired job one
 *   JobExpired; the settled result equals the fast-path answer;
 * - at least half of the jobs settle (proving keeps up at all).
 * Reports fast-path throughput, answer latency percentiles, time to all closed, proofs/min.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { formatEther, parseEther, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { jobMarketAbi, modelRegistryAbi, proofMeshTokenAbi, stakeRegistryAbi } from "../../contracts/abi/index.ts";
import { toModelId } from "../../deploy/protocol.ts";
import { loadMnist } from "../../prover/data/mnist.ts";
import { getModelManifest } from "../../prover/manifest.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { releaseProverThreads } from "../../prover/release.ts";
import { ProofMeshApiError, type ProofMeshClient } from "../../sdk/index.ts";
import { DEV_KEYS, meshClient, proveMsByStage, startLocalMesh, type LocalMesh, type NodeSpec } from "../harness/local-mesh.ts";

const JOBS = 200;
const CONCURRENCY = 50;
/** Job deadline: long enough for 400 proofs on 2 shared cores, short enough to bound the test. */
const DEADLINE_SECONDS = 1_200;
/** Fast-path rejections a client retries (the job never reached the chain: nothing escrowed), and how often. */
const RETRYABLE = new Set(["PIPELINE_UNAVAILABLE", "NO_ROUTE", "CHAIN_UNAVAILABLE", "RATE_LIMITED"]);
const MAX_TRIES = 6;
const STATUS = { None: 0, Created: 1, Assigned: 2, Settled: 3, Expired: 4, Cancelled: 5 } as const;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

type Snapshot = {
  block: bigint;
  totalSupply: bigint;
  wallets: Map<Address, bigint>;
  marketTokens: bigint;
  registryTokens: bigint;
  marketBalances: Map<Address, bigint>;
  accruedFees: bigint;
  treasury: bigint;
  stakes: Map<number, { stake: bigint; unbonding: bigint }>;
};

describe("soak: 200 concurrent paid jobs with proving on", { timeout: 45 * 60_000 }, () => {
  let mesh: LocalMesh;
  let client: ProofMeshClient;
  const t0 = Date.now();
  const say = (m: string) => console.log(`[soak ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}`);

  before(async () => {
    const model = getModelManifest({ modelId: DEFAULT_MODEL_ID });
    const total = model.shards.reduce((s, x) => s + x.memoryBytes, 0);
    const largest = Math.max(...model.shards.map((s) => s.memoryBytes));
    const memoryBytes = BigInt(Math.ceil((largest + Math.min(total - largest, largest) / 2) / 1e6) * 1e6); // as the demo: sharded
    const shard = (k: number) => `${DEFAULT_MODEL_ID}:${k}`;
    const nodes: NodeSpec[] = [
      { name: "eu-a", clusterId: 1, oneWayDelayMs: 2, memoryBytes, stake: "150", shards: shard(0) },
      { name: "eu-b", clusterId: 1, oneWayDelayMs: 3, memoryBytes, stake: "150", shards: shard(1) },
      { name: "us-a", clusterId: 2, oneWayDelayMs: 12, memoryBytes, stake: "150", shards: shard(0) },
      { name: "us-b", clusterId: 2, oneWayDelayMs: 15, memoryBytes, stake: "150", shards: shard(1) },
    ].map((n) => ({
      ...n,
      // The relay (one createAndAssign at a time) may lag minutes behind 200 answers on a loaded machine:
      // a node must not give up on a stage whose job can still be assigned before its deadline.
      serveArgs: ["--assignment-wait-ms", String(DEADLINE_SECONDS * 1000)],
    }));
    mesh = await startLocalMesh({
      workDir: join(tmpdir(), `proofmesh-soak-${process.pid}`),
      clusters: [
        { label: "eu-west", region: "eu-west-1", minStake: "100" },
        { label: "us-east", region: "us-east-1", minStake: "100" },
      ],
      nodes,
      modelId: DEFAULT_MODEL_ID,
      // 50 concurrent pipelines on 2 shared cores next to 4 provers: give an attempt 30 s, not 10.
      coordinatorArgs: ["--rate-limit-per-minute", "100000", "--stage-timeout-ms", "30000"],
      log: say,
    });
    client = meshClient(mesh);
    const { escrow } = await client.estimateJobFee();
    say(`dApp deposits ${formatEther(escrow * BigInt(JOBS) + parseEther("1"))} PMT (${JOBS} × escrow ${formatEther(escrow)} + 1)`);
    await client.deposit({ amount: escrow * BigInt(JOBS) + parseEther("1") });
  });
  after(async () => {
    await mesh?.stop();
    await releaseProverThreads();
  });

  test(`${JOBS} jobs, ${CONCURRENCY} at a time: all settle or expire, tokens conserved to the wei`, async () => {
    const pc = mesh.publicClient;
    const c = mesh.deployment.contracts as Record<string, { address: Address }>;
    const token = c.ProofMeshToken.address;
    const market = c.JobMarket.address;
    const registry = c.StakeRegistry.address;
    const dApp = privateKeyToAccount(mesh.dAppKey).address;
    const deployer = privateKeyToAccount(DEV_KEYS[0]).address;
    const feeRecipient = (await pc.readContract({ address: market, abi: jobMarketAbi, functionName: "feeRecipient" })) as Address;
    const operators = mesh.nodes.map((n) => n.operator);
    const walletHolders = [...new Set<Address>([dApp, deployer, feeRecipient, ...operators])];
    const marketAccounts = [...new Set<Address>([dApp, feeRecipient, deployer, ...operators])];
    const modelId = toModelId(DEFAULT_MODEL_ID) as Hex;
    const info = (await pc.readContract({ address: c.ModelRegistry.address, abi: modelRegistryAbi, functionName: "modelInfo", args: [modelId] })) as { totalPrice: bigint; shardCount: number };
    const coordinatorFee = (await pc.readContract({ address: market, abi: jobMarketAbi, functionName: "coordinatorFee" })) as bigint;
    const stagePrices: bigint[] = [];
    for (let k = 0; k < info.shardCount; k++) {
      const s = (await pc.readContract({ address: c.ModelRegistry.address, abi: modelRegistryAbi, functionName: "getShard", args: [modelId, BigInt(k)] })) as { pricePerStage: bigint };
      stagePrices.push(s.pricePerStage);
    }
    assert.equal(sum(stagePrices), info.totalPrice, "shard prices add up to the model price");

    const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = []) => pc.readContract({ address, abi: abi as never, functionName: functionName as never, args: args as never }) as Promise<T>;
    async function snapshot(): Promise<Snapshot> {
      const block = await pc.getBlockNumber();
      const at = { blockNumber: block };
      const r = <T>(address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = []) => pc.readContract({ address, abi: abi as never, functionName: functionName as never, args: args as never, ...at }) as Promise<T>;
      const wallets = new Map<Address, bigint>();
      for (const h of walletHolders) wallets.set(h, await r<bigint>(token, proofMeshTokenAbi, "balanceOf", [h]));
      const marketBalances = new Map<Address, bigint>();
      for (const h of marketAccounts) marketBalances.set(h, await r<bigint>(market, jobMarketAbi, "balanceOf", [h]));
      const stakes = new Map<number, { stake: bigint; unbonding: bigint }>();
      for (const n of mesh.nodes) {
        const v = await r<{ stake: bigint; unbonding: bigint }>(registry, stakeRegistryAbi, "getNode", [n.nodeId]);
        stakes.set(n.nodeId, { stake: BigInt(v.stake), unbonding: BigInt(v.unbonding) });
      }
      return {
        block,
        totalSupply: await r<bigint>(token, proofMeshTokenAbi, "totalSupply"),
        wallets,
        marketTokens: await r<bigint>(token, proofMeshTokenAbi, "balanceOf", [market]),
        registryTokens: await r<bigint>(token, proofMeshTokenAbi, "balanceOf", [registry]),
        marketBalances,
        accruedFees: await r<bigint>(market, jobMarketAbi, "accruedFees"),
        treasury: await r<bigint>(registry, stakeRegistryAbi, "treasury"),
        stakes,
      };
    }
    const checkInvariants = (s: Snapshot, when: string) => {
      const held = sum([...s.wallets.values()]) + s.marketTokens + s.registryTokens;
      assert.equal(held, s.totalSupply, `${when}: Σ holders (${held}) ≠ totalSupply (${s.totalSupply}): a token holder is unaccounted for`);
      assert.equal(s.marketTokens, sum([...s.marketBalances.values()]) + s.accruedFees, `${when}: JobMarket tokens ≠ Σ internal balances + accrued fees (an escrow is still open or tokens leaked)`);
      assert.equal(s.registryTokens, sum([...s.stakes.values()].map((x) => x.stake + x.unbonding)) + s.treasury, `${when}: StakeRegistry tokens ≠ Σ stake + unbonding + treasury`);
    };

    const before = await snapshot();
    checkInvariants(before, "before");
    say(`before: totalSupply ${formatEther(before.totalSupply)} PMT; dApp deposit ${formatEther(before.marketBalances.get(dApp)!)} PMT; JobMarket holds ${formatEther(before.marketTokens)}, StakeRegistry ${formatEther(before.registryTokens)}`);

    // ---- submit
    const digits = loadMnist().test.slice(0, JOBS);
    type Job = { i: number; jobId: bigint; clusterId: number; result: number; label: number; answerMs: number; fastPathMs: number; tries: number; answeredAt: number; closedAt?: number; status?: number };
    const jobs: Job[] = [];
    const failures: string[] = [];
    const rejections = new Map<string, number>();
    // Consecutive nonces: 200 distinct lanes (nonce % 256); a retried job keeps its nonce (it never reached the chain).
    const nonces = Array.from({ length: JOBS }, () => client.nextNonce());
    let next = 0;
    const tSubmit = performance.now();
    say(`submitting ${JOBS} jobs, ${CONCURRENCY} at a time, deadline ${DEADLINE_SECONDS} s`);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = next++;
          if (i >= JOBS) return;
          const clusterId = 1 + (i % 2);
          const d = digits[i];
          const t = performance.now();
          for (let tries = 1; ; tries++) {
            try {
              const { jobId, answer } = await client.submitJob({ input: Array.from(d.pixels), clusterId, nonce: nonces[i], deadlineSeconds: DEADLINE_SECONDS, timeoutMs: 120_000 });
              jobs.push({ i, jobId, clusterId, result: answer.result, label: d.label, answerMs: performance.now() - t, fastPathMs: answer.fastPathMs, tries, answeredAt: performance.now() });
              break;
            } catch (e) {
              const code = e instanceof ProofMeshApiError ? e.code : undefined;
              if (code) rejections.set(code, (rejections.get(code) ?? 0) + 1);
              if (code && RETRYABLE.has(code) && tries < MAX_TRIES) {
                await sleep(1_000 * 2 ** (tries - 1));
                continue;
              }
              failures.push(`job ${i} (try ${tries}): ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
              break;
            }
          }
        }
      }),
    );
    const submitWallMs = performance.now() - tSubmit;
    say(`fast path: rejections retried by the client: ${JSON.stringify(Object.fromEntries(rejections))}`);
    say(`fast path: ${jobs.length}/${JOBS} answered in ${(submitWallMs / 1000).toFixed(1)} s (${((1000 * jobs.length) / submitWallMs).toFixed(1)} jobs/s); answer p50 ${pct(jobs.map((j) => j.answerMs), 50).toFixed(0)} ms, p99 ${pct(jobs.map((j) => j.answerMs), 99).toFixed(0)} ms`);
    assert.deepEqual(failures, [], "every submission is answered");

    // ---- wait until every job is closed on chain (settled, or expired by the sweeper)
    const open = new Set(jobs);
    const latestDeadline = Math.floor(Date.now() / 1000) + DEADLINE_SECONDS;
    let lastReport = 0;
    while (open.size > 0) {
      const statuses = await Promise.all([...open].map(async (j) => [j, Number(await read<number>(market, jobMarketAbi, "statusOf", [j.jobId]))] as const));
      for (const [j, s] of statuses) {
        if (s === STATUS.Settled || s === STATUS.Expired || s === STATUS.Cancelled) {
          j.status = s;
          j.closedAt = performance.now();
          open.delete(j);
        }
      }
      if (performance.now() - lastReport > 30_000) {
        lastReport = performance.now();
        const closed = jobs.filter((j) => j.status !== undefined);
        say(`${closed.filter((j) => j.status === STATUS.Settled).length} settled, ${closed.filter((j) => j.status === STATUS.Expired).length} expired, ${open.size} open`);
      }
      if (open.size === 0) break;
      assert.ok(Date.now() / 1000 < latestDeadline + 180, `${open.size} jobs still open 180 s after the latest deadline (sweeper did not expire them): ${[...open].slice(0, 5).map((j) => j.jobId.toString(16)).join(", ")}…`);
      await sleep(2_000);
    }
    const allClosedMs = performance.now() - tSubmit;
    const settled = jobs.filter((j) => j.status === STATUS.Settled);
    const expired = jobs.filter((j) => j.status === STATUS.Expired);
    say(`all ${jobs.length} closed ${(allClosedMs / 1000).toFixed(1)} s after the first submission: ${settled.length} settled, ${expired.length} expired`);

    // ---- every job ended settled or expired, nothing escrowed
    assert.equal(settled.length + expired.length, JOBS, `jobs neither settled nor expired: ${jobs.filter((j) => j.status !== STATUS.Settled && j.status !== STATUS.Expired).map((j) => `${j.i}: status ${j.status}`).join(", ")}`);
    for (const j of jobs) assert.equal(await read<bigint>(market, jobMarketAbi, "escrowOf", [j.jobId]), 0n, `job ${j.i} still escrows tokens`);

    // ---- events since the snapshot
    const ev = async (eventName: "StageProven" | "JobSettled" | "JobExpired") =>
      (await pc.getContractEvents({ address: market, abi: jobMarketAbi, eventName, fromBlock: before.block + 1n, toBlock: "latest" })) as unknown as { args: Record<string, bigint | number>; blockNumber: bigint }[];
    const [proven, settledEv, expiredEv] = [await ev("StageProven"), await ev("JobSettled"), await ev("JobExpired")];
    const ours = new Set(jobs.map((j) => j.jobId));
    for (const e of [...proven, ...settledEv, ...expiredEv]) assert.ok(ours.has(BigInt(e.args.jobId)), "an event of a job this test did not submit");
    const byJob = <T extends { args: Record<string, bigint | number> }>(xs: T[]) => {
      const m = new Map<bigint, T[]>();
      for (const x of xs) m.set(BigInt(x.args.jobId), [...(m.get(BigInt(x.args.jobId)) ?? []), x]);
      return m;
    };
    const provenBy = byJob(proven);
    const settledBy = byJob(settledEv);
    const expiredBy = byJob(expiredEv);
    for (const e of proven) assert.equal(BigInt(e.args.paid), stagePrices[Number(e.args.stage)], `StageProven of stage ${e.args.stage} paid ${e.args.paid}, the shard's price is ${stagePrices[Number(e.args.stage)]}`);
    for (const j of settled) {
      const ps = provenBy.get(j.jobId) ?? [];
      assert.deepEqual(ps.map((e) => Number(e.args.stage)).sort(), [...stagePrices.keys()], `settled job ${j.i}: one StageProven per stage`);
      assert.equal(settledBy.get(j.jobId)?.length, 1, `settled job ${j.i}: one JobSettled`);
      assert.equal(BigInt(settledBy.get(j.jobId)![0].args.coordinatorFee), coordinatorFee, `settled job ${j.i}: coordinator fee`);
      assert.equal(await read<bigint>(market, jobMarketAbi, "resultOf", [j.jobId]), BigInt(j.result), `settled job ${j.i}: chain result = fast-path answer`);
      assert.equal(expiredBy.get(j.jobId), undefined);
    }
    for (const j of expired) {
      assert.equal(expiredBy.get(j.jobId)?.length, 1, `expired job ${j.i}: one JobExpired`);
      assert.equal(settledBy.get(j.jobId), undefined);
      const paid = sum((provenBy.get(j.jobId) ?? []).map((e) => BigInt(e.args.paid)));
      assert.equal(BigInt(expiredBy.get(j.jobId)![0].args.refund), info.totalPrice + coordinatorFee - paid, `expired job ${j.i}: refund = escrow − paid stages`);
    }

    // ---- conservation and flows
    const afterSnap = await snapshot();
    checkInvariants(afterSnap, "after");
    assert.equal(afterSnap.totalSupply, before.totalSupply, "totalSupply unchanged (nothing minted or burnt)");
    const totalHeld = (s: Snapshot) => sum([...s.wallets.values()]) + s.marketTokens + s.registryTokens;
    assert.equal(totalHeld(afterSnap), totalHeld(before), "Σ balances of every holder before == after, to the wei");
    for (const h of walletHolders) assert.equal(afterSnap.wallets.get(h), before.wallets.get(h), `wallet ${h} moved tokens during the test`);
    const paidTotal = sum(proven.map((e) => BigInt(e.args.paid)));
    const feesTotal = sum(settledEv.map((e) => BigInt(e.args.coordinatorFee)));
    const slashedTotal = sum(expiredEv.map((e) => BigInt(e.args.slashed)));
    const delta = (m: "marketBalances", a: Address) => afterSnap[m].get(a)! - before[m].get(a)!;
    assert.equal(delta("marketBalances", dApp), -(paidTotal + feesTotal), "Δ dApp deposit = −(Σ StageProven.paid + Σ JobSettled.coordinatorFee)");
    for (const n of mesh.nodes) {
      const earned = sum(proven.filter((e) => Number(e.args.nodeId) === n.nodeId).map((e) => BigInt(e.args.paid)));
      assert.equal(delta("marketBalances", n.operator), earned, `node ${n.name}: Δ JobMarket balance = Σ StageProven.paid of node ${n.nodeId}`);
      const slashed = sum(expiredEv.filter((e) => Number(e.args.slashedNodeId) === n.nodeId).map((e) => BigInt(e.args.slashed)));
      const b = before.stakes.get(n.nodeId)!;
      const a = afterSnap.stakes.get(n.nodeId)!;
      assert.equal(b.stake + b.unbonding - (a.stake + a.unbonding), slashed, `node ${n.name}: Δ stake = −Σ slashed`);
    }
    assert.equal(afterSnap.accruedFees - before.accruedFees, feesTotal, "Δ accrued fees = Σ JobSettled.coordinatorFee");
    assert.equal(afterSnap.treasury - before.treasury, slashedTotal, "Δ treasury = Σ JobExpired.slashed");
    assert.equal(paidTotal + feesTotal + sum(expiredEv.map((e) => BigInt(e.args.refund))), BigInt(jobs.length) * (info.totalPrice + coordinatorFee), "Σ escrow = Σ paid + Σ fees + Σ refunds");
    assert.ok(settled.length >= JOBS / 2, `only ${settled.length}/${JOBS} jobs settled: proving did not keep up`);

    // ---- report
    // Wall clock, not block timestamps: Hardhat stamps each block ≥ 1 s after the previous one, so
    // with > 1 transaction/s its clock runs ahead of ours (which also shortens the deadlines).
    const firstAnswerAt = Math.min(...jobs.map((j) => j.answeredAt));
    const lastClosedAt = Math.max(...jobs.map((j) => j.closedAt!));
    const proofsPerMin = proven.length / ((lastClosedAt - firstAnswerAt) / 60_000);
    const lastBlock = await pc.getBlock({ blockTag: "latest" });
    const chainAheadS = Number(lastBlock.timestamp) - Math.floor(Date.now() / 1000);
    const proveMs = await proveMsByStage(mesh.nodes);
    const answerMs = jobs.map((j) => j.answerMs);
    const fastMs = jobs.map((j) => j.fastPathMs);
    const settleMs = settled.map((j) => j.closedAt! - j.answeredAt);
    const rows: [string, string][] = [
      ["jobs (answered / settled / expired)", `${jobs.length} / ${settled.length} / ${expired.length}`],
      ["client concurrency", String(CONCURRENCY)],
      ["fast-path rejections (retried)", `${[...rejections.values()].reduce((a, b) => a + b, 0)} ${JSON.stringify(Object.fromEntries(rejections))}; jobs needing > 1 try: ${jobs.filter((j) => j.tries > 1).length}`],
      ["fast-path throughput", `${((1000 * jobs.length) / submitWallMs).toFixed(2)} jobs/s (${(submitWallMs / 1000).toFixed(1)} s for ${jobs.length})`],
      ["answer latency p50 / p95 / p99 (SDK, incl. retries)", `${pct(answerMs, 50).toFixed(0)} / ${pct(answerMs, 95).toFixed(0)} / ${pct(answerMs, 99).toFixed(0)} ms`],
      ["fast path at the coordinator p50 / p95 / p99", `${pct(fastMs, 50).toFixed(0)} / ${pct(fastMs, 95).toFixed(0)} / ${pct(fastMs, 99).toFixed(0)} ms`],
      ["answer → settled p50 / p95 / max", `${(pct(settleMs, 50) / 1000).toFixed(1)} / ${(pct(settleMs, 95) / 1000).toFixed(1)} / ${(Math.max(...settleMs) / 1000).toFixed(1)} s`],
      ["time to all closed (from first submission)", `${(allClosedMs / 1000).toFixed(1)} s`],
      ["proofs (StageProven)", `${proven.length} in ${((lastClosedAt - firstAnswerAt) / 1000).toFixed(0)} s (first answer → last close) → ${proofsPerMin.toFixed(1)} proofs/min`],
      ["chain clock ahead of wall clock at the end", `${chainAheadS} s`],
      ...[...proveMs.entries()].sort().map(([k, [s, n]]) => [`proving time, stage ${k} (mean)`, n ? `${(s / n).toFixed(0)} ms over ${n} proofs` : "n/a"] as [string, string]),
      ["paid to nodes / coordinator fees / refunds / slashed", `${formatEther(paidTotal)} / ${formatEther(feesTotal)} / ${formatEther(sum(expiredEv.map((e) => BigInt(e.args.refund))))} / ${formatEther(slashedTotal)} PMT`],
      ["token conservation", `Σ holders ${formatEther(totalHeld(afterSnap))} PMT = totalSupply, unchanged to the wei`],
      ["accuracy (fast path vs labels)", `${((100 * jobs.filter((j) => j.result === j.label).length) / jobs.length).toFixed(1)} %`],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(`\n${"=".repeat(w + 50)}\nProofMesh soak summary (${new Date().toISOString()})\n${"-".repeat(w + 50)}`);
    for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
    console.log(`${"=".repeat(w + 50)}\nlogs: ${mesh.group.logDir}`);
  });
});
