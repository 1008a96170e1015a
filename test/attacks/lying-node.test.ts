/**
 * A lying node, through the real services. The liar is a genuinely registered, staked member of
 * the cluster (operator CLI), gossips signed heartbeats with its registered signing key and is the
 * only server of the default model's last shard, so the real coordinator routes jobs through it:
 * honest node A (real daemon) runs shard 0 and forwards to the liar, which answers shard 1 with a
 * WRONG class (the runner-up made to win) and never proves.
 *
 * Job 1 (short deadline): the client gets the wrong answer, tentative; A proves stage 0 and is
 * paid; the job never settles; at the deadline the coordinator's sweeper expires it: the liar is
 * slashed the contract's slash amount and earns nothing, the dApp gets the rest back, the SDK
 * says the answer was never confirmed, the explorer shows the expiry and the slashed node.
 * Job 2: the liar later proves the TRUE result honestly: the chain settles the true class, which
 * differs from the fast-path answer, and the SDK reports the mismatch.
 * Cluster 2: a node that lies about WHO ran the stages (its answer's traces name a staked node it
 * was never told to use, or blame one for a failure) must be refused: the relay assigns each stage
 * to the node its trace names, and that node, never having run it, would be slashed.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { getAddress, http, parseEther, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { jobMarketAbi, modelRegistryAbi, stakeRegistryAbi } from "../../contracts/abi/index.ts";
import { toModelId } from "../../deploy/protocol.ts";
import { computeBinding } from "../../prover/binding.ts";
import { loadMnist } from "../../prover/data/mnist.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { proveShard } from "../../prover/prove-shard.ts";
import { argmax, runIntLayers } from "../../prover/quant/reference.ts";
import { releaseProverThreads } from "../../prover/release.ts";
import { loadShardArtifacts } from "../../prover/shard-artifacts.ts";
import { ChainMismatchError, JobFailedError, ProofMeshApiError, type ProofMeshClient } from "../../sdk/index.ts";
import { DEV_KEYS, meshClient, startLocalMesh, type LocalMesh } from "../harness/local-mesh.ts";
import { waitFor } from "../harness/processes.ts";
import { flipTopClass, proofsFromChain, provisionNode, startAdversaryNode, type AdversaryNode, type ProvisionedNode } from "./adversary.ts";
import type { StageExecuteResponse } from "../../node/wire/messages.ts";

const STATUS = { Assigned: 2, Settled: 3, Expired: 4 } as const;

describe("attack: a lying node on the fast path (real coordinator, real daemon, real chain)", { timeout: 240_000 }, () => {
  let mesh: LocalMesh;
  let liar: AdversaryNode;
  let framer: AdversaryNode;
  let framing: ((r: StageExecuteResponse) => StageExecuteResponse) | undefined;
  let victim: ProvisionedNode;
  let client: ProofMeshClient;
  let dApp: Address;
  const modelId = toModelId(DEFAULT_MODEL_ID);
  const layers = [0, 1].flatMap((shard) => loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard }).layers);
  const digit = loadMnist().test[21];
  const input = Array.from(digit.pixels);
  const truth = argmax(runIntLayers({ layers, input }));

  // Filled by the first test, used by the second.
  let job2: { jobId: bigint; answer: number } | undefined;

  before(async () => {
    mesh = await startLocalMesh({
      workDir: join(tmpdir(), `proofmesh-attack-liar-${process.pid}`),
      clusters: [
        { label: "eu-west", region: "eu-west-1", minStake: "100" },
        { label: "us-east", region: "us-east-1", minStake: "100" },
      ],
      nodes: [{ name: "a", clusterId: 1, oneWayDelayMs: 2, memoryBytes: 25_000_000n, stake: "150", shards: `${DEFAULT_MODEL_ID}:0` }],
      modelId: DEFAULT_MODEL_ID,
      // Short deadlines are the point of this test: nodes still get seconds to prove.
      coordinatorArgs: ["--min-deadline-margin-sec", "5", "--stage-timeout-ms", "30000"],
      log: () => {},
    });
    liar = await startAdversaryNode({
      mesh,
      name: "liar",
      key: DEV_KEYS[3], // harness: deployer 0, node a 1, dApp 2
      clusterId: 1,
      shards: [1],
      modelName: DEFAULT_MODEL_ID,
      stake: "150",
      memoryBytes: 25_000_000n,
      lie: flipTopClass,
    });
    // Cluster 2: a framer serving both shards, and a staked victim that serves nothing (memory for no shard, no endpoint).
    framer = await startAdversaryNode({
      mesh,
      name: "framer",
      key: DEV_KEYS[4],
      clusterId: 2,
      shards: [0, 1],
      modelName: DEFAULT_MODEL_ID,
      stake: "150",
      memoryBytes: 60_000_000n,
      via: "viem",
      rewrite: (r) => (framing ? framing(r) : r),
    });
    victim = await provisionNode({ mesh, name: "victim", key: DEV_KEYS[5], clusterId: 2, endpoint: "http://127.0.0.1:9", memoryBytes: 1n, stake: "150", models: DEFAULT_MODEL_ID, via: "viem" });
    dApp = privateKeyToAccount(mesh.dAppKey).address;
    client = meshClient(mesh);
    await client.deposit({ amount: parseEther("10") });
  });
  after(async () => {
    await liar?.stop();
    await framer?.stop();
    await mesh?.stop();
    await releaseProverThreads();
  });

  const market = () => mesh.deployment.contracts.JobMarket.address as Address;
  const read = <T>(functionName: string, args: unknown[]) => mesh.publicClient.readContract({ address: market(), abi: jobMarketAbi, functionName: functionName as never, args: args as never }) as Promise<T>;
  const stakeOf = async (nodeId: number) =>
    (await mesh.publicClient.readContract({ address: mesh.deployment.contracts.StakeRegistry.address, abi: stakeRegistryAbi, functionName: "getNode", args: [nodeId] })).stake;
  const price = async (shard: number) =>
    (await mesh.publicClient.readContract({ address: mesh.deployment.contracts.ModelRegistry.address, abi: modelRegistryAbi, functionName: "getShard", args: [modelId, BigInt(shard)] })).pricePerStage;
  type ExplorerJob = {
    expiry: { slashedNodeId: number; slashed: string; refund: string } | null;
    settlement: { result: string; fastPathAgrees: boolean | null } | null;
    stages: { stage: number; nodeId: number | null; proven: boolean; paid: string | null }[];
  };
  const explorerJob = async (jobId: bigint) => (await (await fetch(`${mesh.coordinatorUrl}/v1/explorer/jobs/${jobId}`)).json()) as ExplorerJob;
  const waitStageProven = (jobId: bigint, stage: number) =>
    waitFor({
      what: `job ${jobId} stage ${stage} proven on chain`,
      timeoutMs: 120_000,
      intervalMs: 500,
      check: async () => (await proofsFromChain({ publicClient: mesh.publicClient as never, jobMarket: market(), jobId })).find((p) => p.stage === stage),
    });

  test("the liar's wrong answer reaches the client as tentative; at the deadline the job expires: liar slashed, honest stage paid, dApp refunded", async () => {
    const a = mesh.nodes[0];
    const [slashAmount, coordinatorFee, price0, price1] = await Promise.all([read<bigint>("slashAmount", []), read<bigint>("coordinatorFee", []), price(0), price(1)]);
    const escrow = price0 + price1 + coordinatorFee;
    const before = {
      liarStake: await stakeOf(liar.nodeId),
      liarBalance: await read<bigint>("balanceOf", [liar.operator.address]),
      aBalance: await read<bigint>("balanceOf", [a.operator]),
      dAppBalance: await read<bigint>("balanceOf", [dApp]),
    };

    // Job 1: deadline 60 s out (wall clock: the chain's last block may be older), time enough for A to
    // prove its stage even on a loaded machine. Job 2: 4 min.
    const now = BigInt(Math.floor(Date.now() / 1000));
    const j1 = await client.submitJob({ input, clusterId: 1, deadline: now + 60n });
    const j2 = await client.submitJob({ input, clusterId: 1, deadline: now + 240n });
    job2 = { jobId: j2.jobId, answer: j2.answer.result };
    for (const j of [j1, j2]) {
      assert.deepEqual(j.answer.route.map((r) => r.nodeId), [a.nodeId, liar.nodeId], "routed through honest A, then the liar (the only server of shard 1)");
      assert.equal(j.answer.tentative, true);
      assert.notEqual(j.answer.result, truth, `the client received the liar's wrong class (truth ${truth})`);
      assert.equal(j.answer.result, argmax(flipTopClass(runIntLayers({ layers, input }))), "exactly the liar's answer");
    }
    assert.equal(liar.received.filter((r) => BigInt(r.jobId) === j1.jobId).length, 1, "the liar executed stage 1 of job 1 once");

    // A proves its stage and is paid; nothing can settle the liar's stage.
    const p0 = await waitStageProven(j1.jobId, 0);
    assert.equal(p0.nodeId, a.nodeId);
    assert.equal(p0.prover, a.operator);
    assert.equal(await read<number>("statusOf", [j1.jobId]), STATUS.Assigned, "job 1 is not settled: stage 1 is never proven");

    // The SDK: the answer was never confirmed (the chain expires the job: JobFailedError).
    const failure = await client.waitForSettlement({ jobId: j1.jobId, expectedResult: BigInt(j1.answer.result), timeoutMs: 120_000 }).then(
      () => assert.fail("waitForSettlement resolved for a job the liar never proved"),
      (e: unknown) => e,
    );
    assert.ok(failure instanceof JobFailedError, `expected JobFailedError, got ${String(failure)}`);
    assert.equal(failure.status, "Expired");
    assert.equal(await read<number>("statusOf", [j1.jobId]), STATUS.Expired);

    // Expired by the coordinator's sweeper (its relayer key), slashing the liar.
    const [expired] = await mesh.publicClient.getContractEvents({ address: market(), abi: jobMarketAbi, eventName: "JobExpired", args: { jobId: j1.jobId }, fromBlock: 0n, toBlock: "latest" });
    assert.ok(expired, "JobExpired emitted");
    const expireTx = await mesh.publicClient.getTransaction({ hash: expired.transactionHash });
    assert.equal(getAddress(expireTx.from), privateKeyToAccount(DEV_KEYS[0]).address, "expired by the coordinator's sweeper");
    assert.equal(expired.args.slashedNodeId, liar.nodeId, "the liar's stage blocked the pipeline: it is the node slashed");
    assert.equal(expired.args.slashed, slashAmount);
    assert.equal(expired.args.refund, escrow - price0, "the dApp gets back everything but the honest stage");
    const proofs1 = await proofsFromChain({ publicClient: mesh.publicClient as never, jobMarket: market(), jobId: j1.jobId });
    assert.deepEqual(proofs1.map((p) => p.stage), [0], "only the honest stage was ever proven");

    // Balances and stake (job 2's honest stage 0 is proven too, so A's pay is final here).
    await waitStageProven(j2.jobId, 0);
    const proofs2 = await proofsFromChain({ publicClient: mesh.publicClient as never, jobMarket: market(), jobId: j2.jobId });
    assert.equal(await stakeOf(liar.nodeId), before.liarStake - slashAmount, "the liar's stake lost exactly the slash amount");
    assert.equal(await read<bigint>("balanceOf", [liar.operator.address]), before.liarBalance, "the liar earned nothing");
    assert.deepEqual([...proofs1, ...proofs2].map((p) => p.nodeId), [a.nodeId, a.nodeId]);
    assert.equal(await read<bigint>("balanceOf", [a.operator]), before.aBalance + 2n * price0, "honest A was paid for each stage it proved");
    assert.equal(await read<bigint>("escrowOf", [j2.jobId]), escrow - price0, "job 2 is still open: its escrow minus A's stage");
    assert.equal(await read<bigint>("balanceOf", [dApp]), before.dAppBalance - escrow - escrow + (escrow - price0), "dApp: both escrows taken, job 1 refunded all but its honest stage");

    // The coordinator and its explorer tell the same story.
    type Status = { status: string; tentative: boolean; result: number; chainResult: string | null };
    const status = await waitFor({
      what: "the coordinator to index the expiry",
      timeoutMs: 20_000,
      check: async () => {
        const st = (await (await fetch(`${mesh.coordinatorUrl}/v1/jobs/${j1.jobId}`)).json()) as Status;
        return st.status === "expired" && st;
      },
    });
    assert.deepEqual([status.status, status.tentative, status.result, status.chainResult], ["expired", true, j1.answer.result, null], "never confirmed");
    const t = await explorerJob(j1.jobId);
    assert.deepEqual(t.expiry && { slashedNodeId: t.expiry.slashedNodeId, slashed: t.expiry.slashed, refund: t.expiry.refund }, {
      slashedNodeId: liar.nodeId,
      slashed: slashAmount.toString(),
      refund: (escrow - price0).toString(),
    });
    assert.equal(t.settlement, null);
    assert.deepEqual(
      t.stages.map((s) => [s.stage, s.nodeId, s.proven, s.paid]),
      [
        [0, a.nodeId, true, price0.toString()],
        [1, liar.nodeId, false, null],
      ],
    );
    const node = (await (await fetch(`${mesh.coordinatorUrl}/v1/explorer/nodes/${liar.nodeId}`)).json()) as { stake: string; slashed: string; proofsSubmitted: number };
    assert.equal(node.stake, (before.liarStake - slashAmount).toString(), "the explorer shows the liar's reduced stake");
    assert.equal(node.slashed, slashAmount.toString());
    assert.equal(node.proofsSubmitted, 0);
  });

  test("a liar that later proves the TRUE result: the chain settles the truth, the SDK reports the mismatch with the fast-path answer", async () => {
    assert.ok(job2, "job 2 was submitted by the previous test");
    const { jobId, answer } = job2;
    await waitStageProven(jobId, 0);
    // The liar proves what it really computed from A's activations: the true class.
    const stageInput = liar.inputOf(jobId, 1);
    const binding = computeBinding({ chainId: mesh.chainId, contract: market(), jobId, stage: 1, prover: liar.operator.address });
    const proof = await proveShard({ modelId: DEFAULT_MODEL_ID, shard: 1, input: stageInput, binding, zkeyPath: mesh.chainZkeyPath(DEFAULT_MODEL_ID, 1) });
    assert.equal(proof.result, truth);
    const cd = proof.calldata;
    const hash = await liar.wallet.writeContract({ address: market(), abi: jobMarketAbi, functionName: "submitStage", args: [jobId, 1n, cd.a, cd.b, cd.c, cd.pubSignals], chain: liar.wallet.chain, account: liar.operator });
    assert.equal((await mesh.publicClient.waitForTransactionReceipt({ hash })).status, "success");

    const mismatch = await client.waitForSettlement({ jobId, expectedResult: BigInt(answer), timeoutMs: 30_000 }).then(
      () => assert.fail("the settled result cannot equal the liar's fast-path answer"),
      (e: unknown) => e,
    );
    assert.ok(mismatch instanceof ChainMismatchError, `expected ChainMismatchError, got ${String(mismatch)}`);
    assert.match(mismatch.message, new RegExp(`settled with result ${truth}, the fast path answered ${answer}`));
    const settled = await client.waitForSettlement({ jobId, timeoutMs: 30_000 });
    assert.equal(settled.result, BigInt(truth), "only the proven (true) result is recorded on chain");
    const t = await waitFor({ what: "the explorer to index the settlement", timeoutMs: 20_000, check: async () => ((await explorerJob(jobId)).settlement ? explorerJob(jobId) : undefined) });
    assert.deepEqual(t.settlement && { result: t.settlement.result, fastPathAgrees: t.settlement.fastPathAgrees }, { result: String(truth), fastPathAgrees: false }, "the explorer flags the disagreement");
  });

  test("a node lying about WHO ran the stages (naming a staked node it was never told to use) is refused: nobody is framed, nothing is charged", async () => {
    const balance0 = await read<bigint>("balanceOf", [dApp]);
    const victimStake0 = await stakeOf(victim.nodeId);
    const claim = (stage: number) => (r: StageExecuteResponse) => ({ ...r, stages: r.stages.map((t) => (t.stage === stage ? { ...t, nodeId: victim.nodeId, address: victim.operator.address } : t)) });
    // Were it believed, createAndAssign would name the victim, who never ran anything, cannot prove,
    // and would be the node slashed at the deadline.
    for (const stage of [1, 0]) {
      framing = claim(stage);
      const err = await client.submitJob({ input, clusterId: 2 }).then(
        (ok) => assert.fail(`the coordinator accepted an answer claiming node ${victim.nodeId} ran stage ${stage}: route ${JSON.stringify(ok.answer.route)}`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ProofMeshApiError, String(err));
      assert.deepEqual([err.statusCode, err.code], [503, "PIPELINE_UNAVAILABLE"], err.message);
      assert.match(err.message, new RegExp(`stage ${stage} ran on node ${victim.nodeId}`));
    }
    // ... nor make a node of another cluster look failed (routing would avoid it).
    const a = mesh.nodes[0];
    const penalty = async () => ((await (await fetch(`${mesh.coordinatorUrl}/v1/explorer/nodes/${a.nodeId}`)).json()) as { penaltyMs: number }).penaltyMs;
    const penalty0 = await penalty();
    framing = (r) => ({ ...r, stages: r.stages.map((t) => (t.stage === 0 ? { ...t, failedCandidates: [{ nodeId: a.nodeId, error: `timed out after 10 ms` }] } : t)) });
    const err = await client.submitJob({ input, clusterId: 2 }).then(
      () => assert.fail("the coordinator accepted a trace blaming a node it never offered"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ProofMeshApiError && err.statusCode === 503, String(err));
    assert.match(err.message, new RegExp(`reports node ${a.nodeId} as failed`));
    assert.ok((await penalty()) <= penalty0, "node a was not penalised on the framer's word");
    framing = undefined;
    await new Promise((r) => setTimeout(r, 1_000)); // a relay would have happened by now
    assert.equal(await read<bigint>("openJobsOf", [victim.operator.address]), 0n, "the victim was never assigned");
    assert.equal(await stakeOf(victim.nodeId), victimStake0);
    assert.equal(await read<bigint>("balanceOf", [dApp]), balance0, "nothing was charged");
    const listed = (await (await fetch(`${mesh.coordinatorUrl}/v1/explorer/jobs?nodeId=${victim.nodeId}`)).json()) as { total: number };
    assert.equal(listed.total, 0);
    // Control: the same node telling the truth is served.
    const honest = await client.submitJob({ input, clusterId: 2 });
    assert.deepEqual(honest.answer.route.map((r) => r.nodeId), [framer.nodeId, framer.nodeId]);
    assert.equal(honest.answer.result, truth);
  });
});
