import type { Address, Hex } from "viem";

import { jobMarketAbi } from "../contracts/abi/index.ts";
import { jobIdOf, type JobRequest } from "../deploy/jobs.ts";
import { toModelId } from "../deploy/protocol.ts";
import { commitValues } from "../prover/commit.ts";
import { DEFAULT_MODEL_ID } from "../prover/models/config.ts";
import type { ProofMeshDeployment } from "./deployment.ts";
import { InsufficientBalanceError, InvalidParameterError } from "./errors.ts";
import { estimateJobFee } from "./estimate-job-fee.ts";
import { randomNonce } from "./random-nonce.ts";
import { JOB_STATUS, chainStatusName, type SdkPublicClient } from "./types.ts";

export const UINT64_MAX = (1n << 64n) - 1n;
export const UINT128_MAX = (1n << 128n) - 1n;
export const DEFAULT_DEADLINE_SECONDS = 900;
export const MAX_INPUT_LENGTH = 4096;

export type PrepareJobRequestParameters = {
  publicClient: SdkPublicClient;
  deployment: ProofMeshDeployment;
  /** the paying dApp (signer of the request) */
  dApp: Address;
  /** model input, integers in [0, 255] (MNIST: 784 pixels, row-major) */
  input: readonly number[];
  /** model name from the manifest (e.g. "mnist-mlp-784-64-32-10") or bytes32 id; default: the default model */
  model?: string;
  /** cluster whose nodes serve the job (non-zero) */
  clusterId: number;
  /** upper bound of the job's cost in token units; default: the exact escrow (model price + coordinator fee) */
  maxFee?: bigint;
  /** absolute unix seconds; default: latest block time + deadlineSeconds */
  deadline?: bigint;
  /** default 900 s; must not exceed JobMarket.maxDeadlineWindow */
  deadlineSeconds?: number;
  /** uint64; default random */
  nonce?: bigint;
  /** check the dApp's JobMarket deposit covers the escrow (default true) */
  checkBalance?: boolean;
};
export type PrepareJobRequestReturnType = {
  request: JobRequest;
  jobId: bigint;
  /** what the JobMarket will escrow */
  escrow: bigint;
};

/**
 * Builds a JobRequest: Poseidon input commitment (prover/commit.ts, 8-bit values), nonce,
 * deadline, maxFee; checks the model exists, the nonce is unused and the deposit covers the escrow.
 */
export async function prepareJobRequest(parameters: PrepareJobRequestParameters): Promise<PrepareJobRequestReturnType> {
  const { publicClient, deployment, dApp, input, clusterId, checkBalance = true } = parameters;
  validateInput(input);
  if (!Number.isInteger(clusterId) || clusterId < 1 || clusterId > 0xffffffff) throw new InvalidParameterError(`clusterId must be an integer in 1..2^32-1, got ${clusterId}`);
  const nonce = parameters.nonce ?? randomNonce();
  if (nonce < 0n || nonce > UINT64_MAX) throw new InvalidParameterError(`nonce must be a uint64, got ${nonce}`);
  const modelId = toModelId(parameters.model ?? DEFAULT_MODEL_ID) as Hex;
  const market = deployment.contracts.JobMarket.address;

  const fee = await estimateJobFee({ publicClient, deployment, modelId });
  if (!fee.active) throw new InvalidParameterError(`model ${parameters.model ?? DEFAULT_MODEL_ID} is not active`);
  const maxFee = parameters.maxFee ?? fee.escrow;
  if (maxFee < 0n || maxFee > UINT128_MAX) throw new InvalidParameterError(`maxFee must be a uint128, got ${maxFee}`);
  if (maxFee < fee.escrow) throw new InvalidParameterError(`maxFee ${maxFee} is below the job's price ${fee.escrow} (stages ${fee.modelPrice} + coordinator fee ${fee.coordinatorFee})`);

  let deadline = parameters.deadline;
  if (deadline === undefined) {
    const seconds = parameters.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS;
    if (!Number.isInteger(seconds) || seconds <= 0) throw new InvalidParameterError(`deadlineSeconds must be a positive integer, got ${seconds}`);
    const [block, window] = await Promise.all([
      publicClient.getBlock({ blockTag: "latest" }),
      publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "maxDeadlineWindow" }),
    ]);
    if (BigInt(seconds) > window) throw new InvalidParameterError(`deadlineSeconds ${seconds} exceeds the JobMarket's maximum deadline window of ${window} s`);
    deadline = block.timestamp + BigInt(seconds);
  }
  if (deadline < 0n || deadline > UINT64_MAX) throw new InvalidParameterError(`deadline must be a uint64, got ${deadline}`);

  const inputCommitment = await commitValues({ values: input, bits: 8 });
  const request: JobRequest = { dApp, modelId, inputCommitment, maxFee, deadline, nonce, clusterId };
  const jobId = jobIdOf({ dApp, nonce });

  const status = await publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "statusOf", args: [jobId] });
  if (status !== JOB_STATUS.None) throw new InvalidParameterError(`nonce ${nonce} is already used by job ${jobId} (${chainStatusName(status)})`);
  if (checkBalance) {
    const balance = await publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "balanceOf", args: [dApp] });
    if (balance < fee.escrow) {
      throw new InsufficientBalanceError(`JobMarket deposit of ${dApp} is ${balance}, the job escrows ${fee.escrow}`, {
        required: fee.escrow,
        available: balance,
        details: "deposit first (SDK deposit / approve + JobMarket.deposit)",
      });
    }
  }
  return { request, jobId, escrow: fee.escrow };
}

function validateInput(input: readonly number[]): void {
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_INPUT_LENGTH) {
    throw new InvalidParameterError(`input must be an array of 1..${MAX_INPUT_LENGTH} integers`);
  }
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new InvalidParameterError(`input[${i}] = ${String(v)} is not an integer in [0, 255]`);
  }
}
