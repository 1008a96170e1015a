/** What every chain command needs: the node home (keys, config) and a checked chain connection. */
import { getContract, type Address } from "viem";
import { jobMarketAbi, modelRegistryAbi, proofMeshTokenAbi, stakeRegistryAbi } from "../../contracts/abi/index.ts";
import { connectChain, type NodeChain } from "../chain/connect.ts";
import { homePaths, readConfigFile, readKeys, resolveHome, type HomePaths, type NodeConfigFile, type NodeKeys } from "../config/home.ts";
import { NodeError } from "../errors.ts";
import { parseHttpUrl, type ParsedArgs } from "./args.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export type HomeContext = { paths: HomePaths; file: NodeConfigFile; keys: NodeKeys };

export function loadHome(parameters: { values: ParsedArgs["values"]; env: Env }): HomeContext {
  const { values, env } = parameters;
  const home = resolveHome({ home: values.home as string | undefined, name: values.name as string | undefined, env });
  const paths = homePaths(home);
  const file = readConfigFile(paths);
  const keys = readKeys(paths);
  return { paths, file, keys };
}

/** flags > env > config file */
export function resolveRpcUrl(parameters: { values: ParsedArgs["values"]; env: Env; file?: NodeConfigFile; command: string }): string {
  const { values, env, file, command } = parameters;
  const url = (values["rpc-url"] as string | undefined) ?? env.PROOFMESH_RPC_URL ?? file?.rpcUrl;
  if (!url) {
    throw new NodeError("MISSING_ARGUMENT", `${command}: --rpc-url is required (or set PROOFMESH_RPC_URL, or rpcUrl in the node config)`);
  }
  return url;
}

export function resolveDeploymentsDir(parameters: { values: ParsedArgs["values"]; env: Env; file?: NodeConfigFile }): string | undefined {
  const { values, env, file } = parameters;
  return (values.deployments as string | undefined) ?? env.PROOFMESH_DEPLOYMENTS ?? file?.deploymentsDir;
}

export function resolveCoordinatorUrl(parameters: { values: ParsedArgs["values"]; env: Env; file?: NodeConfigFile }): string | undefined {
  const { values, env, file } = parameters;
  const raw = (values.coordinator as string | undefined) ?? env.PROOFMESH_COORDINATOR_URL ?? file?.coordinatorUrl;
  return raw ? parseHttpUrl(raw, "--coordinator") : undefined;
}

export function contractsOf(chain: NodeChain) {
  const client = { public: chain.publicClient, ...(chain.walletClient ? { wallet: chain.walletClient } : {}) };
  const c = chain.deployment.contracts;
  return {
    token: getContract({ abi: proofMeshTokenAbi, address: c.token, client }),
    stake: getContract({ abi: stakeRegistryAbi, address: c.stakeRegistry, client }),
    models: getContract({ abi: modelRegistryAbi, address: c.modelRegistry, client }),
    market: getContract({ abi: jobMarketAbi, address: c.jobMarket, client }),
  };
}

export type ChainContext = HomeContext & { chain: NodeChain; operator: Address; contracts: ReturnType<typeof contractsOf> };

export async function loadChainContext(parameters: { values: ParsedArgs["values"]; env: Env; command: string }): Promise<ChainContext> {
  const { values, env, command } = parameters;
  const home = loadHome({ values, env });
  const chain = await connectChain({
    rpcUrl: resolveRpcUrl({ values, env, file: home.file, command }),
    deploymentsDir: resolveDeploymentsDir({ values, env, file: home.file }),
    ...(home.file.chainId !== undefined ? { expectedChainId: home.file.chainId } : {}),
    account: home.keys.operator,
  });
  return { ...home, chain, operator: home.keys.operator.address, contracts: contractsOf(chain) };
}
