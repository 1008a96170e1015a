/** `proofmesh node init`: creates the node home (operator key, node signing key, config file). */
import { existsSync, statSync } from "node:fs";
import { Compile } from "typebox/compile";
import { createPublicClient, http, isHex, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { homePaths, NodeConfigFileSchema, resolveHome, writeNewHome, type NodeConfigFile } from "../../config/home.ts";
import { NodeError } from "../../errors.ts";
import { parseCommandArgs, parseHttpUrl, parseRpcUrl, parseUint } from "../args.ts";
import type { Env } from "../context.ts";
import type { Output } from "../output.ts";

export const INIT_OPTIONS = {
  endpoint: { type: "string" },
  "operator-key": { type: "string" },
  "chain-id": { type: "string" },
} as const;

/** config file field → the init flag that sets it (for schema errors) */
const FLAG_OF_FIELD: Record<string, string> = { name: "--name", chainId: "--chain-id", rpcUrl: "--rpc-url", deploymentsDir: "--deployments", coordinatorUrl: "--coordinator", endpoint: "--endpoint" };
const checkConfig = Compile(NodeConfigFileSchema);

export async function initCommand(parameters: { argv: string[]; env: Env; out: Output }): Promise<number> {
  const { argv, env, out } = parameters;
  const { values } = parseCommandArgs({ command: "init", argv, options: INIT_OPTIONS, maxPositionals: 0 });
  // Everything is validated before the RPC is asked for its chain id and before anything is written.
  const name = (values.name as string | undefined) ?? "node";
  const paths = homePaths(resolveHome({ home: values.home as string | undefined, name, env }));
  if (existsSync(paths.home) && !statSync(paths.home).isDirectory()) {
    throw new NodeError("INVALID_ARGUMENT", `init: --home ${paths.home} exists and is not a directory`);
  }

  let operatorKey: Hex = generatePrivateKey();
  const imported = values["operator-key"] as string | undefined;
  if (imported !== undefined) {
    if (!isHex(imported) || imported.length !== 66) throw new NodeError("INVALID_ARGUMENT", "init: --operator-key must be a 0x-prefixed 32-byte hex private key");
    try {
      privateKeyToAccount(imported);
    } catch (cause) {
      throw new NodeError("INVALID_ARGUMENT", "init: --operator-key is not a valid secp256k1 private key (must be between 1 and the curve order)", { cause });
    }
    operatorKey = imported as Hex;
  }
  const signerKey = generatePrivateKey();

  const rpcUrl = (values["rpc-url"] as string | undefined) ?? env.PROOFMESH_RPC_URL;
  if (rpcUrl !== undefined && values["rpc-url"] === undefined) parseRpcUrl(rpcUrl, "init: PROOFMESH_RPC_URL");
  let chainId: number | undefined = values["chain-id"] !== undefined ? Number(parseUint(values["chain-id"] as string, "init: --chain-id", 2n ** 53n - 1n)) : undefined;
  if (chainId === 0) throw new NodeError("INVALID_ARGUMENT", "init: --chain-id must be at least 1");
  const coordinatorUrl = values.coordinator !== undefined ? parseHttpUrl(values.coordinator as string, "init: --coordinator") : undefined;
  const endpoint = values.endpoint !== undefined ? parseHttpUrl(values.endpoint as string, "init: --endpoint") : undefined;
  const draft = (id: number | undefined): NodeConfigFile => ({
    version: 1,
    name,
    ...(id !== undefined ? { chainId: id } : {}),
    ...(rpcUrl !== undefined ? { rpcUrl } : {}),
    ...(values.deployments !== undefined ? { deploymentsDir: values.deployments as string } : {}),
    ...(coordinatorUrl !== undefined ? { coordinatorUrl } : {}),
    ...(endpoint !== undefined ? { endpoint } : {}),
  });
  const invalid = checkConfig.Errors(draft(chainId ?? 1))[0];
  if (invalid) {
    const field = invalid.instancePath.replace(/^\//, "").replace(/\/.*/, "");
    throw new NodeError("INVALID_ARGUMENT", `init: ${FLAG_OF_FIELD[field] ?? (field || "config")} ${invalid.message}`);
  }

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
  const config = draft(chainId);
  try {
    writeNewHome({ paths, operatorKey, signerKey, config });
  } catch (cause) {
    if (cause instanceof NodeError) throw cause;
    throw new NodeError("CONFIG_INVALID", `init: cannot create the node home ${paths.home}: ${(cause as Error).message}`, { cause });
  }
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
