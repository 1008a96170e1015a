/** Shared test fixtures for gossip / wire tests (not a test file itself). */
import { getAddress, type Address, type Hex } from "viem";
import { HEARTBEAT_VERSION, type UnsignedHeartbeat } from "../wire/messages.ts";
import type { HeartbeatStatus } from "./mesh.ts";

export const TEST_CHAIN_ID = 31337;
export const TEST_CLUSTER_ID = 7;
export const MODEL_A: Hex = `0x${"ab".repeat(32)}`;
export const PEER_ADDRESS: Address = getAddress("0x000000000000000000000000000000000000beef");
export const OPERATOR_ADDRESS: Address = getAddress("0x00000000000000000000000000000000000000a1");
/** A syntactically valid libp2p peer id. */
export const TEST_PEER_ID = "12D3KooWRMpzpR6n6ATkzg3bbKRhEUhraubs7U2UZKAuKU2ciTcn";

export function sampleStatus(overrides: Partial<HeartbeatStatus> = {}): HeartbeatStatus {
  return {
    clusterId: TEST_CLUSTER_ID,
    load: 0.25,
    inFlight: 2,
    queueDepth: 1,
    computeEwmaMs: [{ modelId: MODEL_A, shard: 0, ewmaMs: 12.5 }],
    backend: "native",
    endpoint: "http://127.0.0.1:8080",
    servedShards: [{ modelId: MODEL_A, shard: 0 }],
    ...overrides,
  };
}

export function sampleUnsigned(
  parameters: { nodeAddress: Address; peerId?: string; nowMs?: number } & Partial<UnsignedHeartbeat>,
): UnsignedHeartbeat {
  const { nodeAddress, peerId = TEST_PEER_ID, nowMs = Date.now(), ...overrides } = parameters;
  return {
    version: HEARTBEAT_VERSION,
    chainId: TEST_CHAIN_ID,
    nodeAddress,
    operator: OPERATOR_ADDRESS,
    peerId,
    clusterId: TEST_CLUSTER_ID,
    seq: nowMs,
    sentAtMs: nowMs,
    load: 0.5,
    inFlight: 3,
    queueDepth: 4,
    computeEwmaMs: [{ modelId: MODEL_A, shard: 1, ewmaMs: 7.125 }],
    rttMs: [{ nodeAddress: PEER_ADDRESS, rttMs: 0.25 }],
    backend: "wasm",
    endpoint: "https://node-1.example:8443/api",
    servedShards: [{ modelId: MODEL_A, shard: 1 }],
    ...overrides,
  };
}
