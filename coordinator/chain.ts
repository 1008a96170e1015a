/**
 * The coordinator's handle on the chain: viem clients plus the deployment it serves
 * (contract addresses and deployment block, from deploy/deployments/<chainId>.json).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createPublicClient, createWalletClient, defineChain, getAddress, http, webSocket } from "viem";
import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import { ConfigError, DeploymentNotFoundError } from "./errors.ts";

/** One final key file of a registered model, as deploy/deploy.ts lists it (path relative to `keysDir`). */
export type DeploymentKeyFile = { kind: "zkey" | "vkey"; shard: number; path: string; sha256: string };
/** The deployment's `keys`: per manifest model id, its ceremony record and final key files. */
export type DeploymentKeys = Record<string, { record: string | null; files: DeploymentKeyFile[] }>;

export type CoordinatorDeployment = {
  chainId: number;
  deployBlock: bigint;
  contracts: { ProofMeshToken: Address; StakeRegistry: Address; ModelRegistry: Address; JobMarket: Address };
  /** final keys written by the deploy (empty when the deployment has none) */
  keys?: DeploymentKeys;
  /** absolute directory the `keys` paths are relative to (the deployment file's directory) */
  keysDir?: string;
};

export type ChainContext = {
  chainId: number;
  deployment: CoordinatorDeployment;
  publicClient: PublicClient;
  /** sends createAndAssign / expire; undefined = read-only coordinator (no relay, no sweeper) */
  walletClient?: WalletClient<Transport, Chain, Account>;
};

/** Parses a deployment JSON as written by deploy/protocol.ts `writeDeployment`. */
export function parseDeployment(raw: unknown): CoordinatorDeployment {
  const d = raw as { chainId?: unknown; deployBlock?: unknown; contracts?: Record<string, { address?: string }> };
  const c = d?.contracts;
  const addr = (name: string): Address => {
    const a = c?.[name]?.address;
    if (typeof a !== "string") throw new DeploymentNotFoundError(`deployment has no ${name} address`);
    return getAddress(a);
  };
  if (typeof d?.chainId !== "number") throw new DeploymentNotFoundError("deployment has no chainId");
  return {
    chainId: d.chainId,
    deployBlock: BigInt((d.deployBlock as string | number | bigint | undefined) ?? 0),
    contracts: { ProofMeshToken: addr("ProofMeshToken"), StakeRegistry: addr("StakeRegistry"), ModelRegistry: addr("ModelRegistry"), JobMarket: addr("JobMarket") },
    keys: parseDeploymentKeys((raw as { keys?: unknown }).keys),
  };
}

/** The deployment's `keys` object (absent → empty); a malformed entry is an error, never skipped. */
export function parseDeploymentKeys(raw: unknown): DeploymentKeys {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw new DeploymentNotFoundError("deployment `keys` must be an object");
  const out: DeploymentKeys = {};
  for (const [model, v] of Object.entries(raw as Record<string, unknown>)) {
    const e = v as { record?: unknown; files?: unknown };
    if (!e || typeof e !== "object" || !Array.isArray(e.files)) throw new DeploymentNotFoundError(`deployment keys.${model} has no \`files\` array`);
    const files = e.files.map((f: unknown, i: number): DeploymentKeyFile => {
      const x = f as Partial<DeploymentKeyFile>;
      const ok =
        (x?.kind === "zkey" || x?.kind === "vkey") &&
        Number.isInteger(x.shard) &&
        (x.shard as number) >= 0 &&
        typeof x.path === "string" &&
        x.path.length > 0 &&
        typeof x.sha256 === "string" &&
        /^(0x)?[0-9a-fA-F]{64}$/.test(x.sha256);
      if (!ok) throw new DeploymentNotFoundError(`deployment keys.${model}.files[${i}] must be {kind: "zkey"|"vkey", shard, path, sha256}`);
      return { kind: x.kind as "zkey" | "vkey", shard: x.shard as number, path: x.path as string, sha256: (x.sha256 as string).replace(/^0x/, "").toLowerCase() };
    });
    out[model] = { record: typeof e.record === "string" ? e.record : null, files };
  }
  return out;
}

export async function readDeploymentFile({ file }: { file: string }): Promise<CoordinatorDeployment> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new DeploymentNotFoundError(`cannot read deployment ${file} (run \`npm run deploy -- --rpc-url …\` first)`, { cause });
  }
  return { ...parseDeployment(JSON.parse(text)), keysDir: path.dirname(path.resolve(file)) };
}

export type ConnectChainParameters = {
  rpcUrl: string;
  deploymentFile?: string;
  deploymentsDir: string;
  repoRoot: string;
  coordinatorKey?: string;
};

/** Connects to a JSON-RPC endpoint, loads the deployment for its chain id, builds the relay wallet. */
export async function connectChain(p: ConnectChainParameters): Promise<ChainContext> {
  const transport = p.rpcUrl.startsWith("ws") ? webSocket(p.rpcUrl) : http(p.rpcUrl, { retryCount: 2, timeout: 10_000 });
  const probe = createPublicClient({ transport });
  const chainId = await probe.getChainId();
  const chain = defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [p.rpcUrl] } },
  });
  const file = p.deploymentFile ?? path.resolve(p.repoRoot, p.deploymentsDir, `${chainId}.json`);
  const deployment = await readDeploymentFile({ file: path.resolve(p.repoRoot, file) });
  if (deployment.chainId !== chainId) throw new ConfigError(`deployment ${file} is for chain ${deployment.chainId}, RPC is chain ${chainId}`);
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 100 }) as PublicClient;
  let account: Account | undefined;
  if (p.coordinatorKey) account = privateKeyToAccount(p.coordinatorKey as Hex);
  else {
    const [addr] = await createWalletClient({ chain, transport }).getAddresses().catch(() => [] as Address[]);
    if (addr) account = { address: addr, type: "json-rpc" };
  }
  const walletClient = account ? createWalletClient({ chain, transport, account }) : undefined;
  return { chainId, deployment, publicClient, walletClient };
}
