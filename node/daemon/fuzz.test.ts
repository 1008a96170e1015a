/**
 * Fuzz test of every node daemon route (issue 8, "Bad input"): thousands of malformed stage
 * requests, query strings, artefact hashes, paths, headers and methods from a seeded PRNG (the
 * seed is printed on failure; rerun with PROOFMESH_FUZZ_SEED=<seed>).
 *
 * Setup (cheapest REAL one): an in-process Hardhat chain with the protocol deployed and the
 * default model registered with its generated verifiers; the node's real ShardCatalog (checked
 * against the ModelRegistry, onnxruntime sessions for both shards), SQLite store, chain view and
 * prover queue; `nodeApp` on a fastify instance configured like server.ts (body limit, TypeBox
 * validator, framework errors), driven with `app.inject`.
 *
 * POST /v1/stages/execute starts from two VALID requests (stage 0 with its route to stage 1, and
 * the last stage; the control at the end shows the latter is accepted) and changes one thing at a
 * time so the change is the reason for the rejection, then random multi-field mutations drawn
 * only from invalid values. Every case must be a 4xx ApiError with a stable code and a specific
 * message; afterwards the node is healthy and nothing changed: stored stages, prover queue depth,
 * shard compute EWMAs (no shard ever ran).
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance } from "fastify";
import { network } from "hardhat";
import { pino } from "pino";
import { getAddress, parseEther, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from "viem";
import { defaultParams } from "../../deploy/config.ts";
import { deployProtocol, registerModels, toModelId } from "../../deploy/protocol.ts";
import { devRecordOf, localRecord } from "../../deploy/local-record.ts";
import { loadMnist } from "../../prover/data/mnist.ts";
import { getModelManifest } from "../../prover/manifest.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { runIntLayers } from "../../prover/quant/reference.ts";
import { releaseProverThreads } from "../../prover/release.ts";
import { loadShardArtifacts } from "../../prover/shard-artifacts.ts";
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
  type Fuzz,
  type FuzzCase,
  type JsonPath,
} from "../../test/fuzz/generators.ts";
import type { StageExecuteRequest } from "../wire/messages.ts";
import { nodeApp, nodeFrameworkErrors } from "./app.ts";
import { createChainView } from "./chain-view.ts";
import { createNodeMetrics } from "./metrics.ts";
import { createProverQueue, type ProverQueue } from "./prover-queue.ts";
import { loadShardCatalog, type ShardCatalog } from "./shards.ts";
import { openStore, type NodeStore } from "./store.ts";

const SEED = fuzzSeed(0x0de_f022);
const UINT32_MAX = 4_294_967_295;
const MODEL_ID = toModelId(DEFAULT_MODEL_ID).toLowerCase() as Hex;
const URL_EXECUTE = "/v1/stages/execute";

/** Codes POST /v1/stages/execute may answer to a malformed request (all 4xx). */
const EXEC_CODES = ["BAD_REQUEST", "BAD_INPUT", "SHARD_NOT_SERVED", "ROUTE_INCOMPLETE", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"] as const;
const BAD = ["BAD_REQUEST"] as const;

type Wallet = WalletClient<Transport, Chain, Account>;

describe(`node daemon HTTP fuzz (seed ${SEED})`, { timeout: 240_000 }, () => {
  const f: Fuzz = createFuzz(SEED);
  const log = pino({ level: "silent" });
  const pixels = Array.from(loadMnist().test[5].pixels);
  const hidden = runIntLayers({ layers: loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 0 }).layers, input: pixels });
  const peer = getAddress("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
  /** stage 0 of 2, with its route to stage 1 (valid; executing it would forward to a dead endpoint) */
  const first: StageExecuteRequest = { jobId: "123456789", modelId: MODEL_ID, stage: 0, input: pixels, route: [{ stage: 1, candidates: [{ nodeId: 2, address: peer, endpoint: "http://127.0.0.1:9" }] }], timeoutMs: 1000 };
  /** the last stage (valid: the control executes it) */
  const last: StageExecuteRequest = { jobId: "987654321", modelId: MODEL_ID, stage: 1, input: hidden, route: [], timeoutMs: 1000 };

  let conn: Awaited<ReturnType<typeof network.create>>;
  let app: FastifyInstance;
  let store: NodeStore;
  let queue: ProverQueue;
  let shards: ShardCatalog;
  let initial: string;
  let total = 0;
  const inject = (o: { method: string; url: string; headers?: Record<string, string>; payload?: string | Buffer }) =>
    app.inject({ method: o.method as "GET", url: o.url, ...(o.headers ? { headers: o.headers } : {}), ...(o.payload !== undefined ? { payload: o.payload } : {}) });

  /** Everything the fuzz must not change. */
  const snapshot = () => JSON.stringify({ counts: store.counts(), stages: store.list({ limit: 100_000 }), depth: queue.depth(), ewma: shards.list().map((s) => s.ewmaMs) });

  async function run(label: string, cases: FuzzCase[]) {
    total += cases.length;
    const failures = await runCases(inject, cases, { every: 500, onProgress: async () => (snapshot() === initial ? undefined : "state changed") });
    assertNoFailures(label, SEED, cases.length, failures);
  }

  before(async () => {
    conn = await network.create();
    const publicClient = (await conn.viem.getPublicClient()) as unknown as PublicClient;
    const [deployer, operator] = (await conn.viem.getWalletClients()) as unknown as Wallet[];
    const d = await deployProtocol({ publicClient, walletClient: deployer, logger: log, params: defaultParams });
    const manifest = getModelManifest({ modelId: DEFAULT_MODEL_ID });
    const verifiers: Address[] = [];
    for (const s of manifest.shards) verifiers.push(((await conn.viem.deployContract(s.verifier.contract as never)) as unknown as { address: Address }).address);
    await registerModels({
      publicClient,
      walletClient: deployer,
      logger: log,
      modelRegistry: d.contracts.ModelRegistry.address,
      models: [{ modelId: MODEL_ID, shards: manifest.shards.map((s, k) => ({ verifier: verifiers[k], weightsHash: s.weightsHash, memoryBytes: BigInt(s.memoryBytes), pricePerStage: parseEther("1") })), record: await localRecord({ publicClient, modelId: MODEL_ID, shardCount: manifest.shards.length, devRecord: devRecordOf(manifest) }) }],
    });
    const dir = mkdtempSync(join(tmpdir(), "pm-node-fuzz-"));
    shards = await loadShardCatalog({ publicClient, modelRegistry: d.contracts.ModelRegistry.address, nodeModelIds: [MODEL_ID], backend: "native", cacheDir: join(dir, "artifacts"), embedded: true, sources: [], log });
    store = openStore({ path: join(dir, "node.sqlite") });
    const deployment = {
      chainId: d.chainId,
      file: "",
      deployBlock: d.deployBlock,
      contracts: { token: d.contracts.ProofMeshToken.address, stakeRegistry: d.contracts.StakeRegistry.address, modelRegistry: d.contracts.ModelRegistry.address, jobMarket: d.contracts.JobMarket.address },
      keyFiles: new Map<string, string>(),
    };
    const metrics = createNodeMetrics();
    const identity = { chainId: d.chainId, nodeId: 1, operator: operator.account.address, signer: operator.account.address, clusterId: 1, endpoint: "http://127.0.0.1:1" };
    queue = createProverQueue({
      store,
      chain: createChainView({ publicClient, deployment }),
      publicClient,
      walletClient: operator,
      chainId: d.chainId,
      jobMarket: deployment.contracts.jobMarket,
      nodeId: identity.nodeId,
      operator: identity.operator,
      shards,
      log,
      metrics,
      concurrency: 1,
      maxPending: 64,
      pollIntervalMs: 100,
      assignmentWaitMs: 1_000,
    });
    // as server.ts configures it
    app = Fastify({ loggerInstance: log, bodyLimit: 256 * 1024, frameworkErrors: nodeFrameworkErrors, return503OnClosing: true, forceCloseConnections: "idle" })
      .setValidatorCompiler(TypeBoxValidatorCompiler)
      .withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;
    await app.register(nodeApp, { identity, shards, store, queue, metrics, version: "fuzz", draining: () => false, startedAtMs: Date.now() });
    await app.ready();
    initial = snapshot();
  });
  after(async () => {
    await app?.close();
    await queue?.stop({ graceMs: 0 });
    store?.close();
    await shards?.release();
    await conn?.close();
    await releaseProverThreads();
  });

  // ------------------------------------------------------------------------------ POST /v1/stages/execute

  function mutation(baseName: string, base: StageExecuteRequest, path: JsonPath, value: unknown, codes: readonly string[], message?: RegExp): FuzzCase | undefined {
    let o: unknown = base;
    for (const k of path) o = (o as Record<string | number, unknown>)?.[k];
    if (value !== DELETE && sameJson(value, o)) return undefined;
    const name = `POST ${URL_EXECUTE} [${baseName}] ${pathText(path)} = ${show(value)}`;
    const mutated = withPath(base, path, value);
    if (!isJsonText(encodeBody(mutated))) return jsonCase(name, URL_EXECUTE, mutated, { codes: BAD, message: /not valid JSON/ });
    return jsonCase(name, URL_EXECUTE, mutated, { codes, ...(message ? { message } : {}) });
  }

  const badEndpoints = (): unknown[] => [
    "",
    "127.0.0.1:9",
    "//127.0.0.1:9",
    "ftp://127.0.0.1",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "HTTP://127.0.0.1:9",
    "http:/127.0.0.1",
    " http://127.0.0.1",
    `http://${"a".repeat(250)}`,
    `https://${"b".repeat(5000)}`,
    // match ^https?:// but are no usable URL (were executed, stored, then failed downstream: 502)
    "http://127.0.0.1:}",
    "http://",
    "https://",
    "http://[::1",
    "http://a b",
    "http://127.0.0.1:99999",
    "http://%zz",
    "http://user:secret@127.0.0.1:9",
    "https://:secret@127.0.0.1:9",
    f.nastyString(20),
    ...wrongTypes("string"),
  ];

  function oneFieldCases(): FuzzCase[] {
    const cases: (FuzzCase | undefined)[] = [];
    for (const [baseName, base] of [["stage 0", first], ["last stage", last]] as const) {
      const m = (path: JsonPath, value: unknown, codes: readonly string[], message?: RegExp) => cases.push(mutation(baseName, base, path, value, codes, message));
      // structure
      for (const k of Object.keys(base)) m([k], DELETE, BAD, /required|missing/);
      for (const k of ["x", "jobid", "Stage", "output", "result", "stages", "__proto", "constructor", ""]) m([k], f.jsonValue() ?? 1, BAD, /unknown field/);
      // jobId: canonical uint256 decimal
      for (const v of [...wrongTypes("string"), ...badDecimals(f)]) m(["jobId"], v, BAD, /jobId/);
      for (const v of [1n << 256n, (1n << 256n) + 1n, 10n ** 78n - 1n, (1n << 256n) + f.bigBelow(1n << 200n)]) m(["jobId"], v.toString(), BAD, /jobId/);
      // modelId
      for (const v of [...wrongTypes("string"), ...badHex(f, 64)]) m(["modelId"], v, BAD, /modelId/);
      for (let i = 0; i < 8; i++) m(["modelId"], `0x${f.hex(64)}`, ["SHARD_NOT_SERVED"], /does not serve/);
      // stage
      for (const v of [...wrongTypes("integer"), ...badIntegers(f, 0, 255)]) m(["stage"], v, BAD, /stage/);
      for (let i = 0; i < 6; i++) m(["stage"], f.int(2, 255), base.route.length === 0 ? ["SHARD_NOT_SERVED"] : BAD, /stage|shard/);
      m(["stage"], base.stage === 0 ? 1 : 0, ["BAD_REQUEST", "BAD_INPUT"]);
      // input
      for (const v of wrongTypes("array")) m(["input"], v, BAD, /input/);
      for (const n of [0, 1, 2, 63, 65, 100, 783, 785, 4096, 4097, 20_000]) {
        if (n === base.input.length) continue;
        m(["input"], Array.from({ length: n }, (_, i) => base.input[i % base.input.length]), n === 0 || n > 4096 ? BAD : ["BAD_INPUT"], /input/);
      }
      for (let i = 0; i < 30; i++) m(["input", f.int(0, base.input.length - 1)], f.pick(badIntegers(f, 0, 255)), BAD, /input/);
      for (const v of wrongTypes("integer")) m(["input", f.int(0, base.input.length - 1)], v, BAD, /input/);
      m(["input", 0], raw(deepArrayText(50_000)), BAD, /input/);
      m(["input"], raw(`[${"1,".repeat(80_000)}1]`), BAD, /input/);
      m(["input"], raw(`[${"255,".repeat(100_000)}1]`), ["PAYLOAD_TOO_LARGE"]);
      // timeoutMs
      for (const v of [...wrongTypes("integer"), ...badIntegers(f, 1, 120_000)]) m(["timeoutMs"], v, BAD, /timeoutMs/);
      // route
      for (const v of wrongTypes("array")) m(["route"], v, BAD, /route/);
      const hop = (stage: number) => ({ stage, candidates: [{ nodeId: 3, address: peer, endpoint: "http://127.0.0.1:9" }] });
      if (base.route.length === 0) {
        m(["route"], [hop(2)], ["ROUTE_INCOMPLETE"], /route must name/);
        m(["route"], [hop(1)], BAD, /route\/0\/stage/);
      } else {
        m(["route"], [], ["ROUTE_INCOMPLETE"], /route must name/);
        m(["route"], [...base.route, hop(2)], ["ROUTE_INCOMPLETE"], /route must name/);
        m(["route"], Array.from({ length: 17 }, (_, i) => hop(i + 1)), BAD, /route/);
        m(["route"], Array.from({ length: 16 }, (_, i) => hop(i + 1)), ["ROUTE_INCOMPLETE"]);
        for (const s of [0, 2, 3, 255]) m(["route", 0, "stage"], s, BAD, /route\/0\/stage/);
        for (const v of [...wrongTypes("integer"), ...badIntegers(f, 0, 255)]) m(["route", 0, "stage"], v, BAD, /route/);
        m(["route", 0], DELETE, ["ROUTE_INCOMPLETE"]);
        for (const v of wrongTypes("object")) m(["route", 0], v, BAD, /route/);
        for (const k of ["stage", "candidates"]) m(["route", 0, k], DELETE, BAD, /route/);
        m(["route", 0, "x"], 1, BAD, /route\/0\/x: unknown field/);
        m(["route", 0, "candidates"], [], BAD, /candidates/);
        m(["route", 0, "candidates"], Array.from({ length: 9 }, (_, i) => ({ nodeId: i, address: peer, endpoint: "http://127.0.0.1:9" })), BAD, /candidates/);
        for (const v of wrongTypes("array")) m(["route", 0, "candidates"], v, BAD, /candidates/);
        const cand: JsonPath = ["route", 0, "candidates", 0];
        for (const v of wrongTypes("object")) m(cand, v, BAD, /candidates/);
        for (const k of ["nodeId", "address", "endpoint"]) m([...cand, k], DELETE, BAD, /candidates/);
        m([...cand, "x"], 1, BAD, /candidates\/0\/x: unknown field/);
        for (const v of [...wrongTypes("integer"), ...badIntegers(f, 0, UINT32_MAX)]) m([...cand, "nodeId"], v, BAD, /nodeId/);
        for (const v of [...wrongTypes("string"), ...badHex(f, 40)]) m([...cand, "address"], v, BAD, /address/);
        // a mixed-case address with a wrong EIP-55 checksum
        const lower = peer.slice(2).toLowerCase();
        const i = [...lower].findIndex((ch) => /[a-f]/.test(ch));
        const flipped = `0x${[...peer.slice(2)].map((ch, j) => (j === i ? (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) : ch)).join("")}`;
        m([...cand, "address"], flipped, BAD, /checksum/);
        for (const v of badEndpoints()) m([...cand, "endpoint"], v, BAD, /endpoint/);
      }
    }
    return cases.filter((x): x is FuzzCase => x !== undefined);
  }

  /** 1–3 mutations per case, every value invalid for its field (no valid-by-accident value is drawn). */
  function randomMutationCases(n: number): FuzzCase[] {
    const out: FuzzCase[] = [];
    const invalidFor = (p: JsonPath): unknown => {
      const key = String(p[p.length - 1]);
      const gen: Record<string, () => unknown> = {
        jobId: () => f.pick([...badDecimals(f), ...wrongTypes("string"), (1n << 256n).toString()]),
        modelId: () => f.pick([...badHex(f, 64), ...wrongTypes("string")]),
        stage: () => f.pick([...badIntegers(f, 0, 255), ...wrongTypes("integer")]),
        timeoutMs: () => f.pick([...badIntegers(f, 1, 120_000), ...wrongTypes("integer")]),
        input: () => f.pick([...wrongTypes("array"), [], Array.from({ length: f.int(4097, 6000) }, () => 1)]),
        route: () => f.pick([...wrongTypes("array"), Array.from({ length: 17 }, () => ({}))]),
        candidates: () => f.pick([...wrongTypes("array"), []]),
        nodeId: () => f.pick([...badIntegers(f, 0, UINT32_MAX), ...wrongTypes("integer")]),
        address: () => f.pick([...badHex(f, 40), ...wrongTypes("string")]),
        endpoint: () => f.pick(badEndpoints()),
      };
      if (p[0] === "input" && p.length === 2) return f.pick([...badIntegers(f, 0, 255), ...wrongTypes("integer")]);
      if (p[0] === "route" && p[2] === "stage") return gen.stage();
      return (gen[key] ?? (() => DELETE))();
    };
    while (out.length < n) {
      const [baseName, base] = f.pick([["stage 0", first], ["last stage", last]] as const);
      const leaves: JsonPath[] = [["jobId"], ["modelId"], ["stage"], ["timeoutMs"], ["input"], ["input", f.int(0, base.input.length - 1)], ["route"]];
      if (base.route.length > 0) leaves.push(["route", 0, "stage"], ["route", 0, "candidates"], ["route", 0, "candidates", 0, "nodeId"], ["route", 0, "candidates", 0, "address"], ["route", 0, "candidates", 0, "endpoint"]);
      let b: unknown = base;
      const names: string[] = [];
      for (let m = f.int(1, 3); m > 0; m--) {
        const p = f.pick(leaves);
        let parent: unknown = b;
        for (const k of p.slice(0, -1)) parent = (parent as Record<string | number, unknown>)?.[k];
        if (parent === null || typeof parent !== "object") continue;
        const value = f.chance(0.1) ? DELETE : invalidFor(p);
        if (value !== DELETE && sameJson(value, (parent as Record<string | number, unknown>)[p[p.length - 1]])) continue;
        b = withPath(b, p, value);
        names.push(`${pathText(p)} = ${show(value)}`);
      }
      if (names.length === 0) continue;
      out.push(jsonCase(`POST ${URL_EXECUTE} [${baseName}] random ${names.join("; ")}`, URL_EXECUTE, b, { codes: EXEC_CODES }));
    }
    return out;
  }

  function bodyAndHeaderCases(): FuzzCase[] {
    const cases: FuzzCase[] = [];
    for (const [baseName, base] of [["stage 0", first], ["last stage", last]] as const) {
      const valid = encodeBody(base);
      for (const g of garbageBodies(f, valid, 120))
        cases.push({ name: `POST ${URL_EXECUTE} [${baseName}] garbage body: ${g.name}`, method: "POST", url: URL_EXECUTE, headers: { "content-type": "application/json" }, payload: g.payload, codes: EXEC_CODES });
      cases.push(jsonCase(`POST ${URL_EXECUTE} [${baseName}] valid body padded past the limit`, URL_EXECUTE, { ...base, pad: "x".repeat(300_000) }, { codes: ["PAYLOAD_TOO_LARGE"] }));
      cases.push({ name: `POST ${URL_EXECUTE} [${baseName}] 3 MB of random bytes`, method: "POST", url: URL_EXECUTE, headers: { "content-type": "application/json" }, payload: f.bytes(3 * 1024 * 1024), codes: ["PAYLOAD_TOO_LARGE"] });
      for (const ct of BAD_CONTENT_TYPES) cases.push({ name: `POST ${URL_EXECUTE} [${baseName}] content-type ${JSON.stringify(ct)} (valid body)`, method: "POST", url: URL_EXECUTE, headers: { "content-type": ct }, payload: valid, codes: ["UNSUPPORTED_MEDIA_TYPE"] });
      cases.push({ name: `POST ${URL_EXECUTE} [${baseName}] no content-type (valid body)`, method: "POST", url: URL_EXECUTE, payload: valid, codes: ["UNSUPPORTED_MEDIA_TYPE"] });
      cases.push({ name: `POST ${URL_EXECUTE} [${baseName}] text/plain (valid body as a string)`, method: "POST", url: URL_EXECUTE, headers: { "content-type": "text/plain" }, payload: valid, codes: BAD });
      for (const ct of ["application/json; charset=utf-8", "APPLICATION/JSON", "application/json;charset=latin1"])
        cases.push({ name: `POST ${URL_EXECUTE} [${baseName}] content-type ${JSON.stringify(ct)} (no input)`, method: "POST", url: URL_EXECUTE, headers: { "content-type": ct }, payload: encodeBody(withPath(base, ["input"], DELETE)), codes: BAD });
      for (const cl of ["1", "10", String(valid.length - 1), "999999999", "abc"])
        cases.push({ name: `POST ${URL_EXECUTE} [${baseName}] content-length ${cl} (invalid body)`, method: "POST", url: URL_EXECUTE, headers: { "content-type": "application/json", "content-length": cl }, payload: "{}", codes: ["BAD_REQUEST", "PAYLOAD_TOO_LARGE"] });
    }
    return cases;
  }

  // ------------------------------------------------------------------------------ GET routes, methods

  function getCases(): FuzzCase[] {
    const cases: FuzzCase[] = [];
    const get = (name: string, url: string, codes: readonly string[], message?: RegExp): void => void cases.push({ name: `GET ${url.length > 200 ? `${url.slice(0, 200)}…` : url} (${name})`, method: "GET", url, codes, ...(message ? { message } : {}) });
    const badLimit = ["0", "1001", "-1", "-0", "1.5", "0.5", "1.0", "5.", "1e1", "0x10", "0b11", "1n", "+5", "05", "%205", "true", "false", "", "abc", "NaN", "Infinity", "null", "99999999999999999999", "%00", "%ZZ", "[]", encodeSegment(f.nastyNonInteger(6))];
    for (const v of badLimit) get("bad limit", `/v1/stages?limit=${v}`, BAD, /limit/);
    for (let i = 0; i < 30; i++) get("random bad limit", `/v1/stages?limit=${f.pick([String(f.int(1001, 1e9)), String(-f.int(1, 1e9)), `${f.int(1, 999)}.${f.int(1, 9)}`, encodeSegment(f.nastyNonInteger(f.int(1, 8)))])}`, BAD, /limit/);
    get("limit twice", "/v1/stages?limit=1&limit=2", BAD);
    for (const k of ["x", "LIMIT", "offset", "limit[]", "__proto__", "constructor", encodeSegment(f.nastyString(4))]) get("unknown parameter", `/v1/stages?${k}=1`, BAD);

    const real = getModelManifest({ modelId: DEFAULT_MODEL_ID }).shards[0].onnx.sha256;
    for (const h of [...badHex(f, 64).map((x) => x.replace(/^0x/i, "")), real.toUpperCase(), `${real}0`, real.slice(1), `0x${real}`, `${real.slice(0, 63)}g`].filter((x) => x.length < 4000 && x !== "" && !/^[0-9a-f]{64}$/.test(x)))
      get("bad sha256", `/v1/artifacts/${encodeSegment(h)}`, ["BAD_REQUEST", "NOT_FOUND"], /sha256|URL|route/);
    for (const s of oddSegments(f)) get("odd sha256", `/v1/artifacts/${s}`, ["BAD_REQUEST", "NOT_FOUND"]);
    for (let i = 0; i < 12; i++) get("unknown sha256", `/v1/artifacts/${f.hex(64)}`, ["ARTIFACT_NOT_FOUND"], /does not hold/);

    for (const p of ["/", "/v1", "/v1/", "/v2/health", "/V1/health", "/v1/health/", "//v1/health", "/v1/stages/", "/v1/stages/execute/x", "/v1/stages/1", "/v1/artifacts", "/v1/artifacts/", "/v1/artifacts/a/b", "/metrics/x", "/.env", "/v1/%ZZ", "/%00", `/${"a".repeat(10_000)}`])
      get("no route", p, ["NOT_FOUND", "BAD_REQUEST"]);
    for (let i = 0; i < 30; i++) get("random path", `/v1/${encodeSegment(f.nastyString(f.int(1, 40)))}`, ["NOT_FOUND", "BAD_REQUEST"]);
    return cases;
  }

  function methodCases(): FuzzCase[] {
    const cases: FuzzCase[] = [];
    for (const url of ["/v1/health", "/metrics", "/v1/stages", URL_EXECUTE, `/v1/artifacts/${"0".repeat(64)}`]) {
      for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS", ...(url === URL_EXECUTE ? ["GET", "HEAD"] : ["POST"])]) {
        const payload = f.pick([encodeBody(last), "{}", "", encodeBody(f.jsonValue())]);
        cases.push({ name: `${method} ${url}`, method, url, headers: { "content-type": "application/json" }, payload: method === "GET" || method === "HEAD" ? "" : payload, codes: ["NOT_FOUND", "BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE"] });
      }
    }
    return cases;
  }

  // ------------------------------------------------------------------------------ tests

  it("POST /v1/stages/execute: one-field mutations of two valid requests are specific 4xx", async () => {
    const cases = oneFieldCases();
    assert.ok(cases.length > 600, `${cases.length} cases`);
    await run("execute one-field mutations", cases);
  });

  it("POST /v1/stages/execute: random multi-field mutations", async () => {
    await run("execute random mutations", randomMutationCases(900));
  });

  it("POST /v1/stages/execute: garbage bodies, sizes, content types and lying headers", async () => {
    await run("execute bodies and headers", bodyAndHeaderCases());
  });

  it("GET /v1/stages, /v1/artifacts/:sha256, odd paths; wrong methods everywhere", async () => {
    await run("GET routes", getCases());
    await run("wrong methods", methodCases());
  });

  it("≥ 2,000 cases ran; the node is up and NOTHING changed (stages, prover queue, shards never ran)", async (ctx) => {
    assert.ok(total >= 2000, `only ${total} cases`);
    ctx.diagnostic(`${total} fuzz cases, seed ${SEED}`);
    const h = await inject({ method: "GET", url: "/v1/health" });
    assert.equal(h.statusCode, 200, h.body);
    assert.equal(h.json().status, "ok");
    assert.equal(h.json().queueDepth, 0);
    assert.equal(h.json().inFlight, 0);
    assert.deepEqual(JSON.parse(snapshot()), JSON.parse(initial), `state changed during the fuzz (seed ${SEED})`);
  });

  it("regression: a jobId ≥ 2^256 is a 400 (was executed and stored, its proof retried getJob forever; on stage 0 also forwarded, then 502)", async () => {
    for (const [name, base] of [["last stage", last], ["stage 0", first]] as const) {
      for (const jobId of [(1n << 256n).toString(), "9".repeat(78)]) {
        const r = await inject({ method: "POST", url: URL_EXECUTE, headers: { "content-type": "application/json" }, payload: encodeBody({ ...base, jobId }) });
        assert.equal(r.statusCode, 400, `${name}: ${r.body}`);
        assert.equal(r.json().code, "BAD_REQUEST");
        assert.match(r.json().message, /jobId: must be < 2\^256/);
      }
    }
    assert.equal(snapshot(), initial, "nothing stored or queued");
  });

  it("regression: a route candidate endpoint that is no http(s) URL is a 400 (was executed and stored, then 502 DOWNSTREAM_FAILED)", async () => {
    for (const endpoint of ["http://127.0.0.1:}", "http://[::1", "http://user:secret@127.0.0.1:9"]) {
      const req = { ...first, route: [{ stage: 1, candidates: [{ ...first.route[0].candidates[0], endpoint }] }] };
      const r = await inject({ method: "POST", url: URL_EXECUTE, headers: { "content-type": "application/json" }, payload: encodeBody(req) });
      assert.equal(r.statusCode, 400, `${endpoint}: ${r.body}`);
      assert.match(r.json().message, /route\/0\/candidates\/0\/endpoint: (not a URL|must not contain credentials)/);
    }
    assert.equal(snapshot(), initial, "nothing stored or queued");
  });

  it("regression: GET /v1/stages?limit must be a canonical integer (1.5, 0x10, true were truncated/converted to a limit)", async () => {
    for (const v of ["1.5", "0x10", "true", "1e1", "05", "%205"]) {
      const r = await inject({ method: "GET", url: `/v1/stages?limit=${v}` });
      assert.equal(r.statusCode, 400, `${v}: ${r.body}`);
      assert.match(r.json().message, /querystring\/limit: must be an integer in decimal notation/);
    }
    assert.equal((await inject({ method: "GET", url: "/v1/stages?limit=5" })).statusCode, 200);
  });

  it("regression: bad percent-encoding / over-long params are BAD_REQUEST ApiErrors; a 404 does not echo a huge URL", async () => {
    for (const url of ["/v1/artifacts/%ZZ", "/v1/artifacts/%E0%A4%A", `/v1/artifacts/${"a".repeat(5000)}`]) {
      const r = await inject({ method: "GET", url });
      assert.equal(r.statusCode, 400, r.body.slice(0, 200));
      assert.equal(r.json().code, "BAD_REQUEST");
      assert.match(r.json().message, /URL path/);
    }
    const r = await inject({ method: "GET", url: `/${"a".repeat(10_000)}` });
    assert.equal(r.json().code, "NOT_FOUND");
    assert.ok(r.json().message.length <= 300, `message of ${r.json().message.length} characters`);
  });

  it("control: the unmutated last-stage request IS accepted, and the state check sees that", async () => {
    const r = await inject({ method: "POST", url: URL_EXECUTE, headers: { "content-type": "application/json" }, payload: encodeBody(last) });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().output, runIntLayers({ layers: loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 1 }).layers, input: hidden }));
    assert.notEqual(snapshot(), initial, "an executed stage is stored and queued");
    assert.equal(store.counts().pending + store.counts().abandoned + store.counts().failed, 1);
  });
});
