/**
 * Job service: validates a dApp's signed submission, runs the fast path, stores the answer,
 * relays `createAndAssign(req, sig, nodeIds actually used)` to the chain in the background
 * (persisted queue: a restart resumes), reports status, and sweeps expired jobs.
 *
 * Validation order (first failure wins; codes in errors.ts):
 *   schema (INVALID_REQUEST / MALFORMED_TENSOR) → field ranges (INVALID_REQUEST) → EIP-712
 *   signature, canonical ECDSA, recover == dApp (BAD_SIGNATURE) → idempotency on (dApp, nonce):
 *   same submission → same stored answer, different one → NONCE_USED; nonce already on chain
 *   or cancelled → NONCE_USED → model (UNKNOWN_MODEL / MODEL_INACTIVE) → tensor length
 *   (MALFORMED_TENSOR) → cluster (UNKNOWN_CLUSTER / CLUSTER_INACTIVE) → deadline
 *   (DEADLINE_EXPIRED / DEADLINE_TOO_FAR) → commitment (COMMITMENT_MISMATCH) → price
 *   (MAX_FEE_TOO_LOW) → lane (LANE_BUSY) → deposit minus escrow of our not-yet-relayed jobs
 *   (INSUFFICIENT_DEPOSIT) → route + execute (NO_ROUTE / PIPELINE_UNAVAILABLE).
 *
 * Status: answered (fast path done, not on chain yet) → assigned (createAndAssign mined) →
 * proving (≥ 1 StageProven) → settled | expired; failed = the relay was refused by the chain.
 */
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import {
  BaseError,
  ContractFunctionRevertedError,
  getAddress,
  keccak256,
  stringToBytes,
  type Address,
  type Hash,
  type Hex,
} from "viem";
import { jobMarketAbi } from "../contracts/abi/index.ts";
import { jobIdOf, R, type JobRequest } from "../deploy/jobs.ts";
import { commitValues } from "../prover/commit.ts";
import { refineAddress, WireValidationError, type JobAnswer, type JobStatusValue, type JobSubmission } from "../node/wire/messages.ts";
import type { ManifestIndex } from "./artifacts.ts";
import type { ChainContext } from "./chain.ts";
import type { ClusterView } from "./cluster-view.ts";
import { prepared, type Db } from "./db.ts";
import { ApiProblem, PipelineError } from "./errors.ts";
import type { Indexer } from "./indexer.ts";
import type { Metrics } from "./metrics.ts";
import type { Pipeline, RouteExplanation } from "./pipeline.ts";
import { recoverJobRequestSigner, RecoverSignerError } from "./recover-signer.ts";
import { NoRouteError } from "./routing/errors.ts";

const U64 = 1n << 64n;
/** how long a dApp's JobMarket deposit read stays usable on the fast path (ms) */
const DEPOSIT_CACHE_MS = 1_000;
const U128 = 1n << 128n;

export type RelayStatus = "pending" | "confirmed" | "failed";

/**
 * Where a submission's time went on this coordinator (ms; the Server-Timing header of POST /v1/jobs).
 * auth: parse + signature + idempotency key; checks: model, cluster, deadline, price, lane, deposit;
 * commit: the input's Poseidon commitment; pipeline: stage 0's node called and answered (stage0:
 * the time that node reports for itself and everything downstream); store: the answer persisted.
 */
export type SubmitTimings = { authMs: number; checksMs?: number; commitMs?: number; pipelineMs?: number; stage0Ms?: number | undefined; storeMs?: number };
export type SubmitReturnType = { answer: JobAnswer; replayed: boolean; timings: SubmitTimings };

/** `Server-Timing` header value of a submission's timings (RFC: name;dur=ms, comma-separated). */
export function serverTiming(t: SubmitTimings): string {
  const parts: string[] = [];
  for (const [name, ms] of [["auth", t.authMs], ["checks", t.checksMs], ["commit", t.commitMs], ["pipeline", t.pipelineMs], ["stage0", t.stage0Ms], ["store", t.storeMs]] as const) {
    if (ms !== undefined) parts.push(`${name};dur=${ms.toFixed(3)}`);
  }
  return parts.join(", ");
}

