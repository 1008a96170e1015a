/**
 * The model auditor against finished ceremonies built in process (real snarkjs contributions,
 * beacon, exported keys and solc-compiled verifier of a one-shard model: the default model's last
 * shard), a stub artefact store and a mock chain holding the ModelRegistry record: the honest
 * record passes every check; then each tampering fails its own check and nothing else.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { pino } from "pino";
import { createPublicClient, custom, keccak256, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { applyBeacon } from "../prover/ceremony/apply-beacon.ts";
import { signContribution } from "../prover/ceremony/record.ts";
import { releaseProverThreads } from "../prover/release.ts";
import { auditModel, type AuditModelReturnType } from "./audit-model.ts";
import {
  buildTinyCeremony,
  contributeOnce,
  finishShard,
  keysOf,
  mockChain,
  randomHash,
  sha256Of,
  startArtifactStub,
  tamperZkey,
  type FinalShardKeys,
  type MockChainState,
  type TinyCeremony,
} from "../test/fixtures/ceremony.ts";
import type { OnChainCeremonyRecord } from "./ceremony-record.ts";
import type { ProofMeshDeployment } from "./deployment.ts";
import type { SdkPublicClient } from "./types.ts";

const log = pino({ level: "silent" });
const REGISTRY = "0x00000000000000000000000000000000000000aa" as Address;
const VERIFIER = "0x00000000000000000000000000000000000000bb" as Address;
const deployment: ProofMeshDeployment = {
  chainId: 31337,
  deployBlock: 0n,
  contracts: {
    JobMarket: { address: "0x0000000000000000000000000000000000000001" },
    StakeRegistry: { address: "0x0000000000000000000000000000000000000002" },
    ModelRegistry: { address: REGISTRY },
    ProofMeshToken: { address: "0x0000000000000000000000000000000000000003" },
  },
};

describe("auditModel on an in-process ceremony (mock chain, stub artefact store)", { timeout: 240_000 }, () => {
  let dir: string;
  let f: TinyCeremony;
  let store: Awaited<ReturnType<typeof startArtifactStub>>;
  /** a key with one more secret contribution than the record; the beacon-only key; a tampered copy of the final zkey */
  let extra: FinalShardKeys;
  let beaconOnly: FinalShardKeys;
  let tampered: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "audit-model-"));
    f = await buildTinyCeremony({ dir, log });
    const more = await contributeOnce({ inPath: f.contributed, outPath: path.join(dir, "extra-contributed.zkey"), log });
    extra = await finishShard({ inPath: more, outDir: dir, name: "extra", beaconHash: f.beaconHash, modelId: f.model.id, shard: 0, log });
    beaconOnly = await finishShard({ inPath: f.model.shards[0]!.initialZkey.path, outDir: dir, name: "beacon-only", beaconHash: f.beaconHash, modelId: f.model.id, shard: 0, log });
    tampered = tamperZkey({ zkey: f.final.zkey, outPath: path.join(dir, "tampered.zkey") });
    store = await startArtifactStub();
    for (const file of [f.final.zkey, f.final.vkey, extra.zkey, extra.vkey, beaconOnly.zkey, beaconOnly.vkey, tampered]) store.files.set(sha256Of(file), file);
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
    await releaseProverThreads();
  });

  /** the chain as registration would leave it: the record, the verifier deployed from the final key */
  const honest = (): MockChainState => ({
    registry: REGISTRY,
    models: new Map([[f.modelId, { onChain: structuredClone(f.onChain), verifiers: [VERIFIER] }]]),
    code: new Map([[VERIFIER.toLowerCase(), f.final.code]]),
    blocks: new Map([[f.beaconBlock, f.beaconHash]]),
    head: 120n,
    chainId: 31337,
  });
  const recordOf = (s: MockChainState): OnChainCeremonyRecord => s.models.get(f.modelId)!.onChain;
  const audit = async (s: MockChainState): Promise<AuditModelReturnType> => {
    const publicClient = createPublicClient({ transport: custom(mockChain(s)) }) as unknown as SdkPublicClient;
    return auditModel({ model: f.model.id, manifest: f.manifest, coordinatorUrl: store.url, publicClient, deployment, workDir: dir, log });
  };
  const id = (v: AuditModelReturnType["verdicts"][number]) => `${v.check}${v.shard !== undefined ? `[${v.shard}]` : v.index !== undefined ? `[#${v.index}]` : ""}`;
  const show = (r: AuditModelReturnType) => r.verdicts.map((v) => `${v.status} ${id(v)}: ${v.detail}`).join("\n");
  const failed = (r: AuditModelReturnType) => r.verdicts.filter((v) => !v.ok).map(id);
  /** the audit fails, `check` is among the failures, and nothing outside `allowed` fails */
  const expectFail = (r: AuditModelReturnType, check: string, allowed: string[] = []) => {
    assert.equal(r.ok, false, show(r));
    const fl = failed(r);
    assert.ok(fl.includes(check), `expected ${check} to fail; failures: ${fl.join(", ")}\n${show(r)}`);
    for (const x of fl) assert.ok(x === check || allowed.includes(x), `unexpected failure ${x}\n${show(r)}`);
  };
  const withKeys = (s: MockChainState, keys: FinalShardKeys) => {
    recordOf(s).shards = [{ zkeyHash: `0x${keys.zkeySha256}`, vkeyHash: `0x${keys.vkeySha256}` }];
    s.code.set(VERIFIER.toLowerCase(), keys.code);
    return s;
  };

  it("passes every check on the honest record, and leaves no file behind", async () => {
    const r = await audit(honest());
    assert.equal(r.ok, true, show(r));
    assert.ok(r.verdicts.every((v) => v.status === "pass"), show(r));
    const checks = new Set(r.verdicts.map(id));
    for (const c of [
      "chain.model",
      "ceremony.ptau",
      "ceremony.beacon-block",
      "shard.zkey-fetch[0]",
      "shard.vkey-fetch[0]",
      "ceremony.transcripts",
      "ceremony.secret-contributions",
      "shard.initial-zkey[0]",
      "shard.zkey-hash[0]",
      "shard.zkey-verify[0]",
      "shard.transcript[0]",
      "shard.beacon[0]",
      "contribution.signature[#0]",
      "contribution.signature[#1]",
      "shard.vkey[0]",
      "shard.verifier[0]",
    ]) {
      assert.ok(checks.has(c), `${c} missing\n${show(r)}`);
    }
    assert.match(r.verdicts.find((v) => v.check === "shard.verifier")!.detail, /byte for byte/);
    assert.equal(r.record?.contributions.length, 2);
    assert.deepEqual(r.record?.contributions.map((c) => c.shardHashes[0]), f.record.contributions.map((c) => c.shardHashes[0]), "rebuilt from the zkey's transcript");
    assert.equal(r.record?.beacon?.blockHash, f.beaconHash.toLowerCase());
    assert.deepEqual(readdirSync(dir).filter((x) => x.startsWith("proofmesh-audit-model-")), [], "the work folder is removed");
  });

  it("a zkey served with other bytes than its on-chain hash fails the fetch (and nothing is verified from it)", async () => {
    store.override.set(f.final.zkeySha256, Buffer.from("not the zkey"));
    try {
      const r = await audit(honest());
      expectFail(r, "shard.zkey-fetch[0]", ["ceremony.verify"]);
      assert.match(r.verdicts.find((v) => v.check === "shard.zkey-fetch")!.detail, /hashes to sha256 [0-9a-f]{64}, not [0-9a-f]{64}/);
    } finally {
      store.override.clear();
    }
  });

  it("a registered zkey that is not a valid contribution chain fails zkey verify", async () => {
    const s = honest();
    recordOf(s).shards[0]!.zkeyHash = `0x${sha256Of(tampered)}`;
    expectFail(await audit(s), "shard.zkey-verify[0]");
  });

  it("a zkey holding a contribution the record does not list fails the transcript checks", async () => {
    const r = await audit(withKeys(honest(), extra));
    expectFail(r, "ceremony.transcripts", ["shard.transcript[0]"]);
    assert.match(r.verdicts.find((v) => v.check === "ceremony.transcripts")!.detail, /3 secret contribution\(s\), the chain records 2/);
  });

  it("a contribution recorded under another operator fails its signature check", async () => {
    const s = honest();
    recordOf(s).contributions = recordOf(s).contributions.map((c, i) => (i === 1 ? { ...c, operator: privateKeyToAccount(generatePrivateKey()).address } : c));
    const r = await audit(s);
    expectFail(r, "contribution.signature[#1]");
    assert.match(r.verdicts.find((v) => v.check === "contribution.signature" && v.index === 1)!.detail, /signed by 0x[0-9a-fA-F]{40}, recorded operator/);
  });

  it("a signed transcript hash that is not the zkeys' contributions fails", async () => {
    const s = honest();
    const other = privateKeyToAccount(generatePrivateKey());
    const transcriptHash = keccak256(toHex("other contributions"));
    const signature = await signContribution({ account: other, modelId: f.modelId, index: 0, transcriptHash });
    recordOf(s).contributions = recordOf(s).contributions.map((c, i) => (i === 0 ? { operator: other.address, transcriptHash, signature } : c));
    const r = await audit(s);
    expectFail(r, "contribution.signature[#0]");
    assert.match(r.verdicts.find((v) => v.check === "contribution.signature" && v.index === 0)!.detail, /≠ keccak of the shard hashes/);
  });

  it("a beacon hash that is not the beacon block's hash on chain fails the beacon-block check", async () => {
    const s = honest();
    s.blocks.set(f.beaconBlock, randomHash());
    const r = await audit(s);
    expectFail(r, "ceremony.beacon-block");
    assert.match(r.verdicts.find((v) => v.check === "ceremony.beacon-block")!.detail, new RegExp(`block ${f.beaconBlock} has hash 0x[0-9a-f]{64}, the record's beaconHash is ${f.beaconHash}`));
  });

  it("a recorded beacon (= the block's hash) that is not the one in the zkey fails the shard's beacon check", async () => {
    const s = honest();
    const other = randomHash();
    recordOf(s).beaconHash = other;
    s.blocks.set(f.beaconBlock, other);
    expectFail(await audit(s), "shard.beacon[0]");
  });

  it("a beacon block after the chain's head fails", async () => {
    const s = honest();
    s.head = f.beaconBlock - 1n;
    expectFail(await audit(s), "ceremony.beacon-block");
  });

  it("a registered verifier that is not the one the zkey gives fails the verifier check", async () => {
    const s = honest();
    s.code.set(VERIFIER.toLowerCase(), extra.code); // a valid verifier, of another key
    const r = await audit(s);
    expectFail(r, "shard.verifier[0]");
    assert.match(r.verdicts.find((v) => v.check === "shard.verifier")!.detail, /is not CeremonyTestShard0Verifier compiled from this zkey/);
    const s2 = honest();
    s2.code.delete(VERIFIER.toLowerCase());
    expectFail(await audit(s2), "shard.verifier[0]");
  });

  it("an on-chain vkey hash that is not the zkey's vkey fails the vkey check", async () => {
    const s = honest();
    recordOf(s).shards[0]!.vkeyHash = `0x${extra.vkeySha256}`; // served, valid, another key's
    const r = await audit(s);
    expectFail(r, "shard.vkey[0]");
    assert.match(r.verdicts.find((v) => v.check === "shard.vkey")!.detail, /exported from the zkey hashes to [0-9a-f]{64}, on-chain vkeyHash is/);
  });

  it("an on-chain ptau hash other than the manifest's fails the ptau check", async () => {
    const s = honest();
    recordOf(s).ptauHash = randomHash();
    expectFail(await audit(s), "ceremony.ptau", ["ceremony.powers-of-tau"]);
  });

  it("a beacon-only key (no secret contribution: anyone can forge proofs) fails", async () => {
    const s = withKeys(honest(), beaconOnly);
    recordOf(s).contributions = [];
    const r = await audit(s);
    expectFail(r, "ceremony.secret-contributions");
  });

  it("a model that is not registered fails the model check and stops", async () => {
    const s = honest();
    s.models.clear();
    const r = await audit(s);
    assert.deepEqual(failed(r), ["chain.model"]);
    assert.equal(r.verdicts.length, 1);
  });

  it("a model unknown to the manifest is a parameter error", async () => {
    const publicClient = createPublicClient({ transport: custom(mockChain(honest())) }) as unknown as SdkPublicClient;
    await assert.rejects(auditModel({ model: "no-such-model", manifest: f.manifest, coordinatorUrl: store.url, publicClient, deployment, log }), /model "no-such-model" is not in the manifest/);
  });

  it("the verifier check accepts a verifier compiled elsewhere from the same source (only the solc metadata differs)", async () => {
    const s = honest();
    const code = f.final.code;
    const n = parseInt(code.slice(-4), 16);
    // same runtime code, another metadata hash (what Hardhat's compile of the same source gives)
    const meta = code.slice(code.length - 4 - 2 * n, -4);
    const other = `${code.slice(0, code.length - 4 - 2 * n)}${meta.slice(0, 20)}${"ab".repeat(10)}${meta.slice(40)}${code.slice(-4)}` as Hex;
    assert.notEqual(other, code);
    s.code.set(VERIFIER.toLowerCase(), other);
    const r = await audit(s);
    assert.equal(r.ok, true, show(r));
    assert.match(r.verdicts.find((v) => v.check === "shard.verifier")!.detail, /apart from the solc metadata hash/);
  });

  it("the final key, vkey and verifier are reproducible from the contributed zkey and the beacon (what the audit relies on)", async () => {
    const again = path.join(dir, "again.zkey");
    await applyBeacon({ inPath: f.contributed, outPath: again, beaconHash: f.beaconHash, log });
    assert.equal(sha256Of(again), f.final.zkeySha256);
    const k = await keysOf({ zkey: again, outDir: dir, name: "again", modelId: f.model.id, shard: 0, log });
    assert.equal(k.vkeySha256, f.final.vkeySha256);
    assert.equal(k.code, f.final.code);
  });
});
