import type { Hex } from "viem";

import { signJobRequest, type JobRequest } from "../deploy/jobs.ts";
import type { ProofMeshDeployment } from "./deployment.ts";
import { ProofMeshResponseError } from "./errors.ts";
import { requestJson } from "./http.ts";
import { prepareJobRequest, type PrepareJobRequestParameters } from "./prepare-job-request.ts";
import { JobAnswerSchema, type JobAnswer } from "./schemas.ts";
import type { SdkPublicClient, SdkWalletClient } from "./types.ts";

export type SubmitJobParameters = Omit<PrepareJobRequestParameters, "dApp"> & {
  coordinatorUrl: string;
  publicClient: SdkPublicClient;
  /** the dApp's wallet: signs the EIP-712 JobRequest (its account is the payer) */
  walletClient: SdkWalletClient;
  deployment: ProofMeshDeployment;
  /** HTTP timeout of the submission (the coordinator answers after the fast path), default 60 s */
  timeoutMs?: number;
};
export type SubmitJobReturnType = {
  jobId: bigint;
  request: JobRequest;
  signature: Hex;
  /** the fast-path answer (tentative until settled on chain) */
  answer: JobAnswer;
};

/** Wire form of a JobRequest (decimal strings for uint256/uint128/uint64). */
export function jobRequestToWire(request: JobRequest) {
  return {
    dApp: request.dApp,
    modelId: request.modelId,
    inputCommitment: request.inputCommitment.toString(),
    maxFee: request.maxFee.toString(),
    deadline: request.deadline.toString(),
    nonce: request.nonce.toString(),
    clusterId: request.clusterId,
  };
}

/**
 * Builds the request (input commitment, nonce, deadline, fee; balance checks), signs it
 * (EIP-712, domain "ProofMesh JobMarket" v1) and POSTs it with the input to `{coordinator}/v1/jobs`.
 * Resolves with the fast-path answer.
 */
export async function submitJob(parameters: SubmitJobParameters): Promise<SubmitJobReturnType> {
  const { coordinatorUrl, walletClient, deployment, input, timeoutMs = 60_000 } = parameters;
  const { request, jobId } = await prepareJobRequest({ ...parameters, dApp: walletClient.account.address });
  const signature = await signJobRequest({ walletClient, chainId: deployment.chainId, jobMarket: deployment.contracts.JobMarket.address, request });
  const answer = await requestJson({
    coordinatorUrl,
    path: "/v1/jobs",
    method: "POST",
    body: { request: jobRequestToWire(request), signature, input: [...input] },
    schema: JobAnswerSchema,
    name: "JobAnswer",
    timeoutMs,
  });
  if (BigInt(answer.jobId) !== jobId) {
    throw new ProofMeshResponseError(`JobAnswer/jobId: coordinator answered for job ${answer.jobId}, submitted ${jobId}`, { path: "/jobId" });
  }
  return { jobId, request, signature, answer };
}
