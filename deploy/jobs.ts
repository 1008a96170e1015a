// Off-chain mirror of JobMarket's job id, binding and EIP-712 request (used by the bench, the
// tests and, later, the coordinator / node / SDK).
import type { Account, Address, Chain, Hex, Transport, WalletClient } from "viem";

import { computeBinding } from "../prover/binding.ts";

/** BN254 scalar field order r. */
export { R } from "../prover/commit.ts";

export type JobRequest = {
  dApp: Address;
  modelId: Hex;
  inputCommitment: bigint;
  maxFee: bigint;
  deadline: bigint;
  nonce: bigint;
  clusterId: number;
};

export const jobRequestTypes = {
  JobRequest: [
    { name: "dApp", type: "address" },
    { name: "modelId", type: "bytes32" },
    { name: "inputCommitment", type: "uint256" },
    { name: "maxFee", type: "uint128" },
    { name: "deadline", type: "uint64" },
    { name: "nonce", type: "uint64" },
    { name: "clusterId", type: "uint32" },
  ],
} as const;

export function jobMarketDomain({ chainId, jobMarket }: { chainId: number; jobMarket: Address }) {
  return { name: "ProofMesh JobMarket", version: "1", chainId, verifyingContract: jobMarket } as const;
}

/** `uint256(uint160(dApp)) << 64 | nonce`. */
export function jobIdOf({ dApp, nonce }: { dApp: Address; nonce: bigint }): bigint {
  return (BigInt(dApp) << 64n) | nonce;
}

/** `uint256(keccak256(abi.encode(chainId, jobMarket, jobId, stage, prover))) % r` (see prover/binding.ts). */
export function bindingOf({
  chainId,
  jobMarket,
  jobId,
  stage,
  prover,
}: {
  chainId: number | bigint;
  jobMarket: Address;
  jobId: bigint;
  stage: number | bigint;
  prover: Address;
}): bigint {
  return computeBinding({ chainId, contract: jobMarket, jobId, stage, prover });
}

/** The dApp signs a job request (EIP-712) for the coordinator to relay. */
export async function signJobRequest({
  walletClient,
  chainId,
  jobMarket,
  request,
}: {
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  chainId: number;
  jobMarket: Address;
  request: JobRequest;
}): Promise<Hex> {
  return walletClient.signTypedData({
    account: walletClient.account,
    domain: jobMarketDomain({ chainId, jobMarket }),
    types: jobRequestTypes,
    primaryType: "JobRequest",
    message: request,
  });
}
