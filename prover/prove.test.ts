/**
 * Real Groth16 proofs through both shards of the default pipeline model: the
 * commitments chain, the result is the integer reference's, snarkjs and the
 * independent noble verifier agree — and every tampering is rejected by both.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { releaseProverThreads } from "./release.ts";
import { getAddress } from "viem";
import { computeBinding } from "./binding.ts";
import { R } from "./commit.ts";
import { loadMnist } from "./data/mnist.ts";
import { ShardInputError } from "./errors.ts";
import { DEFAULT_MODEL_ID } from "./models/config.ts";
import { proveShard, type ProveShardReturnType } from "./prove-shard.ts";
import { argmax, runIntLayers } from "./quant/reference.ts";
import { loadShardArtifacts } from "./shard-artifacts.ts";
import { verifyShard } from "./verify-shard.ts";
import { verifyGroth16Noble } from "./verify/noble.ts";

const model = DEFAULT_MODEL_ID;
const { test: digits } = loadMnist();
const market = getAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3");
const nodeA = getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
const nodeB = getAddress("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const binding = (jobId: bigint, stage: number, prover = nodeA) => computeBinding({ chainId: 31337, contract: market, jobId, stage, prover });

function bothVerify(shard: number, p: { proof: ProveShardReturnType["proof"]; publicSignals: readonly string[] }) {
  const { vkey } = loadShardArtifacts({ modelId: model, shard });
  return Promise.all([
    verifyShard({ modelId: model, shard, proof: p.proof, publicSignals: p.publicSignals }),
    Promise.resolve(verifyGroth16Noble({ vkey: vkey as never, proof: p.proof as never, publicSignals: p.publicSignals }).valid),
  ]);
}

after(releaseProverThreads);

describe("pipeline proofs", () => {
  const proofs: { digit: number; s0: ProveShardReturnType; s1: ProveShardReturnType }[] = [];
  before(async () => {
    for (const d of digits.slice(0, 3)) {
      const jobId = BigInt(d.index + 1);
      const s0 = await proveShard({ modelId: model, shard: 0, input: Array.from(d.pixels), binding: binding(jobId, 0) });
      const s1 = await proveShard({ modelId: model, shard: 1, input: s0.output, binding: binding(jobId, 1, nodeB) });
      proofs.push({ digit: d.index, s0, s1 });
    }
  });

  test("tampering any public signal makes both verifiers reject (each signal is constrained)", async () => {
    for (const { s0, s1 } of proofs.slice(0, 1)) {
      for (const [shard, p] of [[0, s0], [1, s1]] as const) {
        for (let i = 0; i < 4; i++) {
          const publicSignals = p.publicSignals.map((v, j) => (j === i ? ((BigInt(v) + 1n) % R).toString() : v));
          assert.deepEqual(await bothVerify(shard, { proof: p.proof, publicSignals }), [false, false], `shard ${shard} signal ${i}`);
        }
      }
    }
  });

  test("a proof bound to one job, stage or prover does not verify for another binding", async () => {
    const { s0 } = proofs[0];
    for (const other of [binding(999n, 0), binding(1n, 1), binding(BigInt(proofs[0].digit + 1), 0, nodeB)]) {
      const publicSignals = [s0.publicSignals[0], s0.publicSignals[1], other.toString(), s0.publicSignals[3]];
      assert.deepEqual(await bothVerify(0, { proof: s0.proof, publicSignals }), [false, false]);
    }
  });

  test("a public signal outside the field (x + r) is rejected by both verifiers", async () => {
    const { s1 } = proofs[0];
    const publicSignals = s1.publicSignals.map((v, j) => (j === 2 ? (BigInt(v) + R).toString() : v));
    assert.deepEqual(await bothVerify(1, { proof: s1.proof, publicSignals }), [false, false]);
  });

  test("the prover refuses invalid activations, shards and bindings with a typed error", async () => {
    const x = Array.from(digits[0].pixels);
    await assert.rejects(proveShard({ modelId: model, shard: 0, input: x.slice(1), binding: 1n }), ShardInputError);
    await assert.rejects(proveShard({ modelId: model, shard: 0, input: x.map((v, i) => (i === 5 ? 256 : v)), binding: 1n }), /activation 5 = 256/);
    await assert.rejects(proveShard({ modelId: model, shard: 0, input: x.map((v, i) => (i === 5 ? 1.5 : v)), binding: 1n }), ShardInputError);
    await assert.rejects(proveShard({ modelId: model, shard: 0, input: x, binding: R }), /binding/);
    await assert.rejects(proveShard({ modelId: model, shard: 7, input: x, binding: 1n }), /no shard 7/);
    await assert.rejects(proveShard({ modelId: "nope", shard: 0, input: x, binding: 1n }), /unknown model/);
  });

  test("valid proofs: commitments chain, result equals the integer reference, both verifiers accept", async () => {
    const layers0 = loadShardArtifacts({ modelId: model, shard: 0 }).layers;
    const layers1 = loadShardArtifacts({ modelId: model, shard: 1 }).layers;
    for (const { digit, s0, s1 } of proofs) {
      const x = Array.from(digits.find((d) => d.index === digit)!.pixels);
      const ref = runIntLayers({ layers: [...layers0, ...layers1], input: x });
      assert.equal(s0.publicSignals[1], s1.publicSignals[0], "outCommit of shard 0 = inCommit of shard 1");
      assert.equal(s1.result, argmax(ref));
      assert.equal(s1.publicSignals[3], String(argmax(ref)));
      assert.equal(s0.publicSignals[3], "0");
      assert.deepEqual(await bothVerify(0, s0), [true, true]);
      assert.deepEqual(await bothVerify(1, s1), [true, true]);
    }
  });
});
