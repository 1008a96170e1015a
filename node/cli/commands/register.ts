/** `register`, `join`, `leave`: the node's on-chain record and cluster membership. */
import { isHex, type Hex } from "viem";
import { toModelId } from "../../../deploy/protocol.ts";
import { readManifest } from "../../../prover/manifest.ts";
import { sendTx } from "../../chain/send-tx.ts";
import { writeConfigFile } from "../../config/home.ts";
import { NodeError } from "../../errors.ts";
import { parseCommandArgs, parseHttpUrl, parseUint, requireString } from "../args.ts";
import { loadChainContext, type ChainContext, type Env } from "../context.ts";
import { formatToken, type Output } from "../output.ts";

type CommandParameters = { argv: string[]; env: Env; out: Output };

const UINT32_MAX = 4_294_967_295n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Reads a cluster, turning "does not exist" into UNKNOWN_CLUSTER with the known range. */
export async function getClusterOrThrow(ctx: ChainContext, clusterId: number, command: string) {
  const count = await ctx.contracts.stake.read.clusterCount();
  if (clusterId < 1 || clusterId > count) {
    throw new NodeError("UNKNOWN_CLUSTER", `${command}: cluster ${clusterId} does not exist (${count === 0 ? "no clusters exist yet" : `known clusters: 1..${count}`})`, {
      details: "ask the network owner for a cluster id (clusters are created by the StakeRegistry owner)",
    });
  }
  const cluster = await ctx.contracts.stake.read.getCluster([clusterId]);
  if (!cluster.active) throw new NodeError("CLUSTER_INACTIVE", `${command}: cluster ${clusterId} (${cluster.label}) is deactivated`);
  return cluster;
}

/** StakeRegistry.MAX_MODELS_PER_NODE / MAX_ENDPOINT_LENGTH (checked here so a bad argument never becomes a reverted transaction). */
const MAX_MODELS_PER_NODE = 32;
const MAX_ENDPOINT_BYTES = 256;

