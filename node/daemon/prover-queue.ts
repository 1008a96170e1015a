/**
 * The prover queue: after a stage is answered, wait until the job is Assigned on chain with
 * this node at that stage (woken by the daemon's JobWatcher on the job's next event, re-read
 * from `getJob` before acting, with a slow fallback re-read if no event comes), prove the shard (bounded: `concurrency` provers at once, default one
 * per core), then submit when the job's nextStage reaches the stage (stages are accepted strictly
 * in order). Transient RPC failures are retried with exponential backoff; JobMarket_StageOutOfOrder
 * waits and retries; other reverts are final. Every transition is written to the SQLite store,
 * so a restarted node resumes from `pending` (re-prove) or `proven` (re-submit).
 */
import type { Logger } from "pino";
import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";
import { jobMarketAbi } from "../../contracts/abi/index.ts";
import { computeBinding } from "../../prover/binding.ts";
import { decodeRevert } from "../chain/contract-errors.ts";
import { JOB_STATUS_NAMES, JobStatus, type ChainView, type JobView } from "./chain-view.ts";
import type { JobWatcher } from "./job-watcher.ts";
import type { NodeMetrics } from "./metrics.ts";
import { decodeCalldata, encodeCalldata, proveStage, type ProveStageParameters, type ProveStageReturnType } from "./prove-stage.ts";
import { ProverWorkerExitedError } from "./prover-pool.ts";
import type { ShardCatalog } from "./shards.ts";
import type { NodeStore, StageRecord } from "./store.ts";

class Abandon extends Error {
  override name = "Abandon";
}
class Stopped extends Error {
  override name = "Stopped";
}

/** Reverts that may succeed later (another stage first); anything else from the JobMarket is final. */
const RETRY_LATER = new Set(["JobMarket_StageOutOfOrder"]);
/** Proof attempts lost to a dying prover worker before the stage fails: a crash that repeats on the same stage (out of memory) is not transient. */
const PROVE_CRASH_RETRIES = 3;

export type ProverQueueParameters = {
  store: NodeStore;
  chain: ChainView;
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain, Account>;
  chainId: number;
  jobMarket: Address;
  nodeId: number;
  operator: Address;
  shards: ShardCatalog;
  log: Logger;
  metrics: NodeMetrics;
  concurrency: number;
  maxPending: number;
  /** wait between reads when no JobWatcher is given, and the base of retry backoffs (ms) */
  pollIntervalMs: number;
  /** wakes a waiting stage on its job's next event (assignment, stage proven, closed); without it the queue polls getJob */
  watcher?: Pick<JobWatcher, "version" | "changed">;
  /** with a watcher: re-read getJob this often anyway, in case an event was missed (ms, default 5000) */
  fallbackPollMs?: number;
  /** give up on a stage whose job is not assigned on chain this long after execution */
  assignmentWaitMs: number;
  /** transient failures tolerated per stage before it is marked failed */
  maxTransientRetries?: number;
  /**
   * Proves a stage. The daemon passes its worker pool's `prove` (prover-pool.ts) so proofs never
   * block the event loop; the default proves in this thread (unit tests of the queue only).
   */
  prove?: (parameters: ProveStageParameters) => Promise<ProveStageReturnType>;
};

export type ProverQueue = {
  /** Starts work on a recorded stage; false when the queue is full. */
  enqueue(record: StageRecord): boolean;
  hasCapacity(): boolean;
  depth(): number;
  /** Resumes every open stage of the store (at boot). */
  resume(): number;
  /** Resolves when nothing is queued (tests). */
  idle(): Promise<void>;
  /** Stops taking work; waits up to graceMs for running proofs/submissions; the rest stays in the store. */
  stop(parameters: { graceMs: number }): Promise<{ unfinished: number }>;
};