export type JobStatusView = {
  jobId: string;
  status: JobStatusValue;
  tentative: boolean;
  /** fast-path answer (null when this coordinator did not run the job) */
  result: number | null;
  logits: number[] | null;
  /** the verified result recorded on chain (settled jobs) */
  chainResult: string | null;
  dApp: Address;
  nonce: string;
  modelId: Hex;
  clusterId: number;
  deadline: string;
  nodeIds: number[] | null;
  stageCount: number | null;
  stagesProven: number;
  relay: { status: RelayStatus; txHash: Hash | null; attempts: number; error: string | null } | null;
  txs: { created: Hash | null; assigned: Hash | null; settled: Hash | null; expired: Hash | null };
};

type SubmissionRow = {
  job_id: string;
  dapp: string;
  nonce: string;
  submission_hash: string;
  request: string;
  signature: string;
  input: string;
  escrow: string;
  answer: string;
  route: string;
  node_ids: string;
  relay_status: RelayStatus;
  relay_tx: string | null;
  relay_attempts: number;
  relay_error: string | null;
  next_attempt_ms: number;
  created_at_ms: number;
};

type JobRow = {
  job_id: string;
  dapp: string;
  nonce: string;
  model_id: string;
  cluster_id: number;
  deadline: number;
  status: "created" | "assigned" | "settled" | "expired";
  node_ids: string | null;
  stages_proven: number;
  result: string | null;
  created_tx: string;
  assigned_tx: string | null;
  settled_tx: string | null;
  expired_tx: string | null;
  request: string | null;
};

export type CreateJobServiceParameters = {
  db: Db;
  chain: ChainContext;
  view: ClusterView;
  pipeline: Pipeline;
  manifest: ManifestIndex;
  indexer?: Indexer;
  metrics?: Metrics;
  log: Logger;
  minDeadlineMarginSec: number;
  relayIntervalMs: number;
  sweepIntervalMs: number;
  nowMs?: () => number;
};

export type JobService = ReturnType<typeof createJobService>;

/** Canonical JSON of a request (addresses checksummed, modelId lower-case, decimals). */
function canonicalRequest(r: JobRequest) {
  return {
    dApp: getAddress(r.dApp),
    modelId: r.modelId.toLowerCase() as Hex,
    inputCommitment: r.inputCommitment.toString(),
    maxFee: r.maxFee.toString(),
    deadline: r.deadline.toString(),
    nonce: r.nonce.toString(),
    clusterId: r.clusterId,
  };
}

export function parseRequest(w: JobSubmission["request"]): JobRequest {
  let dApp: Address;
  try {
    dApp = refineAddress(w.dApp, "/request/dApp", {
      fail: (path, msg) => {
        throw new WireValidationError(msg, { messageName: "JobSubmission", path });
      },
    });
  } catch (err) {
    throw new ApiProblem("INVALID_REQUEST", err instanceof Error ? err.message : "bad dApp address");
  }
  const req: JobRequest = {
    dApp,
    modelId: w.modelId.toLowerCase() as Hex,
    inputCommitment: BigInt(w.inputCommitment),
    maxFee: BigInt(w.maxFee),
    deadline: BigInt(w.deadline),
    nonce: BigInt(w.nonce),
    clusterId: w.clusterId,
  };
  if (req.inputCommitment >= R) throw new ApiProblem("INVALID_REQUEST", "request.inputCommitment must be < r (BN254 scalar field)");
  if (req.maxFee >= U128) throw new ApiProblem("INVALID_REQUEST", "request.maxFee must fit uint128");
  if (req.deadline >= U64) throw new ApiProblem("INVALID_REQUEST", "request.deadline must fit uint64");
  if (req.nonce >= U64) throw new ApiProblem("INVALID_REQUEST", "request.nonce must fit uint64");
  if (req.clusterId === 0) throw new ApiProblem("UNKNOWN_CLUSTER", "request.clusterId must be non-zero");
  return req;
}

