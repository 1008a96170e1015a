import { jobMarketAbi } from "../contracts/abi/index.ts";
import type { ProofMeshDeployment } from "./deployment.ts";
import { JOB_STATUS, chainStatusName, toJobId, type ChainJobStatus, type SdkPublicClient } from "./types.ts";

export type GetJobOnChainParameters = { publicClient: SdkPublicClient; deployment: ProofMeshDeployment; jobId: bigint | string };
export type GetJobOnChainReturnType = {
  jobId: bigint;
  status: ChainJobStatus;
  statusCode: number;
  /** the verified result, once Settled */
  result: bigint | undefined;
  /** stages proven so far (open jobs), shard count and assigned nodes (open jobs only, see IJobMarket.JobView) */
  nextStage: number;
  shardCount: number;
  nodeIds: readonly number[];
};

/** The JobMarket's record of a job (statusOf, getJob, resultOf). */
export async function getJobOnChain({ publicClient, deployment, jobId }: GetJobOnChainParameters): Promise<GetJobOnChainReturnType> {
  const id = toJobId(jobId);
  const address = deployment.contracts.JobMarket.address;
  const job = await publicClient.readContract({ address, abi: jobMarketAbi, functionName: "getJob", args: [id] });
  const statusCode = Number(job.status);
  const result = statusCode === JOB_STATUS.Settled ? await publicClient.readContract({ address, abi: jobMarketAbi, functionName: "resultOf", args: [id] }) : undefined;
  return { jobId: id, status: chainStatusName(statusCode), statusCode, result, nextStage: job.nextStage, shardCount: job.shardCount, nodeIds: job.nodeIds };
}
