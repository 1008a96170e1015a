/**
 * The ceremony commands end to end, in process, without a mesh: the in-process Hardhat chain with
 * ProofMesh deployed (no model registered), behind a JSON-RPC front the CLI connects to; a STUB
 * coordinator implementing the ceremony API of .proofmesh/CEREMONY-DESIGN.md (turns, timeouts,
 * signed uploads, `zkey verify` of each contribution, artefacts); four operators (three staked and
 * serving the one-shard model mnist-mlp-784-56-10, one not staked).
 *
 *   model ceremony start (owner) → node ceremony contribute ×2 (concurrently: the second waits for
 *   its turn) → the third contributor times out → model ceremony finalize (beacon, verifiers,
 *   registration, publication) → audit model → finalize again (publishes only)
 * and the specific failures on the way (not the owner, not a contributor, already contributed,
 * skipped, not ready, already running).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import Fastify, { type FastifyInstance } from "fastify";
import { network } from "hardhat";
import { pino } from "pino";
import { createWalletClient, custom, getAddress, parseEther, recoverTypedDataAddress, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { modelRegistryAbi, proofMeshTokenAbi, stakeRegistryAbi } from "../../contracts/abi/index.ts";
import { defaultParams } from "../../deploy/config.ts";
import { createLogger } from "../../deploy/logger.ts";
import { deployProtocol, toModelId, writeDeployment } from "../../deploy/protocol.ts";
import { ceremonyStartTypedData, ceremonyUploadTypedData, recoverContributor, transcriptHashOf, type ContributionRecord } from "../../prover/ceremony/record.ts";
import { verifyZkeyFromInit } from "../../prover/ceremony/verify-zkey.ts";
import { readZkeyTranscript } from "../../prover/ceremony/zkey-contributions.ts";
import { getModelManifest, readManifest } from "../../prover/manifest.ts";
import { PTAU_PATH, ROOT } from "../../prover/paths.ts";
import { releaseProverThreads } from "../../prover/release.ts";
import { startRpcProxy } from "../../sdk/test-helpers.ts";
// Loaded now, before any snarkjs curve exists: the audit command's imports (circomlibjs) bring a
// second copy of ffjavascript whose module init sets globalThis.curve_bn128 = null, which would
// orphan the curve (and its worker threads) the contributions built in this same process.
import "../../sdk/cli/audit-command.ts";
import { DEV_KEYS } from "../test-chain.ts";
import { main } from "./main.ts";

const MODEL = "mnist-mlp-784-56-10";
const MODEL_ID = toModelId(MODEL).toLowerCase() as Hex;
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const log = pino({ level: "silent" });

type Turn = { status: "done" | "skipped" | "current" | "waiting"; deadline: number };
type StubState = {
  contributors: Address[];
  timeoutMs: number;
  beaconBlock: number;
  startedAt: number;
  /** the current contributor (index into contributors), its turn's start */
  idx: number;
  turnStart: number;
  done: Set<string>;
  skipped: Set<string>;
  shards: { shard: number; initialZkeySha256: string; zkeySha256: string }[];
  contributions: ContributionRecord[];
  pending: Map<number, string>;
};

