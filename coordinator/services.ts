/**
 * Wiring of the coordinator's services (no HTTP): index, cluster view, pipeline, job service,
 * explorer, metrics, the listen-only gossip subscriber, and the ceremony service with its blob
 * store and the key index (which zkey / vkey the on-chain record names, and where the bytes are). `server.ts` and the tests build the
 * same object; `app.ts` serves it.
 */
import { generateKeyPair } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import type { Logger } from "pino";
import { createGossipMesh, type GossipMesh, type GossipMeshStats } from "../node/gossip/mesh.ts";
import { commitValues } from "../prover/commit.ts";
import { readManifest } from "../prover/manifest.ts";
import path from "node:path";
import { loadManifestIndex, type ManifestIndex } from "./artifacts.ts";
import { blobDirFor, openBlobStore, type BlobStore } from "./blob-store.ts";
import { createCeremonyService, type CeremonyService } from "./ceremonies.ts";
import { createCeremonyChainReader, type CeremonyChainReader } from "./ceremony-chain.ts";
import { createChildProcessVerifier, type ZkeyVerifier } from "./ceremony-verify.ts";
import type { ChainContext } from "./chain.ts";
import { createClusterView, type ClusterView } from "./cluster-view.ts";
import type { CoordinatorConfig } from "./config.ts";
import type { Db } from "./db.ts";
import { createExplorer, type Explorer } from "./explorer.ts";
import { createIndexer, type Indexer } from "./indexer.ts";
import { createJobService, type JobService } from "./jobs.ts";
import { createKeyIndex, type KeyIndex } from "./key-index.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { createPipeline, type Pipeline } from "./pipeline.ts";
import type { Random } from "./routing/rng.ts";

export type Coordinator = {
  config: CoordinatorConfig;
  chain: ChainContext;
  db: Db;
  log: Logger;
  manifest: ManifestIndex;
  indexer: Indexer;
  view: ClusterView;
  pipeline: Pipeline;
  jobs: JobService;
  explorer: Explorer;
  metrics: Metrics;
  blobs: BlobStore;
  keys: KeyIndex;
  ceremonies: CeremonyService;
  gossip(): GossipMesh | undefined;
  /** Initial index sync (retried until it succeeds or `stop`), then loops, probes, gossip. */
  start(): Promise<void>;
  /** Stops loops and waits for in-flight relays / submissions; stops gossip. Does not close the DB. */
  stop(): Promise<void>;
};

export type CreateCoordinatorParameters = {
  config: CoordinatorConfig;
  chain: ChainContext;
  db: Db;
  log: Logger;
  manifest?: ManifestIndex;
  random?: Random;
  fetch?: typeof fetch;
  metrics?: Metrics;
  /** libp2p identity of the gossip subscriber (server.ts: from the gossip key file); default a fresh key */
  gossipKey?: PrivateKey;
  /** the ceremony's clock (turn deadlines); default Date.now */
  clock?: () => number;
  /** chain reads of the ceremony service and the key index; default the deployment's ModelRegistry */
  ceremonyChain?: CeremonyChainReader;
  /** `zkey verify` of contributions; default a child process per contribution, one at a time */
  zkeyVerifier?: ZkeyVerifier;
  /** the blob directory; default `<db file>.blobs` (a temporary directory for ":memory:") */
  blobDir?: string;
};

