/** Argument parsing for `proofmesh node …`: node:util parseArgs with errors that name the argument. */
import { statSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseUnits } from "viem";
import { NodeError } from "../errors.ts";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  home: { type: "string" },
  name: { type: "string" },
  "rpc-url": { type: "string" },
  deployments: { type: "string" },
  coordinator: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies OptionSpec;

export type ParsedArgs = { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

export function parseCommandArgs(parameters: { command: string; argv: string[]; options: OptionSpec; maxPositionals: number; group?: string }): ParsedArgs {
  const { command, argv, options, maxPositionals, group = "node" } = parameters;
  const all: OptionSpec = { ...COMMON_OPTIONS, ...options };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true, tokens: true });
  } catch (cause) {
    const msg = (cause as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(msg);
    if (unknown && /^-[0-9.]/.test(unknown[1])) {
      throw new NodeError("INVALID_ARGUMENT", `${command}: "${unknown[1]}" is negative (amounts, ids and counts must not be negative)`, { cause });
    }
    if (unknown) throw new NodeError("INVALID_ARGUMENT", `${command}: unknown option ${unknown[1]} (see \`proofmesh ${group} ${command} --help\`)`, { cause });
    const missingValue = /Option '([^']+?)(?: <value>)?' argument missing/.exec(msg);
    if (missingValue) throw new NodeError("MISSING_ARGUMENT", `${command}: option ${missingValue[1].split(",").pop()!.trim()} needs a value`, { cause });
    const ambiguous = /Option '([^']+)' argument is ambiguous/.exec(msg);
    if (ambiguous) {
      const flag = ambiguous[1];
      const next = argv[argv.indexOf(flag) + 1] ?? "";
      throw new NodeError(
        "INVALID_ARGUMENT",
        /^-[0-9.]/.test(next)
          ? `${command}: option ${flag} "${next}" is negative (it must not be negative)`
          : `${command}: option ${flag} needs a value, got the option ${next} (write ${flag}=<value> for a value starting with "-")`,
        { cause },
      );
    }
    throw new NodeError("INVALID_ARGUMENT", `${command}: ${msg.split("\n")[0]}`, { cause });
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    const spec = all[token.name];
    if (spec?.type === "string") {
      if (token.value === "") throw new NodeError("INVALID_ARGUMENT", `${command}: option --${token.name} needs a non-empty value`);
      if (seen.has(token.name) && spec.multiple !== true) throw new NodeError("INVALID_ARGUMENT", `${command}: option --${token.name} is given more than once`);
    }
    seen.add(token.name);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new NodeError("INVALID_ARGUMENT", `${command}: unexpected argument "${parsed.positionals[maxPositionals]}"`);
  }
  const values = parsed.values as ParsedArgs["values"];
  // common options: checked here, before any command touches the home, the network or the chain
  if (typeof values.name === "string" && !/^[A-Za-z0-9._-]{1,64}$/.test(values.name)) {
    throw new NodeError("INVALID_ARGUMENT", `${command}: --name "${values.name}" must be 1-64 characters of [A-Za-z0-9._-]`);
  }
  if (typeof values["rpc-url"] === "string") parseRpcUrl(values["rpc-url"], `${command}: --rpc-url`);
  if (typeof values.coordinator === "string") parseHttpUrl(values.coordinator, `${command}: --coordinator`);
  if (typeof values.deployments === "string") {
    let isDir = false;
    try {
      isDir = statSync(values.deployments).isDirectory();
    } catch {
      /* missing */
    }
    if (!isDir) throw new NodeError("INVALID_ARGUMENT", `${command}: --deployments ${values.deployments} is not a directory (the folder holding <chainId>.json from \`npm run deploy\`)`);
  }
  return { values, positionals: parsed.positionals };
}

export function requireString(values: ParsedArgs["values"], name: string, command: string, hint = ""): string {
  const v = values[name];
  if (typeof v !== "string" || v.length === 0) throw new NodeError("MISSING_ARGUMENT", `${command}: --${name} is required${hint ? ` (${hint})` : ""}`);
  return v;
}

