/** Argument parsing for `proofmesh node …`: node:util parseArgs with errors that name the argument. */
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

export function parseCommandArgs(parameters: { command: string; argv: string[]; options: OptionSpec; maxPositionals: number }): ParsedArgs {
  const { command, argv, options, maxPositionals } = parameters;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (cause) {
    const msg = (cause as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(msg);
    if (unknown) throw new NodeError("INVALID_ARGUMENT", `${command}: unknown option ${unknown[1]} (see \`proofmesh node ${command} --help\`)`, { cause });
    const missingValue = /Option '([^']+?)(?: <value>)?' argument missing/.exec(msg);
    if (missingValue) throw new NodeError("MISSING_ARGUMENT", `${command}: option ${missingValue[1].split(",").pop()!.trim()} needs a value`, { cause });
    throw new NodeError("INVALID_ARGUMENT", `${command}: ${msg}`, { cause });
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new NodeError("INVALID_ARGUMENT", `${command}: unexpected argument "${parsed.positionals[maxPositionals]}"`);
  }
  return parsed as ParsedArgs;
}

export function requireString(values: ParsedArgs["values"], name: string, command: string, hint = ""): string {
  const v = values[name];
  if (typeof v !== "string" || v.length === 0) throw new NodeError("MISSING_ARGUMENT", `${command}: --${name} is required${hint ? ` (${hint})` : ""}`);
  return v;
}

/** Token amount in whole tokens with up to 18 decimals ("100", "0.5") → base units. */
export function parseTokenAmount(raw: string | undefined, what: string): bigint {
  if (raw === undefined || raw === "") throw new NodeError("MISSING_ARGUMENT", `${what} is required (token amount, e.g. 100 or 0.5)`);
  if (!/^(0|[1-9][0-9]{0,20})(\.[0-9]{1,18})?$/.test(raw)) {
    throw new NodeError("INVALID_ARGUMENT", `${what} "${raw}" is not a token amount (decimal, at most 18 decimals, e.g. 100 or 0.5)`);
  }
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
