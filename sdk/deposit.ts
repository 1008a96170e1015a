import type { Address, Hash } from "viem";

import { jobMarketAbi, proofMeshTokenAbi } from "../contracts/abi/index.ts";
import type { ProofMeshDeployment } from "./deployment.ts";
import { InsufficientBalanceError, InvalidParameterError, ProofMeshSdkError } from "./errors.ts";
import type { SdkPublicClient, SdkWalletClient } from "./types.ts";

export type DepositParameters = {
  publicClient: SdkPublicClient;
  walletClient: SdkWalletClient;
  deployment: ProofMeshDeployment;
  /** token units to move from the wallet into the JobMarket */
  amount: bigint;
  /** JobMarket account credited (default: the wallet's account) */
  account?: Address;
};
export type DepositReturnType = {
  /** undefined when the allowance already covered `amount` */
  approveTxHash: Hash | undefined;
  depositTxHash: Hash;
  /** JobMarket.balanceOf(account) after the deposit */
  balance: bigint;
};

/** ERC20 approve (if needed) + JobMarket.deposit, after checking the wallet holds `amount`. */
export async function deposit({ publicClient, walletClient, deployment, amount, account }: DepositParameters): Promise<DepositReturnType> {
  if (amount <= 0n) throw new InvalidParameterError(`deposit amount must be positive, got ${amount}`);
  const from = walletClient.account.address;
  const to = account ?? from;
  const token = deployment.contracts.ProofMeshToken.address;
  const market = deployment.contracts.JobMarket.address;
  const [held, allowance] = await Promise.all([
    publicClient.readContract({ address: token, abi: proofMeshTokenAbi, functionName: "balanceOf", args: [from] }),
    publicClient.readContract({ address: token, abi: proofMeshTokenAbi, functionName: "allowance", args: [from, market] }),
  ]);
  if (held < amount) throw new InsufficientBalanceError(`wallet ${from} holds ${held} tokens, deposit needs ${amount}`, { required: amount, available: held });

  const wait = async (hash: Hash, label: string) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new ProofMeshSdkError(`${label} reverted`, { details: `tx ${hash}` });
  };
  let approveTxHash: Hash | undefined;
  if (allowance < amount) {
    approveTxHash = await walletClient.writeContract({ address: token, abi: proofMeshTokenAbi, functionName: "approve", args: [market, amount], account: walletClient.account, chain: walletClient.chain });
    await wait(approveTxHash, "approve");
  }
  const depositTxHash = await walletClient.writeContract({ address: market, abi: jobMarketAbi, functionName: "deposit", args: [to, amount], account: walletClient.account, chain: walletClient.chain });
  await wait(depositTxHash, "deposit");
  const balance = await publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "balanceOf", args: [to] });
  return { approveTxHash, depositTxHash, balance };
}
