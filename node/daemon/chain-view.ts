/** The daemon's reads of the chain: jobs, model indexes, and cluster signers for gossip. */
import type { Address, Hex, PublicClient } from "viem";
import { jobMarketAbi, modelRegistryAbi, stakeRegistryAbi } from "../../contracts/abi/index.ts";
import type { NodeDeployment } from "../chain/connect.ts";

export const JobStatus = { None: 0, Created: 1, Assigned: 2, Settled: 3, Expired: 4, Cancelled: 5 } as const;
export const JOB_STATUS_NAMES = ["None", "Created", "Assigned", "Settled", "Expired", "Cancelled"] as const;

export type JobView = {
  status: number;
  modelIndex: number;
  clusterId: number;
  shardCount: number;
  nextStage: number;
  deadline: number;
  nodeIds: readonly number[];
};

export type ChainView = {
  getJob(jobId: bigint): Promise<JobView>;
  modelIndexOf(modelId: Hex): Promise<number>;
  /** Is `signer` the registered signing key of a member of `clusterId`? (cached, refreshed on miss) */
  isRegistered(signer: Address, clusterId: number): Promise<boolean>;
  latestTimestamp(): Promise<number>;
  /** The StageProven event of (jobId, stage), if the chain has one. */
  findStageProven(jobId: bigint, stage: number): Promise<{ nodeId: number; txHash: Hex; blockNumber: bigint } | undefined>;
};

export function createChainView(parameters: { publicClient: PublicClient; deployment: NodeDeployment; signerCacheMs?: number }): ChainView {
  const { publicClient, deployment, signerCacheMs = 5_000 } = parameters;
  const c = deployment.contracts;
  const modelIndexes = new Map<string, number>();
  const signers = new Map<number, { at: number; set: Set<string>; refreshing?: Promise<Set<string>> }>();

  async function loadSigners(clusterId: number): Promise<Set<string>> {
    const cluster = await publicClient.readContract({ address: c.stakeRegistry, abi: stakeRegistryAbi, functionName: "getCluster", args: [clusterId] });
    const nodes = await Promise.all(
      cluster.members.map((id) => publicClient.readContract({ address: c.stakeRegistry, abi: stakeRegistryAbi, functionName: "getNode", args: [id] })),
    );
    return new Set(nodes.map((n) => n.signer.toLowerCase()));
  }

  return {
    async getJob(jobId) {
      const j = await publicClient.readContract({ address: c.jobMarket, abi: jobMarketAbi, functionName: "getJob", args: [jobId] });
      return {
        status: j.status,
        modelIndex: j.modelIndex,
        clusterId: j.clusterId,
        shardCount: j.shardCount,
        nextStage: j.nextStage,
        deadline: Number(j.deadline),
        nodeIds: j.nodeIds,
      };
    },
    async modelIndexOf(modelId) {
      const hit = modelIndexes.get(modelId.toLowerCase());
      if (hit !== undefined) return hit;
      const info = await publicClient.readContract({ address: c.modelRegistry, abi: modelRegistryAbi, functionName: "modelInfo", args: [modelId] });
      modelIndexes.set(modelId.toLowerCase(), info.index);
      return info.index;
    },
    async isRegistered(signer, clusterId) {
      const key = signer.toLowerCase();
      const now = Date.now();
      let entry = signers.get(clusterId);
      const fresh = entry !== undefined && now - entry.at < signerCacheMs;
      if (fresh && entry!.set.has(key)) return true;
      // miss or stale: refresh (at most once per second on misses, de-duplicated)
      if (entry && fresh && now - entry.at < 1_000) return false;
      if (!entry?.refreshing) {
        const refreshing = loadSigners(clusterId);
        entry = { at: entry?.at ?? 0, set: entry?.set ?? new Set(), refreshing };
        signers.set(clusterId, entry);
        try {
          const set = await refreshing;
          signers.set(clusterId, { at: Date.now(), set });
          return set.has(key);
        } catch (err) {
          signers.set(clusterId, { at: entry.at, set: entry.set });
          throw err;
        }
      }
      return (await entry.refreshing).has(key);
    },
    async findStageProven(jobId, stage) {
      const logs = await publicClient.getContractEvents({
        address: c.jobMarket,
        abi: jobMarketAbi,
        eventName: "StageProven",
        args: { jobId, stage },
        fromBlock: deployment.deployBlock,
      });
      const l = logs[0];
      return l ? { nodeId: Number(l.args.nodeId), txHash: l.transactionHash, blockNumber: l.blockNumber } : undefined;
    },
    async latestTimestamp() {
      const b = await publicClient.getBlock();
      return Number(b.timestamp);
    },
  };
}
