/**
 * Gossip mesh: libp2p (TCP + noise + yamux + identify + gossipsub) carrying signed heartbeats on
 * per-cluster topics `proofmesh/<chainId>/cluster/<clusterId>/heartbeat/1`.
 *
 * - Node daemon: pass `signer` (its registered signing key) and, for automatic heartbeats,
 *   `getStatus` + `heartbeatIntervalMs`; or call `publishHeartbeat(status)` yourself.
 * - Coordinator: omit `signer` → listen-only subscriber (an ephemeral libp2p key, no chain key).
 *
 * Every received heartbeat passes gossipsub's topic validator before it is delivered or
 * forwarded: schema → chainId → topic cluster → EIP-712 signature (signer == nodeAddress) →
 * originating peer == heartbeat.peerId → registered in the cluster → freshness → seq strictly
 * increasing per node. Invalid → Reject (the propagating peer's score drops), stale / replayed /
 * registry unavailable → Ignore (not penalised: may be honest delay or our own failure).
 *
 * RTT: a tiny echo protocol `/proofmesh/ping/1.0.0` (libp2p 3 ships no ping service in this
 * tree), timed with performance.now() on an already negotiated stream, smoothed by EWMA.
 */
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { gossipsub, TopicValidatorResult, type GossipSub, type GossipsubMessage, type Message } from "@libp2p/gossipsub";
import { createTopicScoreParams } from "@libp2p/gossipsub/score";
import { identify, type Identify } from "@libp2p/identify";
import type { Connection, IdentifyResult, PeerId, PrivateKey, Stream } from "@libp2p/interface";
import { tcp } from "@libp2p/tcp";
import { multiaddr } from "@multiformats/multiaddr";
import { createLibp2p, type Libp2p } from "libp2p";
import type { Logger } from "pino";
import type { Address } from "viem";
import {
  encodeHeartbeat,
  HEARTBEAT_VERSION,
  HeartbeatLimits,
  LOAD_SCALE,
  MS_SCALE,
  parseHeartbeat,
  quantize,
  WireValidationError,
  type Heartbeat,
  type PeerRtt,
} from "../wire/messages.ts";
import {
  HeartbeatVerificationError,
  signHeartbeat,
  verifyHeartbeat,
  type HeartbeatSigner,
  type HeartbeatVerifyFailure,
  type IsRegisteredFn,
} from "./sign.ts";

export const PING_PROTOCOL = "/proofmesh/ping/1.0.0";
const PING_BYTES = 32;

/** Gossip topic of a cluster's heartbeats. */
export function heartbeatTopic(parameters: { chainId: number; clusterId: number }): string {
  return `proofmesh/${parameters.chainId}/cluster/${parameters.clusterId}/heartbeat/1`;
}

/**
 * `replay`: seq equal to the last accepted seq of that node (the same heartbeat again).
 * `out-of-order`: seq lower than the last accepted one — an older heartbeat arriving late via
 * another path (normal at mesh start-up) or a replay of an older one. Both are Ignore.
 */
export type GossipDropReason = "schema" | HeartbeatVerifyFailure | "stale" | "future" | "replay" | "out-of-order";

export const GOSSIP_DROP_REASONS: readonly GossipDropReason[] = [
  "schema",
  "chain-mismatch",
  "cluster-mismatch",
  "bad-signature",
  "peer-mismatch",
  "not-registered",
  "registry-error",
  "stale",
  "future",
  "replay",
  "out-of-order",
];

/** Ignore (no penalty) for these; Reject (peer score drops) for every other reason. */
const IGNORED_REASONS: ReadonlySet<GossipDropReason> = new Set(["stale", "future", "replay", "out-of-order", "registry-error"]);

