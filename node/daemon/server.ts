/**
 * Boots a node daemon from a validated ServeConfig: chain identity checks, shards and artefacts,
 * SQLite store, prover queue (resuming pending proofs), the HTTP app, and signed gossip.
 * `close()` is the graceful shutdown: refuse new stages, let in-flight requests finish, give
 * running proofs `shutdownGraceMs`, keep everything else in SQLite for the next start.
 */
import { readFileSync } from "node:fs";
import { loadavg, availableParallelism } from "node:os";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import Fastify, { LogController, type FastifyInstance, type RawServerDefault } from "fastify";
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { pino, type Logger } from "pino";
import { isAddressEqual } from "viem";
import { stakeRegistryAbi } from "../../contracts/abi/index.ts";
import { runShard } from "../../prover/model/run-onnx.ts";
import { ROOT } from "../../prover/paths.ts";
import { connectChain, type NodeChain } from "../chain/connect.ts";
import { readKeys } from "../config/home.ts";
import { NodeError } from "../errors.ts";
import { createGossipMesh, type GossipMesh } from "../gossip/mesh.ts";
import { GOSSIP_DROP_REASONS } from "../gossip/mesh.ts";
import { nodeApp, nodeFrameworkErrors, type NodeIdentity } from "./app.ts";
import { createChainView, type ChainView } from "./chain-view.ts";
import { createJobWatcher, type JobWatcher } from "./job-watcher.ts";
import type { ServeConfig } from "./config.ts";
import { createNodeMetrics, type NodeMetrics } from "./metrics.ts";
import { createProverPool } from "./prover-pool.ts";
import { createProverQueue, type ProverQueue } from "./prover-queue.ts";
import { loadShardCatalog, type ShardCatalog } from "./shards.ts";
import { openStore, type NodeStore } from "./store.ts";

export const NODE_VERSION: string = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

export type NodeDaemon = {
  url: string;
  identity: NodeIdentity;
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger, TypeBoxTypeProvider>;
  store: NodeStore;
  queue: ProverQueue;
  shards: ShardCatalog;
  chain: NodeChain;
  chainView: ChainView;
  jobs: JobWatcher;
  gossip: GossipMesh | undefined;
  metrics: NodeMetrics;
  log: Logger;
  resumed: number;
  close(): Promise<void>;
};

export function createNodeLogger(parameters: { level: string; name?: string }): Logger {
  return pino(
    {
      name: parameters.name ?? "proofmesh-node",
      level: parameters.level,
      base: undefined,
      // never log secrets, even by accident
      redact: { paths: ["privateKey", "*.privateKey", "operatorKey", "signerKey", "*.operatorKey", "*.signerKey"], censor: "[redacted]" },
    },
    pino.destination(2),
  );
}

export type StartNodeDaemonParameters = {
  config: ServeConfig;
  log?: Logger;
  fetchImpl?: typeof fetch;
  /** collect prom-client default process metrics (default true; off in multi-node tests) */
  defaultMetrics?: boolean;
};