/** Decodes the revert reason name of a viem contract error, if any. */
function revertName(err: unknown): string | undefined {
  if (err instanceof BaseError) {
    const r = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (r instanceof ContractFunctionRevertedError) return r.data?.errorName ?? r.reason ?? "reverted";
  }
  return undefined;
}

const short = (err: unknown) => (err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err));

export function createJobService(p: CreateJobServiceParameters) {
  const { db, chain, view, pipeline, manifest, log: parentLog } = p;
  const log = parentLog.child({ component: "jobs" });
  const now = p.nowMs ?? (() => Date.now());
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const inProgress = new Map<string, { hash: string; promise: Promise<JobAnswer> }>();
  const market = chain.deployment.contracts.JobMarket;
  let constants: { coordinatorFee: bigint; maxDeadlineWindow: bigint } | undefined;
  let chainTime: { sec: bigint; atMs: number } | undefined;
  let relayTimer: ReturnType<typeof setTimeout> | undefined;
  let sweepTimer: ReturnType<typeof setInterval> | undefined;
  let relaying: Promise<void> | undefined;
  let sweeping: Promise<void> | undefined;
  let stopped = false;
  const expiring = new Set<string>();

  // JobMarket deposits, cached per dApp for DEPOSIT_CACHE_MS so the fast path does not wait for an
  // RPC read on every job. Exactness: a relay (which debits the escrow on chain) and the indexer's
  // Deposited/Withdrawn events drop the entry, a read started before a drop is not stored
  // (generation check), and a cached value that looks too low is re-read before a job is refused.
  // What stays: a withdrawal is seen up to the indexer's lag late (as before, when the read could
  // also precede a withdrawal by the pipeline's duration); the relay then fails on chain.
  const deposits = new Map<string, { value: bigint; atMs: number }>();
  const depositGen = new Map<string, number>();
  function dropDeposit(dApp: string): void {
    deposits.delete(dApp);
    depositGen.set(dApp, (depositGen.get(dApp) ?? 0) + 1);
  }
  async function depositOf(dApp: Address, { fresh = false }: { fresh?: boolean } = {}): Promise<bigint> {
    const key = dApp.toLowerCase();
    const hit = deposits.get(key);
    if (!fresh && hit && now() - hit.atMs < DEPOSIT_CACHE_MS) return hit.value;
    const gen = depositGen.get(key) ?? 0;
    const atMs = now();
    const value = await chainRead(() => chain.publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "balanceOf", args: [dApp] }));
    if ((depositGen.get(key) ?? 0) === gen) deposits.set(key, { value, atMs });
    if (deposits.size > 10_000) deposits.delete(deposits.keys().next().value!);
    return value;
  }

  async function chainRead<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new ApiProblem("CHAIN_UNAVAILABLE", `chain read failed: ${short(cause)}`, { cause });
    }
  }

  async function marketConstants() {
    constants ??= await chainRead(async () => {
      const [coordinatorFee, maxDeadlineWindow] = await Promise.all([
        chain.publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "coordinatorFee" }),
        chain.publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "maxDeadlineWindow" }),
      ]);
      return { coordinatorFee, maxDeadlineWindow };
    });
    return constants;
  }

  /** max(wall clock, latest block timestamp), seconds; the block is re-read at most once a second. */
  async function nowSec({ fresh = false }: { fresh?: boolean } = {}): Promise<bigint> {
    if (fresh || !chainTime || now() - chainTime.atMs > 1_000) {
      const b = await chainRead(() => chain.publicClient.getBlock({ blockTag: "latest" }));
      chainTime = { sec: b.timestamp, atMs: now() };
    }
    const wall = BigInt(Math.floor(now() / 1000));
    return wall > chainTime.sec ? wall : chainTime.sec;
  }

  const subRow = (jobId: string) => prepared(db, "SELECT * FROM submissions WHERE job_id = ?").get(jobId) as SubmissionRow | undefined;
  const jobRow = (jobId: string) => prepared(db, "SELECT * FROM jobs WHERE job_id = ?").get(jobId) as JobRow | undefined;

  function notify(jobId: string) {
    events.emit("job", jobId);
  }
  p.indexer?.onChange((c) => {
    if (c.kind === "job") notify(c.jobId);
    if (c.kind === "account") dropDeposit(c.account);
  });

  // ------------------------------------------------------------------ submission

  async function submit(s: JobSubmission): Promise<SubmitReturnType> {
    const receivedAt = performance.now();
    const req = parseRequest(s.request);
    const signature = s.signature.toLowerCase() as Hex;
    // Signature (the contract's rules: canonical low-s and v ∈ {27, 28}, enforced by the recovery; recover == dApp).
    let signer: Address;
    try {
      signer = recoverJobRequestSigner({ chainId: chain.chainId, jobMarket: market, request: req, signature });
    } catch (cause) {
      throw new ApiProblem("BAD_SIGNATURE", cause instanceof RecoverSignerError ? cause.message : "signature does not recover", { cause });
    }
    if (signer !== req.dApp) throw new ApiProblem("BAD_SIGNATURE", `signature recovers ${signer}, not request.dApp ${req.dApp} (EIP-712 domain: ProofMesh JobMarket v1, chainId ${chain.chainId}, verifyingContract ${market})`);

    const jobId = jobIdOf(req).toString();
    // Idempotency key of the whole submission: SHA-256 (native, ≈ 5 µs). Rows written by earlier
    // versions hold keccak256 of the same text (≈ 0.13 ms in JS) and are still compared as such.
    const canonical = JSON.stringify({ request: canonicalRequest(req), signature, input: s.input });
    const hash = `sha256:${createHash("sha256").update(canonical).digest("hex")}`;
    const sameAs = (storedHash: string) => (storedHash.startsWith("sha256:") ? storedHash === hash : storedHash === keccak256(stringToBytes(canonical)));
    const timings: SubmitTimings = { authMs: performance.now() - receivedAt };
    // Idempotency on (dApp, nonce).
    const stored = subRow(jobId);
    if (stored) {
      if (!sameAs(stored.submission_hash)) throw new ApiProblem("NONCE_USED", `nonce ${req.nonce} of ${req.dApp} was already used by a different submission (job ${jobId})`);
      return { answer: answerOf(stored), replayed: true, timings };
    }
    const running = inProgress.get(jobId);
    if (running) {
      if (running.hash !== hash) throw new ApiProblem("NONCE_USED", `nonce ${req.nonce} of ${req.dApp} is being used by a different submission (job ${jobId})`);
      return { answer: await running.promise, replayed: true, timings };
    }
    const promise = run(req, signature, s.input, jobId, hash, receivedAt, timings);
    inProgress.set(jobId, { hash, promise });
    try {
      return { answer: await promise, replayed: false, timings };
    } finally {
      inProgress.delete(jobId);
    }
  }

  async function run(req: JobRequest, signature: Hex, input: number[], jobId: string, hash: string, receivedAt: number, timings: SubmitTimings): Promise<JobAnswer> {
    let mark = performance.now();
    const lap = () => {
      const t = performance.now();
      const ms = t - mark;
      mark = t;
      return ms;
    };
    if (jobRow(jobId) || prepared(db, "SELECT 1 FROM job_events WHERE job_id = ? AND name = 'NonceCancelled'").get(jobId))
      throw new ApiProblem("NONCE_USED", `nonce ${req.nonce} of ${req.dApp} is already used on chain (job ${jobId})`);
    const model = view.model(req.modelId);
    if (!model) throw new ApiProblem("UNKNOWN_MODEL", `model ${req.modelId} is not registered in the ModelRegistry`);
    if (!model.active) throw new ApiProblem("MODEL_INACTIVE", `model ${req.modelId} is deactivated`);
    const inputSize = manifest.inputSize(req.modelId);
    if (inputSize === undefined) throw new ApiProblem("UNKNOWN_MODEL", `model ${req.modelId} is registered but not in this coordinator's manifest`);
    if (input.length !== inputSize) throw new ApiProblem("MALFORMED_TENSOR", `input has ${input.length} values, model ${req.modelId} takes ${inputSize} (integers 0..255)`);
    const cluster = view.cluster(req.clusterId);
    if (!cluster) throw new ApiProblem("UNKNOWN_CLUSTER", `cluster ${req.clusterId} does not exist`);
    if (!cluster.active) throw new ApiProblem("CLUSTER_INACTIVE", `cluster ${req.clusterId} is inactive`);
    const [t, c] = await Promise.all([nowSec(), marketConstants()]);
    if (req.deadline <= t + BigInt(p.minDeadlineMarginSec))
      throw new ApiProblem("DEADLINE_EXPIRED", `deadline ${req.deadline} is not at least ${p.minDeadlineMarginSec} s after now (${t}): nodes need time to prove`);
    if (req.deadline - t > c.maxDeadlineWindow) throw new ApiProblem("DEADLINE_TOO_FAR", `deadline is ${req.deadline - t} s away, the JobMarket allows at most ${c.maxDeadlineWindow} s`);
    // the deposit read (usually cached) overlaps the commitment's CPU time
    const depositRead = depositOf(req.dApp);
    depositRead.catch(() => undefined);
    timings.checksMs = lap();
    const commitment = await commitValues({ values: input, bits: 8 });
    timings.commitMs = lap();
    if (commitment !== req.inputCommitment) throw new ApiProblem("COMMITMENT_MISMATCH", `input commits to ${commitment}, request.inputCommitment is ${req.inputCommitment} (Poseidon, prover/commit.ts commitValues bits 8)`);
    const escrow = model.totalPrice + c.coordinatorFee;
    if (req.maxFee < escrow) throw new ApiProblem("MAX_FEE_TOO_LOW", `job costs ${escrow} (model ${model.totalPrice} + coordinator fee ${c.coordinatorFee}), maxFee is ${req.maxFee}`);
    const lane = req.nonce % 256n;
    const dAppLc = req.dApp;
    const openOnChain = (prepared(db, "SELECT nonce FROM jobs WHERE dapp = ? AND status IN ('created', 'assigned')").all(dAppLc) as { nonce: string }[]).some((r) => BigInt(r.nonce) % 256n === lane);
    const pending = prepared(db, "SELECT nonce, escrow FROM submissions WHERE dapp = ? AND relay_status = 'pending'").all(dAppLc) as { nonce: string; escrow: string }[];
    if (openOnChain || pending.some((r) => BigInt(r.nonce) % 256n === lane))
      throw new ApiProblem("LANE_BUSY", `dApp ${req.dApp} already has an open job in lane ${lane} (nonce % 256): wait for it to settle or use another nonce`);
    let balance = await depositRead;
    const reserved = pending.reduce((sum, r) => sum + BigInt(r.escrow), 0n);
    if (balance - reserved < escrow) balance = await depositOf(req.dApp, { fresh: true }); // a cached value may predate a deposit
    if (balance - reserved < escrow)
      throw new ApiProblem("INSUFFICIENT_DEPOSIT", `JobMarket deposit of ${req.dApp} is ${balance}${reserved > 0n ? ` (${reserved} reserved by pending jobs)` : ""}, job needs ${escrow}: deposit first`);

    timings.checksMs += lap();
    // Fast path.
    let executed;
    try {
      executed = await pipeline.execute({ jobId: BigInt(jobId), modelId: req.modelId, clusterId: req.clusterId, input });
    } catch (err) {
      p.metrics?.jobs.inc({ outcome: "pipeline_failed" });
      if (err instanceof NoRouteError) throw new ApiProblem("NO_ROUTE", `no live node serves stage ${err.stageIndex} of model ${req.modelId} in cluster ${req.clusterId}`, { cause: err });
      if (err instanceof PipelineError) throw new ApiProblem("PIPELINE_UNAVAILABLE", err.shortMessage, { cause: err });
      throw err;
    }
    timings.pipelineMs = lap();
    timings.stage0Ms = executed.route.stages[0]?.observedTotalMs;
    const fastPathMs = performance.now() - receivedAt;
    const answer: JobAnswer = {
      jobId,
      status: "answered",
      result: executed.response.result,
      logits: executed.response.output,
      tentative: true,
      fastPathMs,
      route: executed.route.stages.map((s) => ({ stage: s.stage, nodeId: s.nodeId, address: s.address, predictedMs: s.predictedMs, observedComputeMs: s.observedComputeMs })),
    };
    // one statement: atomic without an explicit transaction
    prepared(
      db,
      `INSERT INTO submissions (job_id, dapp, nonce, submission_hash, request, signature, input, escrow, answer, route, node_ids, relay_status, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    ).run(jobId, dAppLc, req.nonce.toString(), hash, JSON.stringify(canonicalRequest(req)), signature, JSON.stringify(input), escrow.toString(), JSON.stringify(answer), JSON.stringify(executed.route), JSON.stringify(executed.nodeIds), now());
    timings.storeMs = lap();
    p.metrics?.jobs.inc({ outcome: "answered" });
    p.metrics?.fastPath.observe(fastPathMs);
    notify(jobId);
    kickRelay();
    return answer;
  }

  function answerOf(row: SubmissionRow): JobAnswer {
    const a = JSON.parse(row.answer) as JobAnswer;
    const st = status(row.job_id);
    return st ? { ...a, status: st.status, tentative: st.tentative } : a;
  }

  // ------------------------------------------------------------------ status

  function status(jobId: string): JobStatusView | undefined {
    const sub = subRow(jobId);
    const job = jobRow(jobId);
    if (!sub && !job) return undefined;
    const req = sub ? (JSON.parse(sub.request) as ReturnType<typeof canonicalRequest>) : job?.request ? (JSON.parse(job.request) as ReturnType<typeof canonicalRequest>) : undefined;
    const answer = sub ? (JSON.parse(sub.answer) as JobAnswer) : undefined;
    let st: JobStatusValue = "answered";
    if (job) {
      if (job.status === "settled") st = "settled";
      else if (job.status === "expired") st = "expired";
      else if (job.status === "assigned") st = job.stages_proven > 0 ? "proving" : "assigned";
    } else if (sub?.relay_status === "failed") st = "failed";
    else if (sub?.relay_status === "confirmed") st = "assigned";
    const model = view.model(job?.model_id ?? req?.modelId ?? "");
    const nodeIds = job?.node_ids ? (JSON.parse(job.node_ids) as number[]) : sub ? (JSON.parse(sub.node_ids) as number[]) : null;
    return {
      jobId,
      status: st,
      tentative: st !== "settled",
      result: answer?.result ?? null,
      logits: answer?.logits ?? null,
      chainResult: job?.status === "settled" ? job.result : null,
      dApp: getAddress(job?.dapp ?? sub!.dapp),
      nonce: job?.nonce ?? sub!.nonce,
      modelId: (job?.model_id ?? req?.modelId ?? "0x") as Hex,
      clusterId: job?.cluster_id ?? req?.clusterId ?? 0,
      deadline: job ? String(job.deadline) : (req?.deadline ?? "0"),
      nodeIds,
      stageCount: model?.shardCount ?? null,
      stagesProven: job?.stages_proven ?? 0,
      relay: sub ? { status: sub.relay_status, txHash: (sub.relay_tx ?? null) as Hash | null, attempts: sub.relay_attempts, error: sub.relay_error } : null,
      txs: {
        created: (job?.created_tx ?? sub?.relay_tx ?? null) as Hash | null,
        assigned: (job?.assigned_tx ?? null) as Hash | null,
        settled: (job?.settled_tx ?? null) as Hash | null,
        expired: (job?.expired_tx ?? null) as Hash | null,
      },
    };
  }

  /** Calls `listener` on every change of the job; returns the unsubscribe function. */
  function onJob(jobId: string, listener: () => void): () => void {
    const f = (id: string) => {
      if (id === jobId) listener();
    };
    events.on("job", f);
    return () => events.off("job", f);
  }

  // ------------------------------------------------------------------ relay

  async function relayOne(row: SubmissionRow): Promise<void> {
    const jobId = BigInt(row.job_id);
    const r = JSON.parse(row.request) as ReturnType<typeof canonicalRequest>;
    const req: JobRequest = { dApp: r.dApp, modelId: r.modelId, inputCommitment: BigInt(r.inputCommitment), maxFee: BigInt(r.maxFee), deadline: BigInt(r.deadline), nonce: BigInt(r.nonce), clusterId: r.clusterId };
    const nodeIds = JSON.parse(row.node_ids) as number[];
    const update = (status: RelayStatus, fields: { tx?: string | null; error?: string | null; nextMs?: number }) => {
      prepared(db, "UPDATE submissions SET relay_status = ?, relay_tx = COALESCE(?, relay_tx), relay_error = ?, relay_attempts = relay_attempts + 1, next_attempt_ms = ? WHERE job_id = ?").run(
        status,
        fields.tx ?? null,
        fields.error ?? null,
        fields.nextMs ?? 0,
        row.job_id,
      );
      dropDeposit(row.dapp); // a relayed job's escrow left the deposit on chain
      notify(row.job_id);
    };
    const wallet = chain.walletClient;
    if (!wallet) return;
    try {
      // Already on chain (we crashed after sending, or someone else relayed it)?
      const onChain = await chain.publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "statusOf", args: [jobId] });
      if (onChain !== 0) {
        const j = jobRow(row.job_id);
        const assignedOk = onChain === 2 || onChain === 3 || onChain === 4;
        update(assignedOk ? "confirmed" : "failed", { tx: j?.created_tx ?? null, error: assignedOk ? null : `job is on chain with status ${onChain}` });
        return;
      }
      const { request } = await chain.publicClient.simulateContract({
        address: market,
        abi: jobMarketAbi,
        functionName: "createAndAssign",
        args: [req, row.signature as Hex, nodeIds],
        account: wallet.account,
      });
      const hash = await wallet.writeContract({ ...request, chain: wallet.chain, account: wallet.account } as Parameters<typeof wallet.writeContract>[0]);
      prepared(db, "UPDATE submissions SET relay_tx = ? WHERE job_id = ?").run(hash, row.job_id);
      const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 });
      if (receipt.status !== "success") throw new Error(`createAndAssign ${hash} reverted`);
      update("confirmed", { tx: hash });
      p.metrics?.relays.inc({ outcome: "confirmed" });
      log.info({ jobId: row.job_id, tx: hash, nodeIds }, "job relayed (createAndAssign)");
      void p.indexer?.syncToHead().catch(() => undefined);
    } catch (err) {
      const name = revertName(err);
      const deadlinePassed = BigInt(Math.floor(now() / 1000)) > req.deadline;
      if ((name && name !== "JobMarket_LaneBusy") || deadlinePassed) {
        update("failed", { error: name ?? `deadline passed: ${short(err)}` });
        p.metrics?.relays.inc({ outcome: "failed" });
        log.error({ jobId: row.job_id, reason: name, err: short(err) }, "relay refused by the chain; job failed");
        return;
      }
      const backoff = Math.min(10_000, 250 * 2 ** Math.min(row.relay_attempts, 6));
      update("pending", { error: name ?? short(err), nextMs: now() + backoff });
      p.metrics?.relays.inc({ outcome: "retry" });
      log.warn({ jobId: row.job_id, err: name ?? short(err), retryInMs: backoff }, "relay failed, will retry");
    }
  }

  /** Relays every due pending submission, oldest first, one transaction at a time. */
  function relayDue(): Promise<void> {
    relaying ??= (async () => {
      // Yield first: were the body to finish synchronously, its `finally` would clear
      // `relaying` before `??=` assigned the (settled) promise, and no relay would ever run again.
      await null;
      try {
        for (;;) {
          if (stopped) return;
          const row = prepared(db, "SELECT * FROM submissions WHERE relay_status = 'pending' AND next_attempt_ms <= ? ORDER BY created_at_ms LIMIT 1").get(now()) as SubmissionRow | undefined;
          if (!row) return;
          await relayOne(row);
        }
      } finally {
        relaying = undefined;
      }
    })();
    return relaying;
  }

  function kickRelay() {
    if (!stopped && relayTimer !== undefined) void relayDue().catch((err) => log.error({ err }, "relay loop failed"));
  }

  // ------------------------------------------------------------------ sweeper

  /** Expires every created/assigned job past its deadline (refund + slash on chain). */
  function sweep(): Promise<void> {
    sweeping ??= (async () => {
      await null; // see relayDue
      const wallet = chain.walletClient;
      if (!wallet) return;
      try {
        // Also the pending block's time (what `expire` is checked against): when the chain's clock
        // runs ahead of ours and no block was mined since the deadline, wall clock and latest
        // block would both see the job as not yet due.
        const [latestOrWall, pending] = await Promise.all([nowSec({ fresh: true }), chain.publicClient.getBlock({ blockTag: "pending" }).then((b) => b.timestamp, () => 0n)]);
        const t = pending > latestOrWall ? pending : latestOrWall;
        const due = prepared(db, "SELECT job_id FROM jobs WHERE status IN ('created', 'assigned') AND deadline < ? ORDER BY deadline LIMIT 50").all(Number(t)) as { job_id: string }[];
        for (const { job_id } of due) {
          if (stopped || expiring.has(job_id)) continue;
          expiring.add(job_id);
          try {
            // Against the pending block: `expire` needs block.timestamp > deadline, and the latest
            // block of a chain that mines only on demand (Hardhat automine) can stay older than the
            // deadline for ever: simulated there, a quiet chain's overdue job would never expire.
            // (The request keeps blockTag "pending", so the gas estimate is made there too.)
            const { request } = await chain.publicClient.simulateContract({ address: market, abi: jobMarketAbi, functionName: "expire", args: [BigInt(job_id)], account: wallet.account, blockTag: "pending" });
            const hash = await wallet.writeContract({ ...request, chain: wallet.chain, account: wallet.account } as Parameters<typeof wallet.writeContract>[0]);
            await chain.publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 });
            p.metrics?.expired.inc();
            log.info({ jobId: job_id, tx: hash }, "expired job past its deadline");
          } catch (err) {
            log.debug({ jobId: job_id, err: revertName(err) ?? short(err) }, "expire not possible yet");
          } finally {
            expiring.delete(job_id);
          }
        }
        if (due.length > 0) await p.indexer?.syncToHead().catch(() => undefined);
      } catch (err) {
        log.warn({ err: short(err) }, "sweeper failed");
      } finally {
        sweeping = undefined;
      }
    })();
    return sweeping;
  }

  return {
    submit,
    status,
    onJob,
    relayDue,
    sweep,
    /** relay counts by status (health, metrics) */
    relayCounts(): Record<RelayStatus, number> {
      const rows = prepared(db, "SELECT relay_status AS s, COUNT(*) AS n FROM submissions GROUP BY relay_status").all() as { s: RelayStatus; n: number }[];
      const out: Record<RelayStatus, number> = { pending: 0, confirmed: 0, failed: 0 };
      for (const r of rows) out[r.s] = Number(r.n);
      return out;
    },
    start({ relay, sweeper }: { relay: boolean; sweeper: boolean }) {
      stopped = false;
      if (relay && chain.walletClient) {
        const tick = () => {
          relayTimer = setTimeout(async () => {
            await relayDue().catch((err) => log.error({ err }, "relay loop failed"));
            if (!stopped) tick();
          }, p.relayIntervalMs);
          relayTimer.unref?.();
        };
        tick();
      }
      if (sweeper && chain.walletClient) {
        sweepTimer = setInterval(() => void sweep(), p.sweepIntervalMs);
        sweepTimer.unref?.();
      }
    },
    /** Stops the loops and waits for an in-flight relay / expire to finish. */
    async stop() {
      stopped = true;
      if (relayTimer) clearTimeout(relayTimer);
      if (sweepTimer) clearInterval(sweepTimer);
      await Promise.allSettled([relaying, sweeping, ...[...inProgress.values()].map((x) => x.promise)]);
    },
    inProgressCount: () => inProgress.size,
  };
}

export type { RouteExplanation };
