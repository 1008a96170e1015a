/**
 * Starts a whole local ProofMesh as real processes, for the demo and the end-to-end test:
 * a Hardhat node (JSON-RPC chain), the deploy script (real generated verifiers), clusters,
 * the coordinator, and N nodes each set up through the real operator CLI
 * (init → register → stake → join → serve) with its HTTP endpoint behind a delaying TCP
 * proxy (injected network latency). Everything is stopped by `stop()` or on Ctrl-C.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { createPublicClient, createWalletClient, defineChain, http, parseEther, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { proofMeshTokenAbi, stakeRegistryAbi } from "../../contracts/abi/index.ts";
import { createProofMeshClient, parseDeployment, type ProofMeshClient } from "../../sdk/index.ts";
import { readManifest } from "../../prover/manifest.ts";
import { startDelayProxy, type DelayProxy } from "./delay-proxy.ts";
import { ProcessGroup, freePort, waitFor, type Managed } from "./processes.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const NODE = process.execPath;

/** Hardhat's well-known development accounts (funded with ETH on `hardhat node`). */
export const DEV_KEYS: Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
];

export type NodeSpec = {
  name: string;
  clusterId: number;
  oneWayDelayMs: number;
  memoryBytes: bigint;
  stake: string;
  /** `--shards` of `node serve` (what fits its memory) */
  shards?: string;
  /** extra `node serve` flags (e.g. ["--assignment-wait-ms", "5000"]) */
  serveArgs?: string[];
  /**
   * advertise the node's own port instead of a delay proxy in front of it (default false): no latency
   * injection then (`proxy.setDelayMs` / `setDown` throw), and no extra TCP relay on every hop (benchmarks)
   */
  direct?: boolean;
};
export type ClusterSpec = { label: string; region: string; minStake: string };

export type StartLocalMeshParameters = {
  workDir: string;
  clusters: ClusterSpec[];
  nodes: NodeSpec[];
  modelId: string;
  log: (msg: string) => void;
  /** extra `coordinator/server.ts` flags */
  coordinatorArgs?: string[];
  /** put a TCP proxy between the chain and every service (coordinator, nodes) so tests can cut the RPC (`rpcProxy.setDown(true)`) */
  rpcProxy?: boolean;
  /** set the nodes up through the CLI concurrently (each uses its own operator key); default one after the other */
  parallelNodeSetup?: boolean;
  /**
   * make `modelId`'s keys by a ceremony among the mesh's operators (default false): the model is not
   * registered by deploy; after `node init`, the registry owner starts a ceremony on the coordinator
   * with every node's operator as a contributor, each contributes through `proofmesh node ceremony
   * contribute`, and `proofmesh model ceremony finalize` applies the beacon and registers the model.
   * Without it the model's keys are the repository's development ceremony finished by deploy with a
   * beacon from this chain.
   */
  ceremony?: boolean;
};

export type MeshCeremony = {
  /** start → registered, ms */
  totalMs: number;
  /** the owner's finalize (beacon, export, compile, deploy, register, publish), ms */
  finalizeMs: number;
  /** each contributor's own time (from its turn to its accepted contribution), ms */
  contributions: { index: number; operator: Address; node: string; ms: { download: number; verify: number; contribute: number; upload: number; submit: number; total: number }; at: string; transcriptHash: Hex }[];
  beacon: { blockNumber: number; blockHash: Hex };
};

export type RunningNode = NodeSpec & { home: string; operator: Address; url: string; endpoint: string; proxy: DelayProxy; proc: Managed; nodeId: number };

export type LocalMesh = {
  /** what the services use (the proxy's URL when `rpcProxy` is on) */
  rpcUrl: string;
  /** the chain itself, never behind the proxy (for the test's own reads and writes) */
  chainRpcUrl: string;
  rpcProxy: DelayProxy | undefined;
  coordinatorDb: string;
  /** SIGKILL (crash = true) or SIGTERM the coordinator */
  stopCoordinator(parameters?: { crash?: boolean }): Promise<void>;
  /** (re)starts the coordinator on the same port and gossip port; deleteDb removes its SQLite files first */
  startCoordinator(parameters?: { deleteDb?: boolean }): Promise<void>;
  chainId: number;
  /** the operators' ceremony, when `ceremony` was asked for */
  ceremony: MeshCeremony | undefined;
  /** the proving key this chain registered for (model, shard): what a prover must use for its verifiers to accept */
  chainZkeyPath(model: string, shard: number): string;
  deploymentsDir: string;
  deployment: any;
  coordinatorUrl: string;
  nodes: RunningNode[];
  group: ProcessGroup;
  publicClient: ReturnType<typeof createPublicClient>;
  dAppKey: Hex;
  stop(): Promise<void>;
  startNode(node: RunningNode): Promise<void>;
};

