/**
 * Test fixtures for the coordinator (not a test file): an in-process Hardhat chain with the real
 * protocol (deploy/protocol.ts), the default MNIST model registered with its GENERATED verifiers,
 * two clusters, staked nodes whose endpoints are real in-process HTTP stub nodes, a funded dApp,
 * and a coordinator (services + fastify app) on top.
 *
 * The stub node is TEST ONLY: it implements the wire contract's POST /v1/stages/execute with
 * the integer reference (bit-identical to the ONNX shards), forwards downstream along `route`
 * with fallback candidates, and GET /v1/health.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { network } from "hardhat";
import { getContract, parseEther, type Abi, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from "viem";
import { pino } from "pino";
import { jobMarketAbi, proofMeshTokenAbi, stakeRegistryAbi } from "../contracts/abi/index.ts";
import { defaultParams } from "../deploy/config.ts";
import { jobIdOf, signJobRequest, type JobRequest } from "../deploy/jobs.ts";
import { deployProtocol, registerModels, toModelId } from "../deploy/protocol.ts";
import { devRecordOf, localRecord } from "../deploy/local-record.ts";
import { commitValues } from "../prover/commit.ts";
import { getModelManifest } from "../prover/manifest.ts";
import { DEFAULT_MODEL_ID } from "../prover/models/config.ts";
import { argmax, runIntLayers } from "../prover/quant/reference.ts";
import { loadShardArtifacts } from "../prover/shard-artifacts.ts";
import { parseStageExecuteRequest, parseStageExecuteResponse, type StageExecuteResponse, type StageTrace } from "../node/wire/messages.ts";
import { buildApp } from "./app.ts";
import type { ChainContext } from "./chain.ts";
import { DEFAULT_CONFIG, validateConfig, type CoordinatorConfig } from "./config.ts";
import { openDb } from "./db.ts";
import { createRng } from "./routing/rng.ts";
import { createCoordinator } from "./services.ts";

export const MODEL_NAME = DEFAULT_MODEL_ID;
export const MODEL_ID = toModelId(DEFAULT_MODEL_ID).toLowerCase() as Hex;
export const silentLogger = () => pino({ level: "silent" });

type Wallet = WalletClient<Transport, Chain, Account>;

// ------------------------------------------------------------------------------------ stub node

export type StubNode = {
  identity: { nodeId: number; address: Address };
  url: string;
  app: FastifyInstance;
  /** extra compute time reported and waited (ms) */
  delayMs: number;
  /** when set, every execute answers this HTTP status */
  failWith: number | null;
  executed: number;
  kill(): Promise<void>;
};

