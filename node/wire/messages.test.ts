import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { getAddress } from "viem";
import { OPERATOR_ADDRESS, PEER_ADDRESS, sampleUnsigned } from "../gossip/test-fixtures.ts";
import {
  encodeHeartbeat,
  HeartbeatLimits,
  parseHeartbeat,
  WireValidationError,
  type Heartbeat,
} from "./messages.ts";

const NODE = getAddress("0x1111111111111111111111111111111111111111");
const SIG = `0x${"11".repeat(65)}` as const;

function valid(): Record<string, unknown> {
  return { ...sampleUnsigned({ nodeAddress: NODE, nowMs: 1_700_000_000_000 }), signature: SIG };
}

/** parseHeartbeat(raw) must throw a WireValidationError at `path` whose message matches `pattern`. */
function rejects(raw: unknown, path: string, pattern: RegExp): void {
  assert.throws(
    () => parseHeartbeat(raw),
    (err: unknown) => {
      assert.ok(err instanceof WireValidationError, `not a WireValidationError: ${String(err)}`);
      assert.equal(err.messageName, "Heartbeat");
      assert.equal(err.path, path, `path of "${err.message}"`);
      assert.match(err.shortMessage, pattern);
      assert.equal(err.message, `Heartbeat${path}: ${err.shortMessage}`);
      return true;
    },
  );
}

function withField(field: string, value: unknown): Record<string, unknown> {
  return { ...valid(), [field]: value };
}

describe("parseHeartbeat: accepts", () => {
  test("decoded object, JSON string and UTF-8 bytes give the same value", () => {
    const fromObject = parseHeartbeat(valid());
    assert.deepEqual(parseHeartbeat(JSON.stringify(valid())), fromObject);
    assert.deepEqual(parseHeartbeat(new TextEncoder().encode(JSON.stringify(valid()))), fromObject);
    assert.deepEqual(parseHeartbeat(encodeHeartbeat(fromObject)), fromObject);
    assert.equal(fromObject.operator, OPERATOR_ADDRESS);
  });

  test("lower-case addresses are returned checksummed; operator is optional", () => {
    const raw = valid();
    raw.nodeAddress = NODE.toLowerCase();
    delete raw.operator;
    const hb: Heartbeat = parseHeartbeat(raw);
    assert.equal(hb.nodeAddress, NODE);
    assert.equal("operator" in hb, false);
  });

  test("boundaries: load 0 and 1, empty arrays, max array lengths, uint32 clusterId", () => {
    parseHeartbeat({ ...valid(), load: 0, computeEwmaMs: [], rttMs: [], servedShards: [] });
    parseHeartbeat({ ...valid(), load: 1, clusterId: 4_294_967_295 });
    const rtt = Array.from({ length: HeartbeatLimits.maxRttEntries }, (_, i) => ({
      nodeAddress: getAddress(`0x${(i + 1).toString(16).padStart(40, "0")}`),
      rttMs: 1.5,
    }));
    parseHeartbeat({ ...valid(), rttMs: rtt });
  });
});

