/**
 * Fuzz test of every coordinator route (issue 8, "Bad input"): thousands of malformed bodies,
 * params, query strings, headers and methods, generated from a seeded PRNG (the seed is printed
 * on failure; rerun with PROOFMESH_FUZZ_SEED=<seed>).
 *
 * POST /v1/jobs starts from a VALID signed submission (accepted, see the control at the end) and
 * changes one thing at a time, so each rejection is caused by that change: wrong types, missing
 * and extra fields, bad hex / decimals, out-of-range and non-integer numbers (NaN, Infinity,
 * 1e999, fractions, negatives), tampered signed fields (the signature no longer matches), forged /
 * non-canonical / foreign-domain signatures, wrong tensor lengths and values, huge arrays and
 * strings, deep nesting, non-JSON and oversized bodies, bad content types; then random multi-field
 * mutations. GET routes get bad ids, hashes, query values, odd path segments and wrong methods.
 * The ceremony and artefact-upload routes get the same treatment: mutations of an owner-signed
 * CeremonyStart (for the registered model: even unmutated it is refused), contributions and zkey
 * uploads for a ceremony that does not exist, raw uploads of bytes no on-chain record names.
 *
 * Every case must be a 4xx ApiError with a stable code (not INTERNAL) and a specific message; after
 * the run the coordinator is healthy, no pipeline node was called, and nothing changed: every
 * SQLite table, the chain (block, deposits, escrow, relayer nonce) and the in-memory job service.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { getAddress, keccak256, parseEther, stringToBytes, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { jobMarketDomain, jobRequestTypes, R } from "../deploy/jobs.ts";
import { ceremonyStartTypedData, ceremonyUploadTypedData } from "../prover/ceremony/record.ts";
import { loadMnist } from "../prover/data/mnist.ts";
import { getModelManifest } from "../prover/manifest.ts";
import { releaseProverThreads } from "../prover/release.ts";
import {
  assertNoFailures,
  BAD_CONTENT_TYPES,
  badDecimals,
  badHex,
  badIntegers,
  createFuzz,
  DELETE,
  deepArrayText,
  encodeBody,
  encodeSegment,
  fuzzSeed,
  garbageBodies,
  isJsonText,
  jsonCase,
  oddSegments,
  pathText,
  raw,
  runCases,
  sameJson,
  show,
  withPath,
  wrongTypes,
  type FuzzCase,
  type JsonPath,
} from "../test/fuzz/generators.ts";
import { MODEL_ID, MODEL_NAME, setupChain, startCoordinator, type ChainFixture } from "./test-fixture.ts";

const SEED = fuzzSeed(0xc0de_f022);
const UINT32_MAX = 4_294_967_295;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Codes POST /v1/jobs may answer to a malformed submission (all 4xx). */
const JOB_CODES = ["INVALID_REQUEST", "MALFORMED_TENSOR", "BAD_SIGNATURE", "UNKNOWN_CLUSTER", "COMMITMENT_MISMATCH", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"] as const;
const INVALID = ["INVALID_REQUEST"] as const;
const TENSOR = ["MALFORMED_TENSOR"] as const;
const BAD_SIG = ["BAD_SIGNATURE"] as const;

describe(`coordinator HTTP fuzz (seed ${SEED})`, { timeout: 240_000 }, () => {
  const f = createFuzz(SEED);
  const digits = loadMnist().test;
  const pixels = Array.from(digits[11].pixels);
  let t: ChainFixture;
  let c: Awaited<ReturnType<typeof startCoordinator>>;
  let base: Awaited<ReturnType<ChainFixture["submission"]>>;
  let body: { request: Record<string, unknown>; signature: Hex; input: number[] };
  let initial: string;
  let total = 0;
  const inject = (o: { method: string; url: string; headers?: Record<string, string>; payload?: string | Buffer }) =>
    c.app.inject({ method: o.method as "GET", url: o.url, ...(o.headers ? { headers: o.headers } : {}), ...(o.payload !== undefined ? { payload: o.payload } : {}) });

  /** Everything the fuzz must not change, as one comparable string. */
  async function snapshot(): Promise<string> {
    const tables = (c.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    const db = Object.fromEntries(tables.map((name) => [name, c.db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]));
    const market = t.market.address;
    const chain = {
      block: await t.publicClient.getBlockNumber(),
      deposit: await t.market.read.balanceOf([t.dApp.account.address]),
      marketTokens: await t.token.read.balanceOf([market]),
      baseJobStatus: await t.market.read.statusOf([base.jobId]),
      relayerNonce: await t.publicClient.getTransactionCount({ address: t.deployer.account.address }),
    };
    const memory = { inProgress: c.coordinator.jobs.inProgressCount(), relay: c.coordinator.jobs.relayCounts(), executedByNodes: t.stubs.map((s) => s.executed), status: c.coordinator.jobs.status(base.jobId.toString()) ?? null };
    const blobs = readdirSync(c.coordinator.blobs.dir).sort();
    return JSON.stringify({ db, chain, memory, blobs }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  }

  async function run(label: string, cases: FuzzCase[]) {
    total += cases.length;
    const failures = await runCases(inject, cases, {
      every: 500,
      onProgress: async () => ((await snapshot()) === initial ? undefined : "state changed (see the diff in the final check)"),
    });
    assertNoFailures(label, SEED, cases.length, failures);
  }

  before(async () => {
    t = await setupChain({ nodesInCluster1: 2 });
    // rate limit out of the way: 429 would hide the validation under test
    c = await startCoordinator({ chain: t.chain, overrides: { rateLimitPerMinute: 1_000_000_000, probeTimeoutMs: 2_000 } });
    base = await t.submission({ pixels });
    body = base.body as typeof body;
    initial = await snapshot();
  });
  after(async () => {
    await c?.close();
    await t?.close();
    await releaseProverThreads();
  });

  // ------------------------------------------------------------------------------ POST /v1/jobs

  /** One mutation of the valid body; skipped when it is a no-op (same JSON, or a case-only change of hex). */
  function mutation(path: JsonPath, value: unknown, codes: readonly string[], message?: RegExp): FuzzCase | undefined {
    let o: unknown = body;
    for (const k of path) o = (o as Record<string | number, unknown>)?.[k];
    if (value !== DELETE && sameJson(value, o)) return undefined;
    if (typeof value === "string" && typeof o === "string" && value.toLowerCase() === o.toLowerCase()) return undefined;
    const name = `POST /v1/jobs ${pathText(path)} = ${show(value)}`;
    const mutated = withPath(body, path, value);
    // a raw splice that is not JSON at all (NaN, 0x10, +1, …): the parser refuses the whole body
    if (!isJsonText(encodeBody(mutated))) return jsonCase(name, "/v1/jobs", mutated, { codes: INVALID, message: /not valid JSON/ });
    return jsonCase(name, "/v1/jobs", mutated, { codes, ...(message ? { message } : {}) });
  }

  function submissionCases(): FuzzCase[] {
    const cases: (FuzzCase | undefined)[] = [];
    const at = (p: JsonPath) => new RegExp(p.map(String).join("[./]"));
    const req = (k: string): JsonPath => ["request", k];

    // structure: each field missing, wrong types, extra fields
    for (const k of ["request", "signature", "input"]) cases.push(mutation([k], DELETE, INVALID, /required|missing/));
    for (const k of ["dApp", "modelId", "inputCommitment", "maxFee", "deadline", "nonce", "clusterId"]) cases.push(mutation(req(k), DELETE, INVALID, /required|missing/));
    for (const v of wrongTypes("object")) cases.push(mutation(["request"], v, INVALID, /request/));
    for (const k of ["x", "__proto", "constructor", "Request", "request ", "inputs", "sig", "jobId", ""]) cases.push(mutation([k], f.jsonValue(), INVALID, /unknown field/));
    for (const k of ["x", "signature", "input", "dapp", "DApp", "model_id", "fee", ""]) cases.push(mutation(["request", k], f.jsonValue() ?? 1, INVALID, /request\/.*unknown field/));

    // hex fields
    for (const [k, n] of [["dApp", 40], ["modelId", 64]] as const) {
      for (const v of [...wrongTypes("string"), ...badHex(f, n)]) cases.push(mutation(req(k), v, INVALID, at(req(k))));
    }
    for (const v of [...wrongTypes("string"), ...badHex(f, 130)]) cases.push(mutation(["signature"], v, INVALID, /signature/));

    // decimal fields: format, then out of range (rejected before the signature), then tampered (signature breaks)
    const limits: Record<string, bigint> = { inputCommitment: R, maxFee: 1n << 128n, deadline: 1n << 64n, nonce: 1n << 64n };
    for (const k of Object.keys(limits)) {
      for (const v of [...wrongTypes("string"), ...badDecimals(f)]) cases.push(mutation(req(k), v, INVALID, at(req(k))));
      const lim = limits[k];
      for (const v of [lim, lim + 1n, lim * 2n, (1n << 256n) - 1n, 1n << 256n, 10n ** 77n, 10n ** 78n - 1n, lim + f.bigBelow(1n << 200n)])
        cases.push(mutation(req(k), v.toString(), INVALID, new RegExp(`request[./]${k}`)));
      for (let i = 0; i < 6; i++) cases.push(mutation(req(k), f.bigBelow(lim).toString(), BAD_SIG, /recovers/));
      cases.push(mutation(req(k), "0", BAD_SIG, /recovers/));
      cases.push(mutation(req(k), (BigInt(body.request[k] as string) + 1n).toString(), BAD_SIG, /recovers/));
      cases.push(mutation(req(k), (lim - 1n).toString(), BAD_SIG, /recovers/));
    }

    // clusterId: uint32
    for (const v of [...wrongTypes("integer"), ...badIntegers(f, 0, UINT32_MAX)]) cases.push(mutation(req("clusterId"), v, INVALID, at(req("clusterId"))));
    cases.push(mutation(req("clusterId"), 0, ["UNKNOWN_CLUSTER"], /clusterId/));
    for (const v of [2, 3, UINT32_MAX, f.int(4, UINT32_MAX - 1), f.int(4, 1000)]) cases.push(mutation(req("clusterId"), v, BAD_SIG, /recovers/));

    // tampered addresses / model ids (well-formed, different): the signature no longer recovers the dApp
    const dApp = body.request.dApp as string;
    const flipCase = (s: string, i: number) => `0x${[...s.slice(2)].map((ch, j) => (j === i ? (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) : ch)).join("")}`;
    const letters = [...dApp.slice(2)].flatMap((ch, i) => (/[a-fA-F]/.test(ch) ? [i] : []));
    for (const i of letters.slice(0, 6)) cases.push(mutation(req("dApp"), flipCase(dApp, i), INVALID, /checksum/));
    for (const a of [t.other.account.address, t.poorDApp.account.address, "0x0000000000000000000000000000000000000000", `0x${"f".repeat(40)}`, t.market.address])
      cases.push(mutation(req("dApp"), a, BAD_SIG, /recovers/));
    for (let i = 0; i < 10; i++) cases.push(mutation(req("dApp"), `0x${f.hex(40)}`, BAD_SIG, /recovers/));
    for (let i = 0; i < 6; i++) cases.push(mutation(req("dApp"), getAddress(`0x${f.hex(40)}`), BAD_SIG, /recovers/));
    for (let i = 0; i < 10; i++) cases.push(mutation(req("modelId"), `0x${f.hex(64)}`, BAD_SIG, /recovers/));
    cases.push(mutation(req("modelId"), keccak256(stringToBytes(MODEL_NAME)), BAD_SIG, /recovers/));
    cases.push(mutation(req("modelId"), `0x${"0".repeat(64)}`, BAD_SIG, /recovers/));

    // signatures: flipped bytes, non-canonical, malformed v, zero, foreign signers and domains
    const sig = body.signature;
    const setByte = (i: number, b: number) => `0x${sig.slice(2, 2 + 2 * i)}${b.toString(16).padStart(2, "0")}${sig.slice(4 + 2 * i)}`;
    for (let i = 0; i < 24; i++) {
      const at = f.int(0, 63);
      const old = Number.parseInt(sig.slice(2 + 2 * at, 4 + 2 * at), 16);
      cases.push(mutation(["signature"], setByte(at, old ^ (1 << f.int(0, 7))), BAD_SIG));
    }
    for (const v of [0, 1, 2, 26, 29, 35, 36, 0x7f, 0x80, 0xff]) cases.push(mutation(["signature"], setByte(64, v), BAD_SIG, /canonical/));
    const v = Number.parseInt(sig.slice(130, 132), 16);
    cases.push(mutation(["signature"], setByte(64, v === 27 ? 28 : 27), BAD_SIG));
    const s = BigInt(`0x${sig.slice(66, 130)}`);
    const withS = (x: bigint) => `${sig.slice(0, 66)}${x.toString(16).padStart(64, "0")}${sig.slice(130)}`;
    cases.push(mutation(["signature"], withS(SECP256K1_N - s), BAD_SIG, /canonical/)); // the malleated twin
    cases.push(mutation(["signature"], withS(SECP256K1_N - 1n), BAD_SIG, /canonical/));
    cases.push(mutation(["signature"], withS(0n), BAD_SIG));
    cases.push(mutation(["signature"], `0x${"0".repeat(64)}${sig.slice(66)}`, BAD_SIG)); // r = 0
    cases.push(mutation(["signature"], `0x${"0".repeat(128)}1b`, BAD_SIG));
    cases.push(mutation(["signature"], `0x${"f".repeat(128)}1c`, BAD_SIG));
    cases.push(mutation(["signature"], `0x${SECP256K1_N.toString(16)}${sig.slice(66)}`, BAD_SIG)); // r = n
    for (let i = 0; i < 12; i++) cases.push(mutation(["signature"], `0x${f.hex(64)}${f.int(0, 2 ** 31).toString(16).padStart(8, "0")}${f.hex(56)}${f.pick(["1b", "1c"])}`, BAD_SIG));
    return cases.filter((x): x is FuzzCase => x !== undefined);
  }

  async function signatureCases(): Promise<FuzzCase[]> {
    const cases: FuzzCase[] = [];
    const message = base.req;
    // other keys sign the very same request
    for (let i = 0; i < 12; i++) {
      const acct = privateKeyToAccount(keccak256(toHex(`fuzz-${SEED}-${i}`)));
      const signature = await acct.signTypedData({ domain: jobMarketDomain({ chainId: t.chain.chainId, jobMarket: t.market.address }), types: jobRequestTypes, primaryType: "JobRequest", message });
      cases.push(jsonCase(`POST /v1/jobs signature by stranger #${i}`, "/v1/jobs", { ...body, signature }, { codes: BAD_SIG, message: /recovers/ }));
    }
    // the dApp itself, but for another chain / another contract / another domain name
    const domains = [
      { ...jobMarketDomain({ chainId: 1, jobMarket: t.market.address }) },
      { ...jobMarketDomain({ chainId: t.chain.chainId, jobMarket: t.stake.address }) },
      { ...jobMarketDomain({ chainId: t.chain.chainId, jobMarket: t.market.address }), name: "ProofMesh JobMarket2" },
      { ...jobMarketDomain({ chainId: t.chain.chainId, jobMarket: t.market.address }), version: "2" },
    ];
    for (const [i, domain] of domains.entries()) {
      const signature = await t.dApp.signTypedData({ account: t.dApp.account, domain, types: jobRequestTypes, primaryType: "JobRequest", message });
      cases.push(jsonCase(`POST /v1/jobs dApp signature for foreign domain #${i}`, "/v1/jobs", { ...body, signature }, { codes: BAD_SIG, message: /recovers/ }));
    }
    // a valid signature of the dApp over ANOTHER request (replayed onto this one), and the reverse
    const other = await t.submission({ pixels, request: { maxFee: parseEther("6") } });
    cases.push(jsonCase("POST /v1/jobs signature of another request", "/v1/jobs", { ...body, signature: other.body.signature }, { codes: BAD_SIG, message: /recovers/ }));
    cases.push(jsonCase("POST /v1/jobs another request under this signature", "/v1/jobs", { ...body, request: other.body.request }, { codes: BAD_SIG, message: /recovers/ }));
    // a fully signed request whose input does not match its commitment
    for (let i = 0; i < 4; i++) cases.push(jsonCase(`POST /v1/jobs valid signature, input of digit ${i}`, "/v1/jobs", { ...body, input: Array.from(digits[i].pixels) }, { codes: ["COMMITMENT_MISMATCH"], message: /commits to/ }));
    return cases;
  }

  function tensorCases(): FuzzCase[] {
    const cases: (FuzzCase | undefined)[] = [];
    for (const v of wrongTypes("array")) cases.push(mutation(["input"], v, TENSOR, /input/));
    for (const n of [0, 1, 2, 63, 64, 783, 785, 1000, 4096, 4097, 10_000, 60_000]) cases.push(mutation(["input"], Array.from({ length: n }, (_, i) => pixels[i % pixels.length]), TENSOR, /input/));
    for (let i = 0; i < 40; i++) {
      const bad = f.pick(badIntegers(f, 0, 255));
      cases.push(mutation(["input", f.int(0, pixels.length - 1)], bad, TENSOR, /input/));
    }
    for (const v of wrongTypes("integer")) cases.push(mutation(["input", f.int(0, pixels.length - 1)], v, TENSOR, /input/));
    cases.push(mutation(["input", 0], raw(deepArrayText(50_000)), TENSOR, /input/));
    cases.push(mutation(["input"], raw(`[${"1,".repeat(80_000)}1]`), TENSOR, /input/)); // 80k items, inside the body limit
    cases.push(mutation(["input"], raw(`[${"255,".repeat(100_000)}1]`), ["PAYLOAD_TOO_LARGE"], /larger than/)); // 400 KB
    // in range but not what was committed
    for (let i = 0; i < 20; i++) {
      const k = f.int(0, pixels.length - 1);
      cases.push(mutation(["input", k], (pixels[k] + f.int(1, 255)) % 256, ["COMMITMENT_MISMATCH"], /commits to/));
    }
    cases.push(mutation(["input"], pixels.map(() => 0), ["COMMITMENT_MISMATCH"], /commits to/));
    cases.push(mutation(["input"], [...pixels].reverse(), ["COMMITMENT_MISMATCH"], /commits to/));
    return cases.filter((x): x is FuzzCase => x !== undefined);
  }

  /** Random 1–3 field mutations drawn from every catalog (each provably changes a signed field, the input, or the shape). */
  function randomMutationCases(n: number): FuzzCase[] {
    const leaves: JsonPath[] = [["request"], ["signature"], ["input"], ...Object.keys(body.request).map((k) => ["request", k])];
    const out: FuzzCase[] = [];
    while (out.length < n) {
      let b: unknown = body;
      const names: string[] = [];
      for (let m = f.int(1, 3); m > 0; m--) {
        const p = f.chance(0.3) ? ["input", f.int(0, pixels.length - 1)] : f.pick(leaves);
        const value = f.pick([
          () => f.jsonValue(),
          () => DELETE,
          () => f.pick(badIntegers(f, 0, 255)),
          () => f.pick(badDecimals(f)),
          () => f.pick(badHex(f, f.pick([40, 64, 130]))),
          () => f.pick(wrongTypes(f.pick(["string", "integer", "array", "object"] as const))),
          () => `0x${f.hex(f.pick([40, 64, 130]))}`,
          () => f.bigBelow(1n << 256n).toString(),
        ])();
        let parent: unknown = b;
        for (const k of p.slice(0, -1)) parent = (parent as Record<string | number, unknown>)?.[k];
        if (parent === null || typeof parent !== "object") continue;
        const cur = (parent as Record<string | number, unknown>)[p[p.length - 1]];
        if (cur === undefined && value === DELETE) continue;
        if (value !== DELETE && sameJson(value, cur)) continue;
        if (typeof value === "string" && typeof cur === "string" && value.toLowerCase() === cur.toLowerCase()) continue;
        b = withPath(b, p, value);
        names.push(`${pathText(p)} = ${show(value)}`);
      }
      if (names.length === 0) continue;
      out.push(jsonCase(`POST /v1/jobs random ${names.join("; ")}`, "/v1/jobs", b, { codes: JOB_CODES }));
    }
    return out;
  }

  function bodyAndHeaderCases(): FuzzCase[] {
    const valid = encodeBody(body);
    const cases: FuzzCase[] = [];
    for (const g of garbageBodies(f, valid, 250, { parseableFlips: true })) // every change breaks the signature or the commitment
      cases.push({ name: `POST /v1/jobs garbage body: ${g.name}`, method: "POST", url: "/v1/jobs", headers: { "content-type": "application/json" }, payload: g.payload, codes: JOB_CODES });
    // sizes around the limit (256 KiB)
    const limit = 256 * 1024;
    const padded = (n: number) => `{"pad":"${"a".repeat(n - 10)}"}`;
    cases.push({ name: "POST /v1/jobs body of exactly the limit (invalid JSON fields)", method: "POST", url: "/v1/jobs", headers: { "content-type": "application/json" }, payload: padded(limit), codes: INVALID });
    cases.push({ name: "POST /v1/jobs body 1 byte over the limit", method: "POST", url: "/v1/jobs", headers: { "content-type": "application/json" }, payload: padded(limit + 1), codes: ["PAYLOAD_TOO_LARGE"], message: /262144/ });
    cases.push(jsonCase("POST /v1/jobs valid body padded past the limit", "/v1/jobs", { ...body, pad: "x".repeat(300_000) }, { codes: ["PAYLOAD_TOO_LARGE"] }));
    cases.push({ name: "POST /v1/jobs 4 MB of random bytes", method: "POST", url: "/v1/jobs", headers: { "content-type": "application/json" }, payload: f.bytes(4 * 1024 * 1024), codes: ["PAYLOAD_TOO_LARGE"] });
    for (const [k, s] of [["dApp", 200_000], ["signature", 250_000], ["maxFee", 100_000]] as const)
      cases.push(jsonCase(`POST /v1/jobs ${k} of ${s} characters`, "/v1/jobs", withPath(body, k === "signature" ? [k] : ["request", k], "9".repeat(s)), { codes: ["INVALID_REQUEST", "PAYLOAD_TOO_LARGE"] }));
    // content types: refused whatever the body (also the valid body)
    for (const ct of BAD_CONTENT_TYPES) {
      cases.push({ name: `POST /v1/jobs content-type ${JSON.stringify(ct)} (valid body)`, method: "POST", url: "/v1/jobs", headers: { "content-type": ct }, payload: valid, codes: ["UNSUPPORTED_MEDIA_TYPE"] });
      cases.push({ name: `POST /v1/jobs content-type ${JSON.stringify(ct)} (garbage)`, method: "POST", url: "/v1/jobs", headers: { "content-type": ct }, payload: f.bytes(f.int(1, 500)), codes: ["UNSUPPORTED_MEDIA_TYPE"] });
    }
    cases.push({ name: "POST /v1/jobs no content-type (valid body)", method: "POST", url: "/v1/jobs", payload: valid, codes: ["UNSUPPORTED_MEDIA_TYPE"] });
    cases.push({ name: "POST /v1/jobs text/plain (valid body as a string)", method: "POST", url: "/v1/jobs", headers: { "content-type": "text/plain" }, payload: valid, codes: INVALID, message: /body/ });
    // valid JSON media types with an invalid body
    for (const ct of ["application/json; charset=utf-8", "APPLICATION/JSON", "application/json;charset=latin1", "application/json; foo=bar", "application/json ; x"])
      cases.push({ name: `POST /v1/jobs content-type ${JSON.stringify(ct)} (missing signature)`, method: "POST", url: "/v1/jobs", headers: { "content-type": ct }, payload: encodeBody(withPath(body, ["signature"], DELETE)), codes: INVALID });
    // content-length that lies, content-encoding the server does not speak
    for (const cl of ["1", "10", String(valid.length - 1), "999999999", "-1", "abc", "1e3"])
      cases.push({ name: `POST /v1/jobs content-length ${cl} (invalid body)`, method: "POST", url: "/v1/jobs", headers: { "content-type": "application/json", "content-length": cl }, payload: "{}", codes: ["INVALID_REQUEST", "PAYLOAD_TOO_LARGE"] });
    for (const ce of ["gzip", "br", "deflate", "x-unknown"])
      cases.push({ name: `POST /v1/jobs content-encoding ${ce} (garbage)`, method: "POST", url: "/v1/jobs", headers: { "content-type": "application/json", "content-encoding": ce }, payload: f.bytes(64), codes: JOB_CODES });
    return cases;
  }

  // ------------------------------------------------------------------------------ GET routes

  function getCases(): FuzzCase[] {
    const cases: FuzzCase[] = [];
    const get = (name: string, url: string, codes?: readonly string[], message?: RegExp): void => void cases.push({ name: `GET ${url.length > 200 ? `${url.slice(0, 200)}…` : url} (${name})`, method: "GET", url, ...(codes ? { codes } : {}), ...(message ? { message } : {}) });
    const enc = encodeSegment;
    const badDecimalSegments = badDecimals(f).filter((v) => typeof v === "string" && v !== "") as string[];
    // integers that are invalid in any reading (no lenient string→number conversion makes them valid)
    // (also the forms a lenient string→number conversion would take: 1.5 → 1, 0x10 → 16, true → 1, " 5" → 5)
    const badIntSegments = (max: number) =>
      ["-1", "-0", "-0.5", "1.5", "0.1", "1.0", "5.", "1e1", "1E1", "0x10", "0b11", "0o7", "1n", "+5", "05", " 5", "5 ", "\t5", "true", "false", String(max + 1), "99999999999999999999", "abc", "1_0", "NaN", "Infinity", "-Infinity", "null", "١", "1/2", "%00", "%ZZ", "0x", "[]", "{}", "1,2", f.nastyNonInteger(5)].map((s) => (s.startsWith("%") ? s : enc(s)));

    // /v1/jobs/:jobId and /events, /v1/explorer/jobs/:jobId (no job exists in this coordinator)
    for (const prefix of ["/v1/jobs/", "/v1/explorer/jobs/"]) {
      for (const suffix of prefix === "/v1/jobs/" ? ["", "/events"] : [""]) {
        for (const s of badDecimalSegments) get("bad job id", `${prefix}${enc(s)}${suffix}`, ["INVALID_REQUEST", "NOT_FOUND"]);
        for (const s of oddSegments(f)) get("odd job id", `${prefix}${s}${suffix}`, ["INVALID_REQUEST", "NOT_FOUND"]);
        for (let i = 0; i < 12; i++) get("unknown job", `${prefix}${f.decimal(f.int(1, 78))}${suffix}`, ["UNKNOWN_JOB"], /unknown/);
        get("2^256 job id", `${prefix}${(1n << 256n).toString()}${suffix}`, ["UNKNOWN_JOB", "INVALID_REQUEST"]);
        get("base job id (never submitted)", `${prefix}${base.jobId}${suffix}`, ["UNKNOWN_JOB"]);
      }
    }
    for (const v of ["maybe", "2", "1", "0", "TRUE", "True", "yes", "on", "truee", "%20true", "-1", "[]", "%00", "%ZZ", enc(f.nastyString(6))]) get("bad verify", `/v1/explorer/jobs/1?verify=${v}`, ["INVALID_REQUEST", "UNKNOWN_JOB"]);
    get("verify twice", "/v1/explorer/jobs/1?verify=true&verify=false", ["INVALID_REQUEST", "UNKNOWN_JOB"]);
    get("unknown query", "/v1/explorer/jobs/1?x=1", ["INVALID_REQUEST", "UNKNOWN_JOB"]);

    // list queries
    const listQueries: Record<string, Record<string, string[]>> = {
      "/v1/explorer/jobs": {
        status: ["weird", "ANSWERED", "settled%20", "%20settled", "settled%00", "0", "%ZZ", enc(f.nastyString(8))],
        modelId: badHex(f, 64).filter((x) => x.length < 4000).map(enc),
        dApp: badHex(f, 40).filter((x) => x.length < 4000).map(enc),
        nodeId: badIntSegments(UINT32_MAX),
        limit: ["0", "501", ...badIntSegments(500)],
        offset: ["1000001", ...badIntSegments(1_000_000)],
      },
      "/v1/explorer/nodes": {
        clusterId: badIntSegments(UINT32_MAX),
        health: ["Alive", "ok", "dead%20", "0", "%ZZ", enc(f.nastyString(8))],
        limit: ["0", "501", ...badIntSegments(500)],
        offset: ["1000001", ...badIntSegments(1_000_000)],
      },
    };
    for (const [route, params] of Object.entries(listQueries)) {
      for (const [k, values] of Object.entries(params)) {
        for (const v of values) get(`bad ${k}`, `${route}?${k}=${v}`, INVALID, new RegExp(`querystring|${k}`));
        const [a, b] = [values[0], values[1] ?? values[0]];
        get(`${k} twice`, `${route}?${k}=${a}&${k}=${b}`, INVALID);
      }
      for (const k of ["x", "LIMIT", "limit[]", "__proto__", "constructor", "status[0]", enc(f.nastyString(4))]) get("unknown parameter", `${route}?${k}=1`, INVALID);
      for (let i = 0; i < 40; i++) {
        const [k, values] = f.pick(Object.entries(params));
        const good = route === "/v1/explorer/jobs" ? "limit=5&offset=0" : "limit=5";
        get(`random bad ${k}`, `${route}?${f.chance(0.5) ? `${good}&` : ""}${k}=${f.pick(values)}`, INVALID);
      }
    }

    // nodes by id (nodes 1..4 exist)
    for (const s of [...badIntSegments(UINT32_MAX), ...oddSegments(f)]) get("bad node id", `/v1/explorer/nodes/${s}`, ["INVALID_REQUEST", "NOT_FOUND"]);
    for (let i = 0; i < 10; i++) get("unknown node", `/v1/explorer/nodes/${f.int(1000, UINT32_MAX)}`, ["UNKNOWN_NODE"], /not registered/);

    // vkeys
    for (const m of badHex(f, 64).filter((x) => x.length < 4000)) get("bad model id", `/v1/models/${enc(m)}/shards/0/vkey`, ["INVALID_REQUEST", "NOT_FOUND"]);
    for (const s of oddSegments(f)) get("odd model id", `/v1/models/${s}/shards/0/vkey`, ["INVALID_REQUEST", "NOT_FOUND"]);
    for (const k of [...badIntSegments(255), "256", "1000", ...oddSegments(f)]) get("bad shard", `/v1/models/${MODEL_ID}/shards/${k}/vkey`, ["INVALID_REQUEST", "NOT_FOUND"]);
    for (let i = 0; i < 10; i++) get("unknown shard", `/v1/models/${MODEL_ID}/shards/${f.int(2, 255)}/vkey`, ["UNKNOWN_SHARD"], /no shard/);
    for (let i = 0; i < 10; i++) get("unknown model", `/v1/models/0x${f.hex(64)}/shards/${f.int(0, 255)}/vkey`, ["UNKNOWN_MODEL"], /unknown/);

    // artefacts
    const real = getModelManifest({ modelId: MODEL_NAME }).shards[0].onnx.sha256;
    for (const h of [...badHex(f, 64).map((x) => x.replace(/^0x/i, "")), `${real}0`, real.slice(1), `0x${real}`, `${real.slice(0, 63)}g`].filter((x) => x.length < 4000 && x !== "")) get("bad sha256", `/v1/artifacts/${enc(h)}`, ["INVALID_REQUEST", "NOT_FOUND", "UNKNOWN_ARTIFACT"]);
    for (const s of oddSegments(f)) get("odd sha256", `/v1/artifacts/${s}`, ["INVALID_REQUEST", "NOT_FOUND"]);
    for (let i = 0; i < 10; i++) get("unknown sha256", `/v1/artifacts/${f.hex(64)}`, ["UNKNOWN_ARTIFACT"], /no artefact/);

    // paths that are no route (and odd characters in them)
    for (const p of ["/", "/v1", "/v1/", "/v2/health", "/V1/health", "/v1/HEALTH", "/v1/health/", "//v1/health", "/v1//health", "/v1/jobs/1/events/x", "/v1/jobs/1/2", "/v1/explorer", "/v1/explorer/", "/v1/explorer/jobs/1/x", "/v1/models", "/v1/models/x", "/v1/models/x/shards", "/v1/artifacts/a/b", "/v1/placement/x", "/metrics/x", "/openapi.json/x", "/.env", "/etc/passwd", "/v1/%ZZ", "/%00", `/${"a".repeat(10_000)}`])
      get("no route", p, ["NOT_FOUND", "INVALID_REQUEST"]);
    for (let i = 0; i < 30; i++) get("random path", `/v1/${encodeSegment(f.nastyString(f.int(1, 40)))}`, ["NOT_FOUND", "INVALID_REQUEST"]);
    return cases;
  }

  // ------------------------------------------------------------------------------ ceremony routes

  const CEREMONY_START_CODES = ["INVALID_REQUEST", "BAD_SIGNATURE", "DUPLICATE_CONTRIBUTOR", "UNKNOWN_MODEL", "BEACON_NOT_IN_FUTURE", "MODEL_REGISTERED", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"] as const;

  async function ceremonyCases(): Promise<FuzzCase[]> {
    const cases: (FuzzCase | undefined)[] = [];
    const enc = encodeSegment;
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    // an owner-signed start for the REGISTERED model: refused even unmutated (MODEL_REGISTERED)
    const head = Number(await t.publicClient.getBlockNumber());
    const start = { model: MODEL_NAME, contributors: [t.other.account.address, t.poorDApp.account.address], contributorTimeoutMs: 60_000, beaconBlock: head + 100 };
    const signature = await t.deployer.signTypedData({ account: t.deployer.account, ...ceremonyStartTypedData({ modelId: MODEL_ID, contributors: start.contributors, contributorTimeoutMs: start.contributorTimeoutMs, beaconBlock: start.beaconBlock }) });
    const startBody = { ...start, signature };
    cases.push(jsonCase("POST /v1/ceremonies owner-signed, registered model", "/v1/ceremonies", startBody, { codes: ["MODEL_REGISTERED"], message: /already registered/ }));
    cases.push(jsonCase("POST /v1/ceremonies the model by its bytes32 id", "/v1/ceremonies", { ...startBody, model: MODEL_ID }, { codes: ["MODEL_REGISTERED"] }));
    const startMutation = (p: JsonPath, v: unknown, codes: readonly string[] = CEREMONY_START_CODES) => {
      const mutated = withPath(startBody, p, v);
      if (sameJson(mutated, startBody)) return undefined;
      const name = `POST /v1/ceremonies ${pathText(p)} = ${show(v)}`;
      if (!isJsonText(encodeBody(mutated))) return jsonCase(name, "/v1/ceremonies", mutated, { codes: INVALID, message: /not valid JSON/ });
      return jsonCase(name, "/v1/ceremonies", mutated, { codes });
    };
    for (const k of ["model", "contributors", "contributorTimeoutMs", "beaconBlock", "signature"]) cases.push(startMutation([k], DELETE, INVALID));
    for (const k of ["x", "modelId", "owner", ""]) cases.push(startMutation([k], f.jsonValue() ?? 1, INVALID));
    for (const v of [...wrongTypes("string"), "", "a b", "../x", "x".repeat(200), `0x${f.hex(63)}`, enc(f.nastyString(8))]) cases.push(startMutation(["model"], v, ["INVALID_REQUEST", "UNKNOWN_MODEL"]));
    for (const v of ["no-such-model", `0x${f.hex(64)}`]) cases.push(startMutation(["model"], v, ["UNKNOWN_MODEL"]));
    for (const v of [...wrongTypes("array"), [], Array.from({ length: 300 }, () => t.other.account.address)]) cases.push(startMutation(["contributors"], v, ["INVALID_REQUEST", "DUPLICATE_CONTRIBUTOR"]));
    for (const v of [...wrongTypes("string"), ...badHex(f, 40)]) cases.push(startMutation(["contributors", 0], v, INVALID));
    cases.push(startMutation(["contributors", 1], start.contributors[0], ["DUPLICATE_CONTRIBUTOR"]));
    cases.push(startMutation(["contributors", 1], start.contributors[0].toLowerCase(), ["DUPLICATE_CONTRIBUTOR"]));
    cases.push(startMutation(["contributors", 0], `0x${"0".repeat(40)}`, INVALID));
    for (let i = 0; i < 6; i++) cases.push(startMutation(["contributors", f.int(0, 1)], getAddress(`0x${f.hex(40)}`), BAD_SIG));
    for (const v of [...wrongTypes("integer"), ...badIntegers(f, 1_000, 2_592_000_000)]) cases.push(startMutation(["contributorTimeoutMs"], v, INVALID));
    for (const v of [...wrongTypes("integer"), ...badIntegers(f, 1, Number.MAX_SAFE_INTEGER)]) cases.push(startMutation(["beaconBlock"], v, INVALID));
    cases.push(startMutation(["beaconBlock"], head, BAD_SIG));
    cases.push(startMutation(["contributorTimeoutMs"], 60_001, BAD_SIG));
    for (const v of [...wrongTypes("string"), ...badHex(f, 130)]) cases.push(startMutation(["signature"], v, INVALID));
    for (let i = 0; i < 8; i++) cases.push(startMutation(["signature"], `0x${f.hex(128)}${f.pick(["1b", "1c"])}`, BAD_SIG));
    for (let i = 0; i < 40; i++) cases.push(jsonCase(`POST /v1/ceremonies random body #${i}`, "/v1/ceremonies", f.jsonValue(), { codes: CEREMONY_START_CODES }));

    // contributions and uploads: no ceremony exists for any model
    const contribution = { index: 0, operator: t.other.account.address, name: "x", shards: [0, 1].map((k) => ({ shard: k, zkeySha256: f.hex(64).toLowerCase(), contributionHash: f.hex(128).toLowerCase() })), signature: `0x${f.hex(128)}1b` };
    const url = `/v1/ceremonies/${MODEL_NAME}/contributions`;
    cases.push(jsonCase("POST contributions, no ceremony", url, contribution, { codes: ["UNKNOWN_CEREMONY"] }));
    for (const [p, v] of [
      [["index"], -1],
      [["index"], 1001],
      [["index"], "0"],
      [["operator"], "0x12"],
      [["name"], ""],
      [["name"], "n".repeat(65)],
      [["shards"], []],
      [["shards", 0, "shard"], 256],
      [["shards", 0, "zkeySha256"], `0x${f.hex(64)}`],
      [["shards", 0, "zkeySha256"], "A".repeat(64)],
      [["shards", 0, "contributionHash"], f.hex(127)],
      [["shards", 0, "contributionHash"], "F".repeat(128)],
      [["shards", 0, "x"], 1],
      [["signature"], "0x"],
      [["x"], 1],
    ] as [JsonPath, unknown][])
      cases.push(jsonCase(`POST contributions ${pathText(p)} = ${show(v)}`, url, withPath(contribution, p, v), { codes: INVALID }));
    for (const [i, m] of ["no-such-model", `0x${f.hex(64)}`].entries()) cases.push(jsonCase(`POST contributions unknown model #${i}`, `/v1/ceremonies/${m}/contributions`, contribution, { codes: ["UNKNOWN_MODEL"] }));
    for (const s of oddSegments(f)) cases.push(jsonCase("POST contributions odd model", `/v1/ceremonies/${s}/contributions`, contribution, { codes: ["INVALID_REQUEST", "NOT_FOUND"] }));
    for (let i = 0; i < 20; i++) cases.push(jsonCase(`POST contributions random body #${i}`, url, f.jsonValue(), { codes: INVALID }));

    const zkey = Buffer.from(f.bytes(2048));
    const upSig = await t.other.signTypedData({ account: t.other.account, ...ceremonyUploadTypedData({ modelId: MODEL_ID, index: 0, shard: 0, sha256: sha(zkey) }) });
    const upload = (name: string, u: string, headers: Record<string, string>, payload: Buffer | string, codes: readonly string[]): FuzzCase => ({ name: `PUT ${u.slice(0, 120)} (${name})`, method: "PUT", url: u, headers, payload, codes });
    const upUrl = (m: string, i: string | number, k: string | number) => `/v1/ceremonies/${m}/contributions/${i}/shards/${k}`;
    const octet = { "content-type": "application/octet-stream", "x-proofmesh-signature": upSig };
    cases.push(upload("no ceremony", upUrl(MODEL_NAME, 0, 0), octet, zkey, ["UNKNOWN_CEREMONY"]));
    cases.push(upload("unknown model", upUrl("no-such-model", 0, 0), octet, zkey, ["UNKNOWN_MODEL"]));
    cases.push(upload("no signature", upUrl(MODEL_NAME, 0, 0), { "content-type": "application/octet-stream" }, zkey, INVALID));
    for (const v of ["", "0x", "0x12", `0x${f.hex(129)}`, `${upSig}00`, "zz"]) cases.push(upload(`signature ${show(v)}`, upUrl(MODEL_NAME, 0, 0), { ...octet, "x-proofmesh-signature": v }, zkey, INVALID));
    for (const ct of [...BAD_CONTENT_TYPES.filter((x) => x !== "application/octet-stream"), "application/json", "text/plain"]) cases.push(upload(`content-type ${JSON.stringify(ct)}`, upUrl(MODEL_NAME, 0, 0), { ...octet, "content-type": ct }, zkey, ["UNSUPPORTED_MEDIA_TYPE"]));
    for (const i of ["-1", "1001", "1.5", "x", "01"]) cases.push(upload(`index ${i}`, upUrl(MODEL_NAME, i, 0), octet, zkey, INVALID));
    for (const k of ["-1", "256", "0x1", "a"]) cases.push(upload(`shard ${k}`, upUrl(MODEL_NAME, 0, k), octet, zkey, INVALID));
    for (const s of oddSegments(f)) cases.push(upload("odd model", upUrl(s, 0, 0), octet, zkey, ["INVALID_REQUEST", "NOT_FOUND"]));
    const limit = c.coordinator.ceremonies.maxUploadBytes() || 64 * 1024 * 1024;
    cases.push(upload("over the body limit", upUrl(MODEL_NAME, 0, 0), octet, Buffer.alloc(limit + 1), ["PAYLOAD_TOO_LARGE"]));

    // artefact uploads: only hashes of on-chain records, only bytes of that hash
    for (let i = 0; i < 8; i++) {
      const b = Buffer.from(f.bytes(f.int(1, 4096)));
      cases.push(upload("not on chain", `/v1/artifacts/${sha(b)}`, { "content-type": "application/octet-stream" }, b, ["ARTIFACT_NOT_ON_CHAIN"]));
      cases.push(upload("body of another hash", `/v1/artifacts/${f.hex(64).toLowerCase()}`, { "content-type": "application/octet-stream" }, b, ["DIGEST_MISMATCH"]));
    }
    const onChainVkey = getModelManifest({ modelId: MODEL_NAME }).shards[0].vkey.sha256;
    cases.push(upload("on-chain hash, other bytes", `/v1/artifacts/${onChainVkey}`, { "content-type": "application/octet-stream" }, zkey, ["DIGEST_MISMATCH"]));
    for (const ct of ["application/json", "text/plain", ""]) cases.push(upload(`content-type ${JSON.stringify(ct)}`, `/v1/artifacts/${onChainVkey}`, { "content-type": ct }, zkey, ["UNSUPPORTED_MEDIA_TYPE"]));
    for (const h of ["zz", "0".repeat(63), `0x${"0".repeat(64)}`]) cases.push(upload(`bad sha256 ${h}`, `/v1/artifacts/${h}`, { "content-type": "application/octet-stream" }, zkey, INVALID));

    // GET ceremonies / explorer models
    const getCase = (name: string, u: string, codes: readonly string[]): FuzzCase => ({ name: `GET ${u.slice(0, 120)} (${name})`, method: "GET", url: u, codes });
    cases.push(getCase("no ceremony", `/v1/ceremonies/${MODEL_NAME}`, ["UNKNOWN_CEREMONY"]));
    cases.push(getCase("no ceremony (bytes32)", `/v1/ceremonies/${MODEL_ID}`, ["UNKNOWN_CEREMONY"]));
    for (let i = 0; i < 6; i++) cases.push(getCase("unknown model", `/v1/ceremonies/0x${f.hex(64)}`, ["UNKNOWN_MODEL"]));
    for (let i = 0; i < 6; i++) cases.push(getCase("unknown model", `/v1/explorer/models/0x${f.hex(64)}`, ["UNKNOWN_MODEL"]));
    for (const s of oddSegments(f)) {
      cases.push(getCase("odd model", `/v1/ceremonies/${s}`, ["INVALID_REQUEST", "NOT_FOUND", "UNKNOWN_MODEL"]));
      cases.push(getCase("odd model", `/v1/explorer/models/${s}`, ["INVALID_REQUEST", "NOT_FOUND", "UNKNOWN_MODEL"]));
    }
    for (const m of badHex(f, 64).filter((x) => x.length < 90 && x !== "")) cases.push(getCase("bad id", `/v1/explorer/models/${enc(m)}`, ["INVALID_REQUEST", "NOT_FOUND", "UNKNOWN_MODEL"]));
    return cases.filter((x): x is FuzzCase => x !== undefined);
  }

  function methodCases(): FuzzCase[] {
    const routes = ["/v1/health", "/metrics", "/openapi.json", "/v1/jobs", "/v1/jobs/1", "/v1/jobs/1/events", "/v1/explorer/jobs", "/v1/explorer/jobs/1", "/v1/explorer/nodes", "/v1/explorer/nodes/1", "/v1/explorer/clusters", "/v1/explorer/models", `/v1/explorer/models/${MODEL_NAME}`, `/v1/models/${MODEL_ID}/shards/0/vkey`, "/v1/artifacts", `/v1/artifacts/${"0".repeat(64)}`, "/v1/placement", `/v1/ceremonies/${MODEL_NAME}`, `/v1/ceremonies/${MODEL_NAME}/contributions/0/shards/0`];
    const cases: FuzzCase[] = [];
    for (const url of routes) {
      const own = url.endsWith("/shards/0") ? ["PUT"] : url.startsWith("/v1/artifacts/") ? ["GET", "PUT"] : url === "/v1/jobs" ? ["POST"] : ["GET"];
      for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS", "GET", "POST", "HEAD"].filter((m) => !own.includes(m) && !(m === "HEAD" && own.includes("GET")))) {
        const payload = f.pick([encodeBody(body), "{}", "", encodeBody(f.jsonValue())]);
        cases.push({ name: `${method} ${url}`, method, url, headers: { "content-type": "application/json" }, payload: method === "GET" || method === "HEAD" ? "" : payload, codes: ["NOT_FOUND", "INVALID_REQUEST", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE"] });
      }
    }
    return cases;
  }

  // ------------------------------------------------------------------------------ tests

  it("POST /v1/jobs: one-field mutations of a valid signed submission are specific 4xx", async () => {
    const cases = [...submissionCases(), ...tensorCases(), ...(await signatureCases())];
    assert.ok(cases.length > 600, `${cases.length} cases`);
    await run("POST /v1/jobs one-field mutations", cases);
  });

  it("POST /v1/jobs: random multi-field mutations", async () => {
    await run("POST /v1/jobs random mutations", randomMutationCases(800));
  });

  it("POST /v1/jobs: garbage bodies, sizes, content types and lying headers", async () => {
    await run("POST /v1/jobs bodies and headers", bodyAndHeaderCases());
  });

  it("GET routes: bad ids, hashes, query values, odd paths; wrong methods everywhere", async () => {
    await run("GET routes", getCases());
    await run("wrong methods", methodCases());
  });

  it("ceremony and upload routes: mutated owner-signed starts, contributions and zkey uploads without a ceremony, artefacts no record names", async () => {
    const cases = await ceremonyCases();
    assert.ok(cases.length > 200, `${cases.length} cases`);
    await run("ceremony routes", cases);
  });

  it(`≥ 2,000 cases ran; the service is up and NOTHING changed (db, chain, memory, nodes)`, async (ctx) => {
    assert.ok(total >= 2000, `only ${total} cases`);
    ctx.diagnostic(`${total} fuzz cases, seed ${SEED}`);
    const h = await inject({ method: "GET", url: "/v1/health" });
    assert.equal(h.statusCode, 200, h.body);
    assert.equal(h.json().status, "ok");
    assert.deepEqual(JSON.parse(await snapshot()), JSON.parse(initial), `state changed during the fuzz (seed ${SEED})`);
  });

  it("regression: bad percent-encoding and over-long path params are ApiErrors (were fastify's FST_ERR_BAD_URL 400 / FST_ERR_MAX_PARAM_LENGTH 414, echoing the URL)", async () => {
    for (const url of ["/v1/jobs/%ZZ", "/v1/jobs/%E0%A4%A/events", "/v1/artifacts/%", `/v1/jobs/${"9".repeat(100_000)}`, `/v1/explorer/nodes/${"1".repeat(101)}`]) {
      const r = await inject({ method: "GET", url });
      assert.equal(r.statusCode, 400, `${url.slice(0, 60)}: ${r.body.slice(0, 200)}`);
      const b = r.json();
      assert.equal(b.code, "INVALID_REQUEST");
      assert.match(b.message, /URL path/);
      assert.ok(b.message.length < 200, "the URL is not echoed");
    }
  });

  it("regression: integers and booleans in params / query strings must be canonical (were truncated: clusterId=1.5 listed cluster 1, nodes/1.0 was node 1, verify=1 was true)", async () => {
    for (const url of ["/v1/explorer/nodes?clusterId=1.5", "/v1/explorer/nodes?limit=0x10", "/v1/explorer/jobs?offset=-0.5", "/v1/explorer/jobs?limit=true", "/v1/explorer/nodes/1.0", "/v1/explorer/nodes/01", `/v1/models/${MODEL_ID}/shards/1e0/vkey`, "/v1/explorer/jobs/1?verify=1"]) {
      const r = await inject({ method: "GET", url });
      assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
      assert.equal(r.json().code, "INVALID_REQUEST");
      assert.match(r.json().message, /(querystring|params)\/\w+: must be/);
    }
    // the canonical forms still work
    assert.equal((await inject({ method: "GET", url: "/v1/explorer/nodes?clusterId=1&limit=2&offset=0" })).json().items.length, 2);
    assert.equal((await inject({ method: "GET", url: "/v1/explorer/nodes/1" })).statusCode, 200);
    assert.equal((await inject({ method: "GET", url: `/v1/models/${MODEL_ID}/shards/1/vkey` })).statusCode, 200);
    assert.equal((await inject({ method: "GET", url: "/v1/explorer/jobs/1?verify=true" })).json().code, "UNKNOWN_JOB");
  });

  it("control: the unmutated submission IS accepted, and the state check sees that", async () => {
    // (on a loaded machine the probes may briefly mark the stub nodes dead: retry a 503, never a 4xx)
    let r = await inject({ method: "POST", url: "/v1/jobs", headers: { "content-type": "application/json" }, payload: encodeBody(body) });
    for (const t0 = Date.now(); r.statusCode === 503 && Date.now() - t0 < 20_000; ) {
      await new Promise((res) => setTimeout(res, 250));
      r = await inject({ method: "POST", url: "/v1/jobs", headers: { "content-type": "application/json" }, payload: encodeBody(body) });
    }
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().jobId, base.jobId.toString());
    assert.notEqual(await snapshot(), initial, "an accepted job changes the snapshot (submissions row, nodes executed)");
  });
});
