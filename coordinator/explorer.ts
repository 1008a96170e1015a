/**
 * Explorer (auditors): lists and a job's full trace — everything needed to re-verify offline:
 * the signed request, the route and why, the assignment, each stage's Groth16 proof in snarkjs
 * JSON form (converted back from the submitStage calldata, whose G2 coordinates are swapped for
 * the EVM precompile), its public signals [inCommit, outCommit, binding, result], the verifier,
 * the verification key id (sha256 of the vkey JSON: the on-chain record's vkeyHash, key-index.ts)
 * and where to fetch it, the StageProven transaction, payouts, and the settlement / expiry.
 * A model's page: its shards, its on-chain ceremony record and the ceremony this coordinator ran.
 */
import { getAddress, type Address, type Hex } from "viem";
import { bindingOf } from "../deploy/jobs.ts";
import { verifyGroth16Noble, type SnarkjsGroth16Proof, type SnarkjsGroth16VerificationKey } from "../prover/verify/noble.ts";
import type { ManifestIndex } from "./artifacts.ts";
import type { CeremonyService } from "./ceremonies.ts";
import type { ChainContext } from "./chain.ts";
import type { ClusterView } from "./cluster-view.ts";
import type { Db } from "./db.ts";
import type { JobService } from "./jobs.ts";
import type { KeyIndex } from "./key-index.ts";
import type { RouteExplanation } from "./pipeline.ts";
import { bareHex as bare } from "../prover/ceremony/hashes.ts";

export type ProofCalldataJson = { a: string[]; b: string[][]; c: string[]; pubSignals: string[] };

/** submitStage calldata → snarkjs proof JSON (undo the G2 coordinate swap). */
export function calldataToSnarkjs(cd: ProofCalldataJson): { pi_a: string[]; pi_b: string[][]; pi_c: string[]; protocol: "groth16"; curve: "bn128" } {
  return {
    pi_a: [cd.a[0], cd.a[1], "1"],
    pi_b: [
      [cd.b[0][1], cd.b[0][0]],
      [cd.b[1][1], cd.b[1][0]],
      ["1", "0"],
    ],
    pi_c: [cd.c[0], cd.c[1], "1"],
    protocol: "groth16",
    curve: "bn128",
  };
}

export type ListJobsParameters = { status?: string; modelId?: string; dApp?: string; nodeId?: number; limit: number; offset: number };

export type Explorer = ReturnType<typeof createExplorer>;

export type CreateExplorerParameters = { db: Db; chain: ChainContext; view: ClusterView; jobs: JobService; manifest: ManifestIndex; keys: KeyIndex; ceremonies: CeremonyService };