export function cli(group: ProcessGroup, name: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const m = group.start({ name: `cli-${name}`, cmd: NODE, args: [join(ROOT, "node/cli/main.ts"), ...args], env, cwd: ROOT });
  return m.exited.then((code) => ({ code, out: readFileSync(m.logFile, "utf8") }));
}

async function cliOk(group: ProcessGroup, name: string, args: string[]): Promise<string> {
  const r = await cli(group, name, args);
  if (r.code !== 0) throw new Error(`proofmesh ${args.join(" ")} failed (exit ${r.code}):\n${r.out.slice(-2000)}`);
  return r.out;
}

export async function startLocalMesh({ workDir, clusters, nodes, modelId, log, coordinatorArgs = [], rpcProxy: withRpcProxy = false, parallelNodeSetup = false, ceremony: withCeremony = false }: StartLocalMeshParameters): Promise<LocalMesh> {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const group = new ProcessGroup({ logDir: join(workDir, "logs") });
  const hardhat = join(ROOT, "node_modules/hardhat/dist/src/cli.js");
  try {
    // 1. chain
    const rpcPort = await freePort();
    const chainRpcUrl = `http://127.0.0.1:${rpcPort}`;
    log(`chain: starting a Hardhat node on ${chainRpcUrl}`);
    group.start({ name: "chain", cmd: NODE, args: [hardhat, "node", "--port", String(rpcPort), "--hostname", "127.0.0.1"], cwd: ROOT });
    const probe = createPublicClient({ transport: http(chainRpcUrl) });
    const chainId = await waitFor({ what: "the chain's JSON-RPC", timeoutMs: 60_000, intervalMs: 250, check: () => probe.getChainId() });
    const rpcProxy = withRpcProxy ? await startDelayProxy({ targetPort: rpcPort, delayMs: 0 }) : undefined;
    const rpcUrl = rpcProxy ? `http://127.0.0.1:${rpcProxy.port}` : chainRpcUrl;
    const chain = defineChain({ id: chainId, name: "proofmesh-local", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [chainRpcUrl] } } });
    const publicClient = createPublicClient({ chain, transport: http(chainRpcUrl) });

    // 2. deploy (real generated verifiers, shipped models)
    const deploymentsDir = join(workDir, "deployments");
    const others = readManifest().models.map((m) => m.id).filter((id) => id !== modelId);
    const deployModels = withCeremony ? ["--models", others.join(",") || "none"] : [];
    log(`deploy: contracts; models ${withCeremony ? `${others.join(", ") || "none"} (${modelId} comes from the operators' ceremony)` : "of the manifest"}, each finished with a beacon from this chain`);
    const dep = group.start({ name: "deploy", cmd: NODE, args: [join(ROOT, "deploy/deploy.ts"), "--rpc-url", chainRpcUrl, "--out", deploymentsDir, ...deployModels], env: { PROOFMESH_DEPLOYER_KEY: DEV_KEYS[0] }, cwd: ROOT });
    if ((await dep.exited) !== 0) throw new Error(`deploy failed:\n${readFileSync(dep.logFile, "utf8").slice(-3000)}`);
    const deployment = JSON.parse(readFileSync(join(deploymentsDir, `${chainId}.json`), "utf8"));
    const admin = createWalletClient({ chain, transport: http(chainRpcUrl), account: privateKeyToAccount(DEV_KEYS[0]) });

    // 3. clusters (owner-created on chain)
    for (const c of clusters) {
      const hash = await admin.writeContract({ address: deployment.contracts.StakeRegistry.address, abi: stakeRegistryAbi, functionName: "createCluster", args: [c.label, c.region, parseEther(c.minStake)] });
      await publicClient.waitForTransactionReceipt({ hash });
      log(`cluster: ${c.label} (${c.region}), min stake ${c.minStake} PMT`);
    }

    // 4. coordinator
    const coordPort = await freePort();
    const gossipPort = await freePort();
    const coordinatorUrl = `http://127.0.0.1:${coordPort}`;
    const coordinatorDb = join(workDir, "coordinator.sqlite");
    let coordinatorProc: Managed | undefined;
    let coordinatorStarts = 0;
    const startCoordinator = async ({ deleteDb = false }: { deleteDb?: boolean } = {}) => {
      if (deleteDb) for (const f of [coordinatorDb, `${coordinatorDb}-wal`, `${coordinatorDb}-shm`]) rmSync(f, { force: true });
      log(`coordinator: starting on ${coordinatorUrl}`);
      coordinatorStarts += 1;
      coordinatorProc = group.start({
        name: coordinatorStarts === 1 ? "coordinator" : `coordinator-${coordinatorStarts}`,
        cmd: NODE,
        args: [join(ROOT, "coordinator/server.ts"), "--port", String(coordPort), "--rpc-url", rpcUrl, "--deployments", deploymentsDir, "--db", coordinatorDb, "--coordinator-key", DEV_KEYS[0], "--gossip-port", String(gossipPort), ...coordinatorArgs],
        cwd: ROOT,
      });
      return waitFor({
        what: "the coordinator",
        timeoutMs: 60_000,
        intervalMs: 250,
        check: async () => {
          const r = await fetch(`${coordinatorUrl}/v1/health`);
          return r.ok ? ((await r.json()) as { gossip?: { multiaddrs: string[] } | null }) : undefined;
        },
      });
    };
    const stopCoordinator = async ({ crash = false }: { crash?: boolean } = {}) => {
      if (!coordinatorProc) return;
      await (crash ? group.kill(coordinatorProc) : group.stop(coordinatorProc));
      coordinatorProc = undefined;
    };
    const health = await startCoordinator();
    const coordinatorPeer = health.gossip?.multiaddrs?.[0];

    // 5. nodes, each through the operator CLI
    const running: RunningNode[] = [];
    const homes = nodes.map((spec) => join(workDir, "nodes", spec.name));
    const commonOf = (i: number) => ["--home", homes[i], "--rpc-url", rpcUrl, "--deployments", deploymentsDir];
    const endpoints: { httpPort: number; proxy: DelayProxy; endpoint: string }[] = [];
    const initNode = async (spec: NodeSpec, i: number) => {
      const key = DEV_KEYS[1 + i];
      if (!key) throw new Error("not enough dev accounts for the nodes");
      const httpPort = await freePort();
      if (spec.direct && spec.oneWayDelayMs !== 0) throw new Error(`node ${spec.name}: a direct node cannot have a one-way delay`);
      const proxy = spec.direct ? noProxy(spec.name, httpPort) : await startDelayProxy({ targetPort: httpPort, delayMs: spec.oneWayDelayMs });
      const endpoint = `http://127.0.0.1:${proxy.port}`;
      endpoints[i] = { httpPort, proxy, endpoint };
      await cliOk(group, `${spec.name}-init`, ["node", "init", ...commonOf(i), "--operator-key", key, "--endpoint", endpoint, "--coordinator", coordinatorUrl]);
    };
    const setupNode = async (spec: NodeSpec, i: number) => {
      const key = DEV_KEYS[1 + i]!;
      const { httpPort, proxy, endpoint } = endpoints[i];
      const common = commonOf(i);
      const home = homes[i];
      log(`node ${spec.name}: register (cluster ${spec.clusterId}, ${Number(spec.memoryBytes) / 1e6} MB), stake ${spec.stake} PMT, join, serve (+${spec.oneWayDelayMs} ms one way)`);
      await cliOk(group, `${spec.name}-faucet`, ["node", "faucet", spec.stake, ...common]);
      await cliOk(group, `${spec.name}-register`, ["node", "register", ...common, "--endpoint", endpoint, "--cluster", "0", "--memory-bytes", String(spec.memoryBytes), "--models", modelId]);
      await cliOk(group, `${spec.name}-stake`, ["node", "stake", spec.stake, ...common]);
      await cliOk(group, `${spec.name}-join`, ["node", "join", String(spec.clusterId), ...common]);
      const operator = privateKeyToAccount(key).address;
      const nodeId = Number(await publicClient.readContract({ address: deployment.contracts.StakeRegistry.address, abi: stakeRegistryAbi, functionName: "nodeIdOf", args: [operator] }));
      const node: RunningNode = { ...spec, home, operator, url: `http://127.0.0.1:${httpPort}`, endpoint, proxy, proc: undefined as never, nodeId };
      running[i] = node;
    };
    if (parallelNodeSetup) await Promise.all(nodes.map(initNode));
    else for (const [i, spec] of nodes.entries()) await initNode(spec, i);
    const ceremony = withCeremony
      ? await runCeremony({ group, modelId, nodes, homes, commonOf, coordinatorUrl, rpcUrl, deploymentsDir, workDir, log })
      : undefined;
    if (parallelNodeSetup) await Promise.all(nodes.map(setupNode));
    else for (const [i, spec] of nodes.entries()) await setupNode(spec, i);
    const startNode = async (node: RunningNode) => {
      const port = new URL(node.url).port;
      const args = [join(ROOT, "node/cli/main.ts"), "node", "serve", "--home", node.home, "--rpc-url", rpcUrl, "--deployments", deploymentsDir, "--port", port, "--endpoint", node.endpoint, "--coordinator", coordinatorUrl];
      if (coordinatorPeer) args.push("--peer", coordinatorPeer);
      if (node.shards) args.push("--shards", node.shards);
      if (node.serveArgs) args.push(...node.serveArgs);
      // Several nodes share this machine's cores: one prover each keeps their event loops (and heartbeats) responsive.
      if (!node.serveArgs?.includes("--prover-concurrency")) args.push("--prover-concurrency", "1");
      // No warm-up proof at start: tests and the demo send jobs as soon as the mesh is up, where a
      // warm-up only competes with them for the cores (it pays off for a node that runs a while first).
      if (!node.serveArgs?.includes("--no-prover-warm-up")) args.push("--no-prover-warm-up");
      node.proc = group.start({ name: `node-${node.name}`, cmd: NODE, args, cwd: ROOT });
      await waitFor({ what: `node ${node.name}`, timeoutMs: 60_000, intervalMs: 200, check: async () => (await fetch(`${node.url}/v1/health`)).ok });
    };
    await Promise.all(running.map(startNode));

    // 6. the dApp's tokens
    const dAppKey = DEV_KEYS[1 + nodes.length];
    const dApp = privateKeyToAccount(dAppKey).address;
    const hash = await admin.writeContract({ address: deployment.contracts.ProofMeshToken.address, abi: proofMeshTokenAbi, functionName: "mint", args: [dApp, parseEther("1000")] });
    await publicClient.waitForTransactionReceipt({ hash });

    return {
      rpcUrl,
      chainRpcUrl,
      rpcProxy,
      coordinatorDb,
      stopCoordinator,
      startCoordinator: async (p) => {
        await startCoordinator(p);
      },
      chainId,
      ceremony,
      chainZkeyPath(model, shard) {
        if (withCeremony && model === modelId) return join(workDir, "ceremony-keys", `shard${shard}.zkey`);
        const f = (deployment.keys?.[model]?.files as { kind: string; shard: number; path: string }[] | undefined)?.find((x) => x.kind === "zkey" && x.shard === shard);
        if (!f) throw new Error(`the deployment lists no zkey for ${model} shard ${shard}`);
        return join(deploymentsDir, f.path);
      },
      deploymentsDir,
      deployment,
      coordinatorUrl,
      nodes: running,
      group,
      publicClient: publicClient as never,
      dAppKey,
      startNode,
      async stop() {
        await group.stopAll();
        await Promise.all(running.map((n) => n.proxy.close()));
        await rpcProxy?.close();
      },
    };
  } catch (e) {
    await group.stopAll();
    throw e;
  }
}