export function createCoordinator(p: CreateCoordinatorParameters): Coordinator {
  const { config, chain, db, log } = p;
  const metrics = p.metrics ?? createMetrics();
  const manifest = p.manifest ?? loadManifestIndex({ manifest: readManifest(), repoRoot: config.repoRoot });
  const indexer = createIndexer({ chain, db, log, pollIntervalMs: config.pollIntervalMs });
  const view = createClusterView({ db, log, probeIntervalMs: config.probeIntervalMs, probeTimeoutMs: config.probeTimeoutMs, replicas: config.replicas, ...(p.fetch ? { fetch: p.fetch } : {}) });
  view.refresh();
  const pipeline = createPipeline({ view, log, timeoutMs: config.stageTimeoutMs, maxAttempts: config.maxAttempts, ...(p.random ? { random: p.random } : {}), ...(p.fetch ? { fetch: p.fetch } : {}) });
  const jobs = createJobService({
    db,
    chain,
    view,
    pipeline,
    manifest,
    indexer,
    metrics,
    log,
    minDeadlineMarginSec: config.minDeadlineMarginSec,
    relayIntervalMs: config.relayIntervalMs,
    sweepIntervalMs: config.sweepIntervalMs,
  });
  const clock = p.clock ?? Date.now;
  const blobs = openBlobStore({ dir: p.blobDir ?? blobDirFor(db.location()) });
  const reader = p.ceremonyChain ?? createCeremonyChainReader({ chain });
  const keys = createKeyIndex({
    manifest,
    blobs,
    reader,
    repoRoot: config.repoRoot,
    deploymentKeys: chain.deployment.keys,
    keysDir: chain.deployment.keysDir ?? path.resolve(config.repoRoot, config.deploymentsDir),
    clock,
  });
  const ceremonies = createCeremonyService({
    db,
    log,
    manifest,
    blobs,
    keys,
    reader,
    verifier: p.zkeyVerifier ?? createChildProcessVerifier(),
    repoRoot: config.repoRoot,
    clock,
    isIndexedModel: (modelId) => view.model(modelId) !== undefined,
  });
  const explorer = createExplorer({ db, chain, view, jobs, manifest, keys, ceremonies });
  let mesh: GossipMesh | undefined;
  let meshKey: PrivateKey | undefined;
  let meshPort = config.gossipPort;
  let meshClusters = "";
  let stopped = false;
  let restarting: Promise<void> = Promise.resolve();
  // Gossip validator counters survive the mesh restarts (metrics: drops by reason since start).
  let retiredStats: GossipMeshStats | undefined;
  metrics.setGossipStatsSource(() => (mesh ? addGossipStats(retiredStats, mesh.stats()) : retiredStats));

  /** (Re)starts the listen-only mesh when the set of clusters changed; same key and port. */
  async function ensureGossip() {
    if (!config.gossip || stopped) return;
    const ids = view.clusters().map((c) => c.id).sort((a, b) => a - b);
    const key = ids.join(",");
    if (ids.length === 0 || key === meshClusters) return;
    meshClusters = key;
    meshKey ??= p.gossipKey ?? (await generateKeyPair("Ed25519"));
    if (mesh) {
      retiredStats = addGossipStats(retiredStats, mesh.stats());
      await mesh.stop();
    }
    mesh = await createGossipMesh({
      chainId: chain.chainId,
      clusterIds: ids,
      bootstrap: config.gossipBootstrap,
      listenHost: config.gossipHost,
      listenPort: meshPort,
      isRegistered: async (nodeAddress, clusterId) => view.isRegistered(nodeAddress, clusterId),
      log,
      privateKey: meshKey,
    });
    const port = Number(mesh.multiaddrs()[0]?.match(/\/tcp\/(\d+)/)?.[1] ?? 0);
    if (port > 0) meshPort = port;
    mesh.onHeartbeat((e) => {
      metrics.heartbeats.inc();
      view.ingestHeartbeat(e);
    });
    log.info({ peerId: mesh.peerId, multiaddrs: mesh.multiaddrs(), clusters: ids }, "gossip subscriber listening");
  }

  indexer.onChange((c) => {
    if (c.kind !== "registry") return;
    keys.invalidate(); // a model registered: its ceremony record exists now
    view.refresh();
    restarting = restarting.then(ensureGossip).catch((err) => log.error({ err }, "gossip restart failed"));
  });

  return {
    config,
    chain,
    db,
    log,
    manifest,
    indexer,
    view,
    pipeline,
    jobs,
    explorer,
    metrics,
    blobs,
    keys,
    ceremonies,
    gossip: () => mesh,
    async start() {
      // Builds the Poseidon tables now (~1 s of CPU) rather than on the first submission.
      await commitValues({ values: [0], bits: 8 });
      for (let attempt = 0; !stopped; attempt++) {
        try {
          await indexer.syncToHead();
          break;
        } catch (err) {
          const waitMs = Math.min(5_000, 200 * 2 ** attempt);
          log.warn({ err: err instanceof Error ? err.message : String(err), waitMs }, "initial index sync failed (chain unreachable?), retrying");
          await new Promise((r) => setTimeout(r, waitMs));
        }
      }
      view.refresh();
      await ensureGossip();
      indexer.start();
      view.start();
      void view.probeAll();
      jobs.start({ relay: config.relay, sweeper: config.sweeper });
    },
    async stop() {
      stopped = true;
      view.stop();
      await indexer.stop();
      await jobs.stop();
      await restarting;
      await mesh?.stop();
    },
  };
}

function addGossipStats(a: GossipMeshStats | undefined, b: GossipMeshStats): GossipMeshStats {
  if (!a) return structuredClone(b);
  const dropped = { ...a.dropped };
  for (const [reason, n] of Object.entries(b.dropped) as [keyof typeof dropped, number][]) dropped[reason] += n;
  return { received: a.received + b.received, accepted: a.accepted + b.accepted, dropped, published: a.published + b.published, publishFailed: a.publishFailed + b.publishFailed };
}
