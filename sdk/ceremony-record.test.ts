/** Rebuilding a ceremony record from the chain + zkey transcripts, and from the coordinator's ceremony: shapes and problems. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { keccak256, toHex, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { BEACON_ITERATIONS_EXP } from "../prover/ceremony/apply-beacon.ts";
import { recoverContributor, signContribution, transcriptHashOf } from "../prover/ceremony/record.ts";
import type { ZkeyTranscript } from "../prover/ceremony/zkey-contributions.ts";
import { ceremonyRecordFromApi, ceremonyRecordFromChain, type OnChainCeremonyRecord } from "./ceremony-record.ts";
import type { Ceremony } from "./schemas.ts";

const h128 = (s: string) => keccak256(toHex(s)).slice(2).repeat(2);
const h64 = (s: string) => keccak256(toHex(s)).slice(2);
const MODEL_ID = keccak256(toHex("model")) as Hex;
const ops = [0, 1].map(() => privateKeyToAccount(generatePrivateKey()));
const BEACON = keccak256(toHex("block 90")) as Hex;

/** 2 shards, 2 contributions each, then a beacon */
const transcripts: ZkeyTranscript[] = [0, 1].map((k) => ({
  csHash: h128(`cs${k}`),
  contributions: [
    { type: 0, name: "alice", contributionHash: h128(`c0s${k}`) },
    { type: 0, name: "bob", contributionHash: h128(`c1s${k}`) },
    { type: 1, name: "beacon", contributionHash: h128(`b${k}`), beaconHash: BEACON.slice(2), iterationsExp: 10 },
  ],
}));

async function onChainRecord(): Promise<OnChainCeremonyRecord> {
  const contributions = await Promise.all(
    ops.map(async (account, i) => {
      const transcriptHash = transcriptHashOf({ shardHashes: [h128(`c${i}s0`), h128(`c${i}s1`)] });
      return { operator: account.address, transcriptHash, signature: await signContribution({ account, modelId: MODEL_ID, index: i, transcriptHash }) };
    }),
  );
  return {
    ptauHash: `0x${h64("ptau").toUpperCase()}` as Hex,
    beaconBlock: 90n,
    beaconHash: BEACON,
    shards: [0, 1].map((k) => ({ zkeyHash: `0x${h64(`z${k}`)}` as Hex, vkeyHash: `0x${h64(`v${k}`)}` as Hex })),
    contributions,
  };
}

describe("ceremonyRecordFromChain", () => {
  it("takes the per-shard hashes from the zkeys and everything else from the chain", async () => {
    const onChain = await onChainRecord();
    const { record, problems } = ceremonyRecordFromChain({ model: "m", modelId: MODEL_ID, onChain, transcripts, initialZkeySha256: [h64("i0"), h64("i1")] });
    assert.deepEqual(problems, []);
    assert.equal(record.ptauSha256, h64("ptau"), "lowercase, no 0x");
    assert.deepEqual(record.shards, [0, 1].map((k) => ({ shard: k, initialZkeySha256: h64(`i${k}`), zkeySha256: h64(`z${k}`), vkeySha256: h64(`v${k}`) })));
    assert.deepEqual(record.contributions.map((c) => c.shardHashes), [[h128("c0s0"), h128("c0s1")], [h128("c1s0"), h128("c1s1")]]);
    assert.deepEqual(record.contributions.map((c) => c.name), ["alice", "bob"]);
    for (const c of record.contributions) {
      assert.equal(transcriptHashOf({ shardHashes: c.shardHashes }), c.transcriptHash);
      assert.equal(await recoverContributor({ modelId: MODEL_ID, index: c.index, transcriptHash: c.transcriptHash, signature: c.signature }), c.operator);
    }
    assert.deepEqual(record.beacon, { blockNumber: 90, blockHash: BEACON, iterationsExp: BEACON_ITERATIONS_EXP, shardHashes: [h128("b0"), h128("b1")] });
  });

  it("reports a zkey with another number of contributions, a missing beacon and a shard count mismatch", async () => {
    const onChain = await onChainRecord();
    const short: ZkeyTranscript = { csHash: "", contributions: [transcripts[1]!.contributions[0]!] };
    const r = ceremonyRecordFromChain({ model: "m", modelId: MODEL_ID, onChain, transcripts: [transcripts[0]!, short], initialZkeySha256: [] });
    assert.deepEqual(r.problems, ["shard 1's zkey holds 1 secret contribution(s), the chain records 2", "shard 1's zkey does not end with a beacon"]);
    assert.equal(r.record.contributions[1]!.shardHashes[1], "", "a missing hash stays empty (never matches)");
    const one = ceremonyRecordFromChain({ model: "m", modelId: MODEL_ID, onChain, transcripts: [transcripts[0]!], initialZkeySha256: [] });
    assert.deepEqual(one.problems, ["1 zkey transcript(s) for 2 shard(s) on chain"]);
  });
});

describe("ceremonyRecordFromApi", () => {
  const ceremony = (): Ceremony => ({
    model: "m",
    modelId: MODEL_ID,
    status: "ready",
    ptauSha256: h64("ptau"),
    beaconBlock: 90,
    contributorTimeoutMs: 120_000,
    startedAt: "2026-01-01T00:00:00.000Z",
    contributors: ops.map((o) => ({ address: o.address, status: "done" as const, deadline: null })),
    shards: [1, 0].map((k) => ({ shard: k, initialZkeySha256: `0x${h64(`i${k}`)}`, zkeySha256: h64(`z${k}`) })),
    contributions: [1, 0].map((i) => ({ index: i, operator: ops[i]!.address, name: `c${i}`, shardHashes: [h128(`c${i}s0`), h128(`c${i}s1`)], transcriptHash: transcriptHashOf({ shardHashes: [h128(`c${i}s0`), h128(`c${i}s1`)] }), signature: `0x${"11".repeat(65)}`, at: 1_700_000_000_000 + i, ms: 5 })),
  });

  it("orders shards and contributions and normalises hashes and times", () => {
    const { record, problems } = ceremonyRecordFromApi({ ceremony: ceremony(), ptauSha256: `0x${h64("ptau")}`, initialZkeySha256: [h64("i0"), h64("i1")] });
    assert.deepEqual(problems, []);
    assert.equal(record.beacon, undefined);
    assert.deepEqual(record.shards.map((s) => [s.shard, s.initialZkeySha256, s.zkeySha256]), [[0, h64("i0"), h64("z0")], [1, h64("i1"), h64("z1")]]);
    assert.deepEqual(record.contributions.map((c) => [c.index, c.name, c.at]), [[0, "c0", new Date(1_700_000_000_000).toISOString()], [1, "c1", new Date(1_700_000_000_001).toISOString()]]);
  });

  it("reports another ptau, other initial zkeys, gaps and wrong shard counts", () => {
    const c = ceremony();
    c.contributions = c.contributions.filter((x) => x.index === 1);
    c.contributions[0]!.shardHashes = [h128("x")];
    const { problems } = ceremonyRecordFromApi({ ceremony: c, ptauSha256: h64("other ptau"), initialZkeySha256: [h64("i0"), h64("mine")] });
    assert.deepEqual(problems, [
      `the ceremony's ptau sha256 ${h64("ptau")} is not the manifest's ${h64("other ptau")}`,
      `shard 1: the ceremony started from initial zkey ${h64("i1")}, this machine's is ${h64("mine")}`,
      "contribution indexes are not 0..0 (found 1 at position 0)",
      "contribution #1 has 1 shard hash(es) for 2 shard(s)",
    ]);
  });
});
