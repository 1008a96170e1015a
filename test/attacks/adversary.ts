/**
 * The adversary of the attack tests (not a test file): an operator that is a GENUINELY registered,
 * staked cluster member — on-boarded through the real operator CLI (init → faucet → register →
 * stake → join, exactly as the harness sets up honest nodes) or with the same transactions sent
 * directly — but whose node is this code instead of the real daemon: an HTTP server answering
 * `GET /v1/health` and `POST /v1/stages/execute` (with the integer reference, honestly or with a
 * lie), and a libp2p gossip peer publishing heartbeats signed with the node's registered signing
 * key, so the coordinator sees it alive and routes to it. It never proves by itself: the tests
 * decide what (if anything) it submits to the JobMarket.
 */
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { pino } from "pino";
import {
  BaseError,
  ContractFunctionRevertedError,
  createWalletClient,
  decodeFunctionData,
  getAddress,
  http,
  parseEther,
  type Address,
  type Chain,
  type Hex,
  type PrivateKeyAccount,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { jobMarketAbi, modelRegistryAbi, proofMeshTokenAbi, stakeRegistryAbi } from "../../contracts/abi/index.ts";
import { toModelId } from "../../deploy/protocol.ts";
import { homePaths, readKeys } from "../../node/config/home.ts";
import { forwardStage } from "../../node/daemon/forward.ts";
import { createGossipMesh, type GossipMesh } from "../../node/gossip/mesh.ts";
import { parseStageExecuteRequest, type StageExecuteRequest, type StageExecuteResponse, type StageTrace } from "../../node/wire/messages.ts";
import type { ProofCalldata } from "../../prover/prove-shard.ts";
import { argmax, runIntLayers } from "../../prover/quant/reference.ts";
import { loadShardArtifacts } from "../../prover/shard-artifacts.ts";
import { tmpdir } from "node:os";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { cli, DEV_KEYS, startLocalMesh, type LocalMesh } from "../harness/local-mesh.ts";
import { waitFor } from "../harness/processes.ts";

export const silentLog = pino({ level: "silent" });

/**
 * The honest mesh of the proof and gossip attack tests: clusters 1 (eu-west) and 2 (us-east), node a
 * (stage 0) and node b (stage 1) in cluster 1, the default model. Harness keys: deployer 0, a 1, b 2, dApp 3.
 */
export function startAttackMesh({ name }: { name: string }): Promise<LocalMesh> {
  return startLocalMesh({
    workDir: join(tmpdir(), `proofmesh-attack-${name}-${process.pid}`),
    clusters: [
      { label: "eu-west", region: "eu-west-1", minStake: "100" },
      { label: "us-east", region: "us-east-1", minStake: "100" },
    ],
    nodes: [
      { name: "a", clusterId: 1, oneWayDelayMs: 2, memoryBytes: 25_000_000n, stake: "150", shards: `${DEFAULT_MODEL_ID}:0` },
      { name: "b", clusterId: 1, oneWayDelayMs: 3, memoryBytes: 25_000_000n, stake: "150", shards: `${DEFAULT_MODEL_ID}:1` },
    ],
    modelId: DEFAULT_MODEL_ID,
    parallelNodeSetup: true,
    // a loaded machine (2 cores, several meshes) must not turn slow honest stages into test failures
    coordinatorArgs: ["--stage-timeout-ms", "30000"],
    log: () => {},
  });
}

/** Runs the real operator CLI; throws with its output on a non-zero exit. */
async function cliOk(mesh: LocalMesh, name: string, args: string[]): Promise<void> {
  const r = await cli(mesh.group, name, args);
  if (r.code !== 0) throw new Error(`proofmesh ${args.join(" ")} failed (exit ${r.code}):\n${r.out.slice(-2000)}`);
}

export type ProvisionedNode = { name: string; nodeId: number; operator: PrivateKeyAccount; signer: PrivateKeyAccount; wallet: WalletClient<Transport, Chain, PrivateKeyAccount> };

export type ProvisionNodeParameters = {
  mesh: LocalMesh;
  name: string;
  key: Hex;
  clusterId: number;
  endpoint: string;
  memoryBytes: bigint;
  stake: string;
  /** manifest model ids, comma-separated */
  models: string;
  /** "cli": `proofmesh node init → faucet → register → stake → join` as an operator would (default);
   *  "viem": the same on-boarding as plain contract calls (seconds faster per node) */
  via?: "cli" | "viem";
};

/** Registers, stakes and joins a node of `clusterId` with a dev key (its signing key is fresh). */
export async function provisionNode(p: ProvisionNodeParameters): Promise<ProvisionedNode> {
  const { mesh, name } = p;
  const chain = mesh.publicClient.chain!;
  const c = mesh.deployment.contracts;
  let operator: PrivateKeyAccount;
  let signer: PrivateKeyAccount;
  if ((p.via ?? "cli") === "cli") {
    const home = join(mesh.group.logDir, "..", "nodes", name);
    const common = ["--home", home, "--rpc-url", mesh.chainRpcUrl, "--deployments", mesh.deploymentsDir];
    await cliOk(mesh, `${name}-init`, ["node", "init", ...common, "--operator-key", p.key, "--endpoint", p.endpoint, "--coordinator", mesh.coordinatorUrl]);
    await cliOk(mesh, `${name}-faucet`, ["node", "faucet", p.stake, ...common]);
    await cliOk(mesh, `${name}-register`, ["node", "register", ...common, "--endpoint", p.endpoint, "--cluster", "0", "--memory-bytes", String(p.memoryBytes), "--models", p.models]);
    await cliOk(mesh, `${name}-stake`, ["node", "stake", p.stake, ...common]);
    await cliOk(mesh, `${name}-join`, ["node", "join", String(p.clusterId), ...common]);
    ({ operator, signer } = readKeys(homePaths(home)));
  } else {
    operator = privateKeyToAccount(p.key);
    signer = privateKeyToAccount(generatePrivateKey());
    const wallet = createWalletClient({ chain, transport: http(mesh.chainRpcUrl), account: operator });
    const admin = createWalletClient({ chain, transport: http(mesh.chainRpcUrl), account: privateKeyToAccount(DEV_KEYS[0]) });
    const amount = parseEther(p.stake);
    const mined = async (hash: Hex) => {
      const r = await mesh.publicClient.waitForTransactionReceipt({ hash });
      if (r.status !== "success") throw new Error(`on-boarding transaction ${hash} of ${name} reverted`);
    };
    const modelIds = p.models.split(",").map((m) => toModelId(m.trim()));
    await mined(await admin.writeContract({ address: c.ProofMeshToken.address, abi: proofMeshTokenAbi, functionName: "mint", args: [operator.address, amount] }));
    await mined(await wallet.writeContract({ address: c.ProofMeshToken.address, abi: proofMeshTokenAbi, functionName: "approve", args: [c.StakeRegistry.address, amount] }));
    await mined(await wallet.writeContract({ address: c.StakeRegistry.address, abi: stakeRegistryAbi, functionName: "registerNode", args: [p.endpoint, 0, p.memoryBytes, modelIds, signer.address] }));
    await mined(await wallet.writeContract({ address: c.StakeRegistry.address, abi: stakeRegistryAbi, functionName: "stake", args: [amount] }));
    await mined(await wallet.writeContract({ address: c.StakeRegistry.address, abi: stakeRegistryAbi, functionName: "joinCluster", args: [p.clusterId] }));
  }
  const nodeId = Number(await mesh.publicClient.readContract({ address: c.StakeRegistry.address, abi: stakeRegistryAbi, functionName: "nodeIdOf", args: [operator.address] }));
  if (nodeId === 0) throw new Error(`${name} is not registered`);
  const wallet = createWalletClient({ chain, transport: http(mesh.chainRpcUrl), account: operator });
  return { name, nodeId, operator, signer, wallet };
}

/** The coordinator's gossip multiaddr (what nodes bootstrap from). */
export async function coordinatorPeer(mesh: LocalMesh): Promise<string> {
  const h = (await (await fetch(`${mesh.coordinatorUrl}/v1/health`)).json()) as { gossip: { multiaddrs: string[] } | null };
  const addr = h.gossip?.multiaddrs[0];
  if (!addr) throw new Error("the coordinator has no gossip multiaddr");
  return addr;
}

/** What a lying node does to the last shard's logits (must keep them integers). */
export type Lie = (logits: number[]) => number[];

/** Makes the runner-up class win by one: a plausible wrong answer. */
export const flipTopClass: Lie = (logits) => {
  const truth = argmax(logits);
  const wrong = (truth + 1) % logits.length;
  const out = [...logits];
  out[wrong] = logits[truth] + 1;
  return out;
};

export type AdversaryNode = ProvisionedNode & {
  url: string;
  endpoint: string;
  mesh: GossipMesh;
  /** every stage execution it received, in order (the input is what it would have to prove) */
  received: StageExecuteRequest[];
  /** the answers it sent back */
  answered: StageExecuteResponse[];
  inputOf(jobId: bigint, stage: number): number[];
  stop(): Promise<void>;
};

export type StartAdversaryNodeParameters = {
  mesh: LocalMesh;
  name: string;
  key: Hex;
  clusterId: number;
  /** stages of `modelName` it claims to serve (heartbeat servedShards) */
  shards: number[];
  modelName: string;
  stake: string;
  memoryBytes: bigint;
  /** rewrite the last shard's logits (the lie); omitted = honest fast path */
  lie?: Lie;
  /** rewrite the whole answer before it is sent (e.g. lie about which nodes ran the stages) */
  rewrite?: (response: StageExecuteResponse) => StageExecuteResponse;
  /** extra gossip topics to subscribe to (to capture other clusters' heartbeats) */
  extraClusterIds?: number[];
  /** on-boarding through the operator CLI (default) or plain contract calls */
  via?: "cli" | "viem";
};

/** Starts the adversary's HTTP server and gossip peer, provisions it through the CLI, and waits until the coordinator sees it alive. */
export async function startAdversaryNode(p: StartAdversaryNodeParameters): Promise<AdversaryNode> {
  const { mesh, modelName, shards, lie } = p;
  const modelId = toModelId(modelName).toLowerCase() as Hex;
  const shardCount = (await mesh.publicClient.readContract({ address: mesh.deployment.contracts.ModelRegistry.address, abi: modelRegistryAbi, functionName: "modelInfo", args: [modelId] })).shardCount;
  const received: StageExecuteRequest[] = [];
  const answered: StageExecuteResponse[] = [];
  let self: { nodeId: number; operator: Address } | undefined;

  const runStage = (stage: number, input: number[]) => {
    const t0 = performance.now();
    const out = runIntLayers({ layers: loadShardArtifacts({ modelId: modelName, shard: stage }).layers, input });
    return { out, computeMs: performance.now() - t0 };
  };

  /** Executes the request's stage and every following hop whose first candidate is itself; forwards the rest like a node. */
  async function execute(req: StageExecuteRequest): Promise<StageExecuteResponse> {
    const t0 = performance.now();
    const me = self!;
    const traces: StageTrace[] = [];
    let x = req.input;
    let stage = req.stage;
    let route = req.route;
    for (;;) {
      received.push({ ...req, stage, input: x, route });
      const { out, computeMs } = runStage(stage, x);
      traces.push({ stage, nodeId: me.nodeId, address: me.operator, computeMs, totalMs: 0, backend: "native", failedCandidates: [] });
      x = out;
      if (route.length === 0) {
        const output = lie ? lie(out) : out;
        const response: StageExecuteResponse = { jobId: req.jobId, modelId: req.modelId, output, result: argmax(output), stages: traces };
        for (const t of traces) t.totalMs = performance.now() - t0;
        return response;
      }
      const [hop, ...rest] = route;
      if (hop.candidates[0].nodeId === me.nodeId && shards.includes(hop.stage)) {
        stage = hop.stage;
        route = rest;
        continue;
      }
      const fwd = await forwardStage({ jobId: req.jobId, modelId: req.modelId, hop, rest, input: x, deadlineAt: t0 + req.timeoutMs });
      if (!fwd.ok) throw new Error(`downstream failed: ${JSON.stringify(fwd.failed)}`);
      for (const t of traces) t.totalMs = performance.now() - t0;
      return { ...fwd.response, stages: [...traces, ...fwd.response.stages] };
    }
  }

  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && req.url === "/v1/health") return send(200, { status: "ok" });
    if (req.method === "POST" && req.url === "/v1/stages/execute") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void (async () => {
          try {
            const parsed = parseStageExecuteRequest(Buffer.concat(chunks).toString("utf8"));
            if (!self || !shards.includes(parsed.stage) || parsed.stage + 1 + parsed.route.length !== shardCount) {
              return send(404, { statusCode: 404, code: "SHARD_NOT_SERVED", error: "Not Found", message: "not served" });
            }
            const executed = await execute(parsed);
            const response = p.rewrite ? p.rewrite(executed) : executed;
            answered.push(response);
            send(200, response);
          } catch (err) {
            send(500, { statusCode: 500, code: "INTERNAL", error: "Internal Server Error", message: (err as Error).message.slice(0, 500) });
          }
        })();
      });
      return;
    }
    send(404, { statusCode: 404, code: "NOT_FOUND", error: "Not Found", message: "no route" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const node = await provisionNode({ mesh, name: p.name, key: p.key, clusterId: p.clusterId, endpoint: url, memoryBytes: p.memoryBytes, stake: p.stake, models: modelName, ...(p.via ? { via: p.via } : {}) });
  self = { nodeId: node.nodeId, operator: node.operator.address };

  const gossip = await createGossipMesh({
    chainId: mesh.chainId,
    clusterIds: [p.clusterId, ...(p.extraClusterIds ?? [])],
    bootstrap: [await coordinatorPeer(mesh)],
    signer: node.signer,
    // its own view of others does not matter to the attack
    isRegistered: async () => true,
    log: silentLog,
    heartbeatIntervalMs: 250,
    redialIntervalMs: 1_000,
    rttIntervalMs: 2_000,
    getStatus: () => ({
      clusterId: p.clusterId,
      operator: node.operator.address,
      load: 0.01,
      inFlight: 0,
      queueDepth: 0,
      computeEwmaMs: shards.map((shard) => ({ modelId, shard, ewmaMs: 1 })),
      backend: "native",
      endpoint: url,
      servedShards: shards.map((shard) => ({ modelId, shard })),
    }),
  });
  // Alive at the coordinator, announcing its shards (from its signed heartbeats).
  await waitFor({
    what: `the coordinator to see adversary ${p.name} alive with its shards`,
    timeoutMs: 30_000,
    intervalMs: 200,
    check: async () => {
      const n = (await (await fetch(`${mesh.coordinatorUrl}/v1/explorer/nodes/${node.nodeId}`)).json()) as { health?: string; eligible?: boolean; servedShards?: { shard: number }[]; lastHeartbeatAtMs?: number | null };
      return n.health === "alive" && n.eligible === true && n.lastHeartbeatAtMs != null && shards.every((s) => n.servedShards?.some((x) => x.shard === s));
    },
  });

  return {
    ...node,
    url,
    endpoint: url,
    mesh: gossip,
    received,
    answered,
    inputOf(jobId, stage) {
      const r = received.find((x) => BigInt(x.jobId) === jobId && x.stage === stage);
      if (!r) throw new Error(`adversary ${p.name} never executed job ${jobId} stage ${stage}`);
      return [...r.input];
    },
    async stop() {
      await gossip.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ------------------------------------------------------------------------------ chain helpers

/** The custom error name of a reverted JobMarket call (viem decodes it with the ABI). */
export function revertName(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const r = err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  return r?.data?.errorName ?? undefined;
}

export type StageProof = { jobId: bigint; stage: number; nodeId: number; prover: Address; txHash: Hex; calldata: ProofCalldata };

/** The proofs of a job as the chain has them: StageProven events → their submitStage transactions' calldata. */
export async function proofsFromChain(p: { publicClient: PublicClient; jobMarket: Address; jobId: bigint }): Promise<StageProof[]> {
  const logs = await p.publicClient.getContractEvents({ address: p.jobMarket, abi: jobMarketAbi, eventName: "StageProven", args: { jobId: p.jobId }, fromBlock: 0n, toBlock: "latest" });
  const out: StageProof[] = [];
  for (const log of logs) {
    const tx = await p.publicClient.getTransaction({ hash: log.transactionHash });
    const { functionName, args } = decodeFunctionData({ abi: jobMarketAbi, data: tx.input });
    if (functionName !== "submitStage") throw new Error(`StageProven emitted by ${functionName}`);
    const [jobId, stage, a, b, c, pubSignals] = args as unknown as [bigint, bigint, ProofCalldata["a"], ProofCalldata["b"], ProofCalldata["c"], ProofCalldata["pubSignals"]];
    out.push({ jobId, stage: Number(stage), nodeId: Number(log.args.nodeId), prover: getAddress(tx.from), txHash: log.transactionHash, calldata: { a, b, c, pubSignals } });
  }
  return out.sort((x, y) => x.stage - y.stage);
}
