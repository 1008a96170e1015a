/** CLI output: human lines on stdout, or one JSON object (`--json`) with progress on stderr. */
import { formatUnits } from "viem";
import type { TxProgress } from "../chain/send-tx.ts";
import { NodeError } from "../errors.ts";

export type CliIo = { out(line: string): void; err(line: string): void };

export type Output = {
  readonly json: boolean;
  /** an informational line (human mode: stdout; json mode: stderr) */
  info(line: string): void;
  warn(line: string): void;
  progress(p: TxProgress): void;
  /** the command's result: JSON object, or the human lines */
  result(data: Record<string, unknown>, human: string[]): void;
  failure(err: unknown): number;
};

export const formatToken = (v: bigint) => `${formatUnits(v, 18)} PMT`;

export function jsonReplacer(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}

/** `group`: the command group the error line names (`proofmesh <group> <command>: …`), default "node". */
export function createOutput(parameters: { io: CliIo; json: boolean; command: string; group?: string }): Output {
  const { io, json, command, group = "node" } = parameters;
  const info = (line: string) => (json ? io.err(line) : io.out(line));
  return {
    json,
    info,
    warn: (line) => io.err(`warning: ${line}`),
    progress(p) {
      if (p.phase === "sent") info(`  ${p.label}: sent ${p.hash}`);
      else info(`  ${p.label}: mined in block ${p.blockNumber} (gas ${p.gasUsed})`);
    },
    result(data, human) {
      if (json) io.out(JSON.stringify({ ok: true, command, ...data }, jsonReplacer));
      else for (const line of human) io.out(line);
    },
    failure(err) {
      const e =
        err instanceof NodeError ? err : new NodeError("CONTRACT_ERROR", err instanceof Error ? err.message : String(err), { cause: err });
      if (json) io.out(JSON.stringify({ ok: false, command, code: e.code, message: e.shortMessage, details: e.details }, jsonReplacer));
      const msg = e.shortMessage.startsWith(`${command}: `) ? e.shortMessage.slice(command.length + 2) : e.shortMessage;
      io.err(`proofmesh ${group} ${command}: ${msg}`);
      if (e.details) io.err(`  ${e.details}`);
      return e.exitCode;
    },
  };
}
