/**
 * Chain indexer: polls `eth_getLogs` of the three ProofMesh contracts from the deployment block,
 * decodes every event and folds it into the SQLite index (coordinator/db.ts), one DB transaction
 * per block range together with the "last indexed block" cursor, so a crash never half-applies a
 * range. Job requests + signatures and stage proofs are decoded from the calldata of the
 * transactions that emitted JobCreated / StageProven (`createAndAssign`, `createJobFor`,
 * `createJob`, `submitStage`), so the explorer can serve them.
 *
 * RPC outages: every failure is logged and retried with exponential backoff (capped at 5 s);
 * `status()` exposes the lag and the last error. Reorgs are not handled (confirmations = 0): the
 * embedded chain is Hardhat; on a real chain set a confirmation depth (see report).
 */
import type { Logger } from "pino";
import { decodeEventLog, decodeFunctionData, getAddress, type Abi, type Hash, type Hex, type Log } from "viem";
import { jobMarketAbi, modelRegistryAbi, stakeRegistryAbi } from "../contracts/abi/index.ts";
import type { ChainContext } from "./chain.ts";
import { getMeta, setMeta, transaction, type Db } from "./db.ts";
import { IndexerError } from "./errors.ts";

export type IndexerStatus = {
  fromBlock: string;
  lastIndexedBlock: string | null;
  headBlock: string | null;
  lagBlocks: number | null;
  lastSuccessAtMs: number | null;
  consecutiveFailures: number;
  lastError: string | null;
};

/** what changed: a job, the registries (nodes, clusters, models), or an account's JobMarket deposit (lower-case address) */
export type IndexerChange = { kind: "job"; jobId: string } | { kind: "registry" } | { kind: "account"; account: string };

export type Indexer = {
  start(): void;
  stop(): Promise<void>;
  /** Indexes up to the current head (one or several ranges); resolves with the last indexed block. */
  syncToHead(): Promise<bigint>;
  status(): IndexerStatus;
  onChange(listener: (change: IndexerChange) => void): () => void;
};

export type CreateIndexerParameters = {
  chain: ChainContext;
  db: Db;
  log: Logger;
  pollIntervalMs: number;
  /** blocks per getLogs call (default 2000) */
  batchBlocks?: bigint;
};

const s = (v: unknown) => (typeof v === "bigint" ? v.toString() : String(v));
const lower = (a: string) => getAddress(a);

type Decoded = { eventName: string; args: Record<string, unknown> };

