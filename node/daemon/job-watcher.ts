/**
 * One follower of the JobMarket's job events for the whole daemon (instead of every open stage
 * polling `getJob`): each poll asks for the block number and, when blocks were added, fetches
 * their JobAssigned / StageProven / JobSettled / JobExpired logs in one `eth_getLogs`, keeps a
 * bounded local index of what they say, and wakes whoever waits on a job.
 *
 * The index answers the fast path's "is this job already assigned to someone else / closed?"
 * without an RPC round trip. It is a cache of the events of the last `lookbackBlocks` blocks
 * before the daemon started and of every block since (a replayed request for an older closed
 * job is executed, and its proof abandoned when the queue reads the job), NOT the
 * source of truth: the prover queue still reads `getJob` before acting, and uses the watcher
 * only to know WHEN to read again (with a slow fallback re-read in case a log was missed, e.g.
 * while the RPC was down).
 */
import type { Address, PublicClient } from "viem";
import { jobMarketAbi } from "../../contracts/abi/index.ts";
import { JobStatus } from "./chain-view.ts";

export type WatchedJob = {
  /** JobStatus value implied by the events seen (Assigned, Settled, Expired) */
  status: number;
  /** node ids per stage, from JobAssigned */
  nodeIds: readonly number[] | undefined;
  /** stages proven so far (StageProven events seen) */
  nextStage: number;
  /** bumped on every event of this job */
  version: number;
};

export type JobWatcher = {
  /** What the events seen since start say of `jobId` (undefined: none seen). */
  peek(jobId: bigint): WatchedJob | undefined;
  /** The job's event counter (0 = none seen): pass it to `changed` to never miss an event. */
  version(jobId: bigint): number;
  /** Resolves true once `jobId` has an event newer than `sinceVersion`, false after `timeoutMs` or on stop. */
  changed(jobId: bigint, sinceVersion: number, timeoutMs: number): Promise<boolean>;
  /** highest block whose logs were applied */
  syncedBlock(): bigint;
  start(): Promise<void>;
  stop(): void;
};

export type CreateJobWatcherParameters = {
  publicClient: PublicClient;
  jobMarket: Address;
  /** how often the block number is polled (ms) */
  pollIntervalMs: number;
  /** jobs kept in the index (oldest dropped first) */
  maxJobs?: number;
  /** blocks per eth_getLogs call when catching up */
  maxBlockRange?: bigint;
  /** at start, index the events of this many blocks before the head (default 10,000) */
  lookbackBlocks?: bigint;
  /** never look before this block (the deployment block) */
  fromBlock?: bigint;
  /** a poll failed; `consecutive` counts failures since the last successful poll (1 = a new outage) */
  onError?: (err: unknown, consecutive: number) => void;
};

export function createJobWatcher(parameters: CreateJobWatcherParameters): JobWatcher {
  const { publicClient, jobMarket, pollIntervalMs, maxJobs = 50_000, maxBlockRange = 2_000n, lookbackBlocks = 10_000n, fromBlock = 0n, onError } = parameters;
  const jobs = new Map<bigint, WatchedJob>();
  const waiters = new Map<bigint, Set<() => void>>();
  let synced = -1n;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let polling: Promise<void> | undefined;
  let failures = 0;

  function touch(jobId: bigint, update: (j: WatchedJob) => void): void {
    let j = jobs.get(jobId);
    if (!j) {
      j = { status: JobStatus.Created, nodeIds: undefined, nextStage: 0, version: 0 };
      jobs.set(jobId, j);
      if (jobs.size > maxJobs) jobs.delete(jobs.keys().next().value!);
    }
    update(j);
    j.version += 1;
    const w = waiters.get(jobId);
    if (w) {
      waiters.delete(jobId);
      for (const wake of w) wake();
    }
  }

  async function poll(): Promise<void> {
    const head = await publicClient.getBlockNumber({ cacheTime: 0 });
    while (synced < head) {
      const from = synced + 1n;
      const to = head - from + 1n > maxBlockRange ? from + maxBlockRange - 1n : head;
      const logs = await publicClient.getContractEvents({ address: jobMarket, abi: jobMarketAbi, fromBlock: from, toBlock: to, strict: true });
      for (const l of logs) {
        switch (l.eventName) {
          case "JobAssigned":
            touch(l.args.jobId, (j) => {
              j.status = JobStatus.Assigned;
              j.nodeIds = l.args.nodeIds.map(Number);
            });
            break;
          case "StageProven":
            touch(l.args.jobId, (j) => {
              j.nextStage = Math.max(j.nextStage, Number(l.args.stage) + 1);
            });
            break;
          case "JobSettled":
            touch(l.args.jobId, (j) => void (j.status = JobStatus.Settled));
            break;
          case "JobExpired":
            touch(l.args.jobId, (j) => void (j.status = JobStatus.Expired));
            break;
          default:
            break;
        }
      }
      synced = to;
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      polling = poll()
        .then(() => void (failures = 0))
        .catch((err: unknown) => onError?.(err, ++failures))
        .finally(() => {
          polling = undefined;
          schedule();
        });
    }, pollIntervalMs);
    timer.unref(); // a background follower: never the reason a process stays up
  }

  return {
    peek: (jobId) => jobs.get(jobId),
    version: (jobId) => jobs.get(jobId)?.version ?? 0,
    changed(jobId, sinceVersion, timeoutMs) {
      if ((jobs.get(jobId)?.version ?? 0) > sinceVersion) return Promise.resolve(true);
      if (stopped) return Promise.resolve(false);
      return new Promise((resolve) => {
        let set = waiters.get(jobId);
        if (!set) waiters.set(jobId, (set = new Set()));
        const wake = () => {
          clearTimeout(t);
          resolve(true);
        };
        const t = setTimeout(() => {
          set.delete(wake);
          if (set.size === 0 && waiters.get(jobId) === set) waiters.delete(jobId);
          resolve(false);
        }, timeoutMs);
        set.add(wake);
      });
    },
    syncedBlock: () => synced,
    async start() {
      // Recent history first (a restarted node knows which recent jobs are closed), then follow the head.
      const head = await publicClient.getBlockNumber({ cacheTime: 0 });
      const first = head - lookbackBlocks > fromBlock ? head - lookbackBlocks : fromBlock;
      synced = first - 1n;
      await poll();
      schedule();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const [, set] of waiters) for (const wake of set) wake();
      waiters.clear();
      void polling;
    },
  };
}