describe("parseHeartbeat: rejects with a specific error", () => {
  test("garbage bytes / invalid UTF-8 / non-object / oversize", () => {
    rejects(new Uint8Array([0xde, 0xad, 0xbe, 0xef]), "", /not valid UTF-8/);
    rejects(new TextEncoder().encode("not json {"), "", /not valid JSON/);
    rejects("[1,2,3]", "", /must be object/);
    rejects(null, "", /must be object/);
    rejects(new Uint8Array(HeartbeatLimits.maxBytes + 1), "", /at most 32768 allowed/);
  });

  test("wrong types", () => {
    rejects(withField("load", "0.5"), "/load", /must be number/);
    rejects(withField("clusterId", "7"), "/clusterId", /must be integer/);
    rejects(withField("seq", 1.5), "/seq", /must be integer/);
    rejects(withField("computeEwmaMs", {}), "/computeEwmaMs", /must be array/);
    rejects(withField("endpoint", 8080), "/endpoint", /must be string/);
  });

  test("NaN and Infinity (from a decoded value; JSON cannot carry them)", () => {
    rejects(withField("load", Number.NaN), "/load", /must be number \(finite\)/);
    rejects(withField("sentAtMs", Number.POSITIVE_INFINITY), "/sentAtMs", /must be integer/);
    rejects(withField("rttMs", [{ nodeAddress: PEER_ADDRESS, rttMs: Number.NaN }]), "/rttMs/0/rttMs", /must be number/);
  });

  test("negative and out-of-range numbers", () => {
    rejects(withField("seq", -1), "/seq", /must be >= 0/);
    rejects(withField("inFlight", -3), "/inFlight", /must be >= 0/);
    rejects(withField("load", 1.5), "/load", /must be <= 1/);
    rejects(withField("load", -0.1), "/load", /must be >= 0/);
    rejects(withField("clusterId", 4_294_967_296), "/clusterId", /must be <= 4294967295/);
    rejects(withField("chainId", 0), "/chainId", /must be >= 1/);
    rejects('{"seq": 1e300}', "/seq", /must be <= 9007199254740991/); // also "missing fields", the deeper path wins
    rejects(withField("computeEwmaMs", [{ modelId: `0x${"ab".repeat(32)}`, shard: 256, ewmaMs: 1 }]), "/computeEwmaMs/0/shard", /must be <= 255/);
  });

  test("huge arrays and long strings", () => {
    const tooMany = Array.from({ length: HeartbeatLimits.maxRttEntries + 1 }, () => ({ nodeAddress: PEER_ADDRESS, rttMs: 1 }));
    rejects(withField("rttMs", tooMany), "/rttMs", /too many items \(at most 64\)/);
    const shards = Array.from({ length: 10_000 }, (_, i) => ({ modelId: `0x${"ab".repeat(32)}`, shard: i % 256 }));
    rejects(withField("servedShards", shards), "/servedShards", /too many items/);
    rejects(withField("endpoint", `http://a.example/${"x".repeat(300)}`), "/endpoint", /too long \(at most 256/);
    rejects(withField("peerId", "1".repeat(129)), "/peerId", /too long/);
  });

  test("unknown, missing and constant fields", () => {
    rejects(withField("extra", 1), "", /unknown field\(s\): extra/);
    rejects(withField("__proto__", { polluted: true }), "", /unknown field/);
    const missing = valid();
    delete missing.signature;
    rejects(missing, "", /missing field\(s\): signature/);
    rejects(withField("version", 2), "/version", /must be 1/);
    rejects(withField("backend", "gpu"), "/backend", /must be one of "native", "wasm"/);
  });

  test("formats: address, checksum, zero operator, modelId, signature, peerId", () => {
    rejects(withField("nodeAddress", "0x1234"), "/nodeAddress", /wrong format/);
    rejects(withField("nodeAddress", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAEd"), "/nodeAddress", /invalid EIP-55 checksum/);
    rejects(withField("operator", "0x0000000000000000000000000000000000000000"), "/operator", /zero address/);
    rejects(withField("servedShards", [{ modelId: "0xabc", shard: 0 }]), "/servedShards/0/modelId", /wrong format/);
    rejects(withField("signature", `0x${"11".repeat(64)}`), "/signature", /wrong format/);
    rejects(withField("peerId", "12D3Koo0OIl"), "/peerId", /wrong format/);
  });

  test("fixed-point grids (a relay must not be able to change unsigned low digits)", () => {
    rejects(withField("load", 0.1234567), "/load", /multiple of 1e-6/);
    rejects(withField("computeEwmaMs", [{ modelId: `0x${"ab".repeat(32)}`, shard: 0, ewmaMs: 1.0001 }]), "/computeEwmaMs/0/ewmaMs", /multiple of 0.001/);
    rejects(withField("rttMs", [{ nodeAddress: PEER_ADDRESS, rttMs: 0.0005 }]), "/rttMs/0/rttMs", /multiple of 0.001/);
  });

  test("endpoint must be an http(s) URL without credentials", () => {
    rejects(withField("endpoint", "not a url"), "/endpoint", /not a URL/);
    rejects(withField("endpoint", "ftp://node.example/"), "/endpoint", /must be http\(s\)/);
    rejects(withField("endpoint", "http://user:secret@node.example/"), "/endpoint", /credentials/);
  });

  test("duplicates and self-RTT", () => {
    const m = `0x${"ab".repeat(32)}`;
    rejects(withField("servedShards", [{ modelId: m, shard: 0 }, { modelId: m.toUpperCase().replace("0X", "0x"), shard: 0 }]), "/servedShards/1", /duplicate/);
    rejects(withField("computeEwmaMs", [{ modelId: m, shard: 0, ewmaMs: 1 }, { modelId: m, shard: 0, ewmaMs: 2 }]), "/computeEwmaMs/1", /duplicate/);
    rejects(withField("rttMs", [{ nodeAddress: PEER_ADDRESS, rttMs: 1 }, { nodeAddress: PEER_ADDRESS.toLowerCase(), rttMs: 2 }]), "/rttMs/1/nodeAddress", /duplicate peer/);
    rejects(withField("rttMs", [{ nodeAddress: NODE, rttMs: 1 }]), "/rttMs/0/nodeAddress", /node itself/);
  });
});
