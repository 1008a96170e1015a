/**
 * `proofmesh job <submit|status|deposit>` — the dApp side of ProofMesh from the command line.
 * Exit codes: 0 ok, 1 the operation failed (API error, chain mismatch, timeout), 2 usage error.
 */
import { readFile } from "node:fs/promises";

import { formatEther, isHex } from "viem";

import { getTestDigit, TEST_SIZE } from "../../prover/data/mnist.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { deposit } from "../deposit.ts";
import { InvalidParameterError } from "../errors.ts";
import { getJob } from "../get-job.ts";
import { getJobOnChain } from "../get-job-on-chain.ts";
import { decodeImage } from "../image/decode-image.ts";
import { submitJob } from "../submit-job.ts";
import { waitForSettlement } from "../wait-for-settlement.ts";
import {
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  connect,
  describeError,
  jsonLine,
  parse,
  parseAmount,
  parseDeploymentFile,
  parseIntArg,
  parseJobIdArg,
  parsePrivateKey,
  parseUrl,
  requireString,
  resolveDeployment,
  type CliEnv,
  type CliIo,
  type RunParameters,
} from "./common.ts";

export const USAGE = `usage: proofmesh job <command> [options]

commands:
  submit   pay for and submit one inference job
           (--mnist-index <0..${TEST_SIZE - 1}> | --image <file.png|file.pgm> [--invert])
           [--coordinator <url>] [--rpc-url <url>] [--private-key <0x..>] [--deployment <file>]
           [--model <id>] [--cluster <id>] [--max-fee <tokens>] [--deadline-seconds <s>]
           [--nonce <uint64>] [--wait answer|settled] [--timeout-seconds <s>] [--json]
  status   show a job: proofmesh job status <jobId> [--coordinator <url>] [--rpc-url <url>] [--json]
  deposit  move tokens into the JobMarket: proofmesh job deposit --amount <tokens> [--rpc-url] [--private-key] [--json]

environment: PROOFMESH_COORDINATOR_URL, PROOFMESH_RPC_URL, PROOFMESH_PRIVATE_KEY, PROOFMESH_DEPLOYMENTS
images: 28×28 grayscale, light digit on dark background (MNIST); --invert for dark on light.
amounts: tokens with up to 18 decimals ("2.5") or base units ("2500000000000000000wei").`;

const UINT128_MAX = (1n << 128n) - 1n;

