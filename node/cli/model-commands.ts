/**
 * `proofmesh model ceremony <start|finalize> <model>` — the model owner's commands (the
 * ModelRegistry owner's key: --operator-key, or the operator key of --home). Same conventions as
 * `proofmesh node`: human output or one JSON object with `--json`, exit 0 ok / 1 failure / 2 usage.
 */
import { NodeError } from "../errors.ts";
import { createOutput, type CliIo } from "./output.ts";
import { splitAction } from "./node-commands.ts";
import type { Env } from "./context.ts";

export const MODEL_USAGE = `usage: proofmesh model ceremony <start|finalize> <model> [options]

commands:
  ceremony start <model>     [--contributors <0x…,0x…> | --clusters <id,…>] [--contributor-timeout <duration, e.g. 120s>]
                             [--beacon-delay-blocks <n>] [--operator-key <0x…> | --home <dir>]
             open the model's trusted-setup ceremony on the coordinator (signed by the ModelRegistry
             owner): contributors in turn (default: the operators staked in --clusters, default every
             active cluster), each with a timeout (default 120s), and the beacon block (default 60 blocks ahead)
  ceremony finalize <model>  [--out <dir>] [--price-per-stage <PMT>] [--operator-key <0x…> | --home <dir>]
             when every contributor is done: check the keys, apply the beacon block's hash, deploy the
             verifiers, register the model with its ceremony record, publish the final keys
             (written to --out, default <home>/keys/<chainId>/<model>)

common options: --home <dir>, --name <n>, --rpc-url <url>, --deployments <dir>, --coordinator <url>, --json
(see 'proofmesh node --help'; with --operator-key the home is optional)`;

type Handler = (p: { argv: string[]; env: Env; out: ReturnType<typeof createOutput>; io: CliIo }) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Handler>> = {
  "ceremony start": async () => (await import("./commands/ceremony-start.ts")).ceremonyStartCommand,
  "ceremony finalize": async () => (await import("./commands/ceremony-finalize.ts")).ceremonyFinalizeCommand,
};

export async function run({ argv, io, env }: { argv: string[]; io: CliIo; env: Env }): Promise<number> {
  const [command, ...rest0] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    (command ? io.out : io.err)(MODEL_USAGE);
    return command ? 0 : 2;
  }
  const json = rest0.includes("--json");
  if (command !== "ceremony") {
    return createOutput({ io, json, command, group: "model" }).failure(new NodeError("UNKNOWN_COMMAND", `unknown command "${command}" (expected: ceremony)`));
  }
  const { action, rest } = splitAction(rest0);
  const name = action && COMMANDS[`ceremony ${action}`] ? `ceremony ${action}` : "ceremony";
  const out = createOutput({ io, json, command: name, group: "model" });
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(MODEL_USAGE);
    return 0;
  }
  if (!action) return out.failure(new NodeError("MISSING_ARGUMENT", "ceremony: missing command (expected: start, finalize)"));
  const load = COMMANDS[`ceremony ${action}`];
  if (!load) return out.failure(new NodeError("UNKNOWN_COMMAND", `ceremony: unknown command "${action}" (expected: start, finalize)`));
  try {
    const handler = await load();
    return await handler({ argv: rest, env, out, io });
  } catch (err) {
    return out.failure(err);
  }
}
