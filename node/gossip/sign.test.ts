import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { getAddress, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { encodeHeartbeat, parseHeartbeat, type Heartbeat } from "../wire/messages.ts";
import {
  HeartbeatSignError,
  HeartbeatVerificationError,
  recoverHeartbeatSigner,
  signHeartbeat,
  verifyHeartbeat,
  type HeartbeatVerifyFailure,
  type IsRegisteredFn,
} from "./sign.ts";
import { MODEL_A, PEER_ADDRESS, sampleUnsigned, TEST_CHAIN_ID, TEST_CLUSTER_ID, TEST_PEER_ID } from "./test-fixtures.ts";

const node = privateKeyToAccount(generatePrivateKey());
const other = privateKeyToAccount(generatePrivateKey());
const registeredOnly =
  (...addresses: Address[]): IsRegisteredFn =>
  (address, clusterId) =>
    clusterId === TEST_CLUSTER_ID && addresses.some((a) => a.toLowerCase() === address.toLowerCase());

async function signed(overrides: Parameters<typeof sampleUnsigned>[0] | object = {}, account = node): Promise<Heartbeat> {
  return signHeartbeat({ account, heartbeat: sampleUnsigned({ nodeAddress: account.address, ...overrides }) });
}

async function failsWith(heartbeat: Heartbeat, reason: HeartbeatVerifyFailure, extra: Partial<Parameters<typeof verifyHeartbeat>[0]> = {}) {
  await assert.rejects(
    verifyHeartbeat({ heartbeat, chainId: TEST_CHAIN_ID, isRegistered: registeredOnly(node.address), ...extra }),
    (err: unknown) => {
      assert.ok(err instanceof HeartbeatVerificationError, String(err));
      assert.equal(err.reason, reason, err.message);
      return true;
    },
  );
}

describe("signHeartbeat / verifyHeartbeat", () => {
  test("round trip through the wire bytes recovers the node's address", async () => {
    const hb = await signed();
    const received = parseHeartbeat(encodeHeartbeat(hb));
    const { signer } = await verifyHeartbeat({
      heartbeat: received,
      chainId: TEST_CHAIN_ID,
      isRegistered: async (a, c) => registeredOnly(node.address)(a, c),
      expectedClusterId: TEST_CLUSTER_ID,
      expectedPeerId: TEST_PEER_ID,
    });
    assert.equal(signer, node.address);
    assert.equal(await recoverHeartbeatSigner({ heartbeat: received }), node.address);
  });

  test("tampering with any signed field breaks the signature", async () => {
    const hb = await signed();
    const tampered: Array<[string, Heartbeat]> = [
      ["seq", { ...hb, seq: hb.seq + 1 }],
      ["sentAtMs", { ...hb, sentAtMs: hb.sentAtMs + 1 }],
      ["clusterId", { ...hb, clusterId: hb.clusterId + 1 }],
      ["peerId", { ...hb, peerId: "12D3KooWS13v7AKHRmQKacGszefZuABL785VH3hKEase9Wv4yJxM" }],
      ["load", { ...hb, load: 0.500001 }],
      ["inFlight", { ...hb, inFlight: 0 }],
      ["queueDepth", { ...hb, queueDepth: 0 }],
      ["backend", { ...hb, backend: "native" }],
      ["endpoint", { ...hb, endpoint: "https://evil.example/" }],
      ["operator removed", (({ operator: _, ...rest }) => rest as Heartbeat)(hb)],
      ["computeEwmaMs", { ...hb, computeEwmaMs: [{ modelId: MODEL_A, shard: 1, ewmaMs: 7.126 }] }],
      ["rttMs", { ...hb, rttMs: [{ nodeAddress: PEER_ADDRESS, rttMs: 0.251 }] }],
      ["rttMs dropped", { ...hb, rttMs: [] }],
      ["servedShards", { ...hb, servedShards: [{ modelId: MODEL_A, shard: 2 }] }],
      ["nodeAddress", { ...hb, nodeAddress: other.address }],
      ["signature", { ...hb, signature: `0x${"00".repeat(65)}` }],
    ];
    for (const [, heartbeat] of tampered) await failsWith(heartbeat, "bad-signature");
  });

  test("the malleable twin of a valid signature (s → n − s, v flipped) is refused: low s only, like the contracts", async () => {
    const hb = await signed();
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${hb.signature.slice(66, 130)}`);
    const twin = `${hb.signature.slice(0, 66)}${(N - s).toString(16).padStart(64, "0")}${hb.signature.endsWith("1b") ? "1c" : "1b"}` as Heartbeat["signature"];
    await failsWith({ ...hb, signature: twin }, "bad-signature");
    const { signer } = await verifyHeartbeat({ heartbeat: hb, chainId: TEST_CHAIN_ID, isRegistered: registeredOnly(node.address) });
    assert.equal(signer, node.address);
  });

  test("another chain: rejected by chainId, and the domain binds it (chainId edited back fails)", async () => {
    const foreign = await signed({ chainId: 999 });
    await failsWith(foreign, "chain-mismatch");
    await failsWith({ ...foreign, chainId: TEST_CHAIN_ID }, "bad-signature");
  });

  test("signed by a key that is not nodeAddress", async () => {
    const forged = await signHeartbeat({ account: other, heartbeat: sampleUnsigned({ nodeAddress: other.address }) });
    await failsWith({ ...forged, nodeAddress: node.address }, "bad-signature");
  });

  test("valid signature from an unregistered key / wrong cluster / registry down", async () => {
    const byOther = await signed({}, other);
    await failsWith(byOther, "not-registered");
    await failsWith(await signed({ clusterId: 8 }), "not-registered");
    await failsWith(await signed(), "registry-error", {
      isRegistered: () => {
        throw new Error("rpc down");
      },
    });
  });

  test("topic cluster and originating peer are enforced when given", async () => {
    const hb = await signed();
    await failsWith(hb, "cluster-mismatch", { expectedClusterId: TEST_CLUSTER_ID + 1 });
    await failsWith(hb, "peer-mismatch", { expectedPeerId: "12D3KooWS13v7AKHRmQKacGszefZuABL785VH3hKEase9Wv4yJxM" });
  });

  test("signHeartbeat refuses a foreign nodeAddress and off-grid values", async () => {
    await assert.rejects(
      signHeartbeat({ account: other, heartbeat: sampleUnsigned({ nodeAddress: node.address }) }),
      HeartbeatSignError,
    );
    await assert.rejects(signed({ load: 0.1234567 }), /load 0.1234567 is not on the 1\/1000000 grid/);
    assert.equal((await signed({ nodeAddress: getAddress(node.address.toLowerCase()) })).nodeAddress, node.address);
  });
});