const common = {
  coordinator: { type: "string" },
  "rpc-url": { type: "string" },
  "private-key": { type: "string" },
  deployment: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const coordinatorOf = (v: string | undefined, env: CliEnv) =>
  parseUrl(requireString(v ?? env.PROOFMESH_COORDINATOR_URL, "--coordinator", "or set PROOFMESH_COORDINATOR_URL"), "--coordinator");
const rpcOf = (v: string | undefined, env: CliEnv) => parseUrl(requireString(v ?? env.PROOFMESH_RPC_URL, "--rpc-url", "or set PROOFMESH_RPC_URL"), "--rpc-url");
const keyOf = (v: string | undefined, env: CliEnv) =>
  parsePrivateKey(requireString(v ?? env.PROOFMESH_PRIVATE_KEY, "--private-key", "or set PROOFMESH_PRIVATE_KEY"), v !== undefined ? "--private-key" : "PROOFMESH_PRIVATE_KEY");

async function submit(argv: string[], io: CliIo, env: CliEnv): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...common,
    "mnist-index": { type: "string" },
    image: { type: "string" },
    invert: { type: "boolean" },
    model: { type: "string" },
    cluster: { type: "string" },
    "max-fee": { type: "string" },
    "deadline-seconds": { type: "string" },
    nonce: { type: "string" },
    wait: { type: "string" },
    "timeout-seconds": { type: "string" },
  });
  if (values.help) return (io.out(USAGE), EXIT_OK);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  // Validate everything before touching the network.
  if (values["mnist-index"] === undefined && values.image === undefined) throw new UsageError("missing input: give --mnist-index <i> or --image <file>");
  if (values["mnist-index"] !== undefined && values.image !== undefined) throw new UsageError("give either --mnist-index or --image, not both");
  if (values.invert && values.image === undefined) throw new UsageError("--invert only applies to --image");
  const mnistIndex = values["mnist-index"] !== undefined ? parseIntArg(values["mnist-index"], "--mnist-index", 0, TEST_SIZE - 1) : undefined;
  const coordinatorUrl = coordinatorOf(values.coordinator, env);
  const rpcUrl = rpcOf(values["rpc-url"], env);
  const privateKey = keyOf(values["private-key"], env);
  const clusterId = values.cluster !== undefined ? parseIntArg(values.cluster, "--cluster", 1, 0xffffffff) : 1;
  const maxFee = values["max-fee"] !== undefined ? parseAmount(values["max-fee"], "--max-fee", UINT128_MAX) : undefined;
  if (maxFee === 0n) throw new UsageError("invalid --max-fee: must be positive");
  const deadlineSeconds = values["deadline-seconds"] !== undefined ? parseIntArg(values["deadline-seconds"], "--deadline-seconds", 1, 365 * 86_400) : undefined;
  let nonce: bigint | undefined;
  if (values.nonce !== undefined) {
    if (!/^[0-9]{1,20}$/.test(values.nonce) || BigInt(values.nonce) >= 1n << 64n) throw new UsageError(`invalid --nonce "${values.nonce}": expected a uint64`);
    nonce = BigInt(values.nonce);
  }
  const wait = values.wait ?? "answer";
  if (wait !== "answer" && wait !== "settled") throw new UsageError(`invalid --wait "${wait}": expected answer or settled`);
  const timeoutSeconds = values["timeout-seconds"] !== undefined ? parseIntArg(values["timeout-seconds"], "--timeout-seconds", 1, 86_400) : 300;
  if (values.model !== undefined && values.model.trim() === "") throw new UsageError("invalid --model: empty");
  if (values.model !== undefined && /^0x/i.test(values.model) && !(isHex(values.model) && values.model.length === 66)) {
    throw new UsageError(`invalid --model "${values.model}": a 0x model id must be 32 bytes (64 hex digits); or give the model name`);
  }
  const deploymentFile = parseDeploymentFile(values.deployment);

  let input: number[];
  let source: string;
  if (mnistIndex !== undefined) {
    input = Array.from(getTestDigit(mnistIndex).pixels);
    source = `MNIST test digit #${mnistIndex} (label ${getTestDigit(mnistIndex).label})`;
  } else {
    const file = values.image as string;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (e) {
      throw new UsageError(`cannot read --image ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      input = decodeImage({ bytes, invert: values.invert ?? false }).pixels;
    } catch (e) {
      throw new UsageError(`invalid --image ${file}: ${describeError(e)}`);
    }
    source = file;
  }

  const { publicClient, chainId, walletClient } = await connect({ rpcUrl, privateKey });
  const deployment = await resolveDeployment({ file: deploymentFile, env, chainId });
  const started = performance.now();
  const { jobId, request, answer } = await submitJob({
    coordinatorUrl,
    publicClient,
    walletClient: walletClient!,
    deployment,
    input,
    model: values.model,
    clusterId,
    maxFee,
    deadlineSeconds,
    nonce,
    timeoutMs: timeoutSeconds * 1000,
  }).catch((e: unknown) => {
    // the SDK names its parameters (and the model by its bytes32 id): name the flags as the user gave them
    if (e instanceof InvalidParameterError) {
      const m = e.shortMessage;
      if (m.startsWith("unknown model ")) throw new InvalidParameterError(`unknown --model "${values.model ?? DEFAULT_MODEL_ID}" (${m.slice("unknown model ".length)})`, { details: e.details });
      if (m.startsWith("deadlineSeconds ")) throw new InvalidParameterError(`invalid --deadline-seconds ${m.slice("deadlineSeconds ".length)}`, { details: e.details });
      if (m.startsWith("maxFee ")) throw new InvalidParameterError(`invalid --max-fee: ${m.slice("maxFee ".length)} (in base units)`, { details: e.details });
    }
    throw e;
  });
  const answeredMs = performance.now() - started;
  const route = answer.route.map((r) => `stage ${r.stage} → node ${r.nodeId}`).join(", ");
  if (!values.json) {
    io.out(`job ${jobId} submitted: ${source}, nonce ${request.nonce}, max fee ${formatEther(request.maxFee)}`);
    io.out(`answer: ${answer.result} (${answer.tentative ? "tentative" : "final"}, fast path ${answer.fastPathMs.toFixed(1)} ms, round trip ${answeredMs.toFixed(0)} ms; ${route})`);
  }
  let settled: Awaited<ReturnType<typeof waitForSettlement>> | undefined;
  if (wait === "settled") {
    settled = await waitForSettlement({ publicClient, deployment, coordinatorUrl, jobId, expectedResult: answer.result, timeoutMs: timeoutSeconds * 1000 });
    if (!values.json) io.out(`settled: result ${settled.result} verified on chain in tx ${settled.txHash} (block ${settled.blockNumber}), ${((performance.now() - started) / 1000).toFixed(1)} s after submission`);
  }
  if (values.json) {
    io.out(jsonLine({ jobId, request, answer, settled: settled ?? null, source }));
  }
  return EXIT_OK;
}

async function status(argv: string[], io: CliIo, env: CliEnv): Promise<number> {
  const { values, positionals } = parse(argv, common);
  if (values.help) return (io.out(USAGE), EXIT_OK);
  const jobId = parseJobIdArg(positionals[0]);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const coordinatorRaw = values.coordinator ?? env.PROOFMESH_COORDINATOR_URL;
  const rpcRaw = values["rpc-url"] ?? env.PROOFMESH_RPC_URL;
  if (!coordinatorRaw && !rpcRaw) throw new UsageError("missing --coordinator and --rpc-url: give at least one (or set PROOFMESH_COORDINATOR_URL / PROOFMESH_RPC_URL)");
  const coordinatorUrl = coordinatorRaw ? parseUrl(coordinatorRaw, "--coordinator") : undefined;
  const rpcUrl = rpcRaw ? parseUrl(rpcRaw, "--rpc-url") : undefined;
  const deploymentFile = parseDeploymentFile(values.deployment);

  const out: Record<string, unknown> = { jobId };
  let failed = false;
  if (coordinatorUrl) {
    try {
      out.coordinator = await getJob({ coordinatorUrl, jobId });
    } catch (e) {
      failed = true;
      out.coordinatorError = describeError(e);
    }
  }
  if (rpcUrl) {
    const { publicClient, chainId } = await connect({ rpcUrl });
    const deployment = await resolveDeployment({ file: deploymentFile, env, chainId });
    out.chain = await getJobOnChain({ publicClient, deployment, jobId });
  }
  if (values.json) io.out(jsonLine(out));
  else {
    io.out(`job ${jobId}`);
    const c = out.coordinator as { status: string; result?: number | null; tentative?: boolean; fastPathMs?: number | null } | undefined;
    if (c) io.out(`  coordinator: ${c.status}${typeof c.result === "number" ? `, result ${c.result}${c.tentative ? " (tentative)" : ""}` : ""}${typeof c.fastPathMs === "number" ? `, fast path ${c.fastPathMs.toFixed(1)} ms` : ""}`);
    if (out.coordinatorError) io.err(`  coordinator: ${String(out.coordinatorError)}`);
    const ch = out.chain as Awaited<ReturnType<typeof getJobOnChain>> | undefined;
    if (ch) io.out(`  chain: ${ch.status}${ch.result !== undefined ? `, verified result ${ch.result}` : ""}${ch.status === "Assigned" ? `, ${ch.nextStage}/${ch.shardCount} stages proven` : ""}`);
  }
  return failed ? EXIT_FAILED : EXIT_OK;
}

async function depositCommand(argv: string[], io: CliIo, env: CliEnv): Promise<number> {
  const { values, positionals } = parse(argv, { ...common, amount: { type: "string" } });
  if (values.help) return (io.out(USAGE), EXIT_OK);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const amount = parseAmount(requireString(values.amount, "--amount", "tokens to deposit, e.g. --amount 10"), "--amount");
  if (amount === 0n) throw new UsageError("invalid --amount: must be positive");
  const rpcUrl = rpcOf(values["rpc-url"], env);
  const privateKey = keyOf(values["private-key"], env);
  const deploymentFile = parseDeploymentFile(values.deployment);
  const { publicClient, chainId, walletClient } = await connect({ rpcUrl, privateKey });
  const deployment = await resolveDeployment({ file: deploymentFile, env, chainId });
  const res = await deposit({ publicClient, walletClient: walletClient!, deployment, amount });
  if (values.json) io.out(jsonLine(res));
  else io.out(`deposited ${formatEther(amount)} (tx ${res.depositTxHash}); JobMarket balance ${formatEther(res.balance)}`);
  return EXIT_OK;
}

const COMMANDS: Record<string, (argv: string[], io: CliIo, env: CliEnv) => Promise<number>> = { submit, status, deposit: depositCommand };

export async function run({ argv, io, env }: RunParameters): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    (command ? io.out : io.err)(USAGE);
    return command ? EXIT_OK : EXIT_USAGE;
  }
  const fn = COMMANDS[command];
  if (!fn) {
    io.err(`proofmesh job: unknown command "${command}" (expected one of: ${Object.keys(COMMANDS).join(", ")})`);
    return EXIT_USAGE;
  }
  try {
    return await fn(rest, io, env);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`proofmesh job ${command}: ${e.message}`);
      return EXIT_USAGE;
    }
    io.err(`proofmesh job ${command}: ${describeError(e)}`);
    return EXIT_FAILED;
  }
}