export async function startStubNode({ delayMs = 0 }: { delayMs?: number } = {}): Promise<StubNode> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const node: StubNode = { identity: { nodeId: 0, address: "0x0000000000000000000000000000000000000000" }, url: "", app, delayMs, failWith: null, executed: 0, kill: async () => void (await app.close()) };
  app.get("/v1/health", async () => ({ ok: true }));
  app.post("/v1/stages/execute", async (req, reply) => {
    if (node.failWith !== null) return reply.status(node.failWith).send({ statusCode: node.failWith, code: "STUB_FAILURE", error: "stub", message: "configured to fail" });
    const t0 = performance.now();
    const r = parseStageExecuteRequest(req.body);
    node.executed += 1;
    const layers = loadShardArtifacts({ modelId: MODEL_NAME, shard: r.stage }).layers;
    const c0 = performance.now();
    const out = runIntLayers({ layers, input: r.input });
    if (node.delayMs > 0) await new Promise((res) => setTimeout(res, node.delayMs));
    const computeMs = performance.now() - c0;
    const trace = (failedCandidates: StageTrace["failedCandidates"]): StageTrace => ({
      stage: r.stage,
      nodeId: node.identity.nodeId,
      address: node.identity.address,
      computeMs,
      totalMs: performance.now() - t0,
      backend: "native",
      failedCandidates,
    });
    if (r.route.length === 0) {
      const resp: StageExecuteResponse = { jobId: r.jobId, modelId: r.modelId, output: out, result: argmax(out), stages: [trace([])] };
      return resp;
    }
    const [hop, ...rest] = r.route;
    const failed: StageTrace["failedCandidates"] = [];
    for (const c of hop.candidates) {
      try {
        const res = await fetch(new URL("v1/stages/execute", c.endpoint.endsWith("/") ? c.endpoint : `${c.endpoint}/`), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jobId: r.jobId, modelId: r.modelId, stage: hop.stage, input: out, route: rest, timeoutMs: r.timeoutMs }),
          signal: AbortSignal.timeout(r.timeoutMs),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const down = parseStageExecuteResponse(await res.text());
        return { ...down, stages: [trace(failed), ...down.stages] };
      } catch (err) {
        failed.push({ nodeId: c.nodeId, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return reply.status(502).send({ statusCode: 502, code: "DOWNSTREAM_FAILED", error: "Bad Gateway", message: JSON.stringify(failed) });
  });
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  node.url = address;
  return node;
}

// ------------------------------------------------------------------------------------ chain

export async function setupChain({ nodesInCluster1 = 3 }: { nodesInCluster1?: number } = {}) {
  const conn = await network.create();
  const { viem, networkHelpers } = conn;
  const publicClient = (await viem.getPublicClient()) as unknown as PublicClient;
  const wallets = (await viem.getWalletClients()) as unknown as Wallet[];
  const [deployer, dApp, poorDApp, other] = wallets;
  const ops = wallets.slice(4, 4 + nodesInCluster1 + 1);
  const logger = silentLogger();
  const clients = { publicClient, walletClient: deployer, logger };
  const d = await deployProtocol({ ...clients, params: defaultParams });
  const manifest = getModelManifest({ modelId: MODEL_NAME });
  const verifiers: Address[] = [];
  for (const s of manifest.shards) verifiers.push(((await viem.deployContract(s.verifier.contract as never)) as unknown as { address: Address }).address);
  await registerModels({
    ...clients,
    modelRegistry: d.contracts.ModelRegistry.address,
    models: [{ modelId: MODEL_ID, shards: manifest.shards.map((s, k) => ({ verifier: verifiers[k], weightsHash: s.weightsHash, memoryBytes: BigInt(s.memoryBytes), pricePerStage: parseEther("1") })), record: await localRecord({ publicClient, modelId: MODEL_ID, shardCount: manifest.shards.length, devRecord: devRecordOf(manifest) }) }],
  });
  const at = <const A extends Abi>(abi: A, address: Address) => getContract({ abi, address, client: { public: publicClient, wallet: deployer } });
  const token = at(proofMeshTokenAbi, d.contracts.ProofMeshToken.address);
  const stake = at(stakeRegistryAbi, d.contracts.StakeRegistry.address);
  const market = at(jobMarketAbi, d.contracts.JobMarket.address);
  await stake.write.createCluster(["eu-west", "eu-west-1", parseEther("100")]);
  await stake.write.createCluster(["us-east", "us-east-1", parseEther("100")]);

  const stubs: StubNode[] = [];
  const opOf = new Map<number, Wallet>();
  const addNode = async (w: Wallet, clusterId: number, endpoint: string, amount = parseEther("200")) => {
    await stake.write.registerNode([endpoint, clusterId, 1n << 30n, [MODEL_ID], w.account.address], { account: w.account });
    await token.write.mint([w.account.address, amount]);
    await token.write.approve([stake.address, amount], { account: w.account });
    await stake.write.stake([amount], { account: w.account });
    const id = await stake.read.nodeIdOf([w.account.address]);
    opOf.set(id, w);
    return id;
  };
  for (let i = 0; i < nodesInCluster1; i++) {
    const stub = await startStubNode();
    const id = await addNode(ops[i], 1, stub.url);
    stub.identity = { nodeId: id, address: ops[i].account.address };
    stubs.push(stub);
  }
  // one node in cluster 2 (never routed to for cluster-1 jobs)
  await addNode(ops[nodesInCluster1], 2, "http://127.0.0.1:9/unreachable");

  const fund = async (w: Wallet, amount: bigint) => {
    await token.write.mint([w.account.address, amount]);
    await token.write.approve([market.address, amount], { account: w.account });
    await market.write.deposit([w.account.address, amount], { account: w.account });
  };
  await fund(dApp, parseEther("100"));

  const chain: ChainContext = {
    chainId: d.chainId,
    deployment: {
      chainId: d.chainId,
      deployBlock: d.deployBlock,
      contracts: { ProofMeshToken: d.contracts.ProofMeshToken.address, StakeRegistry: d.contracts.StakeRegistry.address, ModelRegistry: d.contracts.ModelRegistry.address, JobMarket: d.contracts.JobMarket.address },
    },
    publicClient,
    walletClient: deployer,
  };

  let nonce = 1n;
  /** A signed submission for `pixels` (defaults: valid, fresh nonce, 1 h deadline, cluster 1). */
  async function submission({ pixels, signer = dApp, request = {} }: { pixels: number[]; signer?: Wallet; request?: Partial<JobRequest> }) {
    const latest = await networkHelpers.time.latest();
    const base = Math.max(latest, Math.floor(Date.now() / 1000));
    const req: JobRequest = {
      dApp: signer.account.address,
      modelId: MODEL_ID,
      inputCommitment: await commitValues({ values: pixels, bits: 8 }),
      maxFee: parseEther("5"),
      deadline: BigInt(base + 3600),
      nonce: nonce++,
      clusterId: 1,
      ...request,
    };
    const signature = await signJobRequest({ walletClient: signer, chainId: d.chainId, jobMarket: market.address, request: req });
    return {
      req,
      jobId: jobIdOf(req),
      body: {
        request: { dApp: req.dApp, modelId: req.modelId, inputCommitment: req.inputCommitment.toString(), maxFee: req.maxFee.toString(), deadline: req.deadline.toString(), nonce: req.nonce.toString(), clusterId: req.clusterId },
        signature,
        input: pixels,
      },
    };
  }

  return { conn, viem, networkHelpers, publicClient, deployer, dApp, poorDApp, other, ops, opOf, stubs, chain, deployment: d, token, stake, market, fund, submission, async close() {
    for (const s of stubs) await s.app.close().catch(() => undefined);
    await conn.close();
  } };
}

export type ChainFixture = Awaited<ReturnType<typeof setupChain>>;

// ------------------------------------------------------------------------------------ coordinator

export async function startCoordinator({ chain, overrides = {}, dbFile, fetchImpl }: { chain: ChainContext; overrides?: Partial<CoordinatorConfig>; dbFile?: string; fetchImpl?: typeof fetch }) {
  const config = validateConfig({ ...DEFAULT_CONFIG, gossip: false, relay: false, sweeper: false, probeIntervalMs: 100, pollIntervalMs: 50, minDeadlineMarginSec: 30, ...overrides });
  const file = dbFile ?? path.join(mkdtempSync(path.join(tmpdir(), "pm-coord-")), "coordinator.sqlite");
  const db = openDb({ file });
  const log = silentLogger();
  const coordinator = createCoordinator({ config, chain, db, log, random: createRng({ seed: 7 }), ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const app = await buildApp({ coordinator, logger: log });
  await coordinator.start();
  await app.ready();
  return {
    coordinator,
    app,
    db,
    dbFile: file,
    async close() {
      await app.close();
      await coordinator.stop();
      db.close();
    },
  };
}

export function tmpDbFile(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "pm-coord-")), "coordinator.sqlite");
}
