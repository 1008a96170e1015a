/**
 * EIP-712 signing and verification of gossip heartbeats ("signed gossip only", SECURITY.md).
 *
 * Domain: { name: "ProofMesh Gossip", version: "1", chainId }. No verifyingContract: gossip is
 * not addressed to a contract (see report: binding the StakeRegistry address is a later option).
 * Floats are signed as integers on fixed grids (load in ppm, milliseconds in microseconds);
 * `parseHeartbeat` only accepts on-grid values, so wire value ↔ signed value is one-to-one.
 * `operator` absent is signed as the zero address (the wire forbids an explicit zero address).
 */
import {
  hashTypedData,
  hexToBytes,
  isAddressEqual,
  zeroAddress,
  type Address,
  type Hex,
  type LocalAccount,
  type TypedDataDomain,
} from "viem";
import {
  LOAD_SCALE,
  MS_SCALE,
  parseHeartbeat,
  toFixedPoint,
  type Heartbeat,
  type UnsignedHeartbeat,
} from "../wire/messages.ts";
import { recoverAddress } from "../wire/recover-address.ts";

export const GOSSIP_DOMAIN_NAME = "ProofMesh Gossip";
export const GOSSIP_DOMAIN_VERSION = "1";

export const heartbeatTypes = {
  Heartbeat: [
    { name: "version", type: "uint16" },
    { name: "nodeAddress", type: "address" },
    { name: "operator", type: "address" },
    { name: "peerId", type: "string" },
    { name: "clusterId", type: "uint32" },
    { name: "seq", type: "uint64" },
    { name: "sentAtMs", type: "uint64" },
    { name: "loadPpm", type: "uint32" },
    { name: "inFlight", type: "uint32" },
    { name: "queueDepth", type: "uint32" },
    { name: "computeEwma", type: "ShardEwma[]" },
    { name: "rtt", type: "PeerRtt[]" },
    { name: "backend", type: "string" },
    { name: "endpoint", type: "string" },
    { name: "servedShards", type: "ShardRef[]" },
  ],
  ShardEwma: [
    { name: "modelId", type: "bytes32" },
    { name: "shard", type: "uint8" },
    { name: "ewmaUs", type: "uint64" },
  ],
  PeerRtt: [
    { name: "nodeAddress", type: "address" },
    { name: "rttUs", type: "uint64" },
  ],
  ShardRef: [
    { name: "modelId", type: "bytes32" },
    { name: "shard", type: "uint8" },
  ],
} as const;

export function heartbeatDomain(parameters: { chainId: number }) {
  return {
    name: GOSSIP_DOMAIN_NAME,
    version: GOSSIP_DOMAIN_VERSION,
    chainId: parameters.chainId,
  } as const satisfies TypedDataDomain;
}

