import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { getTestDigit, IMAGE_SIZE, loadMnist, MnistLoadError, MNIST_TOTAL, mulberry32, TEST_SIZE, TRAIN_SIZE, type Sample } from "./mnist.ts";

const indexHash = (samples: readonly Sample[]): string => createHash("sha256").update(samples.map((s) => s.index).join(",")).digest("hex");

describe("loadMnist", () => {
  const { train, test } = loadMnist();

  it("has the fixed split sizes", () => {
    assert.equal(train.length, TRAIN_SIZE);
    assert.equal(test.length, TEST_SIZE);
    assert.equal(TRAIN_SIZE + TEST_SIZE, MNIST_TOTAL);
  });

  it("train and test are disjoint and cover every digit once", () => {
    const seen = new Set<number>();
    for (const s of [...train, ...test]) {
      assert.ok(Number.isInteger(s.index) && s.index >= 0 && s.index < MNIST_TOTAL);
      assert.ok(!seen.has(s.index), `index ${s.index} appears twice`);
      seen.add(s.index);
    }
    assert.equal(seen.size, MNIST_TOTAL);
  });

  it("samples are well formed (labels 0..9, 784 bytes)", () => {
    const counts = new Array(10).fill(0);
    for (const s of [...train, ...test]) {
      assert.ok(Number.isInteger(s.label) && s.label >= 0 && s.label <= 9);
      assert.ok(s.pixels instanceof Uint8Array);
      assert.equal(s.pixels.length, IMAGE_SIZE);
      counts[s.label]++;
    }
    for (const c of counts) assert.ok(c > 800, "every class is present");
    // canonical order is class-major: indices grow with the label
    const byIndex = [...train, ...test].sort((a, b) => a.index - b.index);
    for (let i = 1; i < byIndex.length; i++) assert.ok(byIndex[i].label >= byIndex[i - 1].label);
    assert.ok(test.every((s) => s.pixels.some((p) => p > 200)), "every digit has ink");
  });

  it("is deterministic (memoized, and pinned to the shipped split)", () => {
    assert.equal(loadMnist().test, test);
    assert.deepStrictEqual(
      train.slice(0, 5).map((s) => [s.index, s.label]),
      [[8474, 8], [5351, 5], [4082, 3], [5913, 5], [7131, 7]],
    );
    assert.equal(indexHash(train), "a85857b81678d11cf4574d255a7ad57c40098e23cbdfdaf2b40a420f73a98d0a");
    assert.equal(indexHash(test), "f778a36f736696e95054ba8c847a08775aa2834b4c82670a6642658350b98205");
    const pixels = createHash("sha256");
    for (const s of test) pixels.update(s.pixels);
    assert.equal(pixels.digest("hex"), "d29fb3fd255c65ae01020eb4a52d1cad5149cc11b656a35af40e0200094e144a");
  });

  it("getTestDigit returns the i-th test digit and checks its range", () => {
    assert.equal(getTestDigit(0), test[0]);
    assert.equal(getTestDigit(TEST_SIZE - 1), test[TEST_SIZE - 1]);
    assert.throws(() => getTestDigit(TEST_SIZE), MnistLoadError);
    assert.throws(() => getTestDigit(-1), MnistLoadError);
    assert.throws(() => getTestDigit(1.5), MnistLoadError);
  });
});

describe("mulberry32", () => {
  it("is a fixed sequence in [0, 1)", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepStrictEqual(xs, Array.from({ length: 1000 }, () => b()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.equal(mulberry32(1)(), 0.6270739405881613);
  });
});
