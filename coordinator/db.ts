/**
 * The coordinator's SQLite store (node:sqlite, WAL).
 *
 * Two kinds of tables:
 * - INDEX tables (`CHAIN_TABLES`): derived only from chain logs and the calldata of the
 *   transactions that emitted them. Deleting the database and restarting rebuilds them
 *   identically from the deployment block (tested).
 * - LOCAL tables (`submissions`): what only this coordinator saw — the dApp's input, the route
 *   it chose and why, the fast-path answer and the relay queue. Losing them loses the route
 *   explanations and any not-yet-relayed job (never anything on chain).
 * - LOCAL ceremony tables (`ceremonies`, `ceremony_shards`, `ceremony_contributions`,
 *   `ceremony_uploads`; coordinator/ceremonies.ts): the phase-2 ceremonies this coordinator ran.
 *   The zkeys themselves are in the blob directory beside the database (`<db file>.blobs/`).
 *
 * Big integers (uint256, token amounts, field elements) are stored as decimal TEXT.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";

export const SCHEMA_VERSION = 1;

/** Tables rebuilt from the chain alone, with their deterministic ORDER BY (for comparisons). */
export const CHAIN_TABLES = {
  clusters: "id",
  nodes: "id",
  models: "model_id",
  shards: "model_id, shard",
  jobs: "job_id",
  job_events: "block_number, log_index",
  stage_proofs: "job_id, stage",
} as const;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clusters (
  id INTEGER PRIMARY KEY, label TEXT NOT NULL, region TEXT NOT NULL, min_stake TEXT NOT NULL,
  active INTEGER NOT NULL, created_block INTEGER NOT NULL, created_tx TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
  id INTEGER PRIMARY KEY, operator TEXT NOT NULL, signer TEXT NOT NULL, endpoint TEXT NOT NULL,
  cluster_id INTEGER NOT NULL DEFAULT 0, memory_bytes TEXT NOT NULL, model_ids TEXT NOT NULL,
  stake TEXT NOT NULL DEFAULT '0', unbonding TEXT NOT NULL DEFAULT '0', unbond_end INTEGER NOT NULL DEFAULT 0,
  slashed TEXT NOT NULL DEFAULT '0', registered_block INTEGER NOT NULL, registered_tx TEXT NOT NULL, updated_block INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS nodes_signer ON nodes(signer);
CREATE INDEX IF NOT EXISTS nodes_cluster ON nodes(cluster_id);
CREATE TABLE IF NOT EXISTS models (
  model_id TEXT PRIMARY KEY, idx INTEGER NOT NULL, shard_count INTEGER NOT NULL, total_price TEXT NOT NULL,
  active INTEGER NOT NULL, registered_block INTEGER NOT NULL, registered_tx TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shards (
  model_id TEXT NOT NULL, shard INTEGER NOT NULL, verifier TEXT NOT NULL, weights_hash TEXT NOT NULL,
  memory_bytes TEXT NOT NULL, price_per_stage TEXT NOT NULL, PRIMARY KEY (model_id, shard));
CREATE TABLE IF NOT EXISTS jobs (
  job_id TEXT PRIMARY KEY, dapp TEXT NOT NULL, nonce TEXT NOT NULL, model_id TEXT NOT NULL, cluster_id INTEGER NOT NULL,
  input_commitment TEXT NOT NULL, escrow TEXT NOT NULL, deadline INTEGER NOT NULL,
  status TEXT NOT NULL, node_ids TEXT, stages_proven INTEGER NOT NULL DEFAULT 0,
  result TEXT, coordinator_fee TEXT, refund TEXT, slashed_node_id INTEGER, slashed TEXT,
  request TEXT, signature TEXT,
  created_block INTEGER NOT NULL, created_tx TEXT NOT NULL, assigned_tx TEXT, settled_tx TEXT, expired_tx TEXT,
  updated_block INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status);
CREATE INDEX IF NOT EXISTS jobs_dapp ON jobs(dapp);
CREATE INDEX IF NOT EXISTS jobs_model ON jobs(model_id);
CREATE TABLE IF NOT EXISTS job_events (
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL, job_id TEXT NOT NULL,
  name TEXT NOT NULL, args TEXT NOT NULL, PRIMARY KEY (block_number, log_index));
CREATE INDEX IF NOT EXISTS job_events_job ON job_events(job_id);
CREATE TABLE IF NOT EXISTS stage_proofs (
  job_id TEXT NOT NULL, stage INTEGER NOT NULL, node_id INTEGER NOT NULL, prover TEXT NOT NULL,
  out_commit TEXT NOT NULL, paid TEXT NOT NULL, tx_hash TEXT NOT NULL, block_number INTEGER NOT NULL,
  calldata TEXT, PRIMARY KEY (job_id, stage));
CREATE INDEX IF NOT EXISTS stage_proofs_node ON stage_proofs(node_id);
CREATE TABLE IF NOT EXISTS submissions (
  job_id TEXT PRIMARY KEY, dapp TEXT NOT NULL, nonce TEXT NOT NULL, submission_hash TEXT NOT NULL,
  request TEXT NOT NULL, signature TEXT NOT NULL, input TEXT NOT NULL, escrow TEXT NOT NULL,
  answer TEXT NOT NULL, route TEXT NOT NULL, node_ids TEXT NOT NULL,
  relay_status TEXT NOT NULL, relay_tx TEXT, relay_attempts INTEGER NOT NULL DEFAULT 0, relay_error TEXT,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0, created_at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS submissions_relay ON submissions(relay_status);
CREATE INDEX IF NOT EXISTS submissions_dapp ON submissions(dapp);
-- covering indexes of the submission checks (open lanes, escrow reserved by unrelayed jobs): the
-- rows themselves hold the input and answer (kilobytes), which a plain index scan would read
CREATE INDEX IF NOT EXISTS submissions_dapp_pending ON submissions(dapp, relay_status, nonce, escrow);
CREATE INDEX IF NOT EXISTS jobs_dapp_open ON jobs(dapp, status, nonce);
-- phase-2 ceremonies (LOCAL): as started, the current zkey per shard, accepted contributions, the
-- current turn's uploads; turns, deadlines and the status are derived from these and the clock
CREATE TABLE IF NOT EXISTS ceremonies (
  id INTEGER PRIMARY KEY AUTOINCREMENT, model TEXT NOT NULL, model_id TEXT NOT NULL, ptau_sha256 TEXT NOT NULL,
  beacon_block INTEGER NOT NULL, contributor_timeout_ms INTEGER NOT NULL, contributors TEXT NOT NULL,
  start_signature TEXT NOT NULL, started_at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ceremonies_model ON ceremonies(model, id);
CREATE TABLE IF NOT EXISTS ceremony_shards (
  ceremony_id INTEGER NOT NULL, shard INTEGER NOT NULL, initial_zkey_sha256 TEXT NOT NULL, initial_zkey_bytes INTEGER NOT NULL,
  zkey_sha256 TEXT NOT NULL, PRIMARY KEY (ceremony_id, shard));
CREATE TABLE IF NOT EXISTS ceremony_contributions (
  ceremony_id INTEGER NOT NULL, idx INTEGER NOT NULL, operator TEXT NOT NULL, name TEXT NOT NULL, shard_hashes TEXT NOT NULL,
  zkeys TEXT NOT NULL, transcript_hash TEXT NOT NULL, signature TEXT NOT NULL, at_ms INTEGER NOT NULL, verify_ms INTEGER,
  PRIMARY KEY (ceremony_id, idx));
CREATE TABLE IF NOT EXISTS ceremony_uploads (
  ceremony_id INTEGER NOT NULL, idx INTEGER NOT NULL, shard INTEGER NOT NULL, operator TEXT NOT NULL, sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL, signature TEXT NOT NULL, at_ms INTEGER NOT NULL, PRIMARY KEY (ceremony_id, idx, shard, operator));
`;

export type Db = DatabaseSync;

export type OpenDbParameters = { file: string };

/** Opens (creating if needed) the store; WAL unless in memory. */
export function openDb({ file }: OpenDbParameters): Db {
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new DatabaseSync(file);
  if (file !== ":memory:") db.exec("PRAGMA journal_mode = WAL;");
  db.exec("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
  db.exec(SCHEMA);
  const v = getMeta(db, "schema_version");
  if (v === undefined) setMeta(db, "schema_version", String(SCHEMA_VERSION));
  return db;
}

export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
}

const statements = new WeakMap<Db, Map<string, StatementSync>>();
/**
 * The prepared statement for `sql`, compiled once per database (node:sqlite's prepare costs
 * ≈ 70 µs; a submission runs about ten statements on the fast path).
 */
export function prepared(db: Db, sql: string): StatementSync {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let st = cache.get(sql);
  if (!st) {
    st = db.prepare(sql);
    if (cache.size > 500) cache.clear(); // callers pass constant SQL: this only guards against misuse
    cache.set(sql, st);
  }
  return st;
}

/** Runs `fn` in one transaction (BEGIN IMMEDIATE … COMMIT / ROLLBACK). */
export function transaction<T>(db: Db, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const out = fn();
    db.exec("COMMIT");
    return out;
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}

/** Every row of every index table, in a deterministic order (rebuild comparisons). */
export function dumpChainTables(db: Db): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(CHAIN_TABLES)) out[table] = db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all();
  return out;
}
