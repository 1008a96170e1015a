import type { Hash } from "viem";

import { jobMarketAbi } from "../contracts/abi/index.ts";
import type { ProofMeshDeployment } from "./deployment.ts";
import { ChainMismatchError, JobFailedError, JobTimeoutError, ProofMeshApiError, ProofMeshHttpError } from "./errors.ts";
import { getJob } from "./get-job.ts";
import { sleep } from "./sleep.ts";
import { JOB_STATUS, chainStatusName, toJobId, type SdkPublicClient } from "./types.ts";

export type WaitForSettlementParameters = {
  publicClient: SdkPublicClient;
  deployment: ProofMeshDeployment;
  jobId: bigint | string;
  /** also follow the coordinator's status (fails fast on "failed"); optional, the chain is the source of truth */
  coordinatorUrl?: string;
  /** the fast-path result: if given, the settled result must equal it (else ChainMismatchError) */
  expectedResult?: number | bigint;
  /** default 5 min */
  timeoutMs?: number;
  /** default 1 s */
  pollIntervalMs?: number;
  signal?: AbortSignal;
};
export type WaitForSettlementReturnType = {
  jobId: bigint;
  /** the result the chain verified (JobMarket.resultOf) */
  result: bigint;
  /** the JobSettled transaction */
  txHash: Hash;
  blockNumber: bigint;
  /** coordinator fee taken at settlement */
  coordinatorFee: bigint;
};

/**
 * Waits until JobMarket.statusOf(jobId) == Settled (polling the chain, and the coordinator when
 * given), then confirms with resultOf and the JobSettled event. Expired / Cancelled on chain, or
 * "failed" / "expired" at the coordinator, throw {@link JobFailedError}.
 */
export async function waitForSettlement(parameters: WaitForSettlementParameters): Promise<WaitForSettlementReturnType> {
  const { publicClient, deployment, coordinatorUrl, expectedResult, timeoutMs = 300_000, pollIntervalMs = 1_000, signal } = parameters;
  const jobId = toJobId(parameters.jobId);
  const address = deployment.contracts.JobMarket.address;
  const end = Date.now() + timeoutMs;
  let lastCoordinator: string | undefined;
  for (;;) {
    const status = await publicClient.readContract({ address, abi: jobMarketAbi, functionName: "statusOf", args: [jobId] });
    if (status === JOB_STATUS.Settled) break;
    if (status === JOB_STATUS.Expired || status === JOB_STATUS.Cancelled) {
      throw new JobFailedError(`job ${jobId} is ${chainStatusName(status)} on chain`, { jobId, status: chainStatusName(status) });
    }
    if (coordinatorUrl) {
      try {
        const job = await getJob({ coordinatorUrl, jobId, timeoutMs: 10_000 });
        lastCoordinator = job.status;
        if (job.status === "failed") throw new JobFailedError(`job ${jobId} failed at the coordinator`, { jobId, status: job.status });
      } catch (e) {
        // The chain decides; a flaky or unaware coordinator does not stop the wait.
        if (!(e instanceof ProofMeshHttpError) && !(e instanceof ProofMeshApiError)) throw e;
      }
    }
    if (Date.now() + pollIntervalMs > end) {
      throw new JobTimeoutError(`job ${jobId} not settled within ${timeoutMs} ms`, {
        jobId,
        details: `chain status ${chainStatusName(status)}${lastCoordinator ? `, coordinator status ${lastCoordinator}` : ""}`,
      });
    }
    await sleep(pollIntervalMs, signal);
  }
  const result = await publicClient.readContract({ address, abi: jobMarketAbi, functionName: "resultOf", args: [jobId] });
  const logs = await publicClient.getContractEvents({ address, abi: jobMarketAbi, eventName: "JobSettled", args: { jobId }, fromBlock: deployment.deployBlock, toBlock: "latest" });
  const settled = logs[0];
  if (logs.length !== 1 || !settled) throw new ChainMismatchError(`job ${jobId} is Settled but ${logs.length} JobSettled events were found`);
  if (settled.args.result !== result) throw new ChainMismatchError(`JobSettled result ${settled.args.result} differs from resultOf ${result}`);
  if (expectedResult !== undefined && BigInt(expectedResult) !== result) {
    throw new ChainMismatchError(`job ${jobId} settled with result ${result}, the fast path answered ${expectedResult}`);
  }
  return { jobId, result, txHash: settled.transactionHash, blockNumber: settled.blockNumber, coordinatorFee: settled.args.coordinatorFee ?? 0n };
}
