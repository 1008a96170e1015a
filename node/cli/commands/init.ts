/** `proofmesh node init`: creates the node home (operator key, node signing key, config file). */
import { createPublicClient, http, isHex, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { homePaths, resolveHome, writeNewHome, type NodeConfigFile } from "../../config/home.ts";
import { NodeError } from "../../errors.ts";
import { parseCommandArgs, parseHttpUrl, parseUint } from "../args.ts";
import type { Env } from "../context.ts";
import type { Output } from "../output.ts";

export const INIT_OPTIONS = {
  endpoint: { type: "string" },
  "operator-key": { type: "string" },
  "chain-id": { type: "string" },
} as const;

export async function initCommand(parameters: { argv: string[]; env: Env; out: Output }): Promise<number> {
  const { argv, env, out } = parameters;
  const { values } = parseCommandArgs({ command: "init", argv, options: INIT_OPTIONS, maxPositionals: 0 });
  const name = (values.name as string | undefined) ?? "node";
  const paths = homePaths(resolveHome({ home: values.home as string | undefined, name, env }));

  let operatorKey: Hex = generatePrivateKey();
  const imported = values["operator-key"] as string | undefined;
  if (imported !== undefined) {
    if (!isHex(imported) || imported.length !== 66) throw new NodeError("INVALID_ARGUMENT", "--operator-key must be a 0x-prefixed 32-byte hex private key");
    operatorKey = imported as Hex;
  }
  const signerKey = generatePrivateKey();

  const rpcUrl = (values["rpc-url"] as string | undefined) ?? env.PROOFMESH_RPC_URL;
  let chainId: number | undefined = values["chain-id"] !== undefined ? Number(parseUint(values["chain-id"] as string, "--chain-id", 2n ** 53n)) : undefined;
  if (chainId === undefined && rpcUrl !== undefined) {
    try {
      chainId = await createPublicClient({ transport: http(rpcUrl, { timeout: 5_000, retryCount: 0 }) }).getChainId();
    } catch (cause) {
      throw new NodeError("RPC_UNREACHABLE", `init: cannot reach the RPC endpoint ${rpcUrl} to read its chain id`, {
        cause,
        details: "start the chain, fix --rpc-url, or pass --chain-id <id> to init offline",
      });
    }
  }
  const config: NodeConfigFile = {
    version: 1,
    name,
    ...(chainId !== undefined ? { chainId } : {}),
    ...(rpcUrl !== undefined ? { rpcUrl } : {}),
    ...(values.deployments !== undefined ? { deploymentsDir: values.deployments as string } : {}),
    ...(values.coordinator !== undefined ? { coordinatorUrl: parseHttpUrl(values.coordinator as string, "--coordinator") } : {}),
    ...(values.endpoint !== undefined ? { endpoint: parseHttpUrl(values.endpoint as string, "--endpoint") } : {}),
  };
  writeNewHome({ paths, operatorKey, signerKey, config });
  const operator = privateKeyToAccount(operatorKey).address;
  const signer = privateKeyToAccount(signerKey).address;
  out.result({ home: paths.home, operator, signer, chainId: chainId ?? null, config: paths.config }, [
    `initialised node "${name}" in ${paths.home}`,
    `  operator address  ${operator}   (stakes, proves, is paid: fund it with gas and PMT)`,
    `  node signer       ${signer}   (signs gossip; registered on chain by \`register\`)`,
    `  config            ${paths.config}${chainId !== undefined ? ` (chain ${chainId})` : ""}`,
    `next: fund the operator, then \`proofmesh node register …\` and \`proofmesh node stake <amount>\``,
  ]);
  return 0;
}