/** Token amount in whole tokens with up to 18 decimals ("100", "0.5") → base units. */
export function parseTokenAmount(raw: string | undefined, what: string): bigint {
  if (raw === undefined || raw === "") throw new NodeError("MISSING_ARGUMENT", `${what} is required (token amount, e.g. 100 or 0.5)`);
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(raw);
  if (!m || (m[1].length > 1 && m[1].startsWith("0"))) {
    throw new NodeError("INVALID_ARGUMENT", `${what} "${raw}" is not a token amount (decimal, at most 18 decimals, e.g. 100 or 0.5)`);
  }
  if ((m[2] ?? "").length > 18) throw new NodeError("INVALID_ARGUMENT", `${what} "${raw}" has ${m[2].length} decimals; PMT has at most 18`);
  if (m[1].length > 21) throw new NodeError("INVALID_ARGUMENT", `${what} "${raw}" is too large (at most 21 integer digits)`);
  const v = parseUnits(raw, 18);
  if (v === 0n) throw new NodeError("INVALID_ARGUMENT", `${what} must be greater than 0`);
  return v;
}

export function parseUint(raw: string | undefined, what: string, max: bigint): bigint {
  if (raw === undefined || raw === "") throw new NodeError("MISSING_ARGUMENT", `${what} is required`);
  if (!/^(0|[1-9][0-9]*)$/.test(raw)) throw new NodeError("INVALID_ARGUMENT", `${what} "${raw}" is not a non-negative integer`);
  const v = BigInt(raw);
  if (v > max) throw new NodeError("INVALID_ARGUMENT", `${what} ${raw} is too large (at most ${max})`);
  return v;
}

export function parseHttpUrl(raw: string, what: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch (cause) {
    throw new NodeError("INVALID_ARGUMENT", `${what} "${raw}" is not a URL`, { cause });
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new NodeError("INVALID_ARGUMENT", `${what} "${raw}" must be an http(s) URL`);
  if (u.username || u.password) throw new NodeError("INVALID_ARGUMENT", `${what} must not contain credentials`);
  return raw.replace(/\/+$/, "");
}

/** JSON-RPC endpoint: http(s):// or ws(s):// URL. */
export function parseRpcUrl(raw: string, what: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch (cause) {
    throw new NodeError("INVALID_ARGUMENT", `${what} "${raw}" is not a URL (expected http(s):// or ws(s)://)`, { cause });
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(u.protocol)) throw new NodeError("INVALID_ARGUMENT", `${what} "${raw}" must be an http(s):// or ws(s):// URL`);
  if (raw.length > 512) throw new NodeError("INVALID_ARGUMENT", `${what} is ${raw.length} characters long (at most 512)`);
  return raw;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration: "120s", "2m", "1h", "500ms", or a bare number of seconds → milliseconds, within [minMs, maxMs]. */
export function parseDuration(raw: string | undefined, what: string, bounds: { minMs: number; maxMs: number }): number {
  if (raw === undefined || raw === "") throw new NodeError("MISSING_ARGUMENT", `${what} is required (a duration, e.g. 120s, 5m)`);
  const m = /^(0|[1-9][0-9]{0,9})(ms|s|m|h)?$/.exec(raw);
  if (!m) throw new NodeError("INVALID_ARGUMENT", `${what} "${raw}" is not a duration (a whole number with a unit: 500ms, 120s, 5m, 1h; no unit = seconds)`);
  const ms = Number(m[1]) * DURATION_UNITS[m[2] ?? "s"]!;
  const show = (x: number) => (x % 3_600_000 === 0 ? `${x / 3_600_000}h` : x % 60_000 === 0 ? `${x / 60_000}m` : x % 1_000 === 0 ? `${x / 1_000}s` : `${x}ms`);
  if (ms < bounds.minMs || ms > bounds.maxMs) throw new NodeError("INVALID_ARGUMENT", `${what} ${raw} is out of range (${show(bounds.minMs)} to ${show(bounds.maxMs)})`);
  return ms;
}

/** `0x…` private key flag → the key, checked (format and curve range). */
export function parsePrivateKeyFlag(raw: string, what: string): `0x${string}` {
  if (!/^0x[0-9a-fA-F]{64}$/.test(raw)) throw new NodeError("INVALID_ARGUMENT", `${what} must be a 0x-prefixed 32-byte hex private key`);
  const k = BigInt(raw);
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  if (k === 0n || k >= N) throw new NodeError("INVALID_ARGUMENT", `${what} is not a valid secp256k1 private key (must be between 1 and the curve order)`);
  return raw as `0x${string}`;
}
