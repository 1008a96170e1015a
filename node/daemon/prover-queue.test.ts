/**
 * How the prover queue treats the failures of its `prove` (the worker pool in the daemon), with a
 * stubbed chain and prover: a prover worker that died is retried like a transient RPC failure
 * (up to a few times), a proof that fails is final at once.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pino } from "pino";
import { getAddress, type Account, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from "viem";
import { ProverError } from "../../prover/errors.ts";
import { JobStatus, type ChainView, type JobView } from "./chain-view.ts";
import { createNodeMetrics } from "./metrics.ts";
import type { ProveStageParameters, ProveStageReturnType } from "./prove-stage.ts";
import { ProverWorkerExitedError } from "./prover-pool.ts";
import { createProverQueue } from "./prover-queue.ts";
import type { ShardCatalog } from "./shards.ts";
import { openStore } from "./store.ts";

const MODEL = `0x${"ab".repeat(32)}` as Hex;
const OPERATOR = getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
const TX = `0x${"11".repeat(32)}` as Hex;
const PROOF: ProveStageReturnType = {
  calldata: { a: [1n, 2n], b: [[3n, 4n], [5n, 6n]], c: [7n, 8n], pubSignals: [9n, 10n, 11n, 0n] },
  publicSignals: ["9", "10", "11", "0"],
  proveMs: 1,
};

describe("prover queue: failures of prove", () => {
  const dir = mkdtempSync(join(tmpdir(), "pm-prover-queue-"));
  const store = openStore({ path: join(dir, "node.sqlite") });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function queueWith(prove: (p: ProveStageParameters) => Promise<ProveStageReturnType>) {
    const job: JobView = { status: JobStatus.Assigned, modelIndex: 0, clusterId: 1, shardCount: 2, nextStage: 0, deadline: 2 ** 40, nodeIds: [1, 2] };
    const chain: ChainView = {
      getJob: async () => job,
      modelIndexOf: async () => 0,
      isRegistered: async () => true,
      latestTimestamp: async () => 1,
      findStageProven: async () => undefined,
    };
    const publicClient = {
      simulateContract: async () => ({ request: {} }),
      waitForTransactionReceipt: async () => ({ status: "success", transactionHash: TX, blockNumber: 5n, gasUsed: 1n }),
    } as unknown as PublicClient;
    const walletClient = { account: { address: OPERATOR }, writeContract: async () => TX } as unknown as WalletClient<Transport, Chain, Account>;
    const shards = { get: () => ({ manifest: {}, wasmPath: "w", zkeyPath: "z" }) } as unknown as ShardCatalog;
    return createProverQueue({
      store,
      chain,
      publicClient,
      walletClient,
      chainId: 31337,
      jobMarket: getAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3"),
      nodeId: 1,
      operator: OPERATOR,
      shards,
      log: pino({ level: "silent" }),
      metrics: createNodeMetrics(),
      concurrency: 1,
      maxPending: 8,
      pollIntervalMs: 5,
      assignmentWaitMs: 1_000,
      prove,
    });
  }

  async function run(jobId: string, prove: (p: ProveStageParameters) => Promise<ProveStageReturnType>) {
    store.insertStage({ jobId, stage: 0, modelId: MODEL, modelName: "m", input: [1], output: [2], nowMs: Date.now() });
    const queue = queueWith(prove);
    assert.ok(queue.enqueue(store.get(jobId, 0)!));
    await queue.idle();
    await queue.stop({ graceMs: 0 });
    return store.get(jobId, 0)!;
  }

  it("retries a proof whose prover worker died, then submits", async () => {
    let calls = 0;
    const rec = await run("1", async () => {
      calls += 1;
      if (calls === 1) throw new ProverWorkerExitedError("prover worker exited during the proof (exit code 1)");
      return PROOF;
    });
    assert.equal(calls, 2);
    assert.equal(rec.status, "submitted");
    assert.equal(rec.attempts, 1);
    assert.match(rec.lastError ?? "", /prove: prover worker exited/);
  });

  it("fails the stage when its prover worker keeps dying", async () => {
    let calls = 0;
    const rec = await run("2", async () => {
      calls += 1;
      throw new ProverWorkerExitedError("prover worker exited during the proof (exit code 134)");
    });
    assert.equal(calls, 4, "the first attempt and 3 retries");
    assert.equal(rec.status, "failed");
  });

  it("a failed proof is final at once", async () => {
    let calls = 0;
    const rec = await run("3", async () => {
      calls += 1;
      throw new ProverError("witness generation failed: the inputs violate a constraint");
    });
    assert.equal(calls, 1);
    assert.equal(rec.status, "failed");
    assert.match(rec.lastError ?? "", /witness generation failed/);
  });
});
