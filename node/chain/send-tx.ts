/**
 * Simulates, sends and waits for one contract write, reporting progress (sent hash, mined
 * block and gas). Reverts are decoded into specific NodeErrors (see contract-errors.ts).
 */
import type { Abi, Account, Address, Chain, ContractFunctionArgs, ContractFunctionName, Hash, PublicClient, Transport, WalletClient } from "viem";
import { NodeError } from "../errors.ts";
import { toNodeError } from "./contract-errors.ts";

export type TxProgress =
  | { phase: "sent"; label: string; hash: Hash }
  | { phase: "mined"; label: string; hash: Hash; blockNumber: bigint; gasUsed: bigint };

export type SentTx = { label: string; hash: Hash; blockNumber: bigint; gasUsed: bigint };

export type SendTxParameters<A extends Abi, F extends ContractFunctionName<A, "nonpayable" | "payable">> = {
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain, Account>;
  address: Address;
  abi: A;
  functionName: F;
  args: ContractFunctionArgs<A, "nonpayable" | "payable", F>;
  label: string;
  onProgress?: (p: TxProgress) => void;
};

export async function sendTx<const A extends Abi, F extends ContractFunctionName<A, "nonpayable" | "payable">>(
  parameters: SendTxParameters<A, F>,
): Promise<SentTx> {
  const { publicClient, walletClient, address, abi, functionName, args, label, onProgress } = parameters;
  let hash: Hash;
  try {
    // Simulation first: a revert is decoded before anything is signed or paid.
    const { request } = await publicClient.simulateContract({
      address,
      abi,
      functionName,
      args,
      account: walletClient.account,
    } as never);
    hash = await walletClient.writeContract(request as never);
  } catch (err) {
    throw toNodeError(err, label);
  }
  onProgress?.({ phase: "sent", label, hash });
  let receipt;
  try {
    receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
  } catch (err) {
    throw toNodeError(err, `${label} (tx ${hash})`);
  }
  if (receipt.status !== "success") {
    throw new NodeError("TX_REVERTED", `${label}: tx ${hash} reverted in block ${receipt.blockNumber}`);
  }
  onProgress?.({ phase: "mined", label, hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed });
  return { label, hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
}