/** An SDK client for a dApp key of the mesh (default: the funded dApp), talking to the chain directly (never through the RPC proxy). */
export function meshClient(mesh: LocalMesh, key: Hex = mesh.dAppKey): ProofMeshClient {
  const walletClient = createWalletClient({ chain: mesh.publicClient.chain, transport: http(mesh.chainRpcUrl), account: privateKeyToAccount(key) });
  return createProofMeshClient({ coordinatorUrl: mesh.coordinatorUrl, publicClient: mesh.publicClient as never, walletClient: walletClient as never, deployment: parseDeployment({ raw: mesh.deployment }) });
}

/** Mean proving time per stage over every node of the mesh, from the nodes' /metrics (proofmesh_node_prove_ms sum and count). */
export async function proveMsByStage(nodes: readonly { url: string }[]): Promise<Map<number, [sumMs: number, count: number]>> {
  const out = new Map<number, [number, number]>();
  for (const n of nodes) {
    const text = await (await fetch(`${n.url}/metrics`)).text();
    for (const line of text.split("\n")) {
      const m = /^proofmesh_node_prove_ms_(sum|count)\{[^}]*shard="(\d+)"[^}]*\} ([\d.e+-]+)/.exec(line);
      if (!m) continue;
      const arr = out.get(Number(m[2])) ?? [0, 0];
      arr[m[1] === "sum" ? 0 : 1] += Number(m[3]);
      out.set(Number(m[2]), arr);
    }
  }
  return out;
}

