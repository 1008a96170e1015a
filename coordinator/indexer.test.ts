/**
 * The index is rebuildable from the chain alone: index a history with every kind of event
 * (clusters, nodes, stake / unbonding / slashing, models, jobs created + assigned, a real stage
 * proof, an expiry), through an RPC that fails intermittently; delete the database; rebuild;
 * every index row is identical, and matches the contracts' own views.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { parseEther, type PublicClient } from "viem";
import { jobIdOf, signJobRequest, type JobRequest } from "../deploy/jobs.ts";
import { computeBinding } from "../prover/binding.ts";
import { commitValues } from "../prover/commit.ts";
import { loadMnist } from "../prover/data/mnist.ts";
import { proveShard } from "../prover/prove-shard.ts";
import { releaseProverThreads } from "../prover/release.ts";
import type { ChainContext } from "./chain.ts";
import { dumpChainTables, openDb } from "./db.ts";
import { createIndexer } from "./indexer.ts";
import { MODEL_ID, MODEL_NAME, setupChain, silentLogger, tmpDbFile, type ChainFixture } from "./test-fixture.ts";

describe("chain index", { timeout: 110_000 }, () => {
  let t: ChainFixture;
  let assignedJob: bigint;
  let expiredJob: bigint;

  before(async () => {
    t = await setupChain({ nodesInCluster1: 3 });
    const [n1, n2, n3] = t.stubs.map((s) => s.identity.nodeId);
    const pixels = Array.from(loadMnist().test[0].pixels);
    const now = BigInt(await t.networkHelpers.time.latest());
    const job = async (nonce: bigint, nodeIds: number[]) => {
      const req: JobRequest = { dApp: t.dApp.account.address, modelId: MODEL_ID, inputCommitment: await commitValues({ values: pixels, bits: 8 }), maxFee: parseEther("5"), deadline: now + 3600n, nonce, clusterId: 1 };
      const sig = await signJobRequest({ walletClient: t.dApp, chainId: t.chain.chainId, jobMarket: t.market.address, request: req });
      await t.market.write.createAndAssign([req, sig, nodeIds]);
      return jobIdOf(req);
    };
    assignedJob = await job(1n, [n1, n2]);
    expiredJob = await job(2n, [n3, n1]);
    // a real proof of stage 0 of the assigned job
    const op1 = t.opOf.get(n1)!;
    const p0 = await proveShard({ modelId: MODEL_NAME, shard: 0, input: pixels, binding: computeBinding({ chainId: t.chain.chainId, contract: t.market.address, jobId: assignedJob, stage: 0, prover: op1.account.address }) });
    await t.market.write.submitStage([assignedJob, 0n, p0.calldata.a, p0.calldata.b, p0.calldata.c, p0.calldata.pubSignals], { account: op1.account });
    // expire the other one (slashes n3), some registry churn
    await t.networkHelpers.time.increase(7200);
    await t.market.write.expire([expiredJob]);
    const op4 = t.ops[3];
    await t.stake.write.updateNode(["http://127.0.0.1:1/moved", 2n << 30n, [MODEL_ID], op4.account.address], { account: op4.account });
    await t.stake.write.requestUnbonding([parseEther("50")], { account: op4.account });
    await t.stake.write.updateCluster([2, parseEther("150"), false]);
  });
  after(async () => {
    await t?.close();
    await releaseProverThreads();
  });

  it("indexes through RPC failures, and a deleted database rebuilds to the same rows", async () => {
    let failures = 0;
    const flaky = new Proxy(t.publicClient, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if ((prop === "getLogs" || prop === "getTransaction") && typeof v === "function")
          return (...args: unknown[]) => (++failures <= 3 || failures % 7 === 0 ? Promise.reject(new Error("ECONNREFUSED (simulated RPC outage)")) : (v as (...a: unknown[]) => unknown).apply(target, args));
        return v;
      },
    }) as PublicClient;
    const flakyChain: ChainContext = { ...t.chain, publicClient: flaky };
    const file = tmpDbFile();
    const db1 = openDb({ file });
    const ix1 = createIndexer({ chain: flakyChain, db: db1, log: silentLogger(), pollIntervalMs: 20, batchBlocks: 7n });
    ix1.start();
    const head = await t.publicClient.getBlockNumber();
    const deadline = Date.now() + 30_000;
    while (ix1.status().lastIndexedBlock !== head.toString()) {
      assert.ok(Date.now() < deadline, `indexer stuck: ${JSON.stringify(ix1.status())}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await ix1.stop();
    assert.ok(failures > 3, "the RPC failed several times");
    const before = dumpChainTables(db1);
    db1.close();

    // the contents make sense
    assert.equal(before.clusters.length, 2);
    assert.equal(before.nodes.length, 4);
    assert.equal(before.models.length, 1);
    assert.equal(before.shards.length, 2);
    const jobs = before.jobs as { job_id: string; status: string; stages_proven: number; signature: string | null; request: string | null; node_ids: string }[];
    const aj = jobs.find((j) => j.job_id === assignedJob.toString())!;
    assert.equal(aj.status, "assigned");
    assert.equal(aj.stages_proven, 1);
    assert.ok(aj.signature?.startsWith("0x") && aj.request, "request + signature decoded from createAndAssign calldata");
    assert.equal(jobs.find((j) => j.job_id === expiredJob.toString())!.status, "expired");
    const proofs = before.stage_proofs as { calldata: string }[];
    assert.equal(proofs.length, 1);
    assert.equal(JSON.parse(proofs[0].calldata).pubSignals.length, 4);
    for (const n of before.nodes as { id: number; stake: string; unbonding: string; cluster_id: number; endpoint: string; memory_bytes: string }[]) {
      const v = await t.stake.read.getNode([n.id]);
      assert.equal(n.stake, v.stake.toString(), `node ${n.id} stake`);
      assert.equal(n.unbonding, v.unbonding.toString(), `node ${n.id} unbonding`);
      assert.equal(n.cluster_id, v.clusterId);
      assert.equal(n.endpoint, v.endpoint);
      assert.equal(n.memory_bytes, v.memoryBytes.toString());
    }
    const c2 = (before.clusters as { id: number; active: number; min_stake: string }[]).find((c) => c.id === 2)!;
    assert.equal(c2.active, 0);
    assert.equal(c2.min_stake, parseEther("150").toString());

    // delete the database entirely and rebuild from chain events alone
    rmSync(file, { force: true });
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    const db2 = openDb({ file });
    const ix2 = createIndexer({ chain: t.chain, db: db2, log: silentLogger(), pollIntervalMs: 20 });
    await ix2.syncToHead();
    const rebuilt = dumpChainTables(db2);
    db2.close();
    assert.deepEqual(rebuilt, before);
  });
});
