// Shared plumbing of the `proofmesh job` and `proofmesh audit` commands.
import { statSync } from "node:fs";
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

/** node:util parseArgs (strict), with its errors turned into specific UsageErrors; rejects empty and repeated option values. */
export function parse<O extends Options>(argv: string[], options: O) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    const err = e as { code?: string; message: string };
    const m = err.message.split("\n")[0] ?? err.message;
    const unknown = /^Unknown option '([^']+)'/.exec(m);
    if (unknown && /^-[0-9.]/.test(unknown[1] as string)) throw new UsageError(`invalid argument "${unknown[1]}": must not be negative`);
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(m.replace(/\. To specify a positional.*$/, ""));
    const ambiguous = /^Option '([^']+)' argument is ambiguous/.exec(m);
    if (ambiguous) {
      const flag = ambiguous[1] as string;
      const next = argv[argv.indexOf(flag) + 1] ?? "";
      throw new UsageError(/^-[0-9.]/.test(next) ? `invalid ${flag} "${next}": must not be negative` : `option ${flag} needs a value, got the option ${next} (write ${flag}=<value> for a value starting with "-")`);
    }
    throw new UsageError(m);
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    const spec = options[token.name];
    if (spec?.type === "string") {
      if (token.value === "") throw new UsageError(`option --${token.name} needs a non-empty value`);
      if (seen.has(token.name) && spec.multiple !== true) throw new UsageError(`option --${token.name} is given more than once`);
    }
    seen.add(token.name);
  }
  return parsed;
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

const UINT256_MAX = (1n << 256n) - 1n;

/** Token amount: "2.5" = 2.5 tokens (18 decimals), or "<integer>wei" in base units; at most `max` base units. */
export function parseAmount(value: string, what: string, max: bigint = UINT256_MAX): bigint {
  const wei = /^([0-9]{1,78})wei$/.exec(value);
  let amount: bigint;
  if (wei) amount = BigInt(wei[1] as string);
  else {
    const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(value);
    if (!m) throw new UsageError(`invalid ${what} "${value}": expected tokens like 2.5, or base units like 2500000000000000000wei`);
    if ((m[2] ?? "").length > 18) throw new UsageError(`invalid ${what} "${value}": more than 18 decimals`);
    if ((m[1] as string).length > 60) throw new UsageError(`invalid ${what} "${value}": too large`);
    amount = parseEther(value);
  }
  if (amount > max) throw new UsageError(`invalid ${what} "${value}": too large (at most ${max} base units)`);
  return amount;
}

export function parsePrivateKey(value: string, what: string): Hex {
  if (!(isHex(value) && value.length === 66)) throw new UsageError(`invalid ${what}: must be a 0x-prefixed 32-byte hex private key`);
  try {
    privateKeyToAccount(value);
  } catch {
    throw new UsageError(`invalid ${what}: not a valid secp256k1 private key (must be between 1 and the curve order)`);
  }
  return value;
}

/** `--deployment <file>`: must be a readable file (checked before any network call). */
export function parseDeploymentFile(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let isFile = false;
  try {
    isFile = statSync(value).isFile();
  } catch {
    /* missing */
  }
  if (!isFile) throw new UsageError(`invalid --deployment ${value}: no such file (a deployment JSON written by npm run deploy)`);
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
