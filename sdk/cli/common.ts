// Shared plumbing of the `proofmesh job` and `proofmesh audit` commands.
import { parseArgs, type ParseArgsConfig } from "node:util";

import { createPublicClient, createWalletClient, defineChain, http, isHex, parseEther, webSocket, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { DEFAULT_DEPLOYMENTS_DIR, loadDeployment, type ProofMeshDeployment } from "../deployment.ts";
import { ProofMeshApiError, ProofMeshSdkError } from "../errors.ts";
import type { SdkPublicClient, SdkWalletClient } from "../types.ts";

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}
export type CliEnv = Readonly<Record<string, string | undefined>>;
export type RunParameters = { argv: string[]; io: CliIo; env: CliEnv };

/** A user error: wrong / missing argument. Exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs (strict), with its errors turned into specific UsageErrors. */
export function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as { code?: string; message: string };
    const m = err.message.split("\n")[0] ?? err.message;
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(m.replace(/\. To specify a positional.*$/, ""));
    throw new UsageError(m);
  }
}

export function requireString(value: string | undefined, what: string, hint: string): string {
  if (value === undefined || value === "") throw new UsageError(`missing ${what} (${hint})`);
  return value;
}

export function parseUrl(value: string, what: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`invalid ${what} "${value}": not a URL`);
  }
  if (!["http:", "https:", ...(what === "--rpc-url" ? ["ws:", "wss:"] : [])].includes(u.protocol)) throw new UsageError(`invalid ${what} "${value}": must be http(s)${what === "--rpc-url" ? " or ws(s)" : ""}`);
  return value;
}

export function parseJobIdArg(value: string | undefined): bigint {
  if (value === undefined) throw new UsageError("missing <jobId>");
  if (!/^(0|[1-9][0-9]{0,77}|0x[0-9a-fA-F]{1,64})$/.test(value)) throw new UsageError(`invalid <jobId> "${value}": expected a decimal or 0x-hex uint256`);
  const id = BigInt(value);
  if (id >= 1n << 256n) throw new UsageError(`invalid <jobId> "${value}": larger than uint256`);
  return id;
}

export function parseIntArg(value: string, what: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`invalid ${what} "${value}": expected an integer in ${min}..${max}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`invalid ${what} "${value}": expected an integer in ${min}..${max}`);
  return n;
}

/** Token amount: "2.5" = 2.5 tokens (18 decimals), or "<integer>wei" in base units. */
export function parseAmount(value: string, what: string): bigint {
  const wei = /^([0-9]{1,78})wei$/.exec(value);
  if (wei) return BigInt(wei[1] as string);
  if (!/^[0-9]{1,60}(\.[0-9]{1,18})?$/.test(value)) throw new UsageError(`invalid ${what} "${value}": expected tokens like 2.5, or base units like 2500000000000000000wei`);
  return parseEther(value);
}

export function parsePrivateKey(value: string, what: string): Hex {
  if (!(isHex(value) && value.length === 66)) throw new UsageError(`invalid ${what}: must be a 0x-prefixed 32-byte hex private key`);
  return value;
}

export type ChainConnection = { publicClient: SdkPublicClient; chainId: number; walletClient: SdkWalletClient | undefined };

/** viem clients for a JSON-RPC URL (and a wallet when a private key is given). */
export async function connect({ rpcUrl, privateKey }: { rpcUrl: string; privateKey?: Hex }): Promise<ChainConnection> {
  const transport = rpcUrl.startsWith("ws") ? webSocket(rpcUrl) : http(rpcUrl, { retryCount: 1, timeout: 15_000 });
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport }).getChainId();
  } catch (cause) {
    throw new ProofMeshSdkError(`cannot reach the RPC endpoint ${rpcUrl}`, { cause });
  }
  const chain = defineChain({ id: chainId, name: `chain-${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
  const publicClient = createPublicClient({ chain, transport }) as SdkPublicClient;
  const walletClient = privateKey ? (createWalletClient({ chain, transport, account: privateKeyToAccount(privateKey) }) as SdkWalletClient) : undefined;
  return { publicClient, chainId, walletClient };
}

export async function resolveDeployment({ file, env, chainId }: { file: string | undefined; env: CliEnv; chainId: number }): Promise<ProofMeshDeployment> {
  return loadDeployment({ chainId, file, dir: env.PROOFMESH_DEPLOYMENTS || DEFAULT_DEPLOYMENTS_DIR });
}

/** One line for any error: usage errors as is, SDK errors by their short message and API code. */
export function describeError(e: unknown): string {
  if (e instanceof ProofMeshApiError) return `${e.shortMessage} (HTTP ${e.statusCode})`;
  if (e instanceof ProofMeshSdkError) return e.details ? `${e.shortMessage} (${e.details.split("\n")[0]})` : e.shortMessage;
  if (e instanceof Error) return (e as { shortMessage?: string }).shortMessage ?? e.message;
  return String(e);
}

export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}
