/**
 * Connects the node (CLI or daemon) to a chain: probes the RPC, checks the chain id against the
 * node's config, loads deploy/deployments/<chainId>.json and checks the contracts have code.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  webSocket,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { ROOT } from "../../prover/paths.ts";
import { NodeError } from "../errors.ts";

export const DEFAULT_DEPLOYMENTS_DIR = join(ROOT, "deploy/deployments");

export type NodeDeployment = {
  chainId: number;
  file: string;
  deployBlock: bigint;
  contracts: { token: Address; stakeRegistry: Address; modelRegistry: Address; jobMarket: Address };
  coordinator?: Address;
  /** sha256 → local file of the final keys `npm run deploy` wrote beside the deployment (its `keys`) */
  keyFiles: ReadonlyMap<string, string>;
};

export type ReadDeploymentParameters = { dir?: string; chainId: number };

/** Reads `<dir>/<chainId>.json` (written by `npm run deploy`). */
export function readDeployment(parameters: ReadDeploymentParameters): NodeDeployment {
  const dir = resolve(parameters.dir ?? DEFAULT_DEPLOYMENTS_DIR);
  const file = join(dir, `${parameters.chainId}.json`);
  if (!existsSync(file)) {
    const others = existsSync(dir) ? readdirSync(dir).filter((f) => /^\d+\.json$/.test(f)) : [];
    throw new NodeError(
      others.length > 0 ? "WRONG_CHAIN" : "DEPLOYMENT_NOT_FOUND",
      others.length > 0
        ? `the RPC is chain ${parameters.chainId} but ${dir} only has deployments for chain(s) ${others.map((f) => f.replace(".json", "")).join(", ")}`
        : `no deployment for chain ${parameters.chainId}: ${file} does not exist`,
      { details: "check --rpc-url, or deploy to this chain (`npm run deploy -- --rpc-url <url>`), or point --deployments at the folder holding <chainId>.json" },
    );
  }
  let raw: {
    chainId?: number;
    deployBlock?: string;
    contracts?: Record<string, { address?: string }>;
    params?: { coordinator?: string };
    keys?: Record<string, { files?: { sha256?: string; path?: string }[] }>;
  };
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new NodeError("CONFIG_INVALID", `${file} is not valid JSON`, { cause });
  }
  if (raw.chainId !== parameters.chainId) {
    throw new NodeError("WRONG_CHAIN", `${file} is for chain ${String(raw.chainId)}, the RPC is chain ${parameters.chainId}`);
  }
  const addr = (name: string): Address => {
    const a = raw.contracts?.[name]?.address;
    if (!a) throw new NodeError("CONFIG_INVALID", `${file} has no ${name} address`);
    return getAddress(a);
  };
  return {
    chainId: parameters.chainId,
    file,
    deployBlock: BigInt(raw.deployBlock ?? 0),
    contracts: {
      token: addr("ProofMeshToken"),
      stakeRegistry: addr("StakeRegistry"),
      modelRegistry: addr("ModelRegistry"),
      jobMarket: addr("JobMarket"),
    },
    ...(raw.params?.coordinator ? { coordinator: getAddress(raw.params.coordinator) } : {}),
    keyFiles: new Map(
      Object.values(raw.keys ?? {}).flatMap((m) => (m.files ?? []).filter((f) => f.sha256 && f.path).map((f) => [f.sha256!.toLowerCase(), resolve(dirname(file), f.path!)] as const)),
    ),
  };
}

export type NodeChain = {
  rpcUrl: string;
  chainId: number;
  chain: Chain;
  publicClient: PublicClient;
  deployment: NodeDeployment;
  /** wallet of the operator (present when an account was given) */
  walletClient: WalletClient<Transport, Chain, Account> | undefined;
};

export type ConnectChainParameters = {
  rpcUrl: string;
  deploymentsDir?: string;
  /** chain id the node was initialised for; a different RPC chain is a WRONG_CHAIN error */
  expectedChainId?: number;
  account?: Account;
  /** per RPC request timeout (default 10 000 ms) */
  timeoutMs?: number;
  /** skip the contract code check (default false) */
  skipCodeCheck?: boolean;
};

/** Probes the RPC (chain id), reads and checks the deployment; RPC_UNREACHABLE / WRONG_CHAIN / STALE_DEPLOYMENT on failure. */
export async function connectChain(parameters: ConnectChainParameters): Promise<NodeChain> {
  const { rpcUrl, deploymentsDir, expectedChainId, account, timeoutMs = 10_000, skipCodeCheck = false } = parameters;
  if (!/^(https?|wss?):\/\//.test(rpcUrl)) {
    throw new NodeError("INVALID_ARGUMENT", `--rpc-url must start with http(s):// or ws(s)://, got "${rpcUrl}"`);
  }
  const transport = rpcUrl.startsWith("ws") ? webSocket(rpcUrl, { timeout: timeoutMs, retryCount: 1 }) : http(rpcUrl, { timeout: timeoutMs, retryCount: 1 });
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport }).getChainId();
  } catch (cause) {
    const reason = (cause as { details?: string; shortMessage?: string }).details ?? (cause as Error).message;
    throw new NodeError("RPC_UNREACHABLE", `cannot reach the RPC endpoint ${rpcUrl}: ${firstLine(reason)}`, {
      cause,
      details: "is the chain running? check --rpc-url / PROOFMESH_RPC_URL / rpcUrl in the node config",
    });
  }
  if (expectedChainId !== undefined && expectedChainId !== chainId) {
    throw new NodeError("WRONG_CHAIN", `the RPC ${rpcUrl} is chain ${chainId}, but this node was initialised for chain ${expectedChainId}`, {
      details: "point --rpc-url at the node's chain, or init a new node home for this chain",
    });
  }
  const deployment = readDeployment({ dir: deploymentsDir, chainId });
  const chain = defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 250 }) as PublicClient;
  if (!skipCodeCheck) {
    const code = await publicClient.getCode({ address: deployment.contracts.stakeRegistry }).catch(() => undefined);
    if (!code || code === "0x") {
      throw new NodeError("STALE_DEPLOYMENT", `no contract at the StakeRegistry address ${deployment.contracts.stakeRegistry} of ${deployment.file}`, {
        details: "the deployment file is stale (was the chain restarted?): redeploy with `npm run deploy -- --rpc-url <url>`",
      });
    }
  }
  const walletClient = account ? createWalletClient({ chain, transport, account }) : undefined;
  return { rpcUrl, chainId, chain, publicClient, deployment, walletClient };
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}