/** `--models a,b` → the names, checked without the chain (non-empty, no duplicates, 0x ids of 32 bytes, at most 32). */
function parseModelNames(raw: string): string[] {
  const names = raw.split(",").map((s) => s.trim());
  if (names.every((n) => n.length === 0)) throw new NodeError("MISSING_ARGUMENT", "register: --models needs at least one model id");
  const empty = names.findIndex((n) => n.length === 0);
  if (empty >= 0) throw new NodeError("INVALID_ARGUMENT", `register: --models "${raw}" has an empty model id at position ${empty + 1}`);
  if (names.length > MAX_MODELS_PER_NODE) throw new NodeError("INVALID_ARGUMENT", `register: --models lists ${names.length} models, at most ${MAX_MODELS_PER_NODE}`);
  for (const name of names) {
    if (/^0x/i.test(name) && !(isHex(name) && name.length === 66)) {
      throw new NodeError("INVALID_ARGUMENT", `register: --models: "${name}" is neither a model name nor a 0x-prefixed 32-byte model id`);
    }
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new NodeError("INVALID_ARGUMENT", `register: --models lists "${dup}" twice`);
  return names;
}

/** Manifest ids ("mnist-mlp-784-64-32-10") or 0x bytes32 model ids → on-chain ids, each registered. */
async function resolveModels(ctx: ChainContext, names: string[]): Promise<{ modelIds: Hex[]; names: string[] }> {
  const known = readManifest().models.map((m) => m.id);
  const modelIds: Hex[] = [];
  for (const name of names) {
    const modelId = toModelId(name);
    const info = await ctx.contracts.models.read.modelInfo([modelId]);
    if (info.index === 0) {
      throw new NodeError("UNKNOWN_MODEL", `register: model "${name}" (${modelId}) is not registered in the ModelRegistry`, {
        details: `models in the local manifest: ${known.join(", ")}`,
      });
    }
    modelIds.push(modelId);
  }
  return { modelIds, names };
}

function parseEndpoint(raw: string): string {
  const endpoint = parseHttpUrl(raw, "register: --endpoint");
  const bytes = Buffer.byteLength(endpoint);
  if (bytes > MAX_ENDPOINT_BYTES) throw new NodeError("INVALID_ARGUMENT", `register: --endpoint is ${bytes} bytes long, the StakeRegistry takes at most ${MAX_ENDPOINT_BYTES}`);
  return endpoint;
}

export const REGISTER_OPTIONS = {
  endpoint: { type: "string" },
  cluster: { type: "string" },
  "memory-bytes": { type: "string" },
  models: { type: "string" },
} as const;

/** `register --endpoint <url> --cluster <id> --memory-bytes <n> --models <id,…>` */
export async function registerCommand({ argv, env, out }: CommandParameters): Promise<number> {
  const { values } = parseCommandArgs({ command: "register", argv, options: REGISTER_OPTIONS, maxPositionals: 0 });
  const endpointFlag = values.endpoint !== undefined ? parseEndpoint(values.endpoint as string) : undefined;
  const clusterId = Number(parseUint(requireString(values, "cluster", "register", "0 = no cluster"), "register: --cluster", UINT32_MAX));
  const memoryBytes = parseUint(requireString(values, "memory-bytes", "register", "memory the node offers for shards"), "register: --memory-bytes", UINT64_MAX);
  if (memoryBytes === 0n) throw new NodeError("INVALID_ARGUMENT", "register: --memory-bytes must be greater than 0 (memory the node offers for shards)");
  const modelNames = parseModelNames(requireString(values, "models", "register", "comma-separated model ids, e.g. mnist-mlp-784-64-32-10"));
  const ctx = await loadChainContext({ values, env, command: "register" });
  const endpoint = endpointFlag ?? parseEndpoint(ctx.file.endpoint ?? requireString(values, "endpoint", "register", "the node's public HTTP URL"));
  const { stake } = ctx.contracts;
  const existing = await stake.read.nodeIdOf([ctx.operator]);
  if (existing !== 0) {
    throw new NodeError("ALREADY_REGISTERED", `register: operator ${ctx.operator} is already registered as node ${existing}`, {
      details: "one node per operator: see `proofmesh node status`; change cluster with `leave` / `join`",
    });
  }
  const cluster = clusterId === 0 ? undefined : await getClusterOrThrow(ctx, clusterId, "register");
  const { modelIds, names } = await resolveModels(ctx, modelNames);
  const gas = await ctx.chain.publicClient.getBalance({ address: ctx.operator });
  if (gas === 0n) {
    throw new NodeError("INSUFFICIENT_GAS_FUNDS", `register: operator ${ctx.operator} has no native currency to pay for gas`, { details: "send some ETH to the operator address" });
  }
  const signer = ctx.keys.signer.address;
  const sent = await sendTx({
    publicClient: ctx.chain.publicClient,
    walletClient: ctx.chain.walletClient!,
    onProgress: out.progress,
    address: stake.address,
    abi: stake.abi,
    functionName: "registerNode",
    args: [endpoint, clusterId, memoryBytes, modelIds, signer],
    label: "registerNode",
  });
  const nodeId = await stake.read.nodeIdOf([ctx.operator]);
  if (ctx.file.endpoint !== endpoint || ctx.file.chainId !== ctx.chain.chainId) {
    writeConfigFile(ctx.paths, { ...ctx.file, endpoint, chainId: ctx.chain.chainId });
  }
  const human = [`registered node ${nodeId} (operator ${ctx.operator}, signer ${signer}) at ${endpoint}`, `  models: ${names.join(", ")}`];
  if (cluster) {
    human.push(`  cluster ${clusterId} (${cluster.label}, ${cluster.region}), minimum stake ${formatToken(cluster.minStake)}`);
    if (cluster.minStake > 0n) human.push(`next: \`proofmesh node stake ${Number(cluster.minStake / 10n ** 18n)}\` (the node is not assigned jobs below the minimum)`);
  }
  out.result({ nodeId, operator: ctx.operator, signer, endpoint, clusterId, memoryBytes, modelIds, txs: [sent] }, human);
  return 0;
}

async function callerNode(ctx: ChainContext, command: string) {
  const nodeId = await ctx.contracts.stake.read.nodeIdOf([ctx.operator]);
  if (nodeId === 0) {
    throw new NodeError("NOT_REGISTERED", `${command}: operator ${ctx.operator} has no node on chain`, { details: "run `proofmesh node register …` first" });
  }
  return { nodeId, node: await ctx.contracts.stake.read.getNode([nodeId]) };
}

/** `join <clusterId>`: refuses when the node is in a cluster or its stake is below the minimum. */
export async function joinCommand({ argv, env, out }: CommandParameters): Promise<number> {
  const { values, positionals } = parseCommandArgs({ command: "join", argv, options: { "allow-below-minimum": { type: "boolean" } }, maxPositionals: 1 });
  const clusterId = Number(parseUint(positionals[0], "join: <clusterId>", UINT32_MAX));
  if (clusterId === 0) throw new NodeError("INVALID_ARGUMENT", "join: <clusterId> must be at least 1 (cluster 0 means no cluster; use `proofmesh node leave`)");
  const ctx = await loadChainContext({ values, env, command: "join" });
  const { nodeId, node } = await callerNode(ctx, "join");
  if (node.clusterId !== 0) {
    throw new NodeError("ALREADY_IN_CLUSTER", `join: node ${nodeId} is already in cluster ${node.clusterId}`, { details: "run `proofmesh node leave` first" });
  }
  const cluster = await getClusterOrThrow(ctx, clusterId, "join");
  if (node.stake < cluster.minStake && values["allow-below-minimum"] !== true) {
    throw new NodeError(
      "STAKE_BELOW_MINIMUM",
      `join: node ${nodeId} has ${formatToken(node.stake)} staked, below cluster ${clusterId}'s minimum ${formatToken(cluster.minStake)}`,
      { details: `stake ${formatToken(cluster.minStake - node.stake)} more first (\`proofmesh node stake <amount>\`), or pass --allow-below-minimum` },
    );
  }
  const { stake } = ctx.contracts;
  const sent = await sendTx({ publicClient: ctx.chain.publicClient, walletClient: ctx.chain.walletClient!, onProgress: out.progress, address: stake.address, abi: stake.abi, functionName: "joinCluster", args: [clusterId], label: "joinCluster" });
  out.result({ nodeId, clusterId, txs: [sent] }, [`node ${nodeId} joined cluster ${clusterId} (${cluster.label})`]);
  return 0;
}

/** `leave`: leaves the current cluster (not while assigned to open jobs). */
export async function leaveCommand({ argv, env, out }: CommandParameters): Promise<number> {
  const { values } = parseCommandArgs({ command: "leave", argv, options: {}, maxPositionals: 0 });
  const ctx = await loadChainContext({ values, env, command: "leave" });
  const { nodeId, node } = await callerNode(ctx, "leave");
  if (node.clusterId === 0) throw new NodeError("NOT_IN_CLUSTER", `leave: node ${nodeId} is not in a cluster`);
  if (node.openJobs > 0n) {
    throw new NodeError("STAKE_LOCKED", `leave: node ${nodeId} is assigned to ${node.openJobs} open job stage(s); membership is locked`, { details: "wait until they are proven or expired" });
  }
  const { stake } = ctx.contracts;
  const sent = await sendTx({ publicClient: ctx.chain.publicClient, walletClient: ctx.chain.walletClient!, onProgress: out.progress, address: stake.address, abi: stake.abi, functionName: "leaveCluster", args: [], label: "leaveCluster" });
  out.result({ nodeId, clusterId: node.clusterId, txs: [sent] }, [`node ${nodeId} left cluster ${node.clusterId}`]);
  return 0;
}