export function createProverQueue(parameters: ProverQueueParameters): ProverQueue {
  const { store, chain, publicClient, walletClient, chainId, jobMarket, nodeId, operator, shards, metrics, concurrency, maxPending, pollIntervalMs, assignmentWaitMs } =
    parameters;
  const maxTransientRetries = parameters.maxTransientRetries ?? 30;
  const prove = parameters.prove ?? proveStage;
  const { watcher } = parameters;
  const fallbackPollMs = parameters.fallbackPollMs ?? 5_000;
  const log = parameters.log.child({ component: "prover" });
  const tasks = new Map<string, Promise<void>>();
  const abort = new AbortController();
  let stopping = false;
  let storeOpen = true;

  // ---- bounded proving (semaphore) and one transaction at a time (nonces)
  let proving = 0;
  const waiters: (() => void)[] = [];
  async function acquire(): Promise<void> {
    if (proving < concurrency) {
      proving += 1;
      return;
    }
    await new Promise<void>((resolve) => waiters.push(resolve));
    proving += 1;
  }
  function release(): void {
    proving -= 1;
    waiters.shift()?.();
  }
  let txLock: Promise<unknown> = Promise.resolve();
  function withTxLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = txLock.then(fn, fn);
    txLock = run.catch(() => undefined);
    return run;
  }

  function sleep(ms: number): Promise<void> {
    if (stopping) return Promise.reject(new Stopped("stopping"));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(t);
        reject(new Stopped("stopping"));
      };
      const t = setTimeout(() => {
        abort.signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      abort.signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Waits for the job's next event after `since` (or the fallback re-read time); polls when there is no watcher. */
  function jobChanged(jobId: bigint, since: number): Promise<void> {
    if (!watcher) return sleep(pollIntervalMs);
    if (stopping) return Promise.reject(new Stopped("stopping"));
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new Stopped("stopping"));
      abort.signal.addEventListener("abort", onAbort, { once: true });
      void watcher.changed(jobId, since, fallbackPollMs).then(() => {
        abort.signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }

  /** Retries transient failures (by default: any but a revert) with exponential backoff (capped at 5 s). */
  async function withRetry<T>(
    label: string,
    rec: StageRecord,
    fn: () => Promise<T>,
    transient: (err: unknown, attempt: number) => boolean = (err) => !decodeRevert(err),
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (stopping) throw new Stopped("stopping");
      try {
        return await fn();
      } catch (err) {
        if (!transient(err, attempt) || attempt >= maxTransientRetries) throw err;
        const msg = (err as Error).message.split("\n")[0];
        if (storeOpen) store.recordAttempt(rec.jobId, rec.stage, `${label}: ${msg}`, Date.now());
        log.warn({ jobId: rec.jobId, stage: rec.stage, attempt, err: msg }, `${label} failed, retrying`);
        await sleep(Math.min(5_000, pollIntervalMs * 2 ** attempt));
      }
    }
  }

  async function waitAssigned(rec: StageRecord): Promise<JobView | undefined> {
    const jobId = BigInt(rec.jobId);
    const modelIndex = await withRetry("modelInfo", rec, () => chain.modelIndexOf(rec.modelId));
    // A stage just answered is not assigned yet (the coordinator relays after the answer): with a
    // watcher, wait for the job's first event instead of reading getJob while the request is still being served.
    if (watcher && watcher.version(jobId) === 0 && Date.now() - rec.receivedAtMs < 1_000) await jobChanged(jobId, 0);
    for (;;) {
      const seen = watcher?.version(jobId) ?? 0;
      const job = await withRetry("getJob", rec, () => chain.getJob(jobId));
      if (job.status === JobStatus.Assigned) {
        if (job.modelIndex !== modelIndex) throw new Abandon(`job is for model index ${job.modelIndex}, not ${rec.modelName} (${modelIndex})`);
        if (rec.stage >= job.shardCount) throw new Abandon(`job has ${job.shardCount} stages`);
        const assigned = job.nodeIds[rec.stage];
        if (assigned !== nodeId) throw new Abandon(`stage ${rec.stage} is assigned to node ${assigned}, not to this node (${nodeId})`);
        return job;
      }
      if (job.status === JobStatus.None || job.status === JobStatus.Created) {
        if (Date.now() - rec.receivedAtMs > assignmentWaitMs) throw new Abandon(`job not assigned on chain within ${assignmentWaitMs} ms of execution`);
        if (job.status === JobStatus.Created && (await chain.latestTimestamp()) > job.deadline) throw new Abandon("job deadline passed before assignment");
        await jobChanged(jobId, seen);
        continue;
      }
      const closed = await closedJob(rec, job, "before proving");
      if (closed === "done") return undefined;
      throw closed;
    }
  }

  async function submit(rec: StageRecord, calldataJson: string): Promise<void> {
    const jobId = BigInt(rec.jobId);
    const calldata = decodeCalldata(calldataJson);
    for (;;) {
      const seen = watcher?.version(jobId) ?? 0;
      const job = await withRetry("getJob", rec, () => chain.getJob(jobId));
      if (job.status !== JobStatus.Assigned) {
        const closed = await closedJob(rec, job, `before stage ${rec.stage} was accepted`);
        if (closed === "done") return;
        throw closed;
      }
      if (job.nextStage > rec.stage) {
        // Only this node's operator can submit this stage: an earlier run of ours did (crash between send and record).
        store.markSubmitted(rec.jobId, rec.stage, null, 0n, Date.now());
        log.info({ jobId: rec.jobId, stage: rec.stage }, "stage already accepted on chain");
        return;
      }
      if (job.nextStage < rec.stage) {
        if ((await chain.latestTimestamp()) > job.deadline) throw new Abandon(`deadline passed while stage ${job.nextStage} was still unproven`);
        await jobChanged(jobId, seen);
        continue;
      }
      try {
        const receipt = await withRetry("submitStage", rec, () =>
          withTxLock(async () => {
            const { request } = await publicClient.simulateContract({
              address: jobMarket,
              abi: jobMarketAbi,
              functionName: "submitStage",
              args: [jobId, BigInt(rec.stage), calldata.a, calldata.b, calldata.c, calldata.pubSignals],
              account: walletClient.account,
            });
            const hash = await walletClient.writeContract(request);
            log.info({ jobId: rec.jobId, stage: rec.stage, tx: hash }, "stage proof sent");
            return hash;
          }).then((hash) => publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 })),
        );
        if (receipt.status !== "success") throw new Error(`submitStage tx ${receipt.transactionHash} reverted`);
        store.markSubmitted(rec.jobId, rec.stage, receipt.transactionHash, receipt.blockNumber, Date.now());
        metrics.proofs.inc({ outcome: "submitted" });
        log.info({ jobId: rec.jobId, stage: rec.stage, tx: receipt.transactionHash, block: receipt.blockNumber, gasUsed: receipt.gasUsed }, "stage proof accepted");
        return;
      } catch (err) {
        const d = decodeRevert(err);
        if (d && RETRY_LATER.has(d.errorName)) {
          log.debug({ jobId: rec.jobId, stage: rec.stage, error: d.errorName }, "stage not next yet, waiting");
          await jobChanged(jobId, seen);
          continue;
        }
        throw err;
      }
    }
  }

  /** An Abandon for a closed job, unless the chain shows this node proved the stage (then: recorded as submitted). */
  async function closedJob(rec: StageRecord, job: JobView, what: string): Promise<Abandon | "done"> {
    if (job.status === JobStatus.Settled) {
      const ev = await withRetry("StageProven logs", rec, () => chain.findStageProven(BigInt(rec.jobId), rec.stage));
      if (ev && ev.nodeId === nodeId) {
        store.markSubmitted(rec.jobId, rec.stage, ev.txHash, ev.blockNumber, Date.now());
        log.info({ jobId: rec.jobId, stage: rec.stage, tx: ev.txHash }, "stage already accepted on chain");
        return "done";
      }
    }
    return new Abandon(`${what}: job is ${JOB_STATUS_NAMES[job.status] ?? job.status} on chain`);
  }

  async function process(rec: StageRecord): Promise<void> {
    const served = shards.get(rec.modelId, rec.stage);
    if (!served) throw new Abandon(`this node no longer serves ${rec.modelName} shard ${rec.stage}`);
    const assigned = await waitAssigned(rec);
    if (assigned === undefined) return;
    let calldataJson = rec.calldata;
    if (rec.status === "pending" || calldataJson === null) {
      await acquire();
      try {
        if (stopping) throw new Stopped("stopping");
        // Under load a stage can wait minutes for a prover: do not spend a proof on a job that was
        // closed (expired) or passed its deadline meanwhile, submitStage could only revert — and
        // proofs of dead jobs would delay the live ones behind them into their deadlines too.
        // Best effort: when the chain cannot be read now, prove anyway (submit re-checks).
        const [job, chainTime] = await Promise.all([chain.getJob(BigInt(rec.jobId)), chain.latestTimestamp()]).catch(() => [undefined, undefined] as const);
        if (job && job.status !== JobStatus.Assigned) {
          const closed = await closedJob(rec, job, "before proving");
          if (closed === "done") return;
          throw closed;
        }
        if (chainTime !== undefined && chainTime > assigned.deadline) throw new Abandon("deadline passed before a prover was free");
        const binding = computeBinding({ chainId, contract: jobMarket, jobId: BigInt(rec.jobId), stage: rec.stage, prover: operator });
        // A prover worker that died mid-proof (out of memory, a crash) was replaced: retry, like an RPC
        // failure. A proof that fails (witness generation rejects the output, bad artefacts) fails
        // the same way every time: final, as before.
        const proof = await withRetry(
          "prove",
          rec,
          () => prove({ manifest: served.manifest, wasmPath: served.wasmPath, zkeyPath: served.zkeyPath, input: rec.input, output: rec.output, binding }),
          (err, attempt) => err instanceof ProverWorkerExitedError && attempt < PROVE_CRASH_RETRIES,
        );
        calldataJson = encodeCalldata(proof.calldata);
        metrics.proveMs.observe({ shard: String(rec.stage) }, proof.proveMs);
        if (!storeOpen) throw new Stopped("store closed");
        store.markProven(rec.jobId, rec.stage, calldataJson, Date.now());
        log.info({ jobId: rec.jobId, stage: rec.stage, proveMs: Math.round(proof.proveMs) }, "stage proven");
      } finally {
        release();
      }
    }
    await submit(rec, calldataJson);
  }

  function start(rec: StageRecord): void {
    const key = `${rec.jobId}/${rec.stage}`;
    if (tasks.has(key)) return;
    const task = process(rec)
      .catch((err: unknown) => {
        if (err instanceof Stopped || !storeOpen) {
          log.info({ jobId: rec.jobId, stage: rec.stage }, "prover stopped; stage stays in the store for the next start");
          return;
        }
        if (err instanceof Abandon) {
          store.markFinal(rec.jobId, rec.stage, "abandoned", err.message, Date.now());
          metrics.proofs.inc({ outcome: "abandoned" });
          log.warn({ jobId: rec.jobId, stage: rec.stage, reason: err.message }, "stage abandoned");
          return;
        }
        const d = decodeRevert(err);
        const msg = d ? `${d.errorName}(${d.args.map(String).join(", ")})` : (err as Error).message.split("\n")[0];
        store.markFinal(rec.jobId, rec.stage, "failed", msg, Date.now());
        metrics.proofs.inc({ outcome: "failed" });
        log.error({ jobId: rec.jobId, stage: rec.stage, err: msg }, "stage proof failed");
      })
      .finally(() => {
        tasks.delete(key);
        metrics.proverQueueDepth.set(tasks.size);
        if (tasks.size === 0) for (const w of idleWaiters.splice(0)) w();
      });
    tasks.set(key, task);
    metrics.proverQueueDepth.set(tasks.size);
  }
  const idleWaiters: (() => void)[] = [];

  return {
    enqueue(rec) {
      if (stopping || tasks.size >= maxPending) return false;
      start(rec);
      return true;
    },
    hasCapacity: () => !stopping && tasks.size < maxPending,
    depth: () => tasks.size,
    resume() {
      const open = store.listOpen();
      for (const rec of open) start(rec);
      if (open.length > 0) log.info({ stages: open.length }, "resumed pending proofs");
      return open.length;
    },
    idle: () => (tasks.size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
    async stop({ graceMs }) {
      stopping = true;
      // Waiting (assignment, stage order) stops at once; proofs and sent txs get graceMs to finish.
      abort.abort();
      const all = Promise.allSettled([...tasks.values()]);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      const unfinished = tasks.size;
      storeOpen = false;
      return { unfinished };
    },
  };
}

