// Builds viem clients for either the in-process Hardhat network or a JSON-RPC URL.
import { createPublicClient, createWalletClient, defineChain, http, webSocket } from "viem";
import type { Account, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { ConfigError } from "./errors.ts";

export type ChainClients = {
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain, Account>;
  /** Extra unlocked wallets (in-process network only; empty otherwise). */
  wallets: WalletClient<Transport, Chain, Account>[];
  target: string;
  close: () => Promise<void>;
};

export async function connectClients({ rpcUrl, deployerKey }: { rpcUrl?: string; deployerKey?: Hex }): Promise<ChainClients> {
  if (rpcUrl === undefined) {
    const { network } = await import("hardhat");
    const conn = await network.create();
    const publicClient = (await conn.viem.getPublicClient()) as unknown as PublicClient;
    const wallets = (await conn.viem.getWalletClients()) as unknown as WalletClient<Transport, Chain, Account>[];
    const [walletClient] = wallets;
    if (!walletClient) throw new ConfigError("in-process network has no accounts");
    return { publicClient, walletClient, wallets, target: "in-process", close: () => conn.close() };
  }
  const transport = rpcUrl.startsWith("ws") ? webSocket(rpcUrl) : http(rpcUrl);
  const probe = createPublicClient({ transport });
  const chainId = await probe.getChainId();
  const chain = defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const publicClient = createPublicClient({ chain, transport }) as PublicClient;
  let account: Account;
  if (deployerKey) {
    account = privateKeyToAccount(deployerKey);
  } else {
    const [addr] = await createWalletClient({ chain, transport }).getAddresses();
    if (!addr) throw new ConfigError("no deployer: set PROOFMESH_DEPLOYER_KEY or use a node with unlocked accounts");
    account = { address: addr, type: "json-rpc" };
  }
  const walletClient = createWalletClient({ chain, transport, account });
  return { publicClient, walletClient, wallets: [], target: rpcUrl, close: async () => {} };
}
