/**
 * The ceremony API in process (`app.inject`), with REAL zkeys of two tiny circuits (compiled with
 * circom2, initial zkeys from the committed powers of tau with snarkjs `zkey new`, contributions
 * with prover/ceremony/contribute.ts, `zkey verify` in the coordinator's child process): start →
 * upload → contribute → next turn → timeout skip → ready; every refusal is its 4xx code and
 * changes nothing (database tables and blob directory compared); a restart keeps everything;
 * final keys published with PUT /v1/artifacts and served as the vkey the on-chain record names.
 *
 * Only the chain is stubbed (owner, head block, ceremonyOf: `CeremonyChainReader`), and the clock.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import * as snarkjs from "snarkjs";
import { createPublicClient, getAddress, http, keccak256, toHex, type Address, type Hex, type LocalAccount, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { toModelId } from "../deploy/protocol.ts";
import { contribute } from "../prover/ceremony/contribute.ts";
import { ceremonyStartTypedData, ceremonyUploadTypedData, signContribution, transcriptHashOf } from "../prover/ceremony/record.ts";
import type { Manifest } from "../prover/manifest.ts";
import { PTAU_PATH, ROOT } from "../prover/paths.ts";
import { releaseProverThreads } from "../prover/release.ts";
import { buildApp } from "./app.ts";
import { loadManifestIndex } from "./artifacts.ts";
import { deriveTurns } from "./ceremonies.ts";
import type { CeremonyChainReader, OnChainCeremonyRecord } from "./ceremony-chain.ts";
import { createMutex } from "./ceremony-verify.ts";
import type { ChainContext } from "./chain.ts";
import { DEFAULT_CONFIG, validateConfig } from "./config.ts";
import { openDb } from "./db.ts";
import { createCoordinator } from "./services.ts";
import { silentLogger } from "./test-fixture.ts";

const T0 = Date.parse("2030-01-01T00:00:00.000Z");
const TIMEOUT_MS = 60_000;
const CIRCUITS = [
  "pragma circom 2.0.0;\ntemplate T(){ signal input a; signal input b; signal output c; c <== a*b; }\ncomponent main {public [a]} = T();\n",
  "pragma circom 2.0.0;\ntemplate T(){ signal input a; signal input b; signal t; signal output c; t <== a*b; c <== t*a + b; }\ncomponent main {public [a]} = T();\n",
];
const MODEL = "tiny-ceremony";
const OTHER = "tiny-other";
const REGISTERED = "tiny-registered";
const UNBUILT = "tiny-unbuilt";
const MODEL_ID = toModelId(MODEL).toLowerCase() as Hex;
const OTHER_ID = toModelId(OTHER).toLowerCase() as Hex;
const REGISTERED_ID = toModelId(REGISTERED).toLowerCase() as Hex;

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const account = (label: string) => privateKeyToAccount(keccak256(toHex(`ceremony-test-${label}`)));
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("coordinator ceremony API", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "pm-ceremony-"));
  const dbFile = path.join(dir, "coordinator.sqlite");
  const owner = account("owner");
  const [alice, bob, carol] = [account("alice"), account("bob"), account("carol")];
  const stranger = account("stranger");
  const log = silentLogger();
  let now = T0;
  let head = 100n;
  let chainDown = false;
  const records = new Map<string, OnChainCeremonyRecord>();
  const reader: CeremonyChainReader = {
    owner: async () => {
      if (chainDown) throw new Error("connect ECONNREFUSED 127.0.0.1:8545");
      return owner.address;
    },
    blockNumber: async () => head,
    ceremonyOf: async (id) => records.get(id.toLowerCase()) ?? null,
  };
  const initial: { path: string; sha256: string; bytes: number }[] = [];
  let manifest: Manifest;
  const deploymentVkey = { path: "keys/31337/tiny-registered/shard0.vkey.json", json: `${JSON.stringify({ protocol: "groth16", curve: "bn128", nPublic: 1, note: "deployment key" })}\n` };
  const publishedVkey = Buffer.from(`${JSON.stringify({ protocol: "groth16", curve: "bn128", nPublic: 1, note: "published key" })}\n`);
  const publishedZkey = Buffer.from("a final zkey (bytes only matter by their hash here)");

  let c: Awaited<ReturnType<typeof open>>;
  async function open() {
    const config = validateConfig({ ...DEFAULT_CONFIG, gossip: false, relay: false, sweeper: false, rateLimitPerMinute: 1_000_000 });
    const chain: ChainContext = {
      chainId: 31337,
      deployment: {
        chainId: 31337,
        deployBlock: 0n,
        contracts: { ProofMeshToken: getAddress(`0x${"1".repeat(40)}`), StakeRegistry: getAddress(`0x${"2".repeat(40)}`), ModelRegistry: getAddress(`0x${"3".repeat(40)}`), JobMarket: getAddress(`0x${"4".repeat(40)}`) },
        keys: { [REGISTERED]: { record: null, files: [{ kind: "vkey", shard: 0, path: deploymentVkey.path, sha256: sha256(Buffer.from(deploymentVkey.json)) }] } },
        keysDir: dir,
      },
      // never called: the coordinator is not started and the ceremony reads go to `reader`
      publicClient: createPublicClient({ transport: http("http://127.0.0.1:9") }) as PublicClient,
    };
    const db = openDb({ file: dbFile });
    const coordinator = createCoordinator({ config, chain, db, log, manifest: loadManifestIndex({ manifest, repoRoot: ROOT }), clock: () => now, ceremonyChain: reader });
    const app = await buildApp({ coordinator, logger: log });
    await app.ready();
    return {
      app,
      db,
      coordinator,
      async close() {
        await app.close();
        db.close();
      },
    };
  }

  /** Everything a refusal must not change: the ceremony tables and the blob directory. */
  function snapshot(): string {
    const tables = ["ceremonies", "ceremony_shards", "ceremony_contributions", "ceremony_uploads"];
    const rows = Object.fromEntries(tables.map((t) => [t, c.db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
    const blobs = readdirSync(c.coordinator.blobs.dir).sort();
    return JSON.stringify({ rows, blobs });
  }

  const inject = (o: { method: "GET" | "POST" | "PUT"; url: string; payload?: unknown; headers?: Record<string, string> }) =>
    c.app.inject({ method: o.method, url: o.url, ...(o.headers ? { headers: o.headers } : {}), ...(o.payload !== undefined ? { payload: o.payload as string } : {}) });
  const get = (url: string) => inject({ method: "GET", url });

  /** The request is refused with `status` / `code` and nothing changed. */
  async function refused(req: Parameters<typeof inject>[0], status: number, code: string, message?: RegExp) {
    const before = snapshot();
    const r = await inject(req);
    assert.equal(r.statusCode, status, `${req.method} ${req.url}: ${r.body}`);
    const b = r.json();
    assert.equal(b.code, code, r.body);
    assert.equal(b.statusCode, status);
    assert.ok(typeof b.message === "string" && b.message.length > 0);
    if (message) assert.match(b.message, message);
    assert.equal(snapshot(), before, `${req.method} ${req.url} (${code}) changed the state`);
    return b;
  }

  async function startBody({ model = MODEL, modelId = MODEL_ID, contributors = [alice.address, bob.address, carol.address] as string[], timeoutMs = TIMEOUT_MS, beaconBlock = Number(head) + 20, signer = owner as LocalAccount } = {}) {
    const signature = await signer.signTypedData(ceremonyStartTypedData({ modelId, contributors: contributors as Address[], contributorTimeoutMs: timeoutMs, beaconBlock }));
    return { model, contributors, contributorTimeoutMs: timeoutMs, beaconBlock, signature };
  }

  const ceremony = async (model = MODEL) => {
    const r = await get(`/v1/ceremonies/${model}`);
    assert.equal(r.statusCode, 200, r.body);
    return r.json();
  };

  /** Downloads the current zkey of `shard` and contributes to it locally (fresh entropy). */
  async function contributeLocal(shard: number, name: string, from?: string) {
    const cur = from ?? (await ceremony()).shards[shard].zkeySha256;
    const res = await get(`/v1/artifacts/${cur}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(sha256(res.rawPayload), cur, "the coordinator serves the bytes of the hash");
    const inPath = path.join(dir, `in-${cur}.zkey`);
    writeFileSync(inPath, res.rawPayload);
    const outPath = path.join(dir, `out-${name}-${shard}-${Math.random().toString(16).slice(2)}.zkey`);
    const { contributionHash } = await contribute({ inPath, outPath, name, log });
    const bytes = readFileSync(outPath);
    return { file: outPath, bytes, sha256: sha256(bytes), contributionHash };
  }

  async function uploadReq(who: LocalAccount, index: number, shard: number, bytes: Buffer, o: { signedSha?: string; model?: string; contentType?: string } = {}) {
    const signature = await who.signTypedData(ceremonyUploadTypedData({ modelId: MODEL_ID, index, shard, sha256: o.signedSha ?? sha256(bytes) }));
    return { method: "PUT" as const, url: `/v1/ceremonies/${o.model ?? MODEL}/contributions/${index}/shards/${shard}`, payload: bytes, headers: { "content-type": o.contentType ?? "application/octet-stream", "x-proofmesh-signature": signature } };
  }

  async function contributionReq(who: LocalAccount, index: number, name: string, shards: { sha256: string; contributionHash: string }[], o: { operator?: Address; signedHashes?: string[] } = {}) {
    const transcriptHash = transcriptHashOf({ shardHashes: o.signedHashes ?? shards.map((s) => s.contributionHash) });
    const signature = await signContribution({ account: who, modelId: MODEL_ID, index, transcriptHash });
    return {
      method: "POST" as const,
      url: `/v1/ceremonies/${MODEL}/contributions`,
      payload: { index, operator: o.operator ?? who.address, name, shards: shards.map((s, k) => ({ shard: k, zkeySha256: s.sha256, contributionHash: s.contributionHash })), signature },
    };
  }

  before(async () => {
    // two tiny circuits → r1cs (circom2) → initial zkeys from the committed ptau (snarkjs zkey new)
    for (const [k, src] of CIRCUITS.entries()) {
      const circom = path.join(dir, `tiny${k}.circom`);
      writeFileSync(circom, src);
      execFileSync(process.execPath, [path.join(ROOT, "node_modules/.bin/circom2"), circom, "--r1cs", "-o", dir], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
      const zkey = path.join(dir, `tiny${k}_init.zkey`);
      await snarkjs.zKey.newZKey(path.join(dir, `tiny${k}.r1cs`), PTAU_PATH, zkey, undefined);
      const bytes = readFileSync(zkey);
      initial.push({ path: zkey, sha256: sha256(bytes), bytes: bytes.length });
    }
    const ptauSha = sha256(readFileSync(PTAU_PATH));
    const shard = (k: number, init: (typeof initial)[number]) => {
      const ref = (what: string) => ({ path: `nowhere/${what}${k}`, sha256: sha256(Buffer.from(`${what}${k}`)) });
      return { index: k, layers: [k, k + 1], inputShape: [1, 2], outputShape: [1, 1], inBits: 8, outBits: 8, outOffset: "0", accBits: [], isLast: k === 1, weightsHash: keccak256(toHex(k)), constraints: 1, memoryBytes: 1, onnx: ref("onnx"), circuit: ref("circuit"), wasm: ref("wasm"), zkey: ref("zkey"), vkey: ref("vkey"), initialZkey: { path: init.path, sha256: init.sha256, bytes: init.bytes }, verifier: { contract: "X", path: "x" } };
    };
    const model = (id: string, shards: number) => ({ id, default: false, report: { testDigits: 0, floatAccuracy: 0, intAccuracy: 0, argmaxAgreement: 0 }, shards: Array.from({ length: shards }, (_, k) => shard(k, initial[k])) });
    manifest = { note: "test", ptau: { path: path.relative(ROOT, PTAU_PATH), sha256: ptauSha, power: 14 }, models: [model(MODEL, 2), model(OTHER, 1), model(REGISTERED, 2), { ...model(UNBUILT, 1), shards: [{ ...shard(0, initial[0]), initialZkey: { path: "nowhere/shard_init.zkey", sha256: initial[0].sha256 } }] }] } as unknown as Manifest;
    // the deployment's final vkey of the registered model's shard 0
    mkdirSync(path.dirname(path.join(dir, deploymentVkey.path)), { recursive: true });
    writeFileSync(path.join(dir, deploymentVkey.path), deploymentVkey.json);
    records.set(REGISTERED_ID, {
      ptauHash: `0x${ptauSha}`,
      beaconBlock: 90n,
      beaconHash: keccak256(toHex("block 90")),
      shards: [
        { zkeyHash: `0x${sha256(Buffer.from("zkey0"))}`, vkeyHash: `0x${sha256(Buffer.from(deploymentVkey.json))}` },
        { zkeyHash: `0x${sha256(publishedZkey)}`, vkeyHash: `0x${sha256(publishedVkey)}` },
      ],
      contributions: [{ operator: alice.address, transcriptHash: keccak256(toHex("t")), signature: `0x${"11".repeat(65)}` }],
    });
    c = await open();
  });

  after(async () => {
    await c?.close();
    await releaseProverThreads();
  });

  it("deriveTurns: done turns end at their contribution, skipped ones at their deadline; ready / failed when nobody is left", () => {
    const [a, b, d] = [alice.address, bob.address, carol.address];
    const t = (now: number, contributions: { operator: string; atMs: number }[] = []) => deriveTurns({ contributors: [a, b, d], startedAtMs: 0, timeoutMs: 10, contributions, now });
    assert.deepEqual(t(5).current, { position: 0, address: a, index: 0, turnStartedAtMs: 0, deadlineMs: 10 });
    assert.deepEqual(t(10).current, { position: 1, address: b, index: 0, turnStartedAtMs: 10, deadlineMs: 20 });
    const one = [{ operator: a, atMs: 4 }];
    assert.deepEqual(t(5, one).current, { position: 1, address: b, index: 1, turnStartedAtMs: 4, deadlineMs: 14 });
    assert.deepEqual(t(24, one).contributors.map((x) => x.status), ["done", "skipped", "skipped"]);
    assert.equal(t(24, one).status, "ready");
    assert.equal(t(24, one).endedAtMs, 24);
    assert.equal(t(30).status, "failed");
    assert.deepEqual(t(5).contributors.map((x) => x.status), ["current", "waiting", "waiting"]);
  });

  it("the verification mutex runs one job at a time, in order, and survives a failure", async () => {
    const m = createMutex();
    const order: string[] = [];
    let running = 0;
    const job = (name: string, fail = false) =>
      m.run(async () => {
        running += 1;
        assert.equal(running, 1, "one at a time");
        order.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, 5));
        order.push(`end ${name}`);
        running -= 1;
        if (fail) throw new Error(name);
        return name;
      });
    const rs = await Promise.allSettled([job("a"), job("b", true), job("c")]);
    assert.deepEqual(order, ["start a", "end a", "start b", "end b", "start c", "end c"]);
    assert.deepEqual(rs.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  });

  it("start: every refusal is its 4xx code and changes nothing", async () => {
    await refused({ method: "GET", url: `/v1/ceremonies/${MODEL}` }, 404, "UNKNOWN_CEREMONY");
    await refused({ method: "GET", url: "/v1/ceremonies/no-such-model" }, 404, "UNKNOWN_MODEL");
    await refused({ method: "POST", url: "/v1/ceremonies", payload: await startBody({ signer: stranger }) }, 401, "BAD_SIGNATURE", /not the ModelRegistry owner/);
    await refused({ method: "POST", url: "/v1/ceremonies", payload: { ...(await startBody()), contributorTimeoutMs: TIMEOUT_MS + 1 } }, 401, "BAD_SIGNATURE", /not the ModelRegistry owner/);
    const good = await startBody();
    const s = BigInt(`0x${good.signature.slice(66, 130)}`);
    const highS = `${good.signature.slice(0, 66)}${(SECP256K1_N - s).toString(16).padStart(64, "0")}${good.signature.slice(130)}`;
    await refused({ method: "POST", url: "/v1/ceremonies", payload: { ...good, signature: highS } }, 401, "BAD_SIGNATURE", /canonical/);
    await refused({ method: "POST", url: "/v1/ceremonies", payload: await startBody({ beaconBlock: Number(head) }) }, 400, "BEACON_NOT_IN_FUTURE", /block 100/);
    await refused({ method: "POST", url: "/v1/ceremonies", payload: await startBody({ beaconBlock: 1 }) }, 400, "BEACON_NOT_IN_FUTURE");
    await refused({ method: "POST", url: "/v1/ceremonies", payload: await startBody({ contributors: [alice.address, bob.address, alice.address] }) }, 400, "DUPLICATE_CONTRIBUTOR", /listed twice/);
    await refused({ method: "POST", url: "/v1/ceremonies", payload: await startBody({ contributors: [alice.address, bob.address.toLowerCase(), bob.address] }) }, 400, "DUPLICATE_CONTRIBUTOR");
    await refused({ method: "POST", url: "/v1/ceremonies", payload: await startBody({ contributors: [] }) }, 400, "INVALID_REQUEST", /contributors/);
    await refused({ method: "POST", url: "/v1/ceremonies", payload: await startBody({ model: "no-such-model" }) }, 404, "UNKNOWN_MODEL");
    await refused({ method: "POST", url: "/v1/ceremonies", payload: await startBody({ model: REGISTERED, modelId: REGISTERED_ID }) }, 409, "MODEL_REGISTERED");
    await refused({ method: "POST", url: "/v1/ceremonies", payload: { ...good, extra: 1 } }, 400, "INVALID_REQUEST", /unknown field/);
    await refused({ method: "POST", url: "/v1/ceremonies", payload: { ...good, contributorTimeoutMs: 10 } }, 400, "INVALID_REQUEST", /contributorTimeoutMs/);
    // not bad input, and still nothing changes: the coordinator cannot run it (503)
    await refused({ method: "POST", url: "/v1/ceremonies", payload: await startBody({ model: UNBUILT, modelId: toModelId(UNBUILT).toLowerCase() as Hex }) }, 503, "CEREMONY_UNAVAILABLE", /not built/);
    chainDown = true;
    await refused({ method: "POST", url: "/v1/ceremonies", payload: good }, 503, "CHAIN_UNAVAILABLE", /owner/);
    chainDown = false;
  });

  it("the routes are in the OpenAPI document, the uploads as application/octet-stream", async () => {
    const doc = (await get("/openapi.json")).json();
    for (const p of ["/v1/ceremonies", "/v1/ceremonies/{model}", "/v1/ceremonies/{model}/contributions", "/v1/ceremonies/{model}/contributions/{index}/shards/{shard}", "/v1/artifacts/{sha256}", "/v1/explorer/models/{id}"]) assert.ok(doc.paths[p], p);
    assert.ok(doc.paths["/v1/ceremonies/{model}/contributions/{index}/shards/{shard}"].put.requestBody.content["application/octet-stream"]);
    assert.ok(doc.paths["/v1/artifacts/{sha256}"].put.requestBody.content["application/octet-stream"]);
    assert.ok(doc.paths["/v1/ceremonies"].post.responses["200"]);
  });

  it("start: the owner opens the ceremony; contributor 0's turn starts now; a second start is CEREMONY_EXISTS", async () => {
    const r = await inject({ method: "POST", url: "/v1/ceremonies", payload: await startBody() });
    assert.equal(r.statusCode, 200, r.body);
    const cer = r.json();
    assert.equal(cer.model, MODEL);
    assert.equal(cer.modelId, MODEL_ID);
    assert.equal(cer.status, "contributing");
    assert.equal(cer.beaconBlock, 120);
    assert.equal(cer.startedAt, new Date(T0).toISOString());
    assert.deepEqual(cer.current, { index: 0, address: alice.address, turnStartedAt: new Date(T0).toISOString(), deadline: new Date(T0 + TIMEOUT_MS).toISOString(), deadlineMs: T0 + TIMEOUT_MS });
    assert.deepEqual(cer.contributors.map((x: { status: string }) => x.status), ["current", "waiting", "waiting"]);
    assert.deepEqual(cer.shards.map((s: { initialZkeySha256: string; zkeySha256: string }) => [s.initialZkeySha256, s.zkeySha256]), initial.map((i) => [i.sha256, i.sha256]));
    assert.equal(cer.shards[0].maxUploadBytes, 2 * initial[0].bytes);
    // the initial zkeys are served by hash (contributor 0 downloads them)
    const z = await get(`/v1/artifacts/${initial[1].sha256}`);
    assert.equal(z.statusCode, 200);
    assert.equal(sha256(z.rawPayload), initial[1].sha256);
    assert.deepEqual(await ceremony(MODEL_ID), cer, "the bytes32 id names the same ceremony");
    await refused({ method: "POST", url: "/v1/ceremonies", payload: await startBody() }, 409, "CEREMONY_EXISTS", /running/);
  });

  let aliceZkeys: Awaited<ReturnType<typeof contributeLocal>>[] = [];

  it("upload: every refusal is its 4xx code and changes nothing", async () => {
    aliceZkeys = [await contributeLocal(0, "alice"), await contributeLocal(1, "alice")];
    const z0 = aliceZkeys[0].bytes;
    // not the current contributor (a listed one, and a stranger)
    await refused(await uploadReq(bob, 0, 0, z0), 409, "NOT_YOUR_TURN", /alice|0x/i);
    await refused(await uploadReq(stranger, 0, 0, z0), 401, "BAD_SIGNATURE", /not a contributor/);
    // a signature over other bytes recovers to nobody in particular
    await refused(await uploadReq(alice, 0, 0, z0, { signedSha: sha256(aliceZkeys[1].bytes) }), 401, "BAD_SIGNATURE");
    const bad = await uploadReq(alice, 0, 0, z0);
    await refused({ ...bad, headers: { ...bad.headers, "x-proofmesh-signature": `0x${"00".repeat(64)}1b` } }, 401, "BAD_SIGNATURE");
    await refused({ ...bad, headers: { "content-type": "application/octet-stream" } }, 400, "INVALID_REQUEST", /x-proofmesh-signature/);
    await refused({ ...bad, headers: { ...bad.headers, "content-type": "application/json" }, payload: JSON.stringify({ a: 1 }) }, 415, "UNSUPPORTED_MEDIA_TYPE", /octet-stream/);
    // not this turn, no such shard, no such model
    await refused(await uploadReq(alice, 1, 0, z0), 409, "NOT_YOUR_TURN", /contribution 0 is the current turn/);
    await refused(await uploadReq(alice, 0, 5, z0), 404, "UNKNOWN_SHARD");
    await refused(await uploadReq(alice, 0, 0, z0, { model: "no-such-model" }), 404, "UNKNOWN_MODEL");
    await refused(await uploadReq(alice, 0, 0, z0, { model: OTHER }), 404, "UNKNOWN_CEREMONY");
    // not a zkey, too large, the wrong circuit
    await refused(await uploadReq(alice, 0, 0, Buffer.from("definitely not a zkey")), 400, "ZKEY_INVALID", /zkey/);
    const forged = Buffer.from(z0);
    forged.writeBigUInt64LE(1n << 40n, 16); // the first section claims a terabyte
    await refused(await uploadReq(alice, 0, 0, forged), 400, "ZKEY_INVALID", /past the end of the file/);
    await refused(await uploadReq(alice, 0, 0, Buffer.alloc(2 * initial[0].bytes + 1, 7)), 413, "PAYLOAD_TOO_LARGE");
    await refused(await uploadReq(alice, 0, 0, aliceZkeys[1].bytes), 400, "TRANSCRIPT_MISMATCH", /another circuit/);
    // history: the initial zkey itself (no contribution), and two contributions at once
    await refused(await uploadReq(alice, 0, 0, readFileSync(initial[0].path)), 400, "TRANSCRIPT_MISMATCH", /adds 0 contributions/);
    const inPath = path.join(dir, "alice-twice-in.zkey");
    writeFileSync(inPath, z0);
    const outPath = path.join(dir, "alice-twice-out.zkey");
    await contribute({ inPath, outPath, name: "alice", log });
    await refused(await uploadReq(alice, 0, 0, readFileSync(outPath)), 400, "TRANSCRIPT_MISMATCH", /adds 2 contributions/);
  });

  it("contribution: every refusal is its 4xx code and changes nothing; a verified one becomes current", async () => {
    const [z0, z1] = aliceZkeys;
    // shard 0 uploaded only
    const up0 = await inject(await uploadReq(alice, 0, 0, z0.bytes));
    assert.equal(up0.statusCode, 200, up0.body);
    assert.deepEqual(up0.json(), { model: MODEL, modelId: MODEL_ID, index: 0, shard: 0, operator: alice.address, sha256: z0.sha256, bytes: z0.bytes.length });
    assert.equal((await ceremony()).uploads.length, 1);
    await refused(await contributionReq(alice, 0, "alice", [z0, z1]), 409, "UPLOAD_MISSING", /shard 1/);
    assert.equal((await inject(await uploadReq(alice, 0, 1, z1.bytes))).statusCode, 200);
    // signatures and turns
    await refused(await contributionReq(bob, 0, "alice", [z0, z1], { operator: alice.address }), 401, "BAD_SIGNATURE", /not the operator/);
    await refused(await contributionReq(bob, 0, "bob", [z0, z1]), 409, "NOT_YOUR_TURN");
    await refused(await contributionReq(alice, 1, "alice", [z0, z1]), 409, "NOT_YOUR_TURN");
    await refused(await contributionReq(alice, 0, "alice", [z0, z1], { signedHashes: [z1.contributionHash, z0.contributionHash] }), 401, "BAD_SIGNATURE");
    const wrongOrder = await contributionReq(alice, 0, "alice", [z0, z1]);
    await refused({ ...wrongOrder, payload: { ...wrongOrder.payload, shards: [...wrongOrder.payload.shards].reverse() } }, 400, "INVALID_REQUEST", /shard order/);
    await refused({ ...wrongOrder, payload: { ...wrongOrder.payload, shards: wrongOrder.payload.shards.slice(0, 1) } }, 400, "INVALID_REQUEST", /one entry per shard/);
    // a zkey that was not uploaded, a contribution hash that is not the zkey's, a name that is not the zkey's
    await refused(await contributionReq(alice, 0, "alice", [{ ...z0, sha256: initial[0].sha256 }, z1]), 409, "UPLOAD_MISSING");
    const otherHash = "ab".repeat(64);
    await refused(await contributionReq(alice, 0, "alice", [z0, { ...z1, contributionHash: otherHash }]), 400, "CONTRIBUTION_HASH_MISMATCH", /shard 1/);
    await refused(await contributionReq(alice, 0, "mallory", [z0, z1]), 400, "TRANSCRIPT_MISMATCH", /named/);
    // a zkey whose transcript reads fine but that does not verify: a byte of its H section flipped
    const corrupt = Buffer.from(z0.bytes);
    let pos = 12;
    for (let i = 0; i < corrupt.readUInt32LE(8); i++) {
      const type = corrupt.readUInt32LE(pos);
      const size = Number(corrupt.readBigUInt64LE(pos + 4));
      if (type === 9) corrupt[pos + 12 + 5] ^= 0x01;
      pos += 12 + size;
    }
    const cz = { sha256: sha256(corrupt), contributionHash: z0.contributionHash };
    assert.equal((await inject(await uploadReq(alice, 0, 0, corrupt))).statusCode, 200, "the transcript of the corrupted zkey is intact");
    await refused(await contributionReq(alice, 0, "alice", [cz, z1]), 400, "ZKEY_INVALID", /shard 0: zkey verify/);
    // the right zkey again (replaces the pending upload)
    assert.equal((await inject(await uploadReq(alice, 0, 0, z0.bytes))).statusCode, 200);
    // once the beacon block exists its hash is public: no contribution or upload is taken any more
    const beaconBlock = BigInt((await ceremony()).beaconBlock);
    const savedHead = head;
    head = beaconBlock;
    await refused(await contributionReq(alice, 0, "alice", [z0, z1]), 409, "BEACON_PASSED", new RegExp(`beacon block ${beaconBlock} exists`));
    await refused(await uploadReq(alice, 0, 0, z0.bytes), 409, "BEACON_PASSED");
    head = savedHead;
    // then the contribution is accepted
    now = T0 + 10_000;
    const ok = await inject(await contributionReq(alice, 0, "alice", [z0, z1]));
    assert.equal(ok.statusCode, 200, ok.body);
    const cer = ok.json();
    assert.equal(cer.contributions.length, 1);
    const rec = cer.contributions[0];
    assert.equal(rec.operator, alice.address);
    assert.equal(rec.index, 0);
    assert.deepEqual(rec.shardHashes, [z0.contributionHash, z1.contributionHash]);
    assert.equal(rec.transcriptHash, transcriptHashOf({ shardHashes: [z0.contributionHash, z1.contributionHash] }));
    assert.equal(rec.at, new Date(T0 + 10_000).toISOString());
    assert.ok(rec.verifyMs >= 0);
    assert.deepEqual(cer.shards.map((s: { zkeySha256: string }) => s.zkeySha256), [z0.sha256, z1.sha256]);
    assert.deepEqual(cer.current, { index: 1, address: bob.address, turnStartedAt: new Date(T0 + 10_000).toISOString(), deadline: new Date(T0 + 10_000 + TIMEOUT_MS).toISOString(), deadlineMs: T0 + 10_000 + TIMEOUT_MS });
    assert.deepEqual(cer.contributors.map((x: { status: string }) => x.status), ["done", "current", "waiting"]);
    assert.deepEqual(cer.uploads, [], "the turn's uploads are consumed");
    // the replay of the accepted contribution
    await refused(await contributionReq(alice, 0, "alice", [z0, z1]), 409, "ALREADY_CONTRIBUTED", /already recorded/);
    await refused(await uploadReq(alice, 0, 0, z0.bytes), 409, "ALREADY_CONTRIBUTED");
  });

  it("next turn: bob's zkey must build on alice's (rewriting history is refused); past his deadline he is skipped and carol's turn starts at it", async () => {
    // bob contributes to the INITIAL zkey (drops alice's contribution): same length, other history
    const fromInit = await contributeLocal(0, "bob", initial[0].sha256);
    const inPath = path.join(dir, "bob-init-1.zkey");
    writeFileSync(inPath, fromInit.bytes);
    const twoFromInit = path.join(dir, "bob-init-2.zkey");
    await contribute({ inPath, outPath: twoFromInit, name: "bob", log });
    await refused(await uploadReq(bob, 1, 0, readFileSync(twoFromInit)), 400, "TRANSCRIPT_MISMATCH", /rewrites/);
    await refused(await uploadReq(bob, 1, 0, fromInit.bytes), 400, "TRANSCRIPT_MISMATCH", /rewrites/);
    // bob uploads a correct shard 0 but never posts his contribution
    const good = await contributeLocal(0, "bob");
    assert.equal((await inject(await uploadReq(bob, 1, 0, good.bytes))).statusCode, 200);
    const bobDeadline = T0 + 10_000 + TIMEOUT_MS;
    now = bobDeadline - 1;
    assert.equal((await ceremony()).current.address, bob.address);
    now = bobDeadline;
    const cer = await ceremony();
    assert.deepEqual(cer.contributors.map((x: { status: string }) => x.status), ["done", "skipped", "current"]);
    assert.equal(cer.contributors[1].finishedAt, new Date(bobDeadline).toISOString());
    assert.deepEqual(cer.current, { index: 1, address: carol.address, turnStartedAt: new Date(bobDeadline).toISOString(), deadline: new Date(bobDeadline + TIMEOUT_MS).toISOString(), deadlineMs: bobDeadline + TIMEOUT_MS });
    assert.deepEqual(cer.uploads, [], "bob's pending upload is not carol's");
    await refused(await contributionReq(bob, 1, "bob", [good, good]), 409, "NOT_YOUR_TURN");
    await refused(await uploadReq(bob, 1, 0, good.bytes), 409, "NOT_YOUR_TURN");
  });

  it("carol contributes (two identical posts at once: one is accepted, the other is ALREADY_CONTRIBUTED); nobody is left → ready", async () => {
    const z = [await contributeLocal(0, "carol"), await contributeLocal(1, "carol")];
    for (const [k, x] of z.entries()) assert.equal((await inject(await uploadReq(carol, 1, k, x.bytes))).statusCode, 200);
    now += 5_000;
    const req = await contributionReq(carol, 1, "carol", z);
    const [a, b] = await Promise.all([inject(req), inject(req)]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409], `${a.body} ${b.body}`);
    assert.equal((a.statusCode === 409 ? a : b).json().code, "ALREADY_CONTRIBUTED");
    const cer = await ceremony();
    assert.equal(cer.status, "ready");
    assert.equal(cer.current, null);
    assert.equal(cer.endedAt, new Date(now).toISOString());
    assert.deepEqual(cer.contributions.map((x: { operator: string }) => x.operator), [alice.address, carol.address]);
    assert.deepEqual(cer.shards.map((s: { zkeySha256: string }) => s.zkeySha256), z.map((x) => x.sha256));
    // the final zkeys extend the initial ones by exactly the two accepted contributions
    const { readZkeyTranscript } = await import("../prover/ceremony/zkey-contributions.ts");
    const t = await readZkeyTranscript({ zkeyPath: z[1].file });
    assert.deepEqual(t.contributions.map((x) => x.name), ["alice", "carol"]);
    assert.deepEqual(t.contributions.map((x) => x.contributionHash), cer.contributions.map((x: { shardHashes: string[] }) => x.shardHashes[1]));
    await refused(await uploadReq(carol, 2, 0, z[0].bytes), 409, "CEREMONY_CLOSED", /ready/);
    await refused(await contributionReq(carol, 2, "carol", z), 409, "CEREMONY_CLOSED");
    await refused({ method: "POST", url: "/v1/ceremonies", payload: await startBody() }, 409, "CEREMONY_EXISTS", /ready/);
  });

  it("a restart keeps every ceremony, its times and its zkeys", async () => {
    const before = await ceremony();
    const tables = snapshot();
    await c.close();
    c = await open();
    assert.equal(snapshot(), tables);
    assert.deepEqual(await ceremony(), before);
    for (const s of before.shards) {
      const r = await get(`/v1/artifacts/${s.zkeySha256}`);
      assert.equal(r.statusCode, 200);
      assert.equal(sha256(r.rawPayload), s.zkeySha256);
    }
  });

  it("a ceremony whose every contributor timed out without a contribution fails; a new one may start", async () => {
    const body = await startBody({ model: OTHER, modelId: OTHER_ID, contributors: [bob.address], timeoutMs: 1_000 });
    const r = await inject({ method: "POST", url: "/v1/ceremonies", payload: body });
    assert.equal(r.statusCode, 200, r.body);
    now += 1_000;
    const failed = await ceremony(OTHER);
    assert.equal(failed.status, "failed");
    assert.deepEqual(failed.contributors.map((x: { status: string }) => x.status), ["skipped"]);
    const again = await inject({ method: "POST", url: "/v1/ceremonies", payload: await startBody({ model: OTHER, modelId: OTHER_ID, contributors: [carol.address], timeoutMs: 1_000, beaconBlock: Number(head) + 30 }) });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().status, "contributing");
    assert.equal(again.json().contributors[0].address, carol.address);
  });

  it("the vkey of a registered model is the one its on-chain record names (deployment keys, then published blobs)", async () => {
    const vk0 = await get(`/v1/models/${REGISTERED_ID}/shards/0/vkey`);
    assert.equal(vk0.statusCode, 200, vk0.body);
    assert.equal(vk0.json().vkeyId, sha256(Buffer.from(deploymentVkey.json)));
    assert.equal(vk0.json().vkey.note, "deployment key");
    assert.equal(vk0.json().path, path.relative(ROOT, path.join(dir, deploymentVkey.path)));
    await refused({ method: "GET", url: `/v1/models/${REGISTERED_ID}/shards/1/vkey` }, 404, "KEY_UNAVAILABLE", /PUT \/v1\/artifacts/);
    await refused({ method: "GET", url: `/v1/models/${REGISTERED_ID}/shards/2/vkey` }, 404, "UNKNOWN_SHARD");
    await refused({ method: "GET", url: `/v1/models/${MODEL_ID}/shards/0/vkey` }, 404, "KEY_UNAVAILABLE", /not registered/);
    await refused({ method: "GET", url: `/v1/models/${keccak256(toHex("nope"))}/shards/0/vkey` }, 404, "UNKNOWN_MODEL");
    // publishing: only the record's hashes, only bytes that hash to the URL's
    const put = (sha: string, body: Buffer, contentType = "application/octet-stream") => ({ method: "PUT" as const, url: `/v1/artifacts/${sha}`, payload: body, headers: { "content-type": contentType } });
    await refused(put(sha256(publishedVkey), publishedZkey), 400, "DIGEST_MISMATCH");
    await refused(put(sha256(Buffer.from("x")), Buffer.from("x")), 403, "ARTIFACT_NOT_ON_CHAIN");
    await refused(put(sha256(publishedVkey), publishedVkey, "application/json"), 415, "UNSUPPORTED_MEDIA_TYPE");
    const p1 = await inject(put(sha256(publishedVkey), publishedVkey));
    assert.equal(p1.statusCode, 200, p1.body);
    assert.deepEqual(p1.json(), { sha256: sha256(publishedVkey), bytes: publishedVkey.length, stored: true });
    const p2 = await inject(put(sha256(publishedVkey), publishedVkey));
    assert.equal(p2.json().stored, false, "idempotent");
    assert.equal((await inject(put(sha256(publishedZkey), publishedZkey))).statusCode, 200);
    const vk1 = await get(`/v1/models/${REGISTERED_ID}/shards/1/vkey`);
    assert.equal(vk1.statusCode, 200, vk1.body);
    assert.equal(vk1.json().vkey.note, "published key");
    const file = await get(`/v1/artifacts/${sha256(publishedVkey)}`);
    assert.equal(file.statusCode, 200);
    assert.match(String(file.headers["content-type"]), /application\/json/);
    assert.deepEqual(file.rawPayload, publishedVkey);
    // the listing: on-chain keys held here, never the manifest's committed zkey / vkey
    const list = (await get("/v1/artifacts")).json().items as { sha256: string; kind: string; shard: number; manifestModelId: string }[];
    const keysOf = list.filter((a) => a.manifestModelId === REGISTERED && (a.kind === "zkey" || a.kind === "vkey")).map((a) => `${a.kind}${a.shard}:${a.sha256}`).sort();
    assert.deepEqual(keysOf, [`vkey0:${sha256(Buffer.from(deploymentVkey.json))}`, `vkey1:${sha256(publishedVkey)}`, `zkey1:${sha256(publishedZkey)}`].sort());
    const committed = manifest.models[0].shards[0].vkey.sha256;
    assert.ok(!list.some((a) => a.sha256 === committed));
  });

  it("GET /v1/explorer/models/:id: the on-chain record and the coordinator's ceremony times", async () => {
    const r = await get(`/v1/explorer/models/${MODEL}`);
    assert.equal(r.statusCode, 200, r.body);
    const m = r.json();
    assert.equal(m.modelId, MODEL_ID);
    assert.equal(m.registered, false);
    assert.equal(m.ceremony, null);
    assert.equal(m.coordinatorCeremony.status, "ready");
    assert.equal(m.coordinatorCeremony.startedAt, new Date(T0).toISOString());
    assert.deepEqual(m.coordinatorCeremony.contributors.map((x: { status: string }) => x.status), ["done", "skipped", "done"]);
    assert.deepEqual(m.coordinatorCeremony.contributions.map((x: { operator: string }) => x.operator), [alice.address, carol.address]);
    const reg = (await get(`/v1/explorer/models/${REGISTERED_ID}`)).json();
    assert.equal(reg.name, REGISTERED);
    assert.equal(reg.registered, true);
    assert.equal(reg.ceremony.beaconBlock, "90");
    assert.equal(reg.ceremony.ptauMatchesManifest, true);
    assert.equal(reg.ceremony.contributions[0].operator, alice.address);
    assert.deepEqual(reg.shards.map((s: { vkeyHeld: boolean; zkeyHeld: boolean }) => [s.zkeyHeld, s.vkeyHeld]), [[false, true], [true, true]]);
    assert.equal(reg.coordinatorCeremony, null);
    await refused({ method: "GET", url: "/v1/explorer/models/no-such-model" }, 404, "UNKNOWN_MODEL");
    await refused({ method: "GET", url: `/v1/explorer/models/${keccak256(toHex("nope"))}` }, 404, "UNKNOWN_MODEL");
    await refused({ method: "GET", url: "/v1/explorer/models/bad%20id" }, 400, "INVALID_REQUEST");
  });

  it("once the chain has the model's record the ceremony reads as registered, and no new one starts", async () => {
    records.set(MODEL_ID, { ...records.get(REGISTERED_ID)! });
    now += 5_000; // past the key index's negative cache
    assert.equal((await ceremony()).status, "registered");
    await refused({ method: "POST", url: "/v1/ceremonies", payload: await startBody({ beaconBlock: Number(head) + 50 }) }, 409, "MODEL_REGISTERED");
  });
});
