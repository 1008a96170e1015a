/**
 * ProofMesh dApp SDK (viem style: one function per file, one object argument, typed errors).
 *
 * @example
 * const client = createProofMeshClient({ coordinatorUrl, publicClient, walletClient, deployment });
 * await client.deposit({ amount: parseEther("10") });
 * const { jobId, answer } = await client.submitJob({ input: pixels, clusterId: 1 });
 * const settled = await client.waitForSettlement({ jobId, expectedResult: answer.result });
 * const audit = await client.auditJob({ jobId });
 */
export { createProofMeshClient, type CreateProofMeshClientParameters, type ProofMeshClient } from "./client.ts";
export { deposit, type DepositParameters, type DepositReturnType } from "./deposit.ts";
export { estimateJobFee, type EstimateJobFeeParameters, type EstimateJobFeeReturnType } from "./estimate-job-fee.ts";
export { prepareJobRequest, type PrepareJobRequestParameters, type PrepareJobRequestReturnType } from "./prepare-job-request.ts";
export { submitJob, jobRequestToWire, type SubmitJobParameters, type SubmitJobReturnType } from "./submit-job.ts";
export { getJob, type GetJobParameters, type GetJobReturnType } from "./get-job.ts";
export { getJobOnChain, type GetJobOnChainParameters, type GetJobOnChainReturnType } from "./get-job-on-chain.ts";
export { getJobTrace, type GetJobTraceParameters, type GetJobTraceReturnType } from "./get-job-trace.ts";
export { waitForResult, type WaitForResultParameters, type WaitForResultReturnType } from "./wait-for-result.ts";
export { waitForSettlement, type WaitForSettlementParameters, type WaitForSettlementReturnType } from "./wait-for-settlement.ts";
export { auditJob, vkeyIds, type AuditJobParameters, type AuditJobReturnType, type AuditVerdict, type AuditCheckStatus } from "./audit-job.ts";
export type { AuditModelParameters, AuditModelReturnType, ModelAuditVerdict } from "./audit-model.ts";
/** auditModel loads snarkjs and solc: import it from "./audit-model.ts" (or use client.auditModel) */
export { getCeremony, startCeremony, uploadCeremonyZkey, submitContribution, downloadArtifact, uploadArtifact, CEREMONY_UPLOAD_SIGNATURE_HEADER } from "./ceremony-api.ts";
export { verifierSourceFromVkey, compareRuntimeCode } from "./verifier-source.ts";
export { loadDeployment, parseDeployment, type ProofMeshDeployment } from "./deployment.ts";
export { randomNonce } from "./random-nonce.ts";
export { decodeImage, type DecodeImageParameters, type DecodeImageReturnType } from "./image/decode-image.ts";
export * from "./errors.ts";
export type { JobAnswer, JobStatusResponse, JobTrace, TraceStage, Vkey, Ceremony, CeremonyContribution, CeremonyStatus } from "./schemas.ts";
export { JobTraceSchema, JobAnswerSchema, JobStatusResponseSchema, VkeySchema } from "./schemas.ts";
export type { SdkPublicClient, SdkWalletClient, ChainJobStatus } from "./types.ts";
