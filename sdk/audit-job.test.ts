/**
 * The auditor, for real: a 2-stage job of the default MNIST model proven with real Groth16 proofs
 * and settled by the GENERATED verifiers on the in-process chain; a fastify stub explorer serves
 * its trace; auditJob passes every check — then each part of the trace is tampered in turn and
 * the corresponding check fails. Also `proofmesh audit` end to end through a JSON-RPC front.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import Fastify, { type FastifyInstance } from "fastify";
import { parseEther, type Hash, type Hex } from "viem";

import { jobIdOf, signJobRequest, type JobRequest } from "../deploy/jobs.ts";
import { toModelId } from "../deploy/protocol.ts";
import { computeBinding } from "../prover/binding.ts";
import { commitValues } from "../prover/commit.ts";
import { getTestDigit } from "../prover/data/mnist.ts";
import { getModelManifest } from "../prover/manifest.ts";
import { DEFAULT_MODEL_ID } from "../prover/models/config.ts";
import { ROOT } from "../prover/paths.ts";
import { proveShard } from "../prover/prove-shard.ts";
import { releaseProverThreads } from "../prover/release.ts";
import { BN254_P } from "../prover/verify/noble.ts";
import { registerRealModel, setup } from "../test/contracts/fixture.ts";
import { auditJob, type AuditJobReturnType } from "./audit-job.ts";
import { run as auditCli } from "./cli/audit-command.ts";
import { recordIo, startRpcProxy, writeDeploymentFile } from "./test-helpers.ts";
import type { SdkPublicClient } from "./types.ts";

type Ctx = Awaited<ReturnType<typeof setup>>;
type Trace = Record<string, any>;

describe("auditJob on a real proven 2-stage job", { timeout: 180_000 }, () => {
  let t: Ctx;
  let explorer: FastifyInstance;
  let coordinatorUrl: string;
  let trace: Trace;
  /** what the stub serves right now */
  let served: Trace | undefined;
  let servedVkeys: Record<number, unknown> = {};
  const vkeys: Record<number, { vkeyId: string; vkey: unknown }> = {};
  let jobId: bigint;
  const modelId = toModelId(DEFAULT_MODEL_ID).toLowerCase() as Hex;
  const manifest = getModelManifest({ modelId: DEFAULT_MODEL_ID });

  before(async () => {
    t = await setup();
    await registerRealModel(t, { modelName: DEFAULT_MODEL_ID });
    for (const s of manifest.shards) vkeys[s.index] = { vkeyId: s.vkey.sha256, vkey: JSON.parse(readFileSync(path.join(ROOT, s.vkey.path), "utf8")) };

    // A job, signed by the dApp, relayed and assigned by the coordinator (deployer), proven for real.
    const pixels = Array.from(getTestDigit(3).pixels);
    const now = await t.networkHelpers.time.latest();
    const request: JobRequest = {
      dApp: t.dApp.account.address,
      modelId,
      inputCommitment: await commitValues({ values: pixels, bits: 8 }),
      maxFee: parseEther("5"),
      deadline: BigInt(now) + 3600n,
      nonce: 77n,
      clusterId: 1,
    };
    const signature = await signJobRequest({ walletClient: t.dApp, chainId: t.chainId, jobMarket: t.market.address, request });
    const nodes = [t.op1, t.op2];
    const nodeIds = nodes.map((w) => t.idOf(w));
    const createTx = (await t.market.write.createAndAssign([request, signature, nodeIds])) as Hash;
    jobId = jobIdOf(request);
    const receipt = async (hash: Hash) => t.publicClient.waitForTransactionReceipt({ hash });
    const created = await receipt(createTx);

    const bind = (stage: number) => computeBinding({ chainId: t.chainId, contract: t.market.address, jobId, stage, prover: nodes[stage].account.address });
    const p0 = await proveShard({ modelId: DEFAULT_MODEL_ID, shard: 0, input: pixels, binding: bind(0) });
    const p1 = await proveShard({ modelId: DEFAULT_MODEL_ID, shard: 1, input: p0.output, binding: bind(1) });
    const proofs = [p0, p1];
    const txs: Hash[] = [];
    for (const [k, p] of proofs.entries()) {
      const c = p.calldata;
      txs.push((await t.market.write.submitStage([jobId, BigInt(k), c.a, c.b, c.c, c.pubSignals], { account: nodes[k].account })) as Hash);
    }
    const rcpts = await Promise.all(txs.map(receipt));
    assert.equal(await t.market.read.statusOf([jobId]), 3, "settled");
    const shards = await t.models.read.getShards([modelId]);

    // The trace, shaped like coordinator/schemas.ts JobTraceSchema.
    trace = {
      jobId: jobId.toString(),
      status: "settled",
      modelId,
      chainId: t.chainId,
      jobMarket: t.market.address,
      request: { ...request, inputCommitment: request.inputCommitment.toString(), maxFee: request.maxFee.toString(), deadline: request.deadline.toString(), nonce: request.nonce.toString() },
      signature,
      route: null,
      creation: { txHash: createTx, blockNumber: Number(created.blockNumber) },
      assignment: { txHash: createTx, nodeIds },
      stages: proofs.map((p, k) => ({
        stage: k,
        nodeId: nodeIds[k],
        operator: nodes[k].account.address,
        prover: nodes[k].account.address,
        verifier: shards[k].verifier,
        vkeyId: manifest.shards[k].vkey.sha256,
        proven: true,
        proof: p.proof,
        publicSignals: p.publicSignals,
        outCommit: p.publicSignals[1],
        paid: parseEther("1").toString(),
        txHash: txs[k],
        blockNumber: Number(rcpts[k].blockNumber),
      })),
      settlement: { result: String(p1.result), coordinatorFee: (await t.market.read.coordinatorFee()).toString(), txHash: txs[1], fastPathAgrees: true },
      expiry: null,
      events: [],
    };

    explorer = Fastify({ logger: false });
    explorer.get("/v1/explorer/jobs/:jobId", async (req, reply) => {
      const { jobId: id } = req.params as { jobId: string };
      if (!served || id !== served.jobId) return reply.code(404).send({ statusCode: 404, code: "UNKNOWN_JOB", error: "Not Found", message: `no job ${id}` });
      return served;
    });
    explorer.get("/v1/models/:modelId/shards/:k/vkey", async (req, reply) => {
      const { modelId: m, k } = req.params as { modelId: string; k: string };
      const v = servedVkeys[Number(k)] ?? vkeys[Number(k)]?.vkey;
      if (m.toLowerCase() !== modelId || !v) return reply.code(404).send({ statusCode: 404, code: "UNKNOWN_SHARD", error: "Not Found", message: "no such shard" });
      return { modelId: m, shard: Number(k), vkeyId: vkeys[Number(k)]?.vkeyId, path: "x", vkey: v };
    });
    coordinatorUrl = await explorer.listen({ host: "127.0.0.1", port: 0 });
  });

  after(async () => {
    await explorer?.close();
    await t?.conn.close();
    await releaseProverThreads();
  });

  const audit = async (tr: Trace | undefined, vk: Record<number, unknown> = {}): Promise<AuditJobReturnType> => {
    served = tr;
    servedVkeys = vk;
    return auditJob({ jobId, coordinatorUrl, publicClient: t.publicClient as unknown as SdkPublicClient, deployment: t.deployment });
  };
  const clone = (): Trace => structuredClone(trace);
  const failed = (r: AuditJobReturnType) => r.verdicts.filter((v) => !v.ok).map((v) => (v.stage === undefined ? v.check : `${v.check}[${v.stage}]`));
  const show = (r: AuditJobReturnType) => r.verdicts.map((v) => `${v.status} ${v.check}${v.stage ?? ""}: ${v.detail}`).join("\n");
  /** the audit fails, and `check` is among the failures (and nothing outside `allowed` fails) */
  const expectFail = (r: AuditJobReturnType, check: string, allowed: string[] = []) => {
    assert.equal(r.ok, false, show(r));
    const f = failed(r);
    assert.ok(f.includes(check), `expected ${check} to fail, failures: ${f.join(", ")}\n${show(r)}`);
    for (const x of f) assert.ok(x === check || allowed.includes(x), `unexpected failure ${x}\n${show(r)}`);
  };

  it("passes every check on the honest trace", async () => {
    const r = await audit(trace);
    assert.equal(r.ok, true, show(r));
    assert.deepEqual(failed(r), []);
    assert.ok(r.verdicts.every((v) => v.status === "pass"), show(r));
    const checks = new Set(r.verdicts.map((v) => (v.stage === undefined ? v.check : `${v.check}[${v.stage}]`)));
    for (const c of ["trace", "request.signature", "chain.job-created", "chain.job-assigned", "chain.model", "result", "chain.job-settled"]) assert.ok(checks.has(c), c);
    for (const k of [0, 1]) for (const c of ["stage.vkey", "stage.verifier", "stage.proof", "stage.in-commit", "stage.binding", "stage.event"]) assert.ok(checks.has(`${c}[${k}]`), `${c}[${k}]`);
    assert.match(r.verdicts.find((v) => v.check === "stage.vkey" && v.stage === 0)!.detail, /= on-chain vkeyHash \(ceremonyOf\), constants in the on-chain verifier's code/);
    // the registered verifier (here Hardhat's build of the committed development verifier) = the one generated from the vkey, compiled by the auditor
    assert.match(r.verdicts.find((v) => v.check === "stage.verifier" && v.stage === 1)!.detail, /= MnistMlp784x64x32x10Shard1Verifier generated from the vkey and compiled/);
    assert.match(r.verdicts.find((v) => v.check === "stage.proof" && v.stage === 1)!.detail, /noble/);
  });

  it("a tampered public signal fails the noble proof check", async () => {
    const tr = clone();
    tr.stages[0].publicSignals[3] = "1"; // stage 0's result signal (0) — nothing but the proof covers it
    expectFail(await audit(tr), "stage.proof[0]");
  });

  it("a tampered proof point fails the proof check (pairing)", async () => {
    const tr = clone();
    const c = tr.stages[1].proof.pi_c;
    c[1] = (BN254_P - BigInt(c[1])).toString(); // -C: still on the curve, wrong pairing
    const r = await audit(tr);
    expectFail(r, "stage.proof[1]");
    assert.match(r.verdicts.find((v) => v.check === "stage.proof" && v.stage === 1)!.detail, /PAIRING_CHECK_FAILED/);
  });

  it("a binding for another prover fails the binding check", async () => {
    const tr = clone();
    tr.stages[1].publicSignals[2] = computeBinding({ chainId: t.chainId, contract: t.market.address, jobId, stage: 1, prover: t.op1.account.address }).toString();
    expectFail(await audit(tr), "stage.binding[1]", ["stage.proof[1]"]);
  });

  it("a trace naming another prover fails the binding check", async () => {
    const tr = clone();
    tr.stages[0].prover = t.op3.account.address;
    expectFail(await audit(tr), "stage.binding[0]");
  });

  it("a broken commitment link fails the in-commit check", async () => {
    const tr = clone();
    tr.stages[1].publicSignals[0] = (BigInt(tr.stages[1].publicSignals[0]) + 1n).toString();
    expectFail(await audit(tr), "stage.in-commit[1]", ["stage.proof[1]"]);
    const tr0 = clone();
    tr0.stages[0].publicSignals[0] = "12345";
    expectFail(await audit(tr0), "stage.in-commit[0]", ["stage.proof[0]"]);
  });

  it("a wrong result fails the result check", async () => {
    const tr = clone();
    tr.settlement.result = String((Number(tr.settlement.result) + 1) % 10);
    expectFail(await audit(tr), "result");
    const tr2 = clone();
    tr2.stages[1].publicSignals[3] = String((Number(tr2.stages[1].publicSignals[3]) + 1) % 10);
    expectFail(await audit(tr2), "result", ["stage.proof[1]"]);
  });

  it("tx hashes that do not match the chain's events fail the event checks", async () => {
    const tr = clone();
    tr.stages[0].txHash = tr.stages[1].txHash; // a real tx, but not stage 0's StageProven
    expectFail(await audit(tr), "stage.event[0]");
    const tr2 = clone();
    tr2.assignment.txHash = `0x${"ab".repeat(32)}`;
    expectFail(await audit(tr2), "chain.job-assigned");
    const tr3 = clone();
    tr3.settlement.txHash = tr3.stages[0].txHash;
    expectFail(await audit(tr3), "chain.job-settled");
    const tr4 = clone();
    tr4.stages[1].blockNumber = tr4.stages[1].blockNumber + 1;
    expectFail(await audit(tr4), "stage.event[1]");
  });

  it("an outCommit that differs from the StageProven event fails the event check", async () => {
    const tr = clone();
    tr.stages[1].publicSignals[1] = "42";
    expectFail(await audit(tr), "stage.event[1]", ["stage.proof[1]"]);
  });

  it("assigned nodes that differ from JobAssigned fail the assignment check", async () => {
    const tr = clone();
    tr.assignment.nodeIds = [t.idOf(t.op2), t.idOf(t.op1)];
    expectFail(await audit(tr), "chain.job-assigned");
  });

  it("a request that is not the signed one fails the signature and JobCreated checks", async () => {
    const tr = clone();
    tr.request.inputCommitment = "999";
    expectFail(await audit(tr), "request.signature", ["chain.job-created"]);
    assert.ok(failed(await audit(tr)).includes("chain.job-created"));
  });

  it("a vkey that is not the shard's fails the vkey check (and the proof and verifier checks)", async () => {
    expectFail(await audit(trace, { 0: vkeys[1].vkey }), "stage.vkey[0]", ["stage.proof[0]", "stage.verifier[0]"]);
    const tr = clone();
    tr.stages[0].vkeyId = "0".repeat(64);
    expectFail(await audit(tr), "stage.vkey[0]");
  });

  it("a vkey the trace names but the on-chain ceremony record does not fails the vkey check", async () => {
    // a consistent lie: the trace's vkey id is the served vkey's (shard 1's), not the one ModelRegistry.ceremonyOf names for shard 0
    const tr = clone();
    tr.stages[0].vkeyId = vkeys[1].vkeyId;
    const r = await audit(tr, { 0: vkeys[1].vkey });
    expectFail(r, "stage.vkey[0]", ["stage.proof[0]", "stage.verifier[0]"]);
    assert.match(r.verdicts.find((v) => v.check === "stage.vkey" && v.stage === 0)!.detail, /≠ the on-chain ceremony record's vkeyHash/);
    assert.match(r.verdicts.find((v) => v.check === "stage.verifier" && v.stage === 0)!.detail, /≠ MnistMlp784x64x32x10Shard0Verifier generated from the served vkey/);
  });

  it("a trace the explorer does not have fails cleanly", async () => {
    const r = await audit(undefined);
    assert.equal(r.ok, false);
    assert.deepEqual(failed(r), ["trace"]);
    assert.match(r.verdicts[0].detail, /UNKNOWN_JOB/);
    const bad = clone();
    delete bad.stages;
    const r2 = await audit(bad);
    assert.deepEqual(failed(r2), ["trace"]);
    assert.match(r2.verdicts[0].detail, /JobTrace/);
  });

  it("`proofmesh audit` prints a verdict per check and exits 0, or 1 on a mismatch", async () => {
    const rpc = await startRpcProxy(t.conn.provider as never);
    try {
      const deploymentFile = await writeDeploymentFile(t.deployment);
      const argv = [jobId.toString(), "--coordinator", coordinatorUrl, "--rpc-url", rpc.url, "--deployment", deploymentFile];
      served = trace;
      servedVkeys = {};
      let io = recordIo();
      assert.equal(await auditCli({ argv, io, env: {} }), 0, io.all());
      assert.match(io.all(), /PASS stage\.proof\[1\]/);
      assert.match(io.all(), /OK: all \d+ checks passed/);

      const tr = clone();
      tr.stages[1].proof.pi_c[1] = (BN254_P - BigInt(tr.stages[1].proof.pi_c[1])).toString();
      served = tr;
      io = recordIo();
      assert.equal(await auditCli({ argv: [...argv, "--json"], io, env: {} }), 1, io.all());
      const out = JSON.parse(io.lines[0]) as { ok: boolean; verdicts: { check: string; stage?: number; ok: boolean }[] };
      assert.equal(out.ok, false);
      assert.ok(out.verdicts.some((v) => v.check === "stage.proof" && v.stage === 1 && !v.ok));
    } finally {
      await rpc.close();
    }
  });
});
