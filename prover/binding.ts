import { encodeAbiParameters, keccak256, type Address } from "viem";
import { R } from "./commit.ts";

export type ComputeBindingParameters = {
  chainId: bigint | number;
  /** the JobMarket contract */
  contract: Address;
  jobId: bigint;
  stage: number | bigint;
  /** the node (msg.sender) that submits the stage proof */
  prover: Address;
};

/**
 * The `binding` public signal: keccak256(abi.encode(chainId, contract, jobId, stage, prover)) mod r.
 * The JobMarket recomputes it from msg.sender, so a proof cannot be stolen by another
 * node, replayed on another job, stage, contract or chain.
 */
export function computeBinding({ chainId, contract, jobId, stage, prover }: ComputeBindingParameters): bigint {
  const encoded = encodeAbiParameters(
    [{ type: "uint256" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }, { type: "address" }],
    [BigInt(chainId), contract, jobId, BigInt(stage), prover],
  );
  return BigInt(keccak256(encoded)) % R;
}
