/**
 * The quantized ONNX shards nodes run are exact: run in sequence on onnxruntime-node
 * they equal the integer reference bit for bit on all 2,000 held-out digits, and the
 * WASM backend gives the same outputs. The committed ONNX files match the manifest.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadMnist } from "../data/mnist.ts";
import { readManifest } from "../manifest.ts";
import { ROOT, intModelPath } from "../paths.ts";
import { argmax, runIntLayers } from "../quant/reference.ts";
import type { IntModel } from "../quant/semantics.ts";
import { createShardSession, runShard } from "./run-onnx.ts";

const { test: digits } = loadMnist();

for (const model of readManifest().models) {
  describe(`${model.id} ONNX shards`, () => {
    const int = JSON.parse(readFileSync(intModelPath(model.id), "utf8")) as IntModel;

    test("committed ONNX files match the manifest's hashes", () => {
      for (const s of model.shards) {
        const sha = createHash("sha256").update(readFileSync(join(ROOT, s.onnx.path))).digest("hex");
        assert.equal(sha, s.onnx.sha256, `${s.onnx.path} differs from the manifest`);
      }
    });

    for (const backend of ["native", "wasm"] as const) {
      test(`${backend}: shards in sequence equal the integer reference on all ${digits.length} held-out digits`, async () => {
        const sample = digits;
        let x = sample.map((d) => Array.from(d.pixels));
        let result: number[] | undefined;
        for (const s of model.shards) {
          const session = await createShardSession({ path: join(ROOT, s.onnx.path), backend });
          const out = await runShard({ session, inputs: x });
          x = out.y;
          result = out.result;
        }
        sample.forEach((d, i) => {
          const ref = runIntLayers({ layers: int.layers, input: Array.from(d.pixels) });
          assert.deepEqual(x[i], ref, `digit ${d.index}: ONNX output differs from the reference`);
          assert.equal(result![i], argmax(ref));
        });
        if (backend === "native") {
          const correct = sample.filter((d, i) => result![i] === d.label).length / sample.length;
          assert.equal(correct, model.report.intAccuracy, "integer accuracy differs from the manifest's report");
        }
      });
    }
  });
}
