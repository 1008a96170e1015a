/**
 * The dApp path on the in-process chain (mock verifiers): deposit, request building (commitment,
 * nonce, fee, deadline), EIP-712 signature, POST to a fastify stub coordinator that relays the job
 * on chain and settles it with mock stage proofs, waitForResult / waitForSettlement confirmed on
 * chain, typed errors, and `proofmesh job submit|status|deposit` end to end.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import Fastify, { type FastifyInstance } from "fastify";
import { isAddressEqual, parseEther, recoverTypedDataAddress, type Hex } from "viem";

import { jobIdOf, jobMarketDomain, jobRequestTypes, type JobRequest } from "../deploy/jobs.ts";
import { parseJobSubmission, WireValidationError } from "../node/wire/messages.ts";
import { computeBinding } from "../prover/binding.ts";
import { commitValues } from "../prover/commit.ts";
import { getTestDigit } from "../prover/data/mnist.ts";
import { MODEL, PRICE0, PRICE1, setup } from "../test/contracts/fixture.ts";
import { run as jobCli } from "./cli/job-commands.ts";
import { createProofMeshClient } from "./client.ts";
import { deposit } from "./deposit.ts";
import { ChainMismatchError, InsufficientBalanceError, InvalidParameterError, ProofMeshApiError, ProofMeshResponseError } from "./errors.ts";
import { prepareJobRequest } from "./prepare-job-request.ts";
import { recordIo, startRpcProxy, writeDeploymentFile } from "./test-helpers.ts";
import type { SdkPublicClient, SdkWalletClient } from "./types.ts";

type Ctx = Awaited<ReturnType<typeof setup>>;
/** Hardhat account #1 (= fixture's dApp) */
const DAPP_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const RESULT = 7;

