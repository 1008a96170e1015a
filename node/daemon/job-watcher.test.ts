/**
 * JobWatcher unit tests against a scripted client (the real chain path is exercised by
 * daemon.test.ts and the end-to-end test): events update the index, waiters wake on the next
 * event and never miss one that arrived between reading `version` and waiting, catching up is
 * split into bounded getLogs ranges, failures are reported and polling continues.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PublicClient } from "viem";
import { JobStatus } from "./chain-view.ts";
import { createJobWatcher } from "./job-watcher.ts";

type Log = { eventName: string; args: Record<string, unknown>; blockNumber: bigint };

function scriptedClient() {
  let head = 10n;
  const logs: Log[] = [];
  const ranges: [bigint, bigint][] = [];
  let failNext = 0;
  const client = {
    async getBlockNumber() {
      if (failNext > 0) {
        failNext -= 1;
        throw new Error("connection refused");
      }
      return head;
    },
    async getContractEvents({ fromBlock, toBlock }: { fromBlock: bigint; toBlock: bigint }) {
      ranges.push([fromBlock, toBlock]);
      return logs.filter((l) => l.blockNumber >= fromBlock && l.blockNumber <= toBlock);
    },
  };
  return {
    client: client as unknown as PublicClient,
    ranges,
    mine(events: Omit<Log, "blockNumber">[]) {
      head += 1n;
      for (const e of events) logs.push({ ...e, blockNumber: head });
    },
    skip(blocks: bigint) {
      head += blocks;
    },
    fail(n: number) {
      failNext = n;
    },
  };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("JobWatcher", () => {
  it("indexes JobAssigned / StageProven / JobSettled, wakes waiters", async () => {
    const chain = scriptedClient();
    chain.mine([{ eventName: "JobAssigned", args: { jobId: 6n, nodeIds: [1] } }]); // block 11
    chain.skip(5n);
    const w = createJobWatcher({ publicClient: chain.client, jobMarket: "0x0000000000000000000000000000000000000001", pollIntervalMs: 5, lookbackBlocks: 4n });
    await w.start();
    assert.equal(w.peek(6n), undefined, "older than the lookback window");
    assert.equal(w.peek(7n), undefined);
    const v0 = w.version(7n);
    const woke = w.changed(7n, v0, 2_000);
    chain.mine([{ eventName: "JobAssigned", args: { jobId: 7n, nodeIds: [3, 4] } }]);
    assert.equal(await woke, true);
    assert.deepEqual(w.peek(7n), { status: JobStatus.Assigned, nodeIds: [3, 4], nextStage: 0, version: 1 });
    chain.mine([{ eventName: "StageProven", args: { jobId: 7n, stage: 0, nodeId: 3 } }]);
    chain.mine([{ eventName: "StageProven", args: { jobId: 7n, stage: 1, nodeId: 4 } }, { eventName: "JobSettled", args: { jobId: 7n } }]);
    await tick(50);
    assert.equal(w.peek(7n)?.nextStage, 2);
    assert.equal(w.peek(7n)?.status, JobStatus.Settled);
    w.stop();
  });

  it("a restarted watcher knows the jobs of the lookback window", async () => {
    const chain = scriptedClient();
    chain.mine([{ eventName: "JobAssigned", args: { jobId: 3n, nodeIds: [1, 2] } }]);
    chain.mine([{ eventName: "JobExpired", args: { jobId: 3n } }]);
    const w = createJobWatcher({ publicClient: chain.client, jobMarket: "0x0000000000000000000000000000000000000001", pollIntervalMs: 5, fromBlock: 5n });
    await w.start();
    assert.equal(w.peek(3n)?.status, JobStatus.Expired);
    assert.deepEqual(chain.ranges[0], [5n, 12n], "from the deployment block, not block 0");
    w.stop();
  });

  it("never misses an event that arrived between version() and changed()", async () => {
    const chain = scriptedClient();
    const w = createJobWatcher({ publicClient: chain.client, jobMarket: "0x0000000000000000000000000000000000000001", pollIntervalMs: 5 });
    await w.start();
    const seen = w.version(9n);
    chain.mine([{ eventName: "JobExpired", args: { jobId: 9n } }]);
    await tick(50); // the event is applied before anyone waits
    const t0 = performance.now();
    assert.equal(await w.changed(9n, seen, 5_000), true);
    assert.ok(performance.now() - t0 < 100, "resolved at once, not after the timeout");
    assert.equal(w.peek(9n)?.status, JobStatus.Expired);
    w.stop();
  });

  it("times out with false when the job has no event, and other jobs' events do not wake it", async () => {
    const chain = scriptedClient();
    const w = createJobWatcher({ publicClient: chain.client, jobMarket: "0x0000000000000000000000000000000000000001", pollIntervalMs: 5 });
    await w.start();
    const p = w.changed(1n, 0, 150);
    chain.mine([{ eventName: "JobAssigned", args: { jobId: 2n, nodeIds: [1] } }]);
    assert.equal(await p, false);
    w.stop();
  });

  it("catches up in bounded getLogs ranges and keeps polling after RPC failures", async () => {
    const chain = scriptedClient();
    const errors: number[] = [];
    const w = createJobWatcher({
      publicClient: chain.client,
      jobMarket: "0x0000000000000000000000000000000000000001",
      pollIntervalMs: 5,
      maxBlockRange: 4n,
      lookbackBlocks: 0n,
      onError: (_e, n) => errors.push(n),
    });
    await w.start();
    chain.ranges.length = 0;
    chain.fail(3);
    chain.skip(9n);
    chain.mine([{ eventName: "JobAssigned", args: { jobId: 5n, nodeIds: [1, 2] } }]);
    assert.equal(await w.changed(5n, 0, 3_000), true);
    assert.deepEqual(errors, [1, 2, 3], "consecutive failures counted from 1");
    assert.deepEqual(chain.ranges, [
      [11n, 14n],
      [15n, 18n],
      [19n, 20n],
    ]);
    assert.equal(w.syncedBlock(), 20n);
    w.stop();
  });

  it("keeps at most maxJobs jobs (oldest dropped)", async () => {
    const chain = scriptedClient();
    const w = createJobWatcher({ publicClient: chain.client, jobMarket: "0x0000000000000000000000000000000000000001", pollIntervalMs: 5, maxJobs: 3 });
    await w.start();
    chain.mine([1n, 2n, 3n, 4n].map((jobId) => ({ eventName: "JobAssigned", args: { jobId, nodeIds: [1] } })));
    assert.equal(await w.changed(4n, 0, 2_000), true);
    assert.equal(w.peek(1n), undefined);
    assert.ok(w.peek(2n) && w.peek(3n) && w.peek(4n));
    w.stop();
  });
});
