import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { mulberry32 } from "../data/mnist.ts";
import { argmax, runIntLayers } from "../quant/reference.ts";
import { ACT_MAX, type IntLayer } from "../quant/semantics.ts";
import { BuildShardOnnxError, buildShardOnnx } from "./onnx.ts";
import { createShardSession, runShard, RunShardError, type ShardBackend } from "./run-onnx.ts";

const BACKENDS: ShardBackend[] = ["native", "wasm"];

function randInt(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

function randomLayer(random: () => number, p: { kind: IntLayer["kind"]; inSize: number; outSize: number; maxW: number; maxB: number; shift: number }): IntLayer {
  return {
    kind: p.kind,
    inSize: p.inSize,
    outSize: p.outSize,
    weights: Array.from({ length: p.inSize * p.outSize }, () => randInt(random, -p.maxW, p.maxW)),
    bias: Array.from({ length: p.outSize }, () => randInt(random, -p.maxB, p.maxB)),
    shift: p.kind === "logits" ? 0 : p.shift,
  };
}

/** random, sparse (MNIST-like), and extreme inputs */
function makeInputs(random: () => number, inSize: number, count: number): number[][] {
  const rows: number[][] = [
    new Array(inSize).fill(0),
    new Array(inSize).fill(ACT_MAX),
    Array.from({ length: inSize }, (_, i) => (i % 2 ? ACT_MAX : 0)),
    Array.from({ length: inSize }, (_, i) => (i % 2 ? 0 : ACT_MAX)),
  ];
  while (rows.length < count) {
    const mode = rows.length % 3;
    rows.push(
      Array.from({ length: inSize }, () =>
        mode === 0 ? randInt(random, 0, ACT_MAX) : mode === 1 ? (random() < 0.8 ? 0 : randInt(random, 0, ACT_MAX)) : random() < 0.5 ? 0 : ACT_MAX,
      ),
    );
  }
  return rows;
}

type Case = { name: string; layers: IntLayer[]; isLast: boolean };

function makeCases(): Case[] {
  const r = mulberry32(0xc0ffee);
  // hidden: |acc| up to ~1e7, shift 12 → a mix of negatives (→0), in-range and saturating (→255) outputs
  const hiddenA = randomLayer(r, { kind: "hidden", inSize: 96, outSize: 40, maxW: 2000, maxB: 1_500_000, shift: 12 });
  const hiddenB = randomLayer(r, { kind: "hidden", inSize: 40, outSize: 24, maxW: 300, maxB: 200_000, shift: 9 });
  // logits with duplicated rows and a large bias on them: frequent exact ties (lowest index must win)
  const logits = randomLayer(r, { kind: "logits", inSize: 24, outSize: 10, maxW: 120, maxB: 5000, shift: 0 });
  for (const [dst, src] of [
    [6, 2],
    [9, 4],
  ]) {
    for (let i = 0; i < 24; i++) logits.weights[dst * 24 + i] = logits.weights[src * 24 + i];
    logits.bias[dst] = logits.bias[src];
  }
  logits.bias[2] += 40_000;
  logits.bias[6] = logits.bias[2];
  // every logit equal: argmax must be 0
  const allTie: IntLayer = { kind: "logits", inSize: 24, outSize: 10, weights: new Array(240).fill(7), bias: new Array(10).fill(-3), shift: 0 };
  // near the 2^53 exactness limit: 16 · 2^40 · 255 + 2^50 < 2^53 — wrong in float32 or with lossy rounding
  const huge = randomLayer(r, { kind: "hidden", inSize: 16, outSize: 12, maxW: 2 ** 40, maxB: 2 ** 50, shift: 42 });
  const hiddenShift0 = randomLayer(r, { kind: "hidden", inSize: 12, outSize: 8, maxW: 3, maxB: 300, shift: 0 });
  return [
    { name: "one hidden layer (negative, in-range, saturating)", layers: [hiddenA], isLast: false },
    { name: "two hidden layers", layers: [hiddenA, hiddenB], isLast: false },
    { name: "hidden + logits with ties", layers: [hiddenB, logits], isLast: true },
    { name: "three layers ending in logits", layers: [hiddenA, hiddenB, logits], isLast: true },
    { name: "all logits tie", layers: [hiddenB, allTie], isLast: true },
    { name: "near 2^53 + shift 0", layers: [huge, hiddenShift0], isLast: false },
  ];
}

describe("buildShardOnnx + runShard match the integer reference bit for bit", () => {
  const cases = makeCases();
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "proofmesh-onnx-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(c.name, async () => {
      const bytes = buildShardOnnx({ layers: c.layers, isLast: c.isLast, name: c.name });
      const inputs = makeInputs(mulberry32(c.name.length * 7919), c.layers[0].inSize, 300);
      const expected = inputs.map((input) => runIntLayers({ layers: c.layers, input }));
      const expectedArgmax = expected.map((y) => argmax(y));
      const last = c.layers[c.layers.length - 1];
      if (last.kind === "hidden") {
        const flat = expected.flat();
        assert.ok(flat.some((v) => v === 0) && flat.some((v) => v === ACT_MAX) && flat.some((v) => v > 0 && v < ACT_MAX), "case must exercise clamp at 0, 255 and in-range");
      }
      const path = join(dir, "shard.onnx");
      await writeFile(path, bytes);
      for (const backend of BACKENDS) {
        const session = await createShardSession(backend === "native" ? { bytes, backend } : { path, backend });
        const { y, result } = await runShard({ session, inputs });
        assert.deepStrictEqual(y, expected, `${backend}: y differs from reference`);
        if (c.isLast) assert.deepStrictEqual(result, expectedArgmax, `${backend}: argmax differs from reference`);
        else assert.equal(result, undefined);
        // batch of one gives the same answer (dynamic batch dim)
        const single = await runShard({ session, inputs: [inputs[5]] });
        assert.deepStrictEqual(single.y, [expected[5]]);
      }
    });
  }

  it("native and wasm are distinct runtimes", async () => {
    const bytes = buildShardOnnx({ layers: cases[0].layers, isLast: false, name: "distinct" });
    const native = await createShardSession({ bytes, backend: "native" });
    const wasm = await createShardSession({ bytes, backend: "wasm" });
    assert.notEqual(native.Tensor, wasm.Tensor, "onnxruntime-node and onnxruntime-web must not share one onnxruntime-common registry");
    assert.notEqual(Object.getPrototypeOf(native.session), Object.getPrototypeOf(wasm.session));
  });

  it("the tie case really has ties won by the lowest index", () => {
    const c = cases[2];
    const inputs = makeInputs(mulberry32(1), c.layers[0].inSize, 300);
    const ys = inputs.map((input) => runIntLayers({ layers: c.layers, input }));
    const tied = ys.filter((y) => y[2] === y[6] && argmax(y) === 2);
    assert.ok(tied.length > 50, `expected many ties, got ${tied.length}`);
  });
});