export class GossipMeshError extends Error {
  override name = "GossipMeshError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What the node reports; the mesh adds version, chainId, nodeAddress, peerId, seq, sentAtMs, signature. */
export type HeartbeatStatus = {
  clusterId: number;
  operator?: Address;
  /** CPU load in [0, 1]; rounded to 1e-6. */
  load: number;
  inFlight: number;
  queueDepth: number;
  /** ewmaMs rounded to 0.001. */
  computeEwmaMs: Heartbeat["computeEwmaMs"];
  /** Defaults to the mesh's own RTT measurements of peers whose heartbeat it has accepted. */
  rttMs?: PeerRtt[];
  backend: Heartbeat["backend"];
  endpoint: string;
  servedShards: Heartbeat["servedShards"];
};

export type HeartbeatEvent = {
  heartbeat: Heartbeat;
  topic: string;
  /** libp2p peer that originated the message (== heartbeat.peerId). */
  fromPeerId: string;
  /** Peer we received it from (differs from fromPeerId when relayed). */
  propagationPeerId: string;
  receivedAtMs: number;
};

export type GossipMeshStats = {
  /** Heartbeat messages that reached our validator (gossipsub duplicates excluded). */
  received: number;
  accepted: number;
  dropped: Record<GossipDropReason, number>;
  published: number;
  publishFailed: number;
};

export type PeerRttSample = {
  peerId: string;
  /** Known once this peer's heartbeat was accepted. */
  nodeAddress?: Address;
  /** EWMA of the RTT samples, milliseconds. */
  rttMs: number;
  lastSampleMs: number;
  sampledAtMs: number;
};

export type CreateGossipMeshParameters = {
  chainId: number;
  /** Clusters whose heartbeat topics to subscribe to (a node: its cluster; a coordinator: all). */
  clusterIds: readonly number[];
  /** Multiaddrs to dial at start and keep re-dialling, e.g. "/ip4/127.0.0.1/tcp/4001/p2p/12D3…". */
  bootstrap?: readonly string[];
  /** TCP port, 0 (default) for a random one. */
  listenPort?: number;
  /** Default "127.0.0.1". */
  listenHost?: string;
  /** The node's registered signing key; omit for a listen-only subscriber (coordinator). */
  signer?: HeartbeatSigner;
  isRegistered: IsRegisteredFn;
  log: Logger;
  /** Automatic heartbeat period; needs `signer` and `getStatus`. 0 / omitted: publish manually. */
  heartbeatIntervalMs?: number;
  getStatus?: () => HeartbeatStatus | Promise<HeartbeatStatus>;
  /** Accept heartbeats whose |now − sentAtMs| ≤ this. Default 10 000. */
  freshnessWindowMs?: number;
  /** RTT probe period, 0 to disable. Default 5 000. */
  rttIntervalMs?: number;
  /** Bootstrap re-dial period for peers not connected, 0 to disable. Default 5 000. */
  redialIntervalMs?: number;
  /** Per dial / per ping timeout. Default 5 000 / 2 000. */
  dialTimeoutMs?: number;
  pingTimeoutMs?: number;
  /** gossipsub's own heartbeat (mesh maintenance) period. Default 700. */
  gossipsubHeartbeatMs?: number;
  /** Stable libp2p identity; default: a fresh Ed25519 key per start. */
  privateKey?: PrivateKey;
  /** Replay-state and peer→node entries kept (LRU each). Default 10 000. */
  maxTrackedNodes?: number;
  /** Clock, for tests. Default Date.now. */
  nowMs?: () => number;
};

export type PublishHeartbeatReturnType = { heartbeat: Heartbeat; topic: string; recipients: number };

export type GossipMesh = {
  readonly peerId: string;
  readonly chainId: number;
  readonly topics: readonly string[];
  /** Dialable multiaddrs including /p2p/<peerId>. */
  multiaddrs(): string[];
  /** Signs and publishes; throws GossipMeshError when listen-only or the cluster is not joined. */
  publishHeartbeat(status: HeartbeatStatus): Promise<PublishHeartbeatReturnType>;
  /** Registers a listener for accepted heartbeats; returns the unsubscribe function. */
  onHeartbeat(listener: (event: HeartbeatEvent) => void): () => void;
  stats(): GossipMeshStats;
  rtts(): PeerRttSample[];
  /**
   * Resolves when every topic has ≥ minPeers subscribers we can send to (their subscription is
   * known AND our outbound gossipsub stream to them is open); throws on timeout.
   */
  waitForTopicPeers(parameters: { minPeers: number; timeoutMs: number }): Promise<void>;
  dial(address: string): Promise<void>;
  /** gossipsub peer score as seen by this node. */
  peerScore(peerId: string): number;
  /** Escape hatch (tests, metrics). Publishing raw bytes bypasses signing. */
  readonly libp2p: Libp2p<{ pubsub: GossipSub; identify: Identify }>;
  stop(): Promise<void>;
};

function emptyDropCounts(): Record<GossipDropReason, number> {
  return Object.fromEntries(GOSSIP_DROP_REASONS.map((r) => [r, 0])) as Record<GossipDropReason, number>;
}

export async function createGossipMesh(parameters: CreateGossipMeshParameters): Promise<GossipMesh> {
  const {
    chainId,
    clusterIds,
    bootstrap = [],
    listenPort = 0,
    listenHost = "127.0.0.1",
    signer,
    isRegistered,
    heartbeatIntervalMs = 0,
    getStatus,
    freshnessWindowMs = 10_000,
    rttIntervalMs = 5_000,
    redialIntervalMs = 5_000,
    dialTimeoutMs = 5_000,
    pingTimeoutMs = 2_000,
    gossipsubHeartbeatMs = 700,
    privateKey,
    maxTrackedNodes = 10_000,
    nowMs = Date.now,
  } = parameters;
  if (clusterIds.length === 0) throw new GossipMeshError("clusterIds is empty");
  if (heartbeatIntervalMs > 0 && (signer === undefined || getStatus === undefined)) {
    throw new GossipMeshError("heartbeatIntervalMs needs signer and getStatus");
  }

  const topicByCluster = new Map<number, string>(clusterIds.map((clusterId) => [clusterId, heartbeatTopic({ chainId, clusterId })]));
  const clusterByTopic = new Map<string, number>([...topicByCluster].map(([c, t]) => [t, c]));
  const topics = [...topicByCluster.values()];

  const topicScoreParams = createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0.001,
    timeInMeshQuantum: 1_000,
    timeInMeshCap: 3_600,
    firstMessageDeliveriesWeight: 0.1,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 50,
    // Heartbeats are ~1/s/node: mesh delivery-rate penalties would punish small honest meshes.
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    // P4 = invalid², weight −1, ×0.9 per second: ~4 rejects → below gossipThreshold (−10),
    // ~9 → graylisted (−80, RPCs ignored).
    invalidMessageDeliveriesWeight: -1,
    invalidMessageDeliveriesDecay: 0.9,
  });

  const libp2p = await createLibp2p({
    ...(privateKey !== undefined ? { privateKey } : {}),
    addresses: { listen: [`/ip4/${listenHost}/tcp/${listenPort}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({
        D: 4,
        Dlo: 2,
        Dhi: 8,
        Dout: 1,
        Dscore: 2,
        heartbeatInterval: gossipsubHeartbeatMs,
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        floodPublish: true,
        doPX: false,
        allowedTopics: topics,
        maxInboundDataLength: 4 * HeartbeatLimits.maxBytes,
        scoreParams: {
          topics: Object.fromEntries(topics.map((t) => [t, topicScoreParams])),
          // Embedded mode runs every node on loopback; do not count them as Sybils.
          IPColocationFactorWhitelist: new Set(["127.0.0.1", "::1"]),
        },
      }),
    },
  });
  const pubsub = libp2p.services.pubsub;
  // Public on the GossipSub class, not on its interface: a subscriber whose outbound stream is
  // not open yet silently gets nothing (gossipsub drops the RPC), so readiness must check it.
  const outbound = (pubsub as unknown as { streamsOutbound: Map<string, unknown> }).streamsOutbound;
  const selfPeerId = libp2p.peerId.toString();
  const log = parameters.log.child({ component: "gossip", peerId: selfPeerId });

  // ---- state
  const stats: GossipMeshStats = { received: 0, accepted: 0, dropped: emptyDropCounts(), published: 0, publishFailed: 0 };
  const lastSeqByNode = new Map<string, number>(); // lower-case address → seq (LRU order)
  const parsedByMessage = new WeakMap<Message, Heartbeat>();
  const nodeByPeer = new Map<string, Address>();
  const rttByPeer = new Map<string, PeerRttSample>();
  const listeners = new Set<(event: HeartbeatEvent) => void>();
  const bootstrapPeers = new Map<string, string | undefined>(); // address → peerId once known
  const timers: ReturnType<typeof setInterval>[] = [];
  const abort = new AbortController();
  let stopped = false;
  let lastPublishedSeq = 0;

  function drop(reason: GossipDropReason, detail: string, from: string): TopicValidatorResult {
    stats.dropped[reason] += 1;
    log.debug({ reason, from, detail }, "gossip heartbeat dropped");
    return IGNORED_REASONS.has(reason) ? TopicValidatorResult.Ignore : TopicValidatorResult.Reject;
  }

  async function validate(topic: string, msg: Message): Promise<TopicValidatorResult> {
    stats.received += 1;
    const from = msg.type === "signed" ? msg.from.toString() : "";
    let heartbeat: Heartbeat;
    try {
      heartbeat = parseHeartbeat(msg.data);
    } catch (err) {
      if (err instanceof WireValidationError) return drop("schema", err.message, from);
      throw err;
    }
    try {
      await verifyHeartbeat({
        heartbeat,
        chainId,
        isRegistered,
        expectedClusterId: clusterByTopic.get(topic),
        // StrictSign (the gossipsub default) guarantees `from`; unsigned never gets here.
        expectedPeerId: from,
      });
    } catch (err) {
      if (err instanceof HeartbeatVerificationError) return drop(err.reason, err.message, from);
      throw err;
    }
    // No await below this line: the seq check-and-set is atomic w.r.t. other validations.
    const now = nowMs();
    if (heartbeat.sentAtMs < now - freshnessWindowMs) {
      return drop("stale", `sentAtMs ${heartbeat.sentAtMs} is ${now - heartbeat.sentAtMs} ms old`, from);
    }
    if (heartbeat.sentAtMs > now + freshnessWindowMs) {
      return drop("future", `sentAtMs ${heartbeat.sentAtMs} is ${heartbeat.sentAtMs - now} ms ahead`, from);
    }
    const key = heartbeat.nodeAddress.toLowerCase();
    const lastSeq = lastSeqByNode.get(key);
    if (lastSeq !== undefined && heartbeat.seq === lastSeq) {
      return drop("replay", `seq ${heartbeat.seq} already accepted from ${heartbeat.nodeAddress}`, from);
    }
    if (lastSeq !== undefined && heartbeat.seq < lastSeq) {
      return drop("out-of-order", `seq ${heartbeat.seq} < last ${lastSeq} of ${heartbeat.nodeAddress}`, from);
    }
    lastSeqByNode.delete(key);
    lastSeqByNode.set(key, heartbeat.seq);
    if (lastSeqByNode.size > maxTrackedNodes) {
      const oldest = lastSeqByNode.keys().next().value;
      if (oldest !== undefined) lastSeqByNode.delete(oldest);
    }
    stats.accepted += 1;
    parsedByMessage.set(msg, heartbeat);
    return TopicValidatorResult.Accept;
  }

  for (const topic of topics) {
    pubsub.topicValidators.set(topic, async (_propagationSource, msg) => {
      try {
        return await validate(topic, msg);
      } catch (err) {
        // A bug on our side, not the sender's fault: do not penalise.
        log.error({ err }, "gossip validator failed");
        return TopicValidatorResult.Ignore;
      }
    });
  }

  pubsub.addEventListener("gossipsub:message", (evt: CustomEvent<GossipsubMessage>) => {
    const { msg, propagationSource } = evt.detail;
    const heartbeat = parsedByMessage.get(msg);
    if (heartbeat === undefined || msg.type !== "signed") return;
    nodeByPeer.delete(heartbeat.peerId);
    nodeByPeer.set(heartbeat.peerId, heartbeat.nodeAddress);
    if (nodeByPeer.size > maxTrackedNodes) {
      const oldest = nodeByPeer.keys().next().value;
      if (oldest !== undefined) nodeByPeer.delete(oldest);
    }
    const sample = rttByPeer.get(heartbeat.peerId);
    if (sample !== undefined) sample.nodeAddress = heartbeat.nodeAddress;
    const event: HeartbeatEvent = {
      heartbeat,
      topic: msg.topic,
      fromPeerId: msg.from.toString(),
      propagationPeerId: propagationSource.toString(),
      receivedAtMs: nowMs(),
    };
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        log.error({ err }, "onHeartbeat listener threw");
      }
    }
  });

  // ---- RTT probes
  await libp2p.handle(
    PING_PROTOCOL,
    async (stream: Stream) => {
      let total = 0;
      try {
        for await (const chunk of stream) {
          total += chunk.byteLength;
          if (total > 2 * PING_BYTES) throw new GossipMeshError("ping payload too long");
          stream.send(chunk);
          if (total === 2 * PING_BYTES) break;
        }
        await stream.close();
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)));
      }
    },
    { maxInboundStreams: 4, maxOutboundStreams: 4 },
  );

  async function readBytes(stream: Stream, iterator: AsyncIterator<{ byteLength: number }>, n: number): Promise<void> {
    let got = 0;
    while (got < n) {
      const next = await iterator.next();
      if (next.done === true) throw new GossipMeshError(`ping stream ${stream.id} ended early`);
      got += next.value.byteLength;
    }
  }

  async function ping(connection: Connection): Promise<number> {
    const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(pingTimeoutMs)]);
    const stream = await connection.newStream(PING_PROTOCOL, { signal });
    const onAbort = () => stream.abort(new GossipMeshError("ping timed out"));
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const iterator = stream[Symbol.asyncIterator]();
      // First exchange warms up the stream (protocol negotiation may ride on it).
      stream.send(crypto.getRandomValues(new Uint8Array(PING_BYTES)));
      await readBytes(stream, iterator, PING_BYTES);
      const t0 = performance.now();
      stream.send(crypto.getRandomValues(new Uint8Array(PING_BYTES)));
      await readBytes(stream, iterator, PING_BYTES);
      const rttMs = performance.now() - t0;
      await iterator.return?.();
      await stream.close({ signal });
      return rttMs;
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
      throw err;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  const probing = new Set<string>();
  async function probePeer(peerId: PeerId): Promise<void> {
    const id = peerId.toString();
    if (stopped || probing.has(id)) return;
    const connection = libp2p.getConnections(peerId).find((c) => c.status === "open");
    if (connection === undefined) return;
    probing.add(id);
    try {
      const sampleMs = await ping(connection);
      const prev = rttByPeer.get(id);
      const smoothed = prev === undefined ? sampleMs : 0.7 * prev.rttMs + 0.3 * sampleMs;
      rttByPeer.set(id, { peerId: id, nodeAddress: nodeByPeer.get(id), rttMs: smoothed, lastSampleMs: sampleMs, sampledAtMs: nowMs() });
    } catch (err) {
      if (!stopped) log.debug({ err, peer: id }, "rtt probe failed");
    } finally {
      probing.delete(id);
    }
  }

  function probeAll(): void {
    for (const peerId of libp2p.getPeers()) void probePeer(peerId);
  }

  if (rttIntervalMs > 0) {
    libp2p.addEventListener("peer:identify", (evt: CustomEvent<IdentifyResult>) => {
      if (evt.detail.protocols.includes(PING_PROTOCOL)) void probePeer(evt.detail.peerId);
    });
    timers.push(setInterval(probeAll, rttIntervalMs));
  }
  libp2p.addEventListener("peer:disconnect", (evt: CustomEvent<PeerId>) => {
    rttByPeer.delete(evt.detail.toString());
  });

  function ownRtts(): PeerRtt[] {
    const out: PeerRtt[] = [];
    for (const sample of rttByPeer.values()) {
      const nodeAddress = nodeByPeer.get(sample.peerId);
      if (nodeAddress === undefined || nodeAddress === signer?.address) continue;
      out.push({ nodeAddress, rttMs: Math.min(quantize(sample.rttMs, MS_SCALE), HeartbeatLimits.maxRttMs) });
    }
    out.sort((a, b) => a.rttMs - b.rttMs);
    // De-duplicate (two peer ids claiming one node address: keep the fastest).
    const seen = new Set<string>();
    return out.filter((r) => !seen.has(r.nodeAddress) && seen.add(r.nodeAddress)).slice(0, HeartbeatLimits.maxRttEntries);
  }

  // ---- publishing
  async function publishHeartbeat(status: HeartbeatStatus): Promise<PublishHeartbeatReturnType> {
    if (stopped) throw new GossipMeshError("mesh is stopped");
    if (signer === undefined) throw new GossipMeshError("listen-only mesh (no signer) cannot publish");
    const topic = topicByCluster.get(status.clusterId);
    if (topic === undefined) throw new GossipMeshError(`cluster ${status.clusterId} is not one of this mesh's clusterIds`);
    const sentAtMs = nowMs();
    // Survives restarts without persistence as long as the clock does not go back.
    const seq = Math.max(lastPublishedSeq + 1, sentAtMs);
    lastPublishedSeq = seq;
    try {
      const heartbeat = await signHeartbeat({
        account: signer,
        heartbeat: {
          version: HEARTBEAT_VERSION,
          chainId,
          nodeAddress: signer.address,
          ...(status.operator !== undefined ? { operator: status.operator } : {}),
          peerId: selfPeerId,
          clusterId: status.clusterId,
          seq,
          sentAtMs,
          load: quantize(status.load, LOAD_SCALE),
          inFlight: status.inFlight,
          queueDepth: status.queueDepth,
          computeEwmaMs: status.computeEwmaMs.map((e) => ({ ...e, ewmaMs: quantize(e.ewmaMs, MS_SCALE) })),
          rttMs: (status.rttMs ?? ownRtts()).map((r) => ({ ...r, rttMs: quantize(r.rttMs, MS_SCALE) })),
          backend: status.backend,
          endpoint: status.endpoint,
          servedShards: status.servedShards,
        },
      });
      const result = await pubsub.publish(topic, encodeHeartbeat(heartbeat));
      stats.published += 1;
      log.debug({ seq, topic, recipients: result.recipients.length }, "heartbeat published");
      return { heartbeat, topic, recipients: result.recipients.length };
    } catch (err) {
      stats.publishFailed += 1;
      throw err;
    }
  }

  let autoPublishing = false;
  let lastAutoPublishMs = 0;
  async function autoPublish(parameters: { minGapMs: number }): Promise<void> {
    if (stopped || autoPublishing || getStatus === undefined) return;
    if (nowMs() - lastAutoPublishMs < parameters.minGapMs) return;
    autoPublishing = true;
    try {
      lastAutoPublishMs = nowMs();
      await publishHeartbeat(await getStatus());
    } catch (err) {
      if (!stopped) log.warn({ err }, "automatic heartbeat failed");
    } finally {
      autoPublishing = false;
    }
  }

  if (heartbeatIntervalMs > 0) {
    timers.push(setInterval(() => void autoPublish({ minGapMs: heartbeatIntervalMs / 2 }), heartbeatIntervalMs));
    // A new subscriber gets a heartbeat at once instead of after up to one period.
    pubsub.addEventListener("subscription-change", (evt) => {
      const joined = evt.detail.subscriptions.some((s) => s.subscribe && clusterByTopic.has(s.topic));
      if (!joined) return;
      const waitMs = Math.max(0, lastAutoPublishMs + 250 - nowMs());
      setTimeout(() => void autoPublish({ minGapMs: 0 }), waitMs).unref();
    });
  }

  // ---- start: subscribe, dial bootstrap peers
  for (const topic of topics) pubsub.subscribe(topic);

  async function dial(address: string): Promise<void> {
    const connection = await libp2p.dial(multiaddr(address), { signal: AbortSignal.timeout(dialTimeoutMs) });
    if (bootstrapPeers.has(address)) bootstrapPeers.set(address, connection.remotePeer.toString());
  }

  async function dialBootstrap(): Promise<void> {
    const connected = new Set(libp2p.getPeers().map((p) => p.toString()));
    await Promise.all(
      [...bootstrapPeers].map(async ([address, peerId]) => {
        if (stopped || (peerId !== undefined && connected.has(peerId))) return;
        try {
          await dial(address);
          log.debug({ address }, "bootstrap peer connected");
        } catch (err) {
          if (!stopped) log.debug({ err, address }, "bootstrap dial failed");
        }
      }),
    );
  }

  for (const address of bootstrap) {
    let peerId: string | undefined;
    try {
      peerId = multiaddr(address).getComponents().find((c) => c.name === "p2p")?.value;
    } catch (cause) {
      await libp2p.stop();
      throw new GossipMeshError(`bad bootstrap multiaddr ${address}`, { cause });
    }
    if (peerId === selfPeerId) continue;
    bootstrapPeers.set(address, undefined);
  }
  await dialBootstrap();
  if (redialIntervalMs > 0 && bootstrapPeers.size > 0) timers.push(setInterval(() => void dialBootstrap(), redialIntervalMs));
  for (const t of timers) t.unref?.();

  if (heartbeatIntervalMs > 0) void autoPublish({ minGapMs: 0 });
  log.info(
    { topics, listen: libp2p.getMultiaddrs().map(String), bootstrap: bootstrapPeers.size, publisher: signer !== undefined },
    "gossip mesh started",
  );

  return {
    peerId: selfPeerId,
    chainId,
    topics,
    libp2p,
    multiaddrs: () => libp2p.getMultiaddrs().map(String),
    publishHeartbeat,
    onHeartbeat(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stats: () => ({ ...stats, dropped: { ...stats.dropped } }),
    rtts: () => [...rttByPeer.values()].map((s) => ({ ...s, nodeAddress: nodeByPeer.get(s.peerId) })),
    async waitForTopicPeers({ minPeers, timeoutMs }) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const counts = topics.map((t) => pubsub.getSubscribers(t).filter((p) => outbound.has(p.toString())).length);
        if (counts.every((n) => n >= minPeers)) return;
        if (Date.now() > deadline) {
          throw new GossipMeshError(`timed out after ${timeoutMs} ms waiting for ${minPeers} topic peers (have ${counts.join(", ")})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    dial,
    peerScore: (peerId) => (pubsub as unknown as { getScore(id: string): number }).getScore(peerId),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearInterval(t);
      abort.abort();
      listeners.clear();
      await libp2p.stop();
      log.info("gossip mesh stopped");
    },
  };
}
