/**
 * The node's durable state (node:sqlite, WAL): every stage it executed, recorded BEFORE the
 * answer leaves the node, and what became of its proof. A restarted node resumes every stage
 * that is not final (pending / proven).
 *
 * status: pending  → executed, proof not made yet (waiting for assignment, or queued)
 *         proven   → proof made (calldata stored), not yet accepted on chain
 *         submitted→ accepted on chain (tx hash, block)
 *         failed   → final error (last_error)
 *         abandoned→ not ours to prove (assigned to another node, job closed, deadline passed)
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Hex } from "viem";

export type StageStatus = "pending" | "proven" | "submitted" | "failed" | "abandoned";
export const STAGE_STATUSES: readonly StageStatus[] = ["pending", "proven", "submitted", "failed", "abandoned"];

export type StageRecord = {
  jobId: string;
  stage: number;
  /** on-chain model id (bytes32) */
  modelId: Hex;
  /** manifest model id */
  modelName: string;
  input: number[];
  output: number[];
  status: StageStatus;
  attempts: number;
  lastError: string | null;
  /** JSON of the proof calldata (bigints as decimal strings) once proven */
  calldata: string | null;
  txHash: Hex | null;
  blockNumber: string | null;
  receivedAtMs: number;
  updatedAtMs: number;
};

type Row = {
  job_id: string;
  stage: number;
  model_id: string;
  model_name: string;
  input: string;
  output: string;
  status: string;
  attempts: number;
  last_error: string | null;
  calldata: string | null;
  tx_hash: string | null;
  block_number: string | null;
  received_at_ms: number;
  updated_at_ms: number;
};

function fromRow(r: Row): StageRecord {
  return {
    jobId: r.job_id,
    stage: r.stage,
    modelId: r.model_id as Hex,
    modelName: r.model_name,
    input: JSON.parse(r.input) as number[],
    output: JSON.parse(r.output) as number[],
    status: r.status as StageStatus,
    attempts: r.attempts,
    lastError: r.last_error,
    calldata: r.calldata,
    txHash: r.tx_hash as Hex | null,
    blockNumber: r.block_number,
    receivedAtMs: r.received_at_ms,
    updatedAtMs: r.updated_at_ms,
  };
}

export type NodeStore = {
  /** Records an executed stage; returns false when (jobId, stage) was already recorded (kept as is). */
  insertStage(r: { jobId: string; stage: number; modelId: Hex; modelName: string; input: number[]; output: number[]; nowMs: number }): boolean;
  get(jobId: string, stage: number): StageRecord | undefined;
  /** pending + proven, oldest first */
  listOpen(): StageRecord[];
  list(parameters?: { limit?: number }): StageRecord[];
  markProven(jobId: string, stage: number, calldata: string, nowMs: number): void;
  markSubmitted(jobId: string, stage: number, txHash: Hex | null, blockNumber: bigint, nowMs: number): void;
  markFinal(jobId: string, stage: number, status: "failed" | "abandoned", error: string, nowMs: number): void;
  recordAttempt(jobId: string, stage: number, error: string, nowMs: number): void;
  counts(): Record<StageStatus, number>;
  close(): void;
};

export function openStore(parameters: { path: string }): NodeStore {
  const db = new DatabaseSync(parameters.path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec(`CREATE TABLE IF NOT EXISTS stages (
    job_id TEXT NOT NULL,
    stage INTEGER NOT NULL,
    model_id TEXT NOT NULL,
    model_name TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    calldata TEXT,
    tx_hash TEXT,
    block_number TEXT,
    received_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (job_id, stage)
  ) STRICT`);
  db.exec("CREATE INDEX IF NOT EXISTS stages_status ON stages (status, received_at_ms)");
  const s = (sql: string): StatementSync => db.prepare(sql);
  const insert = s(
    `INSERT INTO stages (job_id, stage, model_id, model_name, input, output, received_at_ms, updated_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, stage) DO NOTHING`,
  );
  const get = s("SELECT * FROM stages WHERE job_id = ? AND stage = ?");
  const open = s("SELECT * FROM stages WHERE status IN ('pending', 'proven') ORDER BY received_at_ms, job_id, stage");
  const list = s("SELECT * FROM stages ORDER BY received_at_ms DESC LIMIT ?");
  const proven = s("UPDATE stages SET status = 'proven', calldata = ?, updated_at_ms = ? WHERE job_id = ? AND stage = ?");
  const submitted = s("UPDATE stages SET status = 'submitted', tx_hash = ?, block_number = ?, updated_at_ms = ? WHERE job_id = ? AND stage = ?");
  const final = s("UPDATE stages SET status = ?, last_error = ?, updated_at_ms = ? WHERE job_id = ? AND stage = ?");
  const attempt = s("UPDATE stages SET attempts = attempts + 1, last_error = ?, updated_at_ms = ? WHERE job_id = ? AND stage = ?");
  const counts = s("SELECT status, COUNT(*) AS n FROM stages GROUP BY status");
  let closed = false;
  return {
    insertStage(r) {
      const res = insert.run(r.jobId, r.stage, r.modelId, r.modelName, JSON.stringify(r.input), JSON.stringify(r.output), r.nowMs, r.nowMs);
      return Number(res.changes) === 1;
    },
    get(jobId, stage) {
      const row = get.get(jobId, stage) as Row | undefined;
      return row ? fromRow(row) : undefined;
    },
    listOpen: () => (open.all() as Row[]).map(fromRow),
    list: ({ limit = 100 } = {}) => (list.all(limit) as Row[]).map(fromRow),
    markProven: (jobId, stage, calldata, nowMs) => void proven.run(calldata, nowMs, jobId, stage),
    markSubmitted: (jobId, stage, txHash, blockNumber, nowMs) => void submitted.run(txHash, blockNumber.toString(), nowMs, jobId, stage),
    markFinal: (jobId, stage, status, error, nowMs) => void final.run(status, error.slice(0, 2000), nowMs, jobId, stage),
    recordAttempt: (jobId, stage, error, nowMs) => void attempt.run(error.slice(0, 2000), nowMs, jobId, stage),
    counts() {
      const out = Object.fromEntries(STAGE_STATUSES.map((k) => [k, 0])) as Record<StageStatus, number>;
      for (const r of counts.all() as { status: StageStatus; n: number }[]) out[r.status] = Number(r.n);
      return out;
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