export function createIndexer({ chain, db, log: parentLog, pollIntervalMs, batchBlocks = 2000n }: CreateIndexerParameters): Indexer {
  const log = parentLog.child({ component: "indexer" });
  const { contracts, deployBlock } = chain.deployment;
  const abiByAddress = new Map<string, Abi>([
    [contracts.StakeRegistry.toLowerCase(), stakeRegistryAbi as Abi],
    [contracts.ModelRegistry.toLowerCase(), modelRegistryAbi as Abi],
    [contracts.JobMarket.toLowerCase(), jobMarketAbi as Abi],
  ]);
  const listeners = new Set<(c: IndexerChange) => void>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = true;
  let running: Promise<bigint> | undefined;
  const st = { head: null as bigint | null, lastSuccessAtMs: null as number | null, failures: 0, lastError: null as string | null };

  const cursorKey = `indexer:${chain.chainId}:${contracts.JobMarket.toLowerCase()}`;
  const lastIndexed = (): bigint | undefined => {
    const v = getMeta(db, cursorKey);
    return v === undefined ? undefined : BigInt(v);
  };

  function decode(l: Log): Decoded | undefined {
    const abi = abiByAddress.get(l.address.toLowerCase());
    if (!abi) return undefined;
    try {
      const d = decodeEventLog({ abi, data: l.data, topics: l.topics as [Hex, ...Hex[]] });
      return { eventName: String(d.eventName), args: (d.args ?? {}) as unknown as Record<string, unknown> };
    } catch {
      return undefined; // an event we do not index (or an ABI drift): skip
    }
  }

  /** Calldata decoding of the tx that emitted a job event (cached per range). */
  async function decodeTx(hash: Hash, cache: Map<string, { from: string; fn?: string; args?: readonly unknown[] }>) {
    const hit = cache.get(hash);
    if (hit) return hit;
    const tx = await chain.publicClient.getTransaction({ hash });
    let out: { from: string; fn?: string; args?: readonly unknown[] } = { from: getAddress(tx.from) };
    if (tx.to && tx.to.toLowerCase() === contracts.JobMarket.toLowerCase()) {
      try {
        const d = decodeFunctionData({ abi: jobMarketAbi, data: tx.input });
        out = { ...out, fn: d.functionName, args: d.args as readonly unknown[] };
      } catch {
        /* not a direct call we understand */
      }
    }
    cache.set(hash, out);
    return out;
  }

  const emit = (c: IndexerChange) => {
    for (const l of listeners) {
      try {
        l(c);
      } catch (err) {
        log.error({ err }, "indexer listener threw");
      }
    }
  };

  async function indexRange(from: bigint, to: bigint): Promise<IndexerChange[]> {
    const logs = await chain.publicClient.getLogs({ address: [contracts.StakeRegistry, contracts.ModelRegistry, contracts.JobMarket], fromBlock: from, toBlock: to });
    logs.sort((a, b) => (a.blockNumber === b.blockNumber ? Number(a.logIndex! - b.logIndex!) : a.blockNumber! < b.blockNumber! ? -1 : 1));
    // Fetch the calldata we need before the (synchronous) DB transaction.
    const txCache = new Map<string, { from: string; fn?: string; args?: readonly unknown[] }>();
    const decoded: { l: Log; d: Decoded }[] = [];
    for (const l of logs) {
      const d = decode(l);
      if (!d) continue;
      decoded.push({ l, d });
      if (d.eventName === "JobCreated" || d.eventName === "StageProven") await decodeTx(l.transactionHash!, txCache);
    }
    const changes: IndexerChange[] = [];
    transaction(db, () => {
      for (const { l, d } of decoded) {
        const c = apply(l, d, txCache);
        if (c) changes.push(c);
      }
      setMeta(db, cursorKey, to.toString());
    });
    return changes;
  }

  function apply(l: Log, { eventName, args: a }: Decoded, txs: Map<string, { from: string; fn?: string; args?: readonly unknown[] }>): IndexerChange | undefined {
    const block = Number(l.blockNumber);
    const tx = l.transactionHash!;
    const isMarket = l.address.toLowerCase() === contracts.JobMarket.toLowerCase();
    const jobEvent = (jobId: string) => {
      db.prepare("INSERT OR REPLACE INTO job_events (block_number, log_index, tx_hash, job_id, name, args) VALUES (?, ?, ?, ?, ?, ?)").run(
        block,
        Number(l.logIndex),
        tx,
        jobId,
        eventName,
        JSON.stringify(a, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
      );
    };
    switch (eventName) {
      // ---------------------------------------------------------------- StakeRegistry
      case "ClusterCreated":
        db.prepare("INSERT OR REPLACE INTO clusters (id, label, region, min_stake, active, created_block, created_tx) VALUES (?, ?, ?, ?, 1, ?, ?)").run(
          Number(a.clusterId),
          s(a.label),
          s(a.region),
          s(a.minStake),
          block,
          tx,
        );
        return { kind: "registry" };
      case "ClusterUpdated":
        db.prepare("UPDATE clusters SET min_stake = ?, active = ? WHERE id = ?").run(s(a.minStake), a.active ? 1 : 0, Number(a.clusterId));
        return { kind: "registry" };
      case "NodeRegistered":
        db.prepare(
          "INSERT OR REPLACE INTO nodes (id, operator, signer, endpoint, cluster_id, memory_bytes, model_ids, registered_block, registered_tx, updated_block) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
        ).run(Number(a.nodeId), lower(s(a.operator)), lower(s(a.signer)), s(a.endpoint), s(a.memoryBytes), JSON.stringify((a.modelIds as Hex[]).map((m) => m.toLowerCase())), block, tx, block);
        return { kind: "registry" };
      case "NodeUpdated":
        db.prepare("UPDATE nodes SET signer = ?, memory_bytes = ?, endpoint = ?, model_ids = ?, updated_block = ? WHERE id = ?").run(
          lower(s(a.signer)),
          s(a.memoryBytes),
          s(a.endpoint),
          JSON.stringify((a.modelIds as Hex[]).map((m) => m.toLowerCase())),
          block,
          Number(a.nodeId),
        );
        return { kind: "registry" };
      case "ClusterJoined":
        db.prepare("UPDATE nodes SET cluster_id = ?, updated_block = ? WHERE id = ?").run(Number(a.clusterId), block, Number(a.nodeId));
        return { kind: "registry" };
      case "ClusterLeft":
        db.prepare("UPDATE nodes SET cluster_id = 0, updated_block = ? WHERE id = ?").run(block, Number(a.nodeId));
        return { kind: "registry" };
      case "Staked":
        db.prepare("UPDATE nodes SET stake = ?, updated_block = ? WHERE id = ?").run(s(a.stake), block, Number(a.nodeId));
        return { kind: "registry" };
      case "UnbondingRequested": {
        const n = nodeAmounts(Number(a.nodeId));
        db.prepare("UPDATE nodes SET stake = ?, unbonding = ?, unbond_end = ?, updated_block = ? WHERE id = ?").run(
          (n.stake - (a.amount as bigint)).toString(),
          s(a.unbonding),
          Number(a.unbondEnd),
          block,
          Number(a.nodeId),
        );
        return { kind: "registry" };
      }
      case "UnbondingCancelled":
        db.prepare("UPDATE nodes SET stake = ?, unbonding = '0', unbond_end = 0, updated_block = ? WHERE id = ?").run(s(a.stake), block, Number(a.nodeId));
        return { kind: "registry" };
      case "Deposited":
        return isMarket ? { kind: "account", account: s(a.account).toLowerCase() } : undefined;
      case "Withdrawn":
        if (isMarket) return { kind: "account", account: s(a.account).toLowerCase() }; // JobMarket.Withdrawn(account, amount)
        db.prepare("UPDATE nodes SET unbonding = '0', unbond_end = 0, updated_block = ? WHERE id = ?").run(block, Number(a.nodeId));
        return { kind: "registry" };
      case "Slashed": {
        const n = nodeAmounts(Number(a.nodeId));
        const fs = a.fromStake as bigint;
        const fu = a.fromUnbonding as bigint;
        db.prepare("UPDATE nodes SET stake = ?, unbonding = ?, slashed = ?, updated_block = ? WHERE id = ?").run(
          (n.stake - fs).toString(),
          (n.unbonding - fu).toString(),
          (n.slashed + fs + fu).toString(),
          block,
          Number(a.nodeId),
        );
        return { kind: "registry" };
      }
      // ---------------------------------------------------------------- ModelRegistry
      case "ModelRegistered":
        db.prepare("INSERT OR REPLACE INTO models (model_id, idx, shard_count, total_price, active, registered_block, registered_tx) VALUES (?, ?, ?, ?, 1, ?, ?)").run(
          s(a.modelId).toLowerCase(),
          Number(a.index),
          Number(a.shardCount),
          s(a.totalPrice),
          block,
          tx,
        );
        return { kind: "registry" };
      case "ShardRegistered":
        db.prepare("INSERT OR REPLACE INTO shards (model_id, shard, verifier, weights_hash, memory_bytes, price_per_stage) VALUES (?, ?, ?, ?, ?, ?)").run(
          s(a.modelId).toLowerCase(),
          Number(a.shard),
          lower(s(a.verifier)),
          s(a.weightsHash).toLowerCase(),
          s(a.memoryBytes),
          s(a.pricePerStage),
        );
        return { kind: "registry" };
      case "ModelActiveSet":
        db.prepare("UPDATE models SET active = ? WHERE model_id = ?").run(a.active ? 1 : 0, s(a.modelId).toLowerCase());
        return { kind: "registry" };
      // ---------------------------------------------------------------- JobMarket
      case "JobCreated": {
        const jobId = s(a.jobId);
        const t = txs.get(tx);
        let request: string | null = null;
        let signature: string | null = null;
        if (t?.args && (t.fn === "createAndAssign" || t.fn === "createJobFor" || t.fn === "createJob")) {
          const r = t.args[0] as Record<string, unknown>;
          if ((BigInt(r.dApp as string) << 64n) + (r.nonce as bigint) === (a.jobId as bigint)) {
            request = JSON.stringify({
              dApp: getAddress(r.dApp as string),
              modelId: s(r.modelId).toLowerCase(),
              inputCommitment: s(r.inputCommitment),
              maxFee: s(r.maxFee),
              deadline: s(r.deadline),
              nonce: s(r.nonce),
              clusterId: Number(r.clusterId),
            });
            signature = t.fn === "createJob" ? null : s(t.args[1]);
          }
        }
        db.prepare(
          `INSERT OR REPLACE INTO jobs (job_id, dapp, nonce, model_id, cluster_id, input_commitment, escrow, deadline, status, request, signature, created_block, created_tx, updated_block)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'created', ?, ?, ?, ?, ?)`,
        ).run(jobId, lower(s(a.dApp)), ((a.jobId as bigint) & ((1n << 64n) - 1n)).toString(), s(a.modelId).toLowerCase(), Number(a.clusterId), s(a.inputCommitment), s(a.escrow), Number(a.deadline), request, signature, block, tx, block);
        jobEvent(jobId);
        return { kind: "job", jobId };
      }
      case "JobAssigned": {
        const jobId = s(a.jobId);
        db.prepare("UPDATE jobs SET status = 'assigned', node_ids = ?, assigned_tx = ?, updated_block = ? WHERE job_id = ?").run(
          JSON.stringify((a.nodeIds as readonly number[]).map(Number)),
          tx,
          block,
          jobId,
        );
        jobEvent(jobId);
        return { kind: "job", jobId };
      }
      case "StageProven": {
        const jobId = s(a.jobId);
        const t = txs.get(tx);
        let calldata: string | null = null;
        if (t?.fn === "submitStage" && t.args && s(t.args[0]) === jobId && Number(t.args[1]) === Number(a.stage)) {
          const [, , pa, pb, pc, pub] = t.args as [bigint, bigint, readonly bigint[], readonly (readonly bigint[])[], readonly bigint[], readonly bigint[]];
          calldata = JSON.stringify({ a: pa.map(s), b: pb.map((r) => r.map(s)), c: pc.map(s), pubSignals: pub.map(s) });
        }
        db.prepare(
          "INSERT OR REPLACE INTO stage_proofs (job_id, stage, node_id, prover, out_commit, paid, tx_hash, block_number, calldata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ).run(jobId, Number(a.stage), Number(a.nodeId), t?.from ?? "", s(a.outCommit), s(a.paid), tx, block, calldata);
        db.prepare("UPDATE jobs SET stages_proven = (SELECT COUNT(*) FROM stage_proofs WHERE job_id = ?), updated_block = ? WHERE job_id = ?").run(jobId, block, jobId);
        jobEvent(jobId);
        return { kind: "job", jobId };
      }
      case "JobSettled": {
        const jobId = s(a.jobId);
        db.prepare("UPDATE jobs SET status = 'settled', result = ?, coordinator_fee = ?, settled_tx = ?, updated_block = ? WHERE job_id = ?").run(s(a.result), s(a.coordinatorFee), tx, block, jobId);
        jobEvent(jobId);
        return { kind: "job", jobId };
      }
      case "JobExpired": {
        const jobId = s(a.jobId);
        db.prepare("UPDATE jobs SET status = 'expired', refund = ?, slashed_node_id = ?, slashed = ?, expired_tx = ?, updated_block = ? WHERE job_id = ?").run(
          s(a.refund),
          Number(a.slashedNodeId),
          s(a.slashed),
          tx,
          block,
          jobId,
        );
        jobEvent(jobId);
        return { kind: "job", jobId };
      }
      case "NonceCancelled": {
        const jobId = ((BigInt(s(a.dApp)) << 64n) | (a.nonce as bigint)).toString();
        jobEvent(jobId);
        return { kind: "job", jobId };
      }
      default:
        return undefined;
    }
  }

  function nodeAmounts(id: number): { stake: bigint; unbonding: bigint; slashed: bigint } {
    const r = db.prepare("SELECT stake, unbonding, slashed FROM nodes WHERE id = ?").get(id) as { stake: string; unbonding: string; slashed: string } | undefined;
    if (!r) throw new IndexerError(`event for unknown node ${id}`);
    return { stake: BigInt(r.stake), unbonding: BigInt(r.unbonding), slashed: BigInt(r.slashed) };
  }

  async function syncOnce(): Promise<bigint> {
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    st.head = head;
    let from = (lastIndexed() ?? deployBlock - 1n) + 1n;
    while (from <= head) {
      const to = from + batchBlocks - 1n < head ? from + batchBlocks - 1n : head;
      const changes = await indexRange(from, to);
      for (const c of changes) emit(c);
      from = to + 1n;
    }
    st.lastSuccessAtMs = Date.now();
    st.failures = 0;
    st.lastError = null;
    return lastIndexed() ?? deployBlock - 1n;
  }

  function syncToHead(): Promise<bigint> {
    running ??= syncOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        await syncToHead();
        schedule(pollIntervalMs);
      } catch (err) {
        st.failures += 1;
        st.lastError = err instanceof Error ? ((err as { shortMessage?: string }).shortMessage ?? err.message) : String(err);
        const backoff = Math.min(5_000, pollIntervalMs * 2 ** Math.min(st.failures, 6));
        log.warn({ err: st.lastError, failures: st.failures, retryInMs: backoff }, "indexer sync failed, retrying");
        schedule(backoff);
      }
    }, delayMs);
    timer.unref?.();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    syncToHead,
    status() {
      const last = lastIndexed();
      return {
        fromBlock: deployBlock.toString(),
        lastIndexedBlock: last === undefined ? null : last.toString(),
        headBlock: st.head === null ? null : st.head.toString(),
        lagBlocks: st.head === null ? null : Number(st.head - (last ?? deployBlock - 1n)),
        lastSuccessAtMs: st.lastSuccessAtMs,
        consecutiveFailures: st.failures,
        lastError: st.lastError,
      };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