describe("SDK dApp flow against a stub coordinator", { timeout: 120_000 }, () => {
  let t: Ctx;
  let app: FastifyInstance;
  let coordinatorUrl: string;
  let publicClient: SdkPublicClient;
  const received: { request: JobRequest; signer: string; commitmentOk: boolean }[] = [];
  let mode: "ok" | "reject" | "malformed" = "ok";
  const statuses = new Map<string, string>();
  const pending: Promise<void>[] = [];
  const pixels = Array.from(getTestDigit(0).pixels);

  before(async () => {
    t = await setup();
    publicClient = t.publicClient as unknown as SdkPublicClient;
    app = Fastify({ logger: false });
    app.post("/v1/jobs", async (req, reply) => {
      if (mode === "reject") return reply.code(402).send({ statusCode: 402, code: "INSUFFICIENT_DEPOSIT", error: "Payment Required", message: "deposit too small" });
      let sub;
      try {
        sub = parseJobSubmission(req.body);
      } catch (e) {
        return reply.code(400).send({ statusCode: 400, code: "BAD_REQUEST", error: "Bad Request", message: (e as WireValidationError).message });
      }
      const r = sub.request;
      const request: JobRequest = { dApp: r.dApp as Hex, modelId: r.modelId as Hex, inputCommitment: BigInt(r.inputCommitment), maxFee: BigInt(r.maxFee), deadline: BigInt(r.deadline), nonce: BigInt(r.nonce), clusterId: r.clusterId };
      const signer = await recoverTypedDataAddress({ domain: jobMarketDomain({ chainId: t.chainId, jobMarket: t.market.address }), types: jobRequestTypes, primaryType: "JobRequest", message: request, signature: sub.signature as Hex });
      const commitmentOk = (await commitValues({ values: sub.input, bits: 8 })) === request.inputCommitment;
      received.push({ request, signer, commitmentOk });
      const jobId = jobIdOf(request);
      if (mode === "malformed") return { jobId: jobId.toString(), status: "answered", result: -1 };
      // relay + assign (deployer holds COORDINATOR_ROLE), answer, then "prove" both stages (mock verifiers).
      await t.market.write.createAndAssign([request, sub.signature as Hex, [t.idOf(t.op1), t.idOf(t.op2)]]);
      statuses.set(jobId.toString(), "assigned");
      const settle = new Promise<void>((resolve) => setTimeout(resolve, 300)).then(async () => {
        const bind = (stage: number, who: Ctx["op1"]) => computeBinding({ chainId: t.chainId, contract: t.market.address, jobId, stage, prover: who.account.address });
        const z = [0n, 0n] as const;
        const b = [z, z] as const;
        await t.market.write.submitStage([jobId, 0n, z, b, z, [request.inputCommitment, 111n, bind(0, t.op1), 0n]], { account: t.op1.account });
        await t.market.write.submitStage([jobId, 1n, z, b, z, [111n, 222n, bind(1, t.op2), BigInt(RESULT)]], { account: t.op2.account });
        statuses.set(jobId.toString(), "settled");
      });
      pending.push(settle);
      return { jobId: jobId.toString(), status: "assigned", result: RESULT, logits: [1, 2, 3, 4, 5, 6, 7, 99, 8, 9], tentative: true, fastPathMs: 12.5, route: [{ stage: 0, nodeId: t.idOf(t.op1), address: t.op1.account.address, predictedMs: 5, observedComputeMs: 4 }, { stage: 1, nodeId: t.idOf(t.op2), address: t.op2.account.address, predictedMs: 5, observedComputeMs: 4 }] };
    });
    app.get("/v1/jobs/:jobId", async (req, reply) => {
      const { jobId } = req.params as { jobId: string };
      const status = statuses.get(jobId);
      if (!status) return reply.code(404).send({ statusCode: 404, code: "UNKNOWN_JOB", error: "Not Found", message: `no job ${jobId}` });
      return { jobId, status, result: RESULT, logits: null, tentative: status !== "settled", fastPathMs: 12.5 };
    });
    coordinatorUrl = await app.listen({ host: "127.0.0.1", port: 0 });
  });
  after(async () => {
    await Promise.allSettled(pending);
    await app?.close();
    await t?.conn.close();
  });

  const dAppWallet = () => t.dApp as unknown as SdkWalletClient;

  it("prepareJobRequest: Poseidon commitment of the input, job id, exact escrow as default maxFee, deadline from chain time", async () => {
    const { request, jobId, escrow } = await prepareJobRequest({ publicClient, deployment: t.deployment, dApp: t.dApp.account.address, input: pixels, model: MODEL, clusterId: 1, nonce: 5n });
    assert.equal(request.inputCommitment, await commitValues({ values: pixels, bits: 8 }));
    assert.equal(jobId, jobIdOf({ dApp: t.dApp.account.address, nonce: 5n }));
    assert.equal(escrow, PRICE0 + PRICE1 + (await t.market.read.coordinatorFee()));
    assert.equal(request.maxFee, escrow);
    const block = await t.publicClient.getBlock();
    assert.equal(request.deadline, block.timestamp + 900n);
    const random = await prepareJobRequest({ publicClient, deployment: t.deployment, dApp: t.dApp.account.address, input: pixels, model: MODEL, clusterId: 1 });
    assert.ok(random.request.nonce >= 0n && random.request.nonce < 1n << 64n);
  });

  it("prepareJobRequest rejects bad input, a fee below the price, an unknown model and an empty deposit", async () => {
    const base = { publicClient, deployment: t.deployment, dApp: t.dApp.account.address, model: MODEL, clusterId: 1 };
    await assert.rejects(prepareJobRequest({ ...base, input: [1, 256] }), (e: unknown) => e instanceof InvalidParameterError && /input\[1\] = 256/.test(e.message));
    await assert.rejects(prepareJobRequest({ ...base, input: [] }), InvalidParameterError);
    await assert.rejects(prepareJobRequest({ ...base, input: pixels, maxFee: 1n }), /below the job's price/);
    await assert.rejects(prepareJobRequest({ ...base, input: pixels, model: "no-such-model" }), /unknown model/);
    await assert.rejects(prepareJobRequest({ ...base, input: pixels, deadlineSeconds: 10 * 86_400 }), /maximum deadline window/);
    await assert.rejects(
      prepareJobRequest({ ...base, dApp: t.outsider.account.address, input: pixels }),
      (e: unknown) => e instanceof InsufficientBalanceError && e.available === 0n && e.required > 0n,
    );
  });

  it("deposit approves and deposits, and refuses more than the wallet holds", async () => {
    const w = t.op3 as unknown as SdkWalletClient;
    await t.token.write.mint([t.op3.account.address, parseEther("3")]);
    const res = await deposit({ publicClient, walletClient: w, deployment: t.deployment, amount: parseEther("2") });
    assert.ok(res.approveTxHash);
    assert.equal(res.balance, parseEther("2"));
    await assert.rejects(deposit({ publicClient, walletClient: w, deployment: t.deployment, amount: parseEther("5") }), InsufficientBalanceError);
  });

  it("submitJob signs (EIP-712, recovers to the dApp), sends the input, and the job settles on chain with the fast-path result", async () => {
    const client = createProofMeshClient({ coordinatorUrl, publicClient, walletClient: dAppWallet(), deployment: t.deployment });
    const { jobId, answer, request } = await client.submitJob({ input: pixels, model: MODEL, clusterId: 1 });
    const got = received.at(-1)!;
    assert.ok(isAddressEqual(got.signer as Hex, t.dApp.account.address), "signature recovers to the dApp");
    assert.ok(got.commitmentOk, "commitment = commitValues(input, 8)");
    assert.equal(got.request.nonce, request.nonce);
    assert.equal(answer.result, RESULT);
    const r = await client.waitForResult({ jobId });
    assert.equal(r.result, RESULT);
    const settled = await client.waitForSettlement({ jobId, expectedResult: answer.result, pollIntervalMs: 100, timeoutMs: 20_000 });
    assert.equal(settled.result, BigInt(RESULT));
    assert.match(settled.txHash, /^0x[0-9a-f]{64}$/);
    assert.equal((await client.getJobOnChain({ jobId })).status, "Settled");
    await assert.rejects(client.waitForSettlement({ jobId, expectedResult: 3 }), ChainMismatchError);
    // sequential nonces: a second job from the same client uses the next nonce
    const second = await client.submitJob({ input: pixels, model: MODEL, clusterId: 1 });
    assert.equal(second.request.nonce, request.nonce + 1n);
  });

  it("API errors keep their code; malformed answers are rejected", async () => {
    const client = createProofMeshClient({ coordinatorUrl, publicClient, walletClient: dAppWallet(), deployment: t.deployment });
    mode = "reject";
    await assert.rejects(client.submitJob({ input: pixels, model: MODEL, clusterId: 1 }), (e: unknown) => e instanceof ProofMeshApiError && e.code === "INSUFFICIENT_DEPOSIT" && e.statusCode === 402);
    mode = "malformed";
    await assert.rejects(client.submitJob({ input: pixels, model: MODEL, clusterId: 1 }), (e: unknown) => e instanceof ProofMeshResponseError && /JobAnswer/.test(e.message));
    mode = "ok";
    await assert.rejects(client.getJob({ jobId: 12345n }), (e: unknown) => e instanceof ProofMeshApiError && e.code === "UNKNOWN_JOB");
  });

  it("`proofmesh job deposit|submit|status` run end to end", async () => {
    const rpc = await startRpcProxy(t.conn.provider as never);
    try {
      const deployment = await writeDeploymentFile(t.deployment);
      const env = { PROOFMESH_PRIVATE_KEY: DAPP_KEY, PROOFMESH_RPC_URL: rpc.url, PROOFMESH_COORDINATOR_URL: coordinatorUrl };
      await t.token.write.mint([t.dApp.account.address, parseEther("2")]);
      let io = recordIo();
      assert.equal(await jobCli({ argv: ["deposit", "--amount", "1.5", "--deployment", deployment], io, env }), 0, io.all());
      assert.match(io.all(), /deposited 1\.5/);

      io = recordIo();
      const code = await jobCli({ argv: ["submit", "--mnist-index", "4", "--model", MODEL, "--deployment", deployment, "--wait", "settled", "--timeout-seconds", "30"], io, env });
      assert.equal(code, 0, io.all());
      assert.match(io.all(), /answer: 7 \(tentative/);
      assert.match(io.all(), /settled: result 7 verified on chain/);
      const jobId = /job (\d+) submitted/.exec(io.all())![1];

      io = recordIo();
      assert.equal(await jobCli({ argv: ["status", jobId, "--deployment", deployment, "--json"], io, env }), 0, io.all());
      const s = JSON.parse(io.lines[0]) as { coordinator: { status: string }; chain: { status: string; result: string } };
      assert.equal(s.chain.status, "Settled");
      assert.equal(s.chain.result, "7");
      assert.equal(s.coordinator.status, "settled");

      io = recordIo();
      assert.equal(await jobCli({ argv: ["status", "999", "--deployment", deployment], io, env }), 1, io.all());
      assert.match(io.all(), /UNKNOWN_JOB/);
    } finally {
      await rpc.close();
    }
  });
});
