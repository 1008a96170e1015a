/**
 * `proofmesh node <command>` — the operator CLI. Every command prints human output, or one JSON
 * object with `--json` ({ ok: true, command, … } / { ok: false, command, code, message }), and
 * returns an exit code (0 ok, 1 failure, 2 usage).
 */
import { NodeError } from "../errors.ts";
import { createOutput, type CliIo } from "./output.ts";

export const NODE_USAGE = `usage: proofmesh node <command> [options]

commands:
  init       [--name <n> | --home <dir>] [--rpc-url <url>] [--endpoint <url>] [--coordinator <url>]
             [--deployments <dir>] [--operator-key <0x…>] [--chain-id <id>]
             create the operator key, the node signing key and <home>/config.json (never overwrites)
  register   --endpoint <url> --cluster <id|0> --memory-bytes <n> --models <id,…>
             register this operator's node (signer = the home's node key)
  stake      <amount> [--no-approve] [--allow-below-minimum]
             approve (if needed) and stake <amount> PMT (decimal, e.g. 100 or 0.5)
  join       <clusterId> [--allow-below-minimum]     join a cluster (stake must reach its minimum)
  leave                                             leave the current cluster
  status                                            stake, cluster, assignments, earnings, daemon and coordinator health
  unbond     <amount>                               move stake into unbonding (slashable until withdrawn)
  withdraw   [--earnings [--amount <a>]]            withdraw unbonded stake, or job earnings
  faucet     <amount>                               mint demo PMT (local chains deployed with the faucet)
  serve      [daemon flags, see 'proofmesh node serve --help']
  ceremony contribute <model> [--poll-interval <duration>]
             wait for this operator's turn in the model's trusted-setup ceremony (coordinator), then
             verify the current keys, add a secret contribution (fresh entropy, never written), upload it

common options:
  --home <dir>         node state folder (default ./.proofmesh/<name>, or PROOFMESH_HOME)
  --name <name>        node name under ./.proofmesh (default "node")
  --rpc-url <url>      EVM JSON-RPC endpoint (or PROOFMESH_RPC_URL, or rpcUrl in the config)
  --deployments <dir>  folder with <chainId>.json from \`npm run deploy\` (default deploy/deployments)
  --coordinator <url>  coordinator base URL (or PROOFMESH_COORDINATOR_URL)
  --json               one JSON object on stdout (progress goes to stderr)`;

type Parameters = { argv: string[]; io: CliIo; env: Readonly<Record<string, string | undefined>> };

type Handler = (p: { argv: string[]; env: Parameters["env"]; out: ReturnType<typeof createOutput>; io: CliIo }) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Handler>> = {
  init: async () => (await import("./commands/init.ts")).initCommand,
  register: async () => (await import("./commands/register.ts")).registerCommand,
  join: async () => (await import("./commands/register.ts")).joinCommand,
  leave: async () => (await import("./commands/register.ts")).leaveCommand,
  stake: async () => (await import("./commands/stake.ts")).stakeCommand,
  unbond: async () => (await import("./commands/stake.ts")).unbondCommand,
  withdraw: async () => (await import("./commands/stake.ts")).withdrawCommand,
  faucet: async () => (await import("./commands/stake.ts")).faucetCommand,
  status: async () => (await import("./commands/status.ts")).statusCommand,
  serve: async () => (await import("./commands/serve.ts")).serveCommand,
  ceremony: async () => ceremonyCommand,
};

const CEREMONY_ACTIONS: Record<string, () => Promise<Handler>> = {
  contribute: async () => (await import("./commands/ceremony-contribute.ts")).ceremonyContributeCommand,
};

/** `<group> ceremony [--json|--help] <action> …`: the action, and the arguments without it. */
export function splitAction(argv: string[]): { action: string | undefined; rest: string[] } {
  const i = argv.findIndex((a) => a !== "--json" && a !== "--help" && a !== "-h");
  const action = i >= 0 && !argv[i]!.startsWith("-") ? argv[i] : undefined;
  return { action, rest: action === undefined ? argv : argv.filter((_, j) => j !== i) };
}

/** `ceremony <action>`: `run` has already taken the action off (see `name` there). */
const ceremonyCommand: Handler = async (p) => {
  const { action, rest } = splitAction(p.argv);
  if (!action) throw new NodeError("MISSING_ARGUMENT", `ceremony: missing command (expected: ${Object.keys(CEREMONY_ACTIONS).join(", ")})`);
  const load = CEREMONY_ACTIONS[action];
  if (!load) throw new NodeError("UNKNOWN_COMMAND", `ceremony: unknown command "${action}" (expected: ${Object.keys(CEREMONY_ACTIONS).join(", ")})`);
  return (await load())({ ...p, argv: rest });
};

export async function run({ argv, io, env }: Parameters): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    (command ? io.out : io.err)(NODE_USAGE);
    return command ? 0 : 2;
  }
  const json = rest.includes("--json");
  // `ceremony <action>` is one command for the output ("proofmesh node ceremony contribute: …")
  const action = command === "ceremony" ? splitAction(rest).action : undefined;
  const out = createOutput({ io, json, command: action && CEREMONY_ACTIONS[action] ? `ceremony ${action}` : command });
  const load = COMMANDS[command];
  if (!load) {
    return out.failure(new NodeError("UNKNOWN_COMMAND", `unknown command "${command}" (expected one of: ${Object.keys(COMMANDS).join(", ")})`));
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    if (command === "serve") {
      const { SERVE_USAGE } = await import("./commands/serve.ts");
      io.out(SERVE_USAGE);
    } else {
      io.out(NODE_USAGE);
    }
    return 0;
  }
  try {
    const handler = await load();
    return await handler({ argv: rest, env, out, io });
  } catch (err) {
    return out.failure(err);
  }
}