export function createExplorer({ db, chain, view, jobs, manifest, keys, ceremonies }: CreateExplorerParameters) {
  /** the on-chain vkey of (model, shard) if it is cached and held (callers `keys.recordOf` first) */
  function vkeyOf(modelId: string, k: number) {
    const v = keys.vkey(modelId, k);
    return v.status === "ok" ? v : undefined;
  }

  /** Union of chain jobs and local submissions, filtered, newest first. */
  function listJobs(q: ListJobsParameters) {
    const ids = db.prepare("SELECT job_id FROM jobs UNION SELECT job_id FROM submissions").all() as { job_id: string }[];
    const subTimes = new Map((db.prepare("SELECT job_id, created_at_ms FROM submissions").all() as { job_id: string; created_at_ms: number }[]).map((r) => [r.job_id, r.created_at_ms]));
    const blocks = new Map((db.prepare("SELECT job_id, created_block FROM jobs").all() as { job_id: string; created_block: number }[]).map((r) => [r.job_id, r.created_block]));
    let items = ids.map((r) => jobs.status(r.job_id)!).filter(Boolean);
    if (q.status) items = items.filter((j) => j.status === q.status);
    if (q.modelId) items = items.filter((j) => j.modelId.toLowerCase() === q.modelId!.toLowerCase());
    if (q.dApp) items = items.filter((j) => j.dApp.toLowerCase() === q.dApp!.toLowerCase());
    if (q.nodeId !== undefined) items = items.filter((j) => j.nodeIds?.includes(q.nodeId!));
    items.sort((a, b) => {
      const ta = subTimes.get(a.jobId) ?? 0;
      const tb = subTimes.get(b.jobId) ?? 0;
      if (ta !== tb) return tb - ta;
      return (blocks.get(b.jobId) ?? 0) - (blocks.get(a.jobId) ?? 0) || (a.jobId < b.jobId ? 1 : -1);
    });
    return { total: items.length, limit: q.limit, offset: q.offset, items: items.slice(q.offset, q.offset + q.limit) };
  }

  function jobTrace(jobId: string, { verify = false }: { verify?: boolean } = {}) {
    const st = jobs.status(jobId);
    if (!st) return undefined;
    const sub = db.prepare("SELECT * FROM submissions WHERE job_id = ?").get(jobId) as Record<string, string | number | null> | undefined;
    const job = db.prepare("SELECT * FROM jobs WHERE job_id = ?").get(jobId) as Record<string, string | number | null> | undefined;
    const proofs = db.prepare("SELECT * FROM stage_proofs WHERE job_id = ? ORDER BY stage").all(jobId) as Record<string, string | number | null>[];
    const evs = db.prepare("SELECT * FROM job_events WHERE job_id = ? ORDER BY block_number, log_index").all(jobId) as Record<string, string | number>[];
    const request = sub ? JSON.parse(String(sub.request)) : job?.request ? JSON.parse(String(job.request)) : null;
    const signature = (sub?.signature ?? job?.signature ?? null) as Hex | null;
    const model = view.model(st.modelId);
    const route = sub ? (JSON.parse(String(sub.route)) as RouteExplanation) : null;
    const stageCount = model?.shardCount ?? proofs.length;
    const stages = Array.from({ length: stageCount }, (_, k) => {
      const pr = proofs.find((x) => Number(x.stage) === k);
      const nodeId = pr ? Number(pr.node_id) : (st.nodeIds?.[k] ?? null);
      const node = nodeId !== null ? view.node(nodeId) : undefined;
      const shard = model?.shards.find((s) => s.shard === k);
      const vk = vkeyOf(st.modelId, k);
      const manifestShard = manifest.shard(st.modelId, k);
      const cd = pr?.calldata ? (JSON.parse(String(pr.calldata)) as ProofCalldataJson) : null;
      const proof = cd ? calldataToSnarkjs(cd) : null;
      const prover = pr ? (pr.prover ? getAddress(String(pr.prover)) : null) : (node?.operator ?? null);
      let verification: { valid: boolean; code: string | null; reason: string | null } | null = null;
      if (verify && proof && cd && vk) {
        try {
          const r = verifyGroth16Noble({ vkey: vk.vkey as unknown as SnarkjsGroth16VerificationKey, proof: proof as unknown as SnarkjsGroth16Proof, publicSignals: cd.pubSignals });
          verification = r.valid ? { valid: true, code: null, reason: null } : { valid: false, code: r.code, reason: r.reason };
        } catch (err) {
          verification = { valid: false, code: "INPUT_ERROR", reason: err instanceof Error ? err.message : String(err) };
        }
      }
      return {
        stage: k,
        nodeId,
        operator: node?.operator ?? null,
        prover,
        verifier: shard?.verifier ?? null,
        weightsHash: shard?.weightsHash ?? null,
        weightsHashMatchesManifest: shard && manifestShard ? shard.weightsHash.toLowerCase() === manifestShard.weightsHash.toLowerCase() : null,
        vkeyId: vk?.vkeyId ?? null,
        vkeyUrl: vk ? `/v1/models/${st.modelId}/shards/${k}/vkey` : null,
        expectedBinding: prover ? bindingOf({ chainId: chain.chainId, jobMarket: chain.deployment.contracts.JobMarket, jobId: BigInt(jobId), stage: k, prover: prover as Address }).toString() : null,
        proven: Boolean(pr),
        proof,
        publicSignals: cd?.pubSignals ?? null,
        outCommit: pr ? String(pr.out_commit) : null,
        paid: pr ? String(pr.paid) : null,
        txHash: pr ? String(pr.tx_hash) : null,
        blockNumber: pr ? Number(pr.block_number) : null,
        verification,
      };
    });
    const settled = job?.status === "settled";
    const expired = job?.status === "expired";
    return {
      ...st,
      chainId: chain.chainId,
      jobMarket: chain.deployment.contracts.JobMarket,
      request,
      signature,
      input: sub ? (JSON.parse(String(sub.input)) as number[]) : null,
      inputCommitment: job ? String(job.input_commitment) : (request?.inputCommitment ?? null),
      escrow: job ? String(job.escrow) : sub ? String(sub.escrow) : null,
      answer: sub ? JSON.parse(String(sub.answer)) : null,
      route,
      creation: job ? { txHash: String(job.created_tx), blockNumber: Number(job.created_block) } : null,
      assignment: job?.assigned_tx ? { txHash: String(job.assigned_tx), nodeIds: JSON.parse(String(job.node_ids)) as number[] } : null,
      stages,
      settlement: settled ? { result: String(job!.result), coordinatorFee: String(job!.coordinator_fee), txHash: String(job!.settled_tx), fastPathAgrees: st.result === null ? null : String(st.result) === String(job!.result) } : null,
      expiry: expired ? { refund: String(job!.refund), slashedNodeId: Number(job!.slashed_node_id), slashed: String(job!.slashed), txHash: String(job!.expired_tx) } : null,
      events: evs.map((e) => ({ name: String(e.name), blockNumber: Number(e.block_number), logIndex: Number(e.log_index), txHash: String(e.tx_hash), args: JSON.parse(String(e.args)) as Record<string, unknown> })),
    };
  }

  function nodeJson(id: number) {
    const n = view.node(id);
    if (!n) return undefined;
    const s = view.snapshot(n);
    return {
      id: s.id,
      operator: s.operator,
      signer: s.signer,
      endpoint: s.endpoint,
      endpointInUse: s.endpointInUse,
      clusterId: s.clusterId,
      memoryBytes: s.memoryBytes.toString(),
      modelIds: s.modelIds,
      stake: s.stake.toString(),
      unbonding: s.unbonding.toString(),
      unbondEnd: s.unbondEnd,
      slashed: s.slashed.toString(),
      eligible: s.eligible,
      ineligibleReason: s.ineligibleReason,
      health: s.health,
      inFlight: s.inFlight,
      queueDepth: s.queueDepth,
      load: s.load,
      penaltyMs: s.penaltyMs,
      probeRttMs: s.probeRttMs,
      lastHeartbeatAtMs: s.lastHeartbeatAtMs,
      lastProbe: s.lastProbe ? { ok: s.lastProbe.ok, atMs: s.lastProbe.atMs, error: s.lastProbe.error ?? null } : null,
      placedShards: s.placedShards.map((x) => ({ modelId: x.modelId, shard: x.shardIndex })),
      servedShards: s.servedShards.map((x) => ({ modelId: x.modelId, shard: x.shardIndex })),
      computeMs: s.computeMs,
      rttMs: s.rttMs,
      proofsSubmitted: Number((db.prepare("SELECT COUNT(*) AS n FROM stage_proofs WHERE node_id = ?").get(id) as { n: number }).n),
    };
  }

  function listNodes(q: { clusterId?: number; health?: string; limit: number; offset: number }) {
    let items = view.nodes().map((n) => nodeJson(n.id)!);
    if (q.clusterId !== undefined) items = items.filter((n) => n.clusterId === q.clusterId);
    if (q.health) items = items.filter((n) => n.health === q.health);
    return { total: items.length, limit: q.limit, offset: q.offset, items: items.slice(q.offset, q.offset + q.limit) };
  }

  function listClusters() {
    return view.clusters().map((c) => {
      const members = view.nodes().filter((n) => n.clusterId === c.id);
      const states = { alive: 0, suspect: 0, dead: 0 };
      for (const n of members) states[view.healthOf(n.id)] += 1;
      return { id: c.id, label: c.label, region: c.region, minStake: c.minStake.toString(), active: c.active, memberNodeIds: members.map((n) => n.id), eligibleNodeIds: members.filter((n) => view.ineligibleReason(n) === null).map((n) => n.id), health: states };
    });
  }

  function listModels() {
    return view.models().map((m) => {
      const mm = manifest.byModelId(m.modelId);
      const record = keys.cachedRecord(m.modelId) ?? null;
      return {
        modelId: m.modelId as Hex,
        name: mm?.id ?? null,
        index: m.index,
        shardCount: m.shardCount,
        totalPrice: m.totalPrice.toString(),
        active: m.active,
        inputSize: manifest.inputSize(m.modelId) ?? null,
        shards: m.shards.map((s) => {
          const ms = manifest.shard(m.modelId, s.shard);
          const keyPair = record?.shards[s.shard];
          return {
            shard: s.shard,
            verifier: s.verifier,
            weightsHash: s.weightsHash,
            memoryBytes: s.memoryBytes.toString(),
            pricePerStage: s.pricePerStage.toString(),
            weightsHashMatchesManifest: ms ? ms.weightsHash.toLowerCase() === s.weightsHash.toLowerCase() : null,
            // the keys are the on-chain record's (never the manifest's committed ones)
            vkeyId: keyPair ? bare(keyPair.vkeyHash) : null,
            artifacts: ms && keyPair ? { onnx: ms.onnx.sha256, wasm: ms.wasm.sha256, zkey: bare(keyPair.zkeyHash), vkey: bare(keyPair.vkeyHash) } : null,
          };
        }),
      };
    });
  }

  /**
   * One model by manifest id or bytes32 id: registry data (indexed), its on-chain ceremony record
   * (ModelRegistry.ceremonyOf, through the key index's cache) and the coordinator's ceremony times.
   * Undefined when neither the manifest nor the chain knows it.
   */
  async function modelDetail(id: string) {
    const isId = /^0x[0-9a-fA-F]{64}$/.test(id);
    const entry = isId ? manifest.models.find((x) => x.modelId.toLowerCase() === id.toLowerCase()) : manifest.models.find((x) => x.manifest.id === id);
    if (!isId && !entry) return undefined;
    const modelId = (isId ? id.toLowerCase() : entry!.modelId.toLowerCase()) as Hex;
    const mm = entry?.manifest;
    const m = view.model(modelId);
    let record: Awaited<ReturnType<KeyIndex["recordOf"]>> = null;
    let chainError: string | null = null;
    try {
      record = await keys.recordOf(modelId);
    } catch (err) {
      chainError = `ModelRegistry.ceremonyOf could not be read: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
    }
    if (!mm && !m && !record) return undefined;
    const ceremony = await ceremonies.find(modelId);
    const shardCount = m?.shardCount ?? record?.shards.length ?? mm?.shards.length ?? 0;
    return {
      modelId,
      name: mm?.id ?? null,
      registered: Boolean(m || record),
      index: m?.index ?? null,
      shardCount,
      totalPrice: m ? m.totalPrice.toString() : null,
      active: m ? m.active : null,
      inputSize: manifest.inputSize(modelId) ?? null,
      shards: Array.from({ length: shardCount }, (_, k) => {
        const s = m?.shards.find((x) => x.shard === k);
        const ms = mm?.shards.find((x) => x.index === k);
        const keyPair = record?.shards[k];
        const zkeyId = keyPair ? bare(keyPair.zkeyHash) : null;
        const vkeyId = keyPair ? bare(keyPair.vkeyHash) : null;
        return {
          shard: k,
          verifier: s?.verifier ?? null,
          weightsHash: s?.weightsHash ?? null,
          memoryBytes: s ? s.memoryBytes.toString() : null,
          pricePerStage: s ? s.pricePerStage.toString() : null,
          weightsHashMatchesManifest: s && ms ? s.weightsHash.toLowerCase() === ms.weightsHash.toLowerCase() : null,
          zkeyId,
          vkeyId,
          zkeyHeld: zkeyId ? keys.open(zkeyId) !== undefined : false,
          vkeyHeld: vkeyId ? keys.open(vkeyId) !== undefined : false,
          vkeyUrl: vkeyId ? `/v1/models/${modelId}/shards/${k}/vkey` : null,
          artifacts: ms ? { onnx: ms.onnx.sha256, wasm: ms.wasm.sha256, circuit: ms.circuit.sha256 } : null,
        };
      }),
      ceremony: record
        ? {
            ptauHash: record.ptauHash,
            ptauMatchesManifest: manifest.ptau ? bare(record.ptauHash) === manifest.ptau.sha256 : null,
            beaconBlock: record.beaconBlock.toString(),
            beaconHash: record.beaconHash,
            shards: record.shards.map((s, k) => ({ shard: k, zkeyHash: s.zkeyHash, vkeyHash: s.vkeyHash })),
            contributions: record.contributions.map((c, i) => ({ index: i, operator: c.operator, transcriptHash: c.transcriptHash, signature: c.signature })),
          }
        : null,
      chainError,
      coordinatorCeremony: ceremony
        ? {
            status: ceremony.status,
            beaconBlock: ceremony.beaconBlock,
            contributorTimeoutMs: ceremony.contributorTimeoutMs,
            startedAt: ceremony.startedAt,
            endedAt: ceremony.endedAt,
            contributors: ceremony.contributors.map((c) => ({ address: c.address, status: c.status, turnStartedAt: c.turnStartedAt, deadline: c.deadline, finishedAt: c.finishedAt })),
            contributions: ceremony.contributions.map((c) => ({ index: c.index, operator: c.operator, transcriptHash: c.transcriptHash, at: c.at, verifyMs: c.verifyMs })),
            url: `/v1/ceremonies/${ceremony.model}`,
          }
        : null,
    };
  }

  return { listJobs, jobTrace, listNodes, nodeJson, listClusters, listModels, modelDetail };
}
