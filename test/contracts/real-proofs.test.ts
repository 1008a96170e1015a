/**
 * Real Groth16 proofs from prover/ for a 2-shard job of the default MNIST model,
 * verified by the GENERATED Solidity verifiers and settled on the in-process chain —
 * and the same real proofs, stolen, replayed or re-randomised, rejected.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseEther } from "viem";
import type { Hex } from "viem";
import { jobIdOf, signJobRequest, type JobRequest } from "../../deploy/jobs.ts";
import { toModelId } from "../../deploy/protocol.ts";
import { computeBinding } from "../../prover/binding.ts";
import { commitValues } from "../../prover/commit.ts";
import { loadMnist } from "../../prover/data/mnist.ts";
import { getModelManifest } from "../../prover/manifest.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { proveShard, toCalldata, type ProveShardReturnType } from "../../prover/prove-shard.ts";
import { argmax, runIntLayers } from "../../prover/quant/reference.ts";
import { releaseProverThreads } from "../../prover/release.ts";
import { loadShardArtifacts } from "../../prover/shard-artifacts.ts";
import { registerRealModel, setup } from "./fixture.ts";

type Ctx = Awaited<ReturnType<typeof setup>>;
const BN254_P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

describe("JobMarket with real proofs and generated verifiers", () => {
  let t: Ctx;
  const modelId = toModelId(DEFAULT_MODEL_ID);
  const digits = loadMnist().test;
  let nonce = 1000n;

  before(async () => {
    t = await setup();
    await registerRealModel(t, { modelName: DEFAULT_MODEL_ID });
  });
  after(async () => {
    await t.conn.close();
    await releaseProverThreads();
  });

  async function newJob(pixels: number[]) {
    const now = await t.networkHelpers.time.latest();
    const req: JobRequest = {
      dApp: t.dApp.account.address,
      modelId,
      inputCommitment: await commitValues({ values: pixels, bits: 8 }),
      maxFee: parseEther("5"),
      deadline: BigInt(now) + 3600n,
      nonce: nonce++,
      clusterId: 1,
    };
    const signature = await signJobRequest({ walletClient: t.dApp, chainId: t.chainId, jobMarket: t.market.address, request: req });
    await t.market.write.createAndAssign([req, signature, [t.idOf(t.op1), t.idOf(t.op2)]]);
    return jobIdOf(req);
  }
  const bind = (jobId: bigint, stage: number, prover: Hex) => computeBinding({ chainId: t.chainId, contract: t.market.address, jobId, stage, prover });
  const submit = (w: Ctx["op1"], jobId: bigint, stage: number, p: Pick<ProveShardReturnType, "calldata">) =>
    t.market.write.submitStage([jobId, BigInt(stage), p.calldata.a, p.calldata.b, p.calldata.c, p.calldata.pubSignals], { account: w.account });

  it("a stolen real proof (submitted by another node, or replayed on another job) is rejected", async () => {
    const pixels = Array.from(digits[1].pixels);
    const jobA = await newJob(pixels);
    const jobB = await newJob(pixels);
    const p0 = await proveShard({ modelId: DEFAULT_MODEL_ID, shard: 0, input: pixels, binding: bind(jobA, 0, t.op1.account.address) });
    await t.viem.assertions.revertWithCustomError(submit(t.op2, jobA, 0, p0), t.market, "JobMarket_NotAssignedNode");
    await t.viem.assertions.revertWithCustomError(submit(t.op1, jobB, 0, p0), t.market, "JobMarket_BindingMismatch");
    // A proof whose binding was set for job B but whose other signals are job A's does not verify.
    const forged = { ...p0, calldata: { ...p0.calldata, pubSignals: [p0.calldata.pubSignals[0], p0.calldata.pubSignals[1], bind(jobB, 0, t.op1.account.address), 0n] as const } };
    await t.viem.assertions.revertWithCustomError(submit(t.op1, jobB, 0, forged), t.market, "JobMarket_InvalidProof");
  });

  it("settles a 2-stage job proven for real: commitments chain, the verified result is the reference's", async () => {
    const d = digits[0];
    const pixels = Array.from(d.pixels);
    const jobId = await newJob(pixels);
    const p0 = await proveShard({ modelId: DEFAULT_MODEL_ID, shard: 0, input: pixels, binding: bind(jobId, 0, t.op1.account.address) });
    const p1 = await proveShard({ modelId: DEFAULT_MODEL_ID, shard: 1, input: p0.output, binding: bind(jobId, 1, t.op2.account.address) });
    const before1 = await t.market.read.balanceOf([t.op1.account.address]);
    await submit(t.op1, jobId, 0, p0);
    await submit(t.op2, jobId, 1, p1);
    const layers = [0, 1].flatMap((s) => loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: s }).layers);
    const expected = argmax(runIntLayers({ layers, input: pixels }));
    assert.equal(await t.market.read.statusOf([jobId]), 3, "Settled");
    assert.equal(await t.market.read.resultOf([jobId]), BigInt(expected));
    assert.ok((await t.market.read.balanceOf([t.op1.account.address])) > before1, "stage 0 node paid");

    // Groth16 malleability: a re-randomised proof (negated A and B: e(-A,-B) = e(A,B)) is valid,
    // but the stage is done, so it is refused by state, never by proof bytes.
    const neg = (y: bigint) => (BN254_P - y) % BN254_P;
    const rr = toCalldata({
      proof: {
        ...p1.proof,
        pi_a: [p1.proof.pi_a[0], neg(BigInt(p1.proof.pi_a[1])).toString(), "1"],
        pi_b: [p1.proof.pi_b[0], [neg(BigInt(p1.proof.pi_b[1][0])).toString(), neg(BigInt(p1.proof.pi_b[1][1])).toString()], ["1", "0"]],
      },
      publicSignals: p1.publicSignals,
    });
    const verifier1 = await t.viem.getContractAt(getModelManifest({ modelId: DEFAULT_MODEL_ID }).shards[1].verifier.contract as never, (await t.models.read.getShard([modelId, 1n])).verifier as Hex);
    assert.equal(await (verifier1 as any).read.verifyProof([rr.a, rr.b, rr.c, rr.pubSignals]), true, "re-randomised proof is valid");
    await t.viem.assertions.revertWithCustomError(submit(t.op2, jobId, 1, { calldata: rr }), t.market, "JobMarket_WrongStatus");
  });
});
