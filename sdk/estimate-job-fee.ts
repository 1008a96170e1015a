import type { Hex } from "viem";

import { jobMarketAbi, modelRegistryAbi } from "../contracts/abi/index.ts";
import type { ProofMeshDeployment } from "./deployment.ts";
import { InvalidParameterError } from "./errors.ts";
import type { SdkPublicClient } from "./types.ts";

export type EstimateJobFeeParameters = {
  publicClient: SdkPublicClient;
  deployment: ProofMeshDeployment;
  /** bytes32 model id (see deploy/protocol.ts toModelId) */
  modelId: Hex;
};
export type EstimateJobFeeReturnType = {
  /** sum of the model's stage prices */
  modelPrice: bigint;
  coordinatorFee: bigint;
  /** what JobMarket escrows for a job: modelPrice + coordinatorFee (maxFee must be ≥ this) */
  escrow: bigint;
  shardCount: number;
  active: boolean;
};

/** Reads the escrow a job of `modelId` takes (ModelRegistry total price + JobMarket coordinator fee). */
export async function estimateJobFee({ publicClient, deployment, modelId }: EstimateJobFeeParameters): Promise<EstimateJobFeeReturnType> {
  const [info, coordinatorFee] = await Promise.all([
    publicClient.readContract({ address: deployment.contracts.ModelRegistry.address, abi: modelRegistryAbi, functionName: "modelInfo", args: [modelId] }),
    publicClient.readContract({ address: deployment.contracts.JobMarket.address, abi: jobMarketAbi, functionName: "coordinatorFee" }),
  ]);
  if (info.index === 0) throw new InvalidParameterError(`unknown model ${modelId}`, { details: "not registered on the ModelRegistry" });
  return { modelPrice: info.totalPrice, coordinatorFee, escrow: info.totalPrice + coordinatorFee, shardCount: info.shardCount, active: info.active };
}