describe("buildShardOnnx validation", () => {
  const r = mulberry32(5);
  const hidden = randomLayer(r, { kind: "hidden", inSize: 4, outSize: 3, maxW: 5, maxB: 5, shift: 1 });
  const logits = randomLayer(r, { kind: "logits", inSize: 3, outSize: 2, maxW: 5, maxB: 5, shift: 0 });
  it("rejects a logits layer in a non-last shard", () => {
    assert.throws(() => buildShardOnnx({ layers: [hidden, logits], isLast: false, name: "x" }), BuildShardOnnxError);
  });
  it("rejects a last shard without logits", () => {
    assert.throws(() => buildShardOnnx({ layers: [hidden], isLast: true, name: "x" }), BuildShardOnnxError);
  });
  it("rejects mismatched sizes", () => {
    assert.throws(() => buildShardOnnx({ layers: [hidden, hidden], isLast: false, name: "x" }), BuildShardOnnxError);
  });
  it("rejects accumulators that may reach 2^53", () => {
    const big = { ...hidden, weights: hidden.weights.map(() => 2 ** 50) };
    assert.throws(() => buildShardOnnx({ layers: [big], isLast: false, name: "x" }), BuildShardOnnxError);
  });
  it("runShard rejects non-integer or out-of-range inputs", async () => {
    const session = await createShardSession({ bytes: buildShardOnnx({ layers: [hidden], isLast: false, name: "x" }), backend: "native" });
    await assert.rejects(runShard({ session, inputs: [[0, 1, 2, 256]] }), RunShardError);
    await assert.rejects(runShard({ session, inputs: [[0, 1, 2.5, 3]] }), RunShardError);
    await assert.rejects(runShard({ session, inputs: [[0, 1, -1, 3]] }), RunShardError);
  });
});
