import { toModelId } from "../deploy/protocol.ts";
import { DEFAULT_MODEL_ID } from "../prover/models/config.ts";
import type { ProofMeshDeployment } from "./deployment.ts";
import { auditJob, type AuditJobParameters, type AuditJobReturnType } from "./audit-job.ts";
import type { AuditModelParameters, AuditModelReturnType } from "./audit-model.ts";
import { deposit, type DepositParameters, type DepositReturnType } from "./deposit.ts";
import { InvalidParameterError } from "./errors.ts";
import { estimateJobFee, type EstimateJobFeeParameters, type EstimateJobFeeReturnType } from "./estimate-job-fee.ts";
import { getJob, type GetJobReturnType } from "./get-job.ts";
import { getJobOnChain, type GetJobOnChainReturnType } from "./get-job-on-chain.ts";
import { getJobTrace, type GetJobTraceReturnType } from "./get-job-trace.ts";
import { randomNonce } from "./random-nonce.ts";
import { submitJob, type SubmitJobParameters, type SubmitJobReturnType } from "./submit-job.ts";
import type { SdkPublicClient, SdkWalletClient } from "./types.ts";
import { waitForResult, type WaitForResultParameters, type WaitForResultReturnType } from "./wait-for-result.ts";
import { waitForSettlement, type WaitForSettlementParameters, type WaitForSettlementReturnType } from "./wait-for-settlement.ts";

export type CreateProofMeshClientParameters = {
  coordinatorUrl: string;
  publicClient: SdkPublicClient;
  /** needed for deposit and submitJob */
  walletClient?: SdkWalletClient;
  deployment: ProofMeshDeployment;
};

type Bound = "coordinatorUrl" | "publicClient" | "walletClient" | "deployment";

export type ProofMeshClient = {
  readonly coordinatorUrl: string;
  readonly deployment: ProofMeshDeployment;
  /** next nonce of this client: sequential from a random start, so concurrent jobs use distinct lanes (nonce % 256) */
  nextNonce(): bigint;
  deposit(parameters: Omit<DepositParameters, Bound>): Promise<DepositReturnType>;
  estimateJobFee(parameters?: Partial<Pick<EstimateJobFeeParameters, "modelId">>): Promise<EstimateJobFeeReturnType>;
  /** `nonce` defaults to nextNonce() */
  submitJob(parameters: Omit<SubmitJobParameters, Bound>): Promise<SubmitJobReturnType>;
  waitForResult(parameters: Omit<WaitForResultParameters, "coordinatorUrl">): Promise<WaitForResultReturnType>;
  waitForSettlement(parameters: Omit<WaitForSettlementParameters, "publicClient" | "deployment">): Promise<WaitForSettlementReturnType>;
  getJob(parameters: { jobId: bigint | string }): Promise<GetJobReturnType>;
  getJobOnChain(parameters: { jobId: bigint | string }): Promise<GetJobOnChainReturnType>;
  getJobTrace(parameters: { jobId: bigint | string }): Promise<GetJobTraceReturnType>;
  auditJob(parameters: Omit<AuditJobParameters, "coordinatorUrl" | "publicClient" | "deployment">): Promise<AuditJobReturnType>;
  /** the model's keys against its on-chain ceremony record (loads snarkjs and solc on first use) */
  auditModel(parameters: Omit<AuditModelParameters, "coordinatorUrl" | "publicClient" | "deployment">): Promise<AuditModelReturnType>;
};

/** Binds the SDK functions to one coordinator, chain and (optionally) dApp wallet. */
export function createProofMeshClient({ coordinatorUrl, publicClient, walletClient, deployment }: CreateProofMeshClientParameters): ProofMeshClient {
  let next = randomNonce() & ((1n << 63n) - 1n);
  const wallet = (): SdkWalletClient => {
    if (!walletClient) throw new InvalidParameterError("this ProofMesh client has no walletClient (needed to deposit and submit jobs)");
    return walletClient;
  };
  return {
    coordinatorUrl,
    deployment,
    nextNonce: () => next++,
    deposit: (p) => deposit({ ...p, publicClient, walletClient: wallet(), deployment }),
    estimateJobFee: (p = {}) => estimateJobFee({ publicClient, deployment, modelId: p.modelId ?? toModelId(DEFAULT_MODEL_ID) }),
    submitJob: (p) => submitJob({ ...p, nonce: p.nonce ?? next++, coordinatorUrl, publicClient, walletClient: wallet(), deployment }),
    waitForResult: (p) => waitForResult({ ...p, coordinatorUrl }),
    waitForSettlement: (p) => waitForSettlement({ coordinatorUrl, ...p, publicClient, deployment }),
    getJob: ({ jobId }) => getJob({ coordinatorUrl, jobId }),
    getJobOnChain: ({ jobId }) => getJobOnChain({ publicClient, deployment, jobId }),
    getJobTrace: ({ jobId }) => getJobTrace({ coordinatorUrl, jobId }),
    auditJob: (p) => auditJob({ ...p, coordinatorUrl, publicClient, deployment }),
    auditModel: async (p) => (await import("./audit-model.ts")).auditModel({ ...p, coordinatorUrl, publicClient, deployment }),
  };
}