export async function startNodeDaemon(parameters: StartNodeDaemonParameters): Promise<NodeDaemon> {
  const { config, fetchImpl } = parameters;
  const log = parameters.log ?? createNodeLogger({ level: config.logLevel });
  const startedAtMs = Date.now();
  const keys = readKeys(config.home);
  const chain = await connectChain({
    rpcUrl: config.rpcUrl,
    ...(config.deploymentsDir !== undefined ? { deploymentsDir: config.deploymentsDir } : {}),
    ...(config.expectedChainId !== undefined ? { expectedChainId: config.expectedChainId } : {}),
    account: keys.operator,
  });
  const c = chain.deployment.contracts;
  const read = chain.publicClient;
  const operator = keys.operator.address;
  const nodeId = await read.readContract({ address: c.stakeRegistry, abi: stakeRegistryAbi, functionName: "nodeIdOf", args: [operator] });
  if (nodeId === 0) {
    throw new NodeError("NOT_REGISTERED", `serve: operator ${operator} has no node on chain ${chain.chainId}`, { details: "run `proofmesh node register …` first" });
  }
  const node = await read.readContract({ address: c.stakeRegistry, abi: stakeRegistryAbi, functionName: "getNode", args: [nodeId] });
  if (!isAddressEqual(node.signer, keys.signer.address)) {
    throw new NodeError("CONFIG_INVALID", `serve: node ${nodeId}'s registered signer ${node.signer} is not this home's signing key ${keys.signer.address}`, {
      details: "its gossip would be dropped by every peer: use the home the node was registered from",
    });
  }
  const metrics = createNodeMetrics({ defaultMetrics: parameters.defaultMetrics ?? true });
  const shards = await loadShardCatalog({
    publicClient: read,
    modelRegistry: c.modelRegistry,
    nodeModelIds: node.modelIds,
    ...(config.shards ? { selectors: config.shards } : {}),
    backend: config.backend,
    cacheDir: config.home.artifacts,
    embedded: config.embeddedArtifacts,
    sources: [...(config.coordinatorUrl ? [config.coordinatorUrl] : []), ...config.artifactPeers],
    keyFiles: chain.deployment.keyFiles,
    log,
  });
  const store = openStore({ path: config.home.db });
  const chainView = createChainView({ publicClient: read, deployment: chain.deployment });
  const jobs = createJobWatcher({
    publicClient: read,
    jobMarket: c.jobMarket,
    fromBlock: chain.deployment.deployBlock,
    pollIntervalMs: config.chainPollIntervalMs,
    onError: (err, consecutive) => {
      // an RPC outage: log its first failure and then every 100th
      if (consecutive % 100 === 1) log.warn({ err: (err as Error).message.split("\n")[0] }, "job watcher: chain read failed, retrying");
    },
  });
  await jobs.start();
  // One prover process per prover slot: proofs run off the event loop, the fast path keeps answering.
  const provers = createProverPool({ size: config.proverConcurrency, log });
  if (config.proverWarmUp) {
    // every prover process proves each served shard once on a zero input while idle (prover-pool
    // warmUp): the first real proof is then as fast as the later ones (≈ 1.2 s instead of ≈ 2.5 s
    // for shard 0). Best effort: a shard that cannot run here fails its real requests, not the start.
    try {
      const stages = await Promise.all(
        shards.list().map(async (s) => {
          const input = new Array<number>(s.manifest.inputShape[1]).fill(0);
          const { y } = await runShard({ session: s.session, inputs: [input] }); // not shards.run: no EWMA sample
          return { manifest: s.manifest, wasmPath: s.wasmPath, zkeyPath: s.zkeyPath, input, output: y[0], binding: 0n };
        }),
      );
      void provers.warmUp(stages);
    } catch (err) {
      log.warn({ err: (err as Error).message.split("\n")[0] }, "prover warm-up skipped: a served shard did not run on a zero input");
    }
  }
  const queue = createProverQueue({
    store,
    chain: chainView,
    publicClient: read,
    walletClient: chain.walletClient!,
    chainId: chain.chainId,
    jobMarket: c.jobMarket,
    nodeId,
    operator,
    shards,
    log,
    metrics,
    concurrency: config.proverConcurrency,
    maxPending: config.maxPendingProofs,
    pollIntervalMs: config.chainPollIntervalMs,
    watcher: jobs,
    assignmentWaitMs: config.assignmentWaitMs,
    prove: provers.prove,
  });

  let draining = false;
  let gossip: GossipMesh | undefined;
  const identity: NodeIdentity = { chainId: chain.chainId, nodeId, operator, signer: keys.signer.address, clusterId: node.clusterId, endpoint: config.endpoint ?? "" };
  const app = Fastify({
    loggerInstance: log.child({ component: "http" }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    frameworkErrors: nodeFrameworkErrors,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  })
    .setValidatorCompiler(TypeBoxValidatorCompiler)
    .withTypeProvider<TypeBoxTypeProvider>();
  await app.register(nodeApp, {
    identity,
    shards,
    store,
    queue,
    metrics,
    version: NODE_VERSION,
    jobs,
    draining: () => draining,
    startedAtMs,
    ...(fetchImpl ? { fetchImpl } : {}),
    gossip: () => {
      if (!gossip) return null;
      const s = gossip.stats();
      for (const r of GOSSIP_DROP_REASONS) metrics.gossipDropped.set({ reason: r }, s.dropped[r]);
      metrics.gossipAccepted.set(s.accepted);
      return {
        peerId: gossip.peerId,
        multiaddrs: gossip.multiaddrs().slice(0, 16),
        peers: gossip.libp2p.getPeers().length,
        accepted: s.accepted,
        dropped: Object.values(s.dropped).reduce((a, b) => a + b, 0),
      };
    },
  });
  const address = await app.listen({ host: config.listenHost, port: config.listenPort });
  const url = address.replace("[::1]", "127.0.0.1");
  identity.endpoint = config.endpoint ?? url;
  if (node.endpoint !== identity.endpoint) log.warn({ onChain: node.endpoint, advertised: identity.endpoint }, "advertised endpoint differs from the on-chain endpoint");

  const resumed = queue.resume();

  if (node.clusterId === 0) {
    log.warn("node is in no cluster: gossip disabled (run `proofmesh node join <clusterId>`)");
  } else {
    const cores = availableParallelism();
    gossip = await createGossipMesh({
      chainId: chain.chainId,
      clusterIds: [node.clusterId],
      bootstrap: config.gossipPeers,
      listenHost: config.gossipHost,
      listenPort: config.gossipPort,
      signer: keys.signer,
      isRegistered: (signer, clusterId) => chainView.isRegistered(signer, clusterId),
      log,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      rttIntervalMs: 2_000,
      redialIntervalMs: 1_000,
      getStatus: async () => ({
        clusterId: node.clusterId,
        operator,
        load: Math.min(1, Math.max(0, loadavg()[0] / cores)),
        inFlight: Math.max(0, Math.round((await metrics.inFlight.get()).values[0]?.value ?? 0)),
        queueDepth: queue.depth(),
        computeEwmaMs: shards.list().map((s) => ({ modelId: s.modelId, shard: s.shard, ewmaMs: s.ewmaMs })),
        backend: shards.backend,
        endpoint: identity.endpoint,
        servedShards: shards.list().map((s) => ({ modelId: s.modelId, shard: s.shard })),
      }),
    });
  }
  log.info({ url, endpoint: identity.endpoint, nodeId, operator, clusterId: node.clusterId, backend: shards.backend, resumed, gossip: gossip?.multiaddrs() }, "node serving");

  let closing: Promise<void> | undefined;
  return {
    url,
    identity,
    app,
    store,
    queue,
    shards,
    chain,
    chainView,
    jobs,
    gossip,
    metrics,
    log,
    resumed,
    close() {
      closing ??= (async () => {
        draining = true;
        log.info("shutting down: finishing in-flight requests");
        await app.close(); // waits for in-flight requests
        const { unfinished } = await queue.stop({ graceMs: config.shutdownGraceMs });
        // after the grace: a proof still running is cut short, its stage resumes from the store at the next start
        await provers.close();
        jobs.stop();
        if (gossip) await gossip.stop();
        store.close();
        await shards.release();
        log.info({ unfinished }, "node stopped (unfinished proofs stay in the store and resume at the next start)");
      })();
      return closing;
    },
  };
}