export class HeartbeatSignError extends Error {
  override name = "HeartbeatSignError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Why a received heartbeat is not trusted (shared with the mesh's drop counters). */
export type HeartbeatVerifyFailure =
  | "chain-mismatch"
  | "cluster-mismatch"
  | "bad-signature"
  | "peer-mismatch"
  | "not-registered"
  | "registry-error";

export class HeartbeatVerificationError extends Error {
  override name = "HeartbeatVerificationError";
  readonly reason: HeartbeatVerifyFailure;
  constructor(reason: HeartbeatVerifyFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** Chain view callback: is `nodeAddress` (a signing key) a registered node of `clusterId`? */
export type IsRegisteredFn = (nodeAddress: Address, clusterId: number) => boolean | Promise<boolean>;

/** Account able to sign typed data locally (viem `privateKeyToAccount(...)`). */
export type HeartbeatSigner = Pick<LocalAccount, "address" | "signTypedData">;

function fixed(value: number, scale: number, field: string): bigint {
  const steps = toFixedPoint(value, scale);
  if (steps === undefined) throw new HeartbeatSignError(`${field} ${value} is not on the 1/${scale} grid`);
  return BigInt(steps);
}

/** The EIP-712 typed data a heartbeat's signature covers. */
export function heartbeatTypedData(heartbeat: UnsignedHeartbeat) {
  return {
    domain: heartbeatDomain({ chainId: heartbeat.chainId }),
    types: heartbeatTypes,
    primaryType: "Heartbeat",
    message: {
      version: heartbeat.version,
      nodeAddress: heartbeat.nodeAddress,
      operator: heartbeat.operator ?? zeroAddress,
      peerId: heartbeat.peerId,
      clusterId: heartbeat.clusterId,
      seq: BigInt(heartbeat.seq),
      sentAtMs: BigInt(heartbeat.sentAtMs),
      loadPpm: Number(fixed(heartbeat.load, LOAD_SCALE, "load")),
      inFlight: heartbeat.inFlight,
      queueDepth: heartbeat.queueDepth,
      computeEwma: heartbeat.computeEwmaMs.map((e) => ({
        modelId: e.modelId,
        shard: e.shard,
        ewmaUs: fixed(e.ewmaMs, MS_SCALE, "ewmaMs"),
      })),
      rtt: heartbeat.rttMs.map((r) => ({ nodeAddress: r.nodeAddress, rttUs: fixed(r.rttMs, MS_SCALE, "rttMs") })),
      backend: heartbeat.backend,
      endpoint: heartbeat.endpoint,
      servedShards: heartbeat.servedShards.map((s) => ({ modelId: s.modelId, shard: s.shard })),
    },
  } as const;
}

export type SignHeartbeatParameters = {
  heartbeat: UnsignedHeartbeat;
  account: HeartbeatSigner;
};
export type SignHeartbeatReturnType = Heartbeat;

/**
 * Signs a heartbeat with the node's signing key. The result is re-parsed, so a heartbeat that
 * would be rejected on the wire (bounds, grids, URL…) fails here with a WireValidationError.
 */
export async function signHeartbeat(parameters: SignHeartbeatParameters): Promise<SignHeartbeatReturnType> {
  const { heartbeat, account } = parameters;
  if (!isAddressEqual(account.address, heartbeat.nodeAddress)) {
    throw new HeartbeatSignError(`account ${account.address} is not nodeAddress ${heartbeat.nodeAddress}`);
  }
  const signature: Hex = await account.signTypedData(heartbeatTypedData(heartbeat));
  return parseHeartbeat({ ...heartbeat, signature });
}

export type RecoverHeartbeatSignerParameters = { heartbeat: Heartbeat };

/**
 * The address that signed the heartbeat (under the heartbeat's own chainId domain). Every node
 * checks every peer's heartbeat (4 a second each by default): the digest is viem's EIP-712 hash,
 * the recovery libsecp256k1 in WebAssembly (≈ 0.4 ms together, against ≈ 2 ms for viem's
 * `recoverTypedDataAddress`); v ∈ {27, 28} and low s, as viem's signers produce.
 */
export async function recoverHeartbeatSigner(parameters: RecoverHeartbeatSignerParameters): Promise<Address> {
  const { signature, ...unsigned } = parameters.heartbeat;
  return recoverAddress({ digest: hexToBytes(hashTypedData(heartbeatTypedData(unsigned))), signature });
}

export type VerifyHeartbeatParameters = {
  heartbeat: Heartbeat;
  /** Chain this process serves; the heartbeat must be for it. */
  chainId: number;
  isRegistered: IsRegisteredFn;
  /** Cluster of the topic the heartbeat arrived on, if any. */
  expectedClusterId?: number;
  /** libp2p peer that originated the gossip message (its `from`), if any. */
  expectedPeerId?: string;
};
export type VerifyHeartbeatReturnType = { signer: Address };

/**
 * Checks, in order: chainId, cluster (topic), signature recovers to `nodeAddress`, originating
 * peer, and registration in the cluster. Throws {@link HeartbeatVerificationError} with a
 * `reason`. Freshness and replay (seq) need per-receiver state and live in the mesh.
 */
export async function verifyHeartbeat(parameters: VerifyHeartbeatParameters): Promise<VerifyHeartbeatReturnType> {
  const { heartbeat, chainId, isRegistered, expectedClusterId, expectedPeerId } = parameters;
  if (heartbeat.chainId !== chainId) {
    throw new HeartbeatVerificationError("chain-mismatch", `heartbeat is for chain ${heartbeat.chainId}, not ${chainId}`);
  }
  if (expectedClusterId !== undefined && heartbeat.clusterId !== expectedClusterId) {
    throw new HeartbeatVerificationError(
      "cluster-mismatch",
      `heartbeat for cluster ${heartbeat.clusterId} on the topic of cluster ${expectedClusterId}`,
    );
  }
  let signer: Address;
  try {
    signer = await recoverHeartbeatSigner({ heartbeat });
  } catch (cause) {
    throw new HeartbeatVerificationError("bad-signature", "signature does not recover", { cause });
  }
  if (!isAddressEqual(signer, heartbeat.nodeAddress)) {
    throw new HeartbeatVerificationError("bad-signature", `signed by ${signer}, not by nodeAddress ${heartbeat.nodeAddress}`);
  }
  if (expectedPeerId !== undefined && heartbeat.peerId !== expectedPeerId) {
    throw new HeartbeatVerificationError(
      "peer-mismatch",
      `heartbeat of peer ${heartbeat.peerId} originated by peer ${expectedPeerId}`,
    );
  }
  let registered: boolean;
  try {
    registered = await isRegistered(signer, heartbeat.clusterId);
  } catch (cause) {
    throw new HeartbeatVerificationError("registry-error", "isRegistered failed", { cause });
  }
  if (registered !== true) {
    throw new HeartbeatVerificationError(
      "not-registered",
      `${signer} is not a registered node of cluster ${heartbeat.clusterId}`,
    );
  }
  return { signer };
}
