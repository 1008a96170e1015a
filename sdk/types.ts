// Client types shared by the SDK functions.
import type { Account, Chain, PublicClient, Transport, WalletClient } from "viem";

/** Any viem public client (http, websocket, in-process Hardhat). */
export type SdkPublicClient = PublicClient<Transport, Chain | undefined>;
/** A viem wallet client with an account (local private key or JSON-RPC account). */
export type SdkWalletClient = WalletClient<Transport, Chain | undefined, Account>;

/** On-chain JobMarket status (IJobMarket.JobStatus). */
export const JOB_STATUS_NAMES = ["None", "Created", "Assigned", "Settled", "Expired", "Cancelled"] as const;
export type ChainJobStatus = (typeof JOB_STATUS_NAMES)[number];
export const JOB_STATUS = { None: 0, Created: 1, Assigned: 2, Settled: 3, Expired: 4, Cancelled: 5 } as const;

export function chainStatusName(status: number): ChainJobStatus {
  return JOB_STATUS_NAMES[status] ?? ("None" as const);
}

/** Accepts a job id as bigint or decimal / 0x-hex string. */
export function toJobId(jobId: bigint | string): bigint {
  if (typeof jobId === "bigint") return jobId;
  if (!/^(0|[1-9][0-9]{0,77}|0x[0-9a-fA-F]{1,64})$/.test(jobId)) throw new TypeError(`invalid job id "${jobId}"`);
  return BigInt(jobId);
}
