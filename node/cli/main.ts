/**
 * `proofmesh` — one binary, command groups:
 *   proofmesh node <init|stake|register|join|leave|status|unbond|withdraw|serve|ceremony contribute> …  (operators; node/cli/node-commands.ts)
 *   proofmesh model ceremony <start|finalize> …                                      (the model owner; node/cli/model-commands.ts)
 *   proofmesh job <submit|status> …                                                  (dApps; sdk/cli/job-commands.ts)
 *   proofmesh audit <jobId> | proofmesh audit model <model> …                        (auditors; sdk/cli/audit-command.ts)
 * Each group exports `run({ argv, io }) → exit code`; errors are printed as one specific line.
 */
import { readEnv } from "../../config/env.ts";
import { releaseProverThreads } from "../../prover/release.ts";

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export type CommandGroup = { run(parameters: { argv: string[]; io: CliIo; env: Readonly<Record<string, string | undefined>> }): Promise<number> };

const GROUPS: Record<string, () => Promise<CommandGroup>> = {
  node: () => import("./node-commands.ts"),
  model: () => import("./model-commands.ts"),
  job: () => import("../../sdk/cli/job-commands.ts"),
  audit: () => import("../../sdk/cli/audit-command.ts"),
};

const USAGE = `usage: proofmesh <group> <command> [options]

groups:
  node   operate a node: init, stake, register, join, leave, status, unbond, withdraw, serve, ceremony contribute
  model  the model owner's trusted-setup ceremonies: ceremony start, ceremony finalize
  job    submit a paid inference job and follow it: submit, status
  audit  re-verify a job's proofs independently: audit <jobId>; a model's keys and ceremony: audit model <model>

Run 'proofmesh <group> --help' for a group's commands and options.`;

/** `env` defaults to the process environment (config/env.ts); tests pass their own. */
export async function main({ argv, io, env = readEnv() }: { argv: string[]; io: CliIo; env?: Readonly<Record<string, string | undefined>> }): Promise<number> {
  const [group, ...rest] = argv;
  if (!group || group === "--help" || group === "-h" || group === "help") {
    (group ? io.out : io.err)(USAGE);
    return group ? 0 : 2;
  }
  const load = GROUPS[group];
  if (!load) {
    io.err(`proofmesh: unknown command group "${group}" (expected one of: ${Object.keys(GROUPS).join(", ")})`);
    return 2;
  }
  const mod = await load();
  return mod.run({ argv: rest, io, env });
}

if (import.meta.main) {
  const io: CliIo = { out: (l) => process.stdout.write(l + "\n"), err: (l) => process.stderr.write(l + "\n") };
  main({ argv: process.argv.slice(2), io })
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        io.err(`proofmesh: ${e instanceof Error ? e.message : String(e)}`);
        process.exitCode = 1;
      },
    )
    // the ceremony and audit commands use snarkjs, whose worker threads would keep the process alive
    .finally(() => releaseProverThreads());
}