/** The design's coordinator ceremony API, in memory (blobs on disk), for one model. */
async function startStubCoordinator(p: { dir: string; readOwner: () => Promise<Address>; readHead: () => Promise<bigint>; readRecord: () => Promise<{ shards: readonly { zkeyHash: Hex; vkeyHash: Hex }[] } | undefined> }) {
  const blobs = new Map<string, string>();
  const blobDir = path.join(p.dir, "blobs");
  mkdirSync(blobDir, { recursive: true });
  const model = getModelManifest({ modelId: MODEL });
  let c: StubState | undefined;
  const advance = (s: StubState, now = Date.now()) => {
    while (s.idx < s.contributors.length && now > s.turnStart + s.timeoutMs) {
      s.skipped.add(s.contributors[s.idx]!.toLowerCase());
      s.turnStart += s.timeoutMs;
      s.idx++;
    }
  };
  const turns = (s: StubState): Turn[] =>
    s.contributors.map((a, i) => {
      const status = s.done.has(a.toLowerCase()) ? "done" : s.skipped.has(a.toLowerCase()) ? "skipped" : i === s.idx ? "current" : "waiting";
      return { status, deadline: s.turnStart + s.timeoutMs * (i - s.idx + 1) };
    });
  const err = (code: number, name: string, message: string) => ({ statusCode: code, code: name, error: "Error", message });
  const store = (body: Buffer) => {
    const h = sha256(body);
    const file = path.join(blobDir, h);
    writeFileSync(file, body);
    blobs.set(h, file);
    return h;
  };

  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer", bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  app.post("/v1/ceremonies", async (req, reply) => {
    const b = req.body as { model: string; contributors: Address[]; contributorTimeoutMs: number; beaconBlock: number; signature: Hex };
    if (b.model !== MODEL) return reply.code(404).send(err(404, "UNKNOWN_MODEL", `no model ${b.model}`));
    if (c) return reply.code(409).send(err(409, "CEREMONY_RUNNING", `a ceremony of ${MODEL} is already running`));
    const signer = await recoverTypedDataAddress({ ...ceremonyStartTypedData({ modelId: MODEL_ID, contributors: b.contributors, contributorTimeoutMs: b.contributorTimeoutMs, beaconBlock: b.beaconBlock }), signature: b.signature });
    if (getAddress(signer) !== getAddress(await p.readOwner())) return reply.code(403).send(err(403, "NOT_MODEL_OWNER", `signed by ${signer}`));
    if (BigInt(b.beaconBlock) <= (await p.readHead())) return reply.code(400).send(err(400, "BEACON_NOT_FUTURE", "beacon block is not in the future"));
    const now = Date.now();
    c = {
      contributors: b.contributors.map((a) => getAddress(a)),
      timeoutMs: b.contributorTimeoutMs,
      beaconBlock: b.beaconBlock,
      startedAt: now,
      idx: 0,
      turnStart: now,
      done: new Set(),
      skipped: new Set(),
      shards: model.shards.map((s) => ({ shard: s.index, initialZkeySha256: s.initialZkey.sha256, zkeySha256: s.initialZkey.sha256 })),
      contributions: [],
      pending: new Map(),
    };
    for (const s of model.shards) blobs.set(s.initialZkey.sha256, path.join(ROOT, s.initialZkey.path));
    return reply.code(201).send({ model: MODEL, status: "contributing" });
  });
  app.get("/v1/ceremonies/:model", async (req, reply) => {
    const { model: m } = req.params as { model: string };
    if (m !== MODEL || !c) return reply.code(404).send(err(404, "UNKNOWN_CEREMONY", `no ceremony of ${m}`));
    advance(c);
    const registered = (await p.readRecord()) !== undefined;
    return {
      model: MODEL,
      modelId: MODEL_ID,
      status: registered ? "registered" : c.idx < c.contributors.length ? "contributing" : c.contributions.length ? "ready" : "failed",
      ptauSha256: readManifest().ptau.sha256,
      beaconBlock: c.beaconBlock,
      contributorTimeoutMs: c.timeoutMs,
      startedAt: new Date(c.startedAt).toISOString(),
      contributors: turns(c).map((t, i) => ({ address: c!.contributors[i], status: t.status, deadline: new Date(t.deadline).toISOString() })),
      shards: c.shards,
      contributions: c.contributions,
    };
  });
  app.put("/v1/ceremonies/:model/contributions/:index/shards/:shard", async (req, reply) => {
    const { index, shard } = req.params as { index: string; shard: string };
    if (!c) return reply.code(404).send(err(404, "UNKNOWN_CEREMONY", "no ceremony"));
    advance(c);
    const current = c.contributors[c.idx];
    if (!current || Number(index) !== c.contributions.length) return reply.code(409).send(err(409, "NOT_YOUR_TURN", "not this contribution's turn"));
    const body = req.body as Buffer;
    const h = sha256(body);
    const signer = await recoverTypedDataAddress({ ...ceremonyUploadTypedData({ modelId: MODEL_ID, index: Number(index), shard: Number(shard), sha256: h }), signature: req.headers["x-proofmesh-signature"] as Hex });
    if (getAddress(signer) !== current) return reply.code(403).send(err(403, "BAD_SIGNATURE", `upload signed by ${signer}, current contributor ${current}`));
    c.pending.set(Number(shard), store(body));
    return { sha256: h };
  });
  app.post("/v1/ceremonies/:model/contributions", async (req, reply) => {
    const b = req.body as { index: number; operator: Address; name: string; shards: { shard: number; zkeySha256: string; contributionHash: string }[]; signature: Hex };
    if (!c) return reply.code(404).send(err(404, "UNKNOWN_CEREMONY", "no ceremony"));
    advance(c);
    const current = c.contributors[c.idx];
    if (!current || getAddress(b.operator) !== current || b.index !== c.contributions.length) return reply.code(409).send(err(409, "NOT_YOUR_TURN", "not this contributor's turn"));
    const shardHashes = b.shards.map((s) => s.contributionHash);
    const transcriptHash = transcriptHashOf({ shardHashes });
    if (getAddress(await recoverContributor({ modelId: MODEL_ID, index: b.index, transcriptHash, signature: b.signature })) !== current) return reply.code(403).send(err(403, "BAD_SIGNATURE", "contribution not signed by the operator"));
    for (const s of b.shards) {
      if (c.pending.get(s.shard) !== s.zkeySha256) return reply.code(400).send(err(400, "MISSING_UPLOAD", `shard ${s.shard} not uploaded`));
      const file = blobs.get(s.zkeySha256)!;
      await verifyZkeyFromInit({ initialZkeyPath: path.join(ROOT, model.shards[s.shard]!.initialZkey.path), ptauPath: PTAU_PATH, zkeyPath: file, log });
      const t = await readZkeyTranscript({ zkeyPath: file });
      if (t.contributions.length !== b.index + 1 || t.contributions.at(-1)!.contributionHash !== s.contributionHash) return reply.code(400).send(err(400, "TRANSCRIPT_MISMATCH", "transcript"));
    }
    const now = Date.now();
    c.contributions.push({ index: b.index, operator: current, name: b.name, shardHashes, transcriptHash, signature: b.signature, at: new Date(now).toISOString(), ms: now - c.turnStart });
    for (const s of b.shards) c.shards[s.shard]!.zkeySha256 = s.zkeySha256;
    c.pending.clear();
    c.done.add(current.toLowerCase());
    c.idx++;
    c.turnStart = now;
    return { index: b.index, transcriptHash };
  });
  app.get("/v1/artifacts/:sha256", async (req, reply) => {
    const { sha256: h } = req.params as { sha256: string };
    const file = blobs.get(h);
    if (!file || !existsSync(file)) return reply.code(404).send(err(404, "UNKNOWN_ARTIFACT", `no artefact ${h}`));
    return reply.type("application/octet-stream").send(readFileSync(file));
  });
  app.put("/v1/artifacts/:sha256", async (req, reply) => {
    const { sha256: h } = req.params as { sha256: string };
    const body = req.body as Buffer;
    if (sha256(body) !== h) return reply.code(400).send(err(400, "HASH_MISMATCH", "body does not hash to the url"));
    const rec = await p.readRecord();
    const known = rec?.shards.flatMap((s) => [s.zkeyHash, s.vkeyHash].map((x) => x.slice(2).toLowerCase())) ?? [];
    if (!known.includes(h)) return reply.code(403).send(err(403, "NOT_A_REGISTERED_KEY", `${h} is not a key of a registered model`));
    store(body);
    return reply.code(201).send({ sha256: h });
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { url, blobs, state: () => c, close: () => app.close() };
}

describe("proofmesh model ceremony / node ceremony contribute / audit model (in-process chain, stub coordinator)", { timeout: 300_000 }, () => {
  let dir: string;
  let conn: Awaited<ReturnType<typeof network.create>>;
  let rpc: Awaited<ReturnType<typeof startRpcProxy>>;
  let coord: Awaited<ReturnType<typeof startStubCoordinator>>;
  let env: Record<string, string>;
  let deploymentsDir: string;
  let registry: Address;
  const homes: string[] = [];
  const operators: Address[] = [];
  const outDir = () => path.join(dir, "final-keys");

  const cli = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main({ argv, io: { out: (l) => out.push(l), err: (l) => err.push(l) }, env });
    const json = argv.includes("--json") && out.length ? (JSON.parse(out.at(-1)!) as Record<string, any>) : undefined;
    return { code, out: out.join("\n"), err: err.join("\n"), json };
  };
  const owner = () => ["--operator-key", DEV_KEYS[0]!];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "proofmesh-ceremony-cli-"));
    conn = await network.create();
    const publicClient = await conn.viem.getPublicClient();
    const [deployer] = await conn.viem.getWalletClients();
    assert.equal(getAddress(deployer!.account.address), privateKeyToAccount(DEV_KEYS[0]!).address, "the owner key is Hardhat's account #0");
    const d = await deployProtocol({ publicClient: publicClient as never, walletClient: deployer as never, logger: createLogger({ level: "silent" }), params: defaultParams });
    registry = d.contracts.ModelRegistry.address;
    deploymentsDir = path.join(dir, "deployments");
    await writeDeployment({ dir: deploymentsDir, deployment: d });
    rpc = await startRpcProxy(conn.provider as never);
    coord = await startStubCoordinator({
      dir,
      readOwner: () => publicClient.readContract({ address: registry, abi: modelRegistryAbi, functionName: "owner" }),
      readHead: () => publicClient.getBlockNumber(),
      readRecord: async () => {
        const info = await publicClient.readContract({ address: registry, abi: modelRegistryAbi, functionName: "modelInfo", args: [MODEL_ID] });
        return info.index === 0 ? undefined : publicClient.readContract({ address: registry, abi: modelRegistryAbi, functionName: "ceremonyOf", args: [MODEL_ID] });
      },
    });
    env = { PROOFMESH_RPC_URL: rpc.url, PROOFMESH_DEPLOYMENTS: deploymentsDir, PROOFMESH_COORDINATOR_URL: coord.url };

    // operators 1-3: nodes serving the model, staked in cluster 1; operator 4: serving it, not staked
    const stake = d.contracts.StakeRegistry.address;
    const token = d.contracts.ProofMeshToken.address;
    const wait = (hash: Hex) => publicClient.waitForTransactionReceipt({ hash });
    await wait(await deployer!.writeContract({ address: stake, abi: stakeRegistryAbi, functionName: "createCluster", args: ["test", "local-1", parseEther("100")] }));
    for (let i = 0; i < 4; i++) {
      const key = generatePrivateKey();
      const home = path.join(dir, `op${i + 1}`);
      const r = await cli(["node", "init", "--home", home, "--operator-key", key, "--json"]);
      assert.equal(r.code, 0, r.err);
      homes.push(home);
      const account = privateKeyToAccount(key);
      operators.push(account.address);
      const w = createWalletClient({ chain: publicClient.chain, transport: custom(conn.provider), account });
      await wait(await deployer!.sendTransaction({ to: account.address, value: parseEther("10") }));
      await wait(await w.writeContract({ address: stake, abi: stakeRegistryAbi, functionName: "registerNode", args: [`http://127.0.0.1:${9000 + i}`, 1, 1n << 30n, [MODEL_ID], account.address] }));
      if (i < 3) {
        await wait(await deployer!.writeContract({ address: token, abi: proofMeshTokenAbi, functionName: "mint", args: [account.address, parseEther("200")] }));
        await wait(await w.writeContract({ address: token, abi: proofMeshTokenAbi, functionName: "approve", args: [stake, parseEther("200")] }));
        await wait(await w.writeContract({ address: stake, abi: stakeRegistryAbi, functionName: "stake", args: [parseEther("200")] }));
      }
    }
  });
  after(async () => {
    await coord?.close();
    await rpc?.close();
    await conn?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await releaseProverThreads();
  });

  it("start: only the ModelRegistry owner opens a ceremony", async () => {
    const r = await cli(["model", "ceremony", "start", MODEL, "--home", homes[0]!, "--json"]);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.json?.code, "NOT_MODEL_OWNER");
    assert.match(r.err, new RegExp(`^proofmesh model ceremony start: ${operators[0]} is not the ModelRegistry owner 0x[0-9a-fA-F]{40}`));
    assert.equal(coord.state(), undefined);
  });

  it("contribute before any ceremony: the coordinator's answer in one line", async () => {
    const r = await cli(["node", "ceremony", "contribute", MODEL, "--home", homes[0]!]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^proofmesh node ceremony contribute: GET \/v1\/ceremonies\/mnist-mlp-784-56-10: UNKNOWN_CEREMONY: no ceremony of mnist-mlp-784-56-10 \(HTTP 404\)/);
  });

  it("start: the owner opens it; default contributors are the operators staked in the active clusters", async () => {
    const r = await cli(["model", "ceremony", "start", MODEL, ...owner(), "--contributor-timeout", "25s", "--beacon-delay-blocks", "5", "--json"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.json?.contributors, operators.slice(0, 3), "operators 1-3 in node order, not the unstaked 4th");
    assert.equal(r.json?.contributorTimeoutMs, 25_000);
    assert.equal(r.json?.beaconBlock, r.json?.currentBlock + 5);
    assert.deepEqual(coord.state()?.contributors, operators.slice(0, 3));
    const human = await cli(["model", "ceremony", "start", MODEL, ...owner()]);
    assert.equal(human.code, 1, "a second start is refused by the coordinator");
    assert.match(human.err, /^proofmesh model ceremony start: POST \/v1\/ceremonies: CEREMONY_RUNNING: a ceremony of mnist-mlp-784-56-10 is already running \(HTTP 409\)/);
  });

  it("contribute: an operator that is not a contributor is told so", async () => {
    const r = await cli(["node", "ceremony", "contribute", MODEL, "--home", homes[3]!, "--json"]);
    assert.equal(r.code, 1);
    assert.equal(r.json?.code, "NOT_A_CONTRIBUTOR");
    assert.match(r.err, new RegExp(`operator ${operators[3]} is not a contributor of the ceremony of ${MODEL}`));
  });

  let contributions: Record<string, any>[] = [];
  it("contribute: two operators at once; the second waits for its turn, verifies the first's zkey, contributes on top", async () => {
    const [a, b] = await Promise.all([
      cli(["node", "ceremony", "contribute", MODEL, "--home", homes[0]!, "--poll-interval", "200ms", "--json"]),
      cli(["node", "ceremony", "contribute", MODEL, "--home", homes[1]!, "--poll-interval", "200ms", "--json"]),
    ]);
    assert.equal(a.code, 0, a.err);
    assert.equal(b.code, 0, b.err);
    contributions = [a.json!, b.json!];
    assert.deepEqual([a.json?.index, b.json?.index], [0, 1]);
    assert.match(a.err, /nothing to download or verify/);
    assert.match(b.err, /waiting for my turn: 1 contributor\(s\) before me/);
    assert.match(b.err, /shard 0: downloaded the current zkey [0-9a-f]{12}… \([\d.]+ MB in \d+ ms, sha256 checked\)/);
    assert.match(b.err, /shard 0: zkey verify from my initial zkey: ok/);
    for (const r of [a, b]) {
      assert.match(r.err, /shard 0: contributed in \d+ ms/);
      assert.match(r.err, /shard 0: uploaded/);
      assert.equal(r.json?.transcriptHash, transcriptHashOf({ shardHashes: r.json?.shards.map((s: { contributionHash: string }) => s.contributionHash) }));
      assert.ok(r.json?.ms.total >= r.json?.ms.contribute);
    }
    const human = await cli(["node", "ceremony", "contribute", MODEL, "--home", homes[0]!]);
    assert.equal(human.code, 1);
    assert.match(human.err, new RegExp(`^proofmesh node ceremony contribute: operator ${operators[0]} has already contributed to the ceremony of ${MODEL} \\(contribution #0\\)`));
    for (const h of homes) assert.deepEqual(readdirSync(h).filter((f) => f.startsWith("ceremony-")), [], `${h}: temporary files removed`);
  });

  it("finalize before the last contributor's turn ended: not ready", async () => {
    const r = await cli(["model", "ceremony", "finalize", MODEL, ...owner(), "--out", outDir(), "--json"]);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.json?.code, "CEREMONY_UNAVAILABLE");
    assert.match(r.err, /the ceremony of mnist-mlp-784-56-10 is not ready: 1 contributor\(s\) still to contribute \(2 contribution\(s\) so far\)/);
  });

  it("contribute after one's turn timed out: skipped", async () => {
    const s = coord.state()!;
    await new Promise((r) => setTimeout(r, Math.max(0, s.turnStart + s.timeoutMs - Date.now() + 200)));
    const r = await cli(["node", "ceremony", "contribute", MODEL, "--home", homes[2]!]);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`operator ${operators[2]} was skipped: its turn in the ceremony of ${MODEL} ended at \\d{4}-`));
  });

  let finalized: Record<string, any>;
  it("finalize: beacon, verifiers, registration with the record, final keys published", async () => {
    const beaconBlock = coord.state()!.beaconBlock;
    const r = await cli(["model", "ceremony", "finalize", MODEL, ...owner(), "--out", outDir(), "--json"]);
    assert.equal(r.code, 0, r.err);
    finalized = r.json!;
    assert.equal(finalized.beacon.blockNumber, beaconBlock);
    assert.deepEqual(finalized.contributions.map((c: { operator: string }) => c.operator), operators.slice(0, 2));
    assert.deepEqual(finalized.contributions.map((c: { transcriptHash: string }) => c.transcriptHash), contributions.map((c) => c.transcriptHash));
    assert.match(r.err, /ceremony checked \(\d+ checks: zkey verify, transcripts, signatures\)/);
    assert.match(r.err, /published shard 0 zkey/);
    assert.match(r.err, /published shard 0 vkey/);
    for (const f of finalized.files as { sha256: string; path: string }[]) {
      assert.equal(sha256(readFileSync(f.path)), f.sha256);
      assert.ok(coord.blobs.has(f.sha256), `${f.path} published`);
    }
    assert.equal(existsSync(path.join(outDir(), ".ceremony-download")), false);
    const human = await cli(["model", "ceremony", "finalize", MODEL, ...owner(), "--out", outDir()]);
    assert.equal(human.code, 0, human.err);
    assert.match(human.out, /was already registered; its final keys \(.*\) are published/);
  });

  it("audit model: every check passes on the registered model; a key the coordinator no longer serves fails", async () => {
    const file = path.join(deploymentsDir, `${(await conn.viem.getPublicClient()).chain.id}.json`);
    const r = await cli(["audit", "model", MODEL, "--deployment", file]);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.out, /PASS shard\.zkey-verify\[0\]/);
    assert.match(r.out, /PASS contribution\.signature\[#1\]/);
    assert.match(r.out, /PASS shard\.verifier\[0\] .*byte for byte/);
    assert.match(r.out, /OK: all \d+ checks passed/);
    const vkey = (finalized.files as { kind: string; sha256: string }[]).find((f) => f.kind === "vkey")!.sha256;
    coord.blobs.delete(vkey);
    const bad = await cli(["audit", "model", MODEL, "--deployment", file, "--json"]);
    assert.equal(bad.code, 1);
    const j = JSON.parse(bad.out) as { ok: boolean; verdicts: { check: string; ok: boolean; detail: string }[] };
    assert.equal(j.ok, false);
    assert.deepEqual(j.verdicts.filter((v) => !v.ok).map((v) => v.check), ["shard.vkey-fetch", "shard.vkey"]);
  });
});