/**
 * The operators' ceremony of `modelId` through the real CLI and the coordinator's API: the registry
 * owner (DEV_KEYS[0]) starts it with every node's operator as a contributor (in node order), all
 * contributors wait for their turn concurrently, the owner finalizes (beacon, verifiers, registration).
 */
async function runCeremony(p: {
  group: ProcessGroup;
  modelId: string;
  nodes: NodeSpec[];
  homes: string[];
  commonOf: (i: number) => string[];
  coordinatorUrl: string;
  rpcUrl: string;
  deploymentsDir: string;
  workDir: string;
  log: (msg: string) => void;
}): Promise<MeshCeremony> {
  const { group, modelId, nodes, commonOf, coordinatorUrl, rpcUrl, deploymentsDir, workDir, log } = p;
  const t0 = performance.now();
  const operators = nodes.map((_, i) => privateKeyToAccount(DEV_KEYS[1 + i]!).address);
  const owner = ["--operator-key", DEV_KEYS[0], "--rpc-url", rpcUrl, "--deployments", deploymentsDir, "--coordinator", coordinatorUrl];
  const started = lastJson(await cliOk(group, "ceremony-start", ["model", "ceremony", "start", modelId, ...owner, "--contributors", operators.join(","), "--contributor-timeout", "300s", "--beacon-delay-blocks", "3", "--json"]));
  log(`ceremony ${modelId}: started by the registry owner; contributors ${nodes.map((n) => n.name).join(" → ")}; beacon = hash of block ${started.beaconBlock ?? "?"}`);
  // Each contributor waits for its turn; its JSON result holds its own time share.
  const outs = await Promise.all(
    nodes.map(async (n, i) => {
      const out = lastJson(await cliOk(group, `${n.name}-contribute`, ["node", "ceremony", "contribute", modelId, ...commonOf(i), "--coordinator", coordinatorUrl, "--poll-interval", "250ms", "--json"])) as {
        index: number;
        operator: Address;
        transcriptHash: Hex;
        ms: { download: number; verify: number; contribute: number; upload: number; submit: number; total: number };
      };
      return { ...out, node: n.name, at: new Date().toISOString() };
    }),
  );
  const finalized = performance.now();
  await cliOk(group, "ceremony-finalize", ["model", "ceremony", "finalize", modelId, ...owner, "--out", join(workDir, "ceremony-keys"), "--json"]);
  const finalizeMs = performance.now() - finalized;
  const record = JSON.parse(readFileSync(join(workDir, "ceremony-keys", "record.json"), "utf8")) as { beacon: { blockNumber: number; blockHash: Hex } };
  const contributions = outs.sort((x, y) => x.index - y.index).map((o) => ({ index: o.index, operator: o.operator, node: o.node, ms: o.ms, at: o.at, transcriptHash: o.transcriptHash }));
  for (const c of contributions) {
    log(`ceremony ${modelId}: contribution #${c.index} by ${c.node} (${c.operator}), done at ${c.at}: its own ${(c.ms.total / 1000).toFixed(1)} s (download ${c.ms.download} ms, verify ${c.ms.verify} ms, contribute ${c.ms.contribute} ms, upload ${c.ms.upload} ms, coordinator's checks ${c.ms.submit} ms), transcript ${c.transcriptHash.slice(0, 18)}…`);
  }
  const totalMs = performance.now() - t0;
  log(`ceremony ${modelId}: finalized in ${(finalizeMs / 1000).toFixed(1)} s: beacon = hash of block ${record.beacon.blockNumber} (${record.beacon.blockHash.slice(0, 18)}…), verifiers deployed, model registered with its record; ${(totalMs / 1000).toFixed(1)} s from start to registration`);
  return { totalMs, finalizeMs, contributions, beacon: record.beacon };
}

/** The JSON result of a `--json` CLI run whose log also holds its progress lines (stderr). */
function lastJson(out: string): any {
  const line = out.trim().split("\n").reverse().find((l) => l.startsWith("{"));
  if (!line) throw new Error(`no JSON result in:\n${out.slice(-1000)}`);
  return JSON.parse(line);
}

/** The `proxy` of a `direct` node: its own port, and no way to delay or cut it. */
function noProxy(name: string, port: number): DelayProxy {
  const refuse = () => {
    throw new Error(`node ${name} was started direct (no delay proxy)`);
  };
  return { port, setDelayMs: refuse, setDown: refuse, close: async () => undefined };
}
