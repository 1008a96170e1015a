/**
 * Hardware heterogeneity: the node's two backends (onnxruntime-node CPU, onnxruntime-web WASM)
 * give identical integer outputs, equal to the integer reference; and the daemon's prover
 * (artefact paths + the ONNX output) produces the same public signals as prover/proveShard.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadMnist } from "../../prover/data/mnist.ts";
import { getModelManifest } from "../../prover/manifest.ts";
import { createShardSession, runShard } from "../../prover/model/run-onnx.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { ROOT } from "../../prover/paths.ts";
import { proveShard } from "../../prover/prove-shard.ts";
import { argmax, runIntLayers } from "../../prover/quant/reference.ts";
import { releaseProverThreads } from "../../prover/release.ts";
import { loadShardArtifacts } from "../../prover/shard-artifacts.ts";
import { proveStage } from "./prove-stage.ts";

describe("node backends and prover", { timeout: 120_000 }, () => {
  after(async () => {
    await releaseProverThreads();
  });
  const model = getModelManifest({ modelId: DEFAULT_MODEL_ID });
  const digits = loadMnist().test.slice(0, 64).map((d) => Array.from(d.pixels));

  it("native and wasm backends give identical integer outputs, equal to the reference, on both shards", async () => {
    let inputs = digits;
    for (const shard of model.shards) {
      const path = join(ROOT, shard.onnx.path);
      const native = await createShardSession({ path, backend: "native" });
      const wasm = await createShardSession({ path, backend: "wasm" });
      const a = await runShard({ session: native, inputs });
      const b = await runShard({ session: wasm, inputs });
      assert.deepEqual(a.y, b.y, `shard ${shard.index}: native != wasm`);
      assert.deepEqual(a.result, b.result);
      const layers = loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: shard.index }).layers;
      const ref = inputs.map((x) => runIntLayers({ layers, input: x }));
      assert.deepEqual(a.y, ref, `shard ${shard.index}: onnx != integer reference`);
      for (const row of a.y) for (const v of row) assert.ok(Number.isInteger(v));
      if (shard.isLast) assert.deepEqual(a.result, ref.map((r) => argmax(r)));
      await native.session.release();
      await wasm.session.release();
      inputs = a.y;
    }
  });

  it("proveStage (node) and proveShard (prover) agree on the public signals", async () => {
    const shard = model.shards[1];
    const input = runIntLayers({ layers: loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 0 }).layers, input: digits[0] });
    const output = runIntLayers({ layers: loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 1 }).layers, input });
    const binding = 123456789n;
    const ours = await proveStage({ manifest: shard, wasmPath: join(ROOT, shard.wasm.path), zkeyPath: join(ROOT, shard.zkey.path), input, output, binding });
    const theirs = await proveShard({ modelId: DEFAULT_MODEL_ID, shard: 1, input, binding });
    assert.deepEqual(ours.publicSignals, theirs.publicSignals);
    assert.equal(ours.calldata.pubSignals[3], BigInt(argmax(output)));
    // a wrong output is caught by the witness generator, never sent on chain
    await assert.rejects(
      proveStage({ manifest: shard, wasmPath: join(ROOT, shard.wasm.path), zkeyPath: join(ROOT, shard.zkey.path), input, output: output.map((v, i) => (i === 0 ? v + 1 : v)), binding }),
      /witness generation failed/,
    );
  });
});
