/**
 * Deterministic pure-TypeScript MLP training (float64).
 *
 * Reproducibility contract: given the same config (seed + hyperparameters) and the
 * same MNIST split, `trainMlp` produces the same weights BIT FOR BIT on any
 * IEEE-754 JavaScript engine:
 * - all randomness comes from mulberry32 (integer-only) streams derived from the seed
 *   (init stream, data stream for shuffling + augmentation, dropout not used);
 * - the training path uses only + − × ÷, Math.sqrt (correctly rounded by IEEE-754),
 *   Math.floor/Math.round (exact) — NO Math.exp/log/pow/cos (implementation-
 *   approximated in ECMAScript). The softmax uses `expDeterministic`, a
 *   Cody–Waite range reduction + fixed polynomial; 2^k is built from its bits;
 *   Adam's β^t is an iterated product;
 * - all loops have a fixed order; no threads, no typed-array sort, no Map iteration
 *   over floats. (Math.log is used for the LOGGED loss only.)
 *
 * Model input: pixel / 255. Layers: Linear → ReLU → … → Linear (logits), softmax
 * cross-entropy (optionally label-smoothed), AdamW with linear learning-rate decay,
 * He-uniform init, seeded random affine augmentation (scale, shear, sub-pixel shift,
 * bilinear resampling) of every training digit at every epoch.
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { IMAGE_SIDE, IMAGE_SIZE, mulberry32, shuffleInPlace, type Sample } from "../data/mnist.ts";

export interface FloatLayer {
  inSize: number;
  outSize: number;
  /** row-major [outSize][inSize] */
  weights: number[];
  bias: number[];
}

export interface AugmentationParameters {
  /** max |sub-pixel translation| in pixels, per axis (uniform) */
  maxShift: number;
  /** max |relative scale change|, per axis (uniform) */
  maxScale: number;
  /** max |off-diagonal affine term| (shear / small rotation), uniform */
  maxShear: number;
}

export interface TrainHyperparameters {
  /** hidden layer widths, e.g. [64, 32] */
  hiddenSizes: number[];
  epochs: number;
  batchSize: number;
  /** initial learning rate, decays linearly per step to learningRate · finalLearningRateFraction */
  learningRate: number;
  finalLearningRateFraction: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** decoupled (AdamW) weight decay on weights (not biases) */
  weightDecay: number;
  labelSmoothing: number;
  augmentation: AugmentationParameters;
}

export interface TrainConfig {
  id: string;
  seed: number;
  hyperparameters: TrainHyperparameters;
}

export interface FloatModel {
  id: string;
  seed: number;
  layers: FloatLayer[];
  trainAccuracy: number;
  testAccuracy: number;
  epochs: number;
  hyperparameters: TrainHyperparameters;
  /** sha256 (hex) of `canonicalLayersJson(layers)` */
  weightsSha256: string;
}

const BASE_HYPERPARAMETERS = {
  epochs: 60,
  batchSize: 32,
  learningRate: 2e-3,
  finalLearningRateFraction: 0.02,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 1e-4,
  labelSmoothing: 0.1,
  augmentation: { maxShift: 2, maxScale: 0.15, maxShear: 0.25 },
} as const satisfies Omit<TrainHyperparameters, "hiddenSizes">;

export const MODEL_IDS = ["mnist-mlp-784-56-10", "mnist-mlp-784-64-32-10"] as const;
export type ModelId = (typeof MODEL_IDS)[number];

export const MODEL_CONFIGS: Record<ModelId, TrainConfig> = {
  "mnist-mlp-784-56-10": {
    id: "mnist-mlp-784-56-10",
    seed: 56_10,
    hyperparameters: { ...BASE_HYPERPARAMETERS, augmentation: { ...BASE_HYPERPARAMETERS.augmentation }, hiddenSizes: [56] },
  },
  "mnist-mlp-784-64-32-10": {
    id: "mnist-mlp-784-64-32-10",
    seed: 64_32_10,
    hyperparameters: { ...BASE_HYPERPARAMETERS, augmentation: { ...BASE_HYPERPARAMETERS.augmentation }, hiddenSizes: [64, 32] },
  },
};

export class TrainError extends Error {
  override name = "TrainError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

// ---------------------------------------------------------------------------
// deterministic math

const LN2_HI = 6.93147180369123816490e-1; // fdlibm split of ln 2
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700;
const pow2View = new DataView(new ArrayBuffer(8));
/** exp(x) for x ≤ 0 using only IEEE basic operations (bit-reproducible). */
export function expDeterministic(x: number): number {
  if (x > 0) throw new TrainError("expDeterministic expects x ≤ 0");
  if (x < -708) return 0;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO; // |r| ≤ ~0.347
  // Taylor polynomial of degree 13 (error < 1e-16 relative on |r| ≤ 0.35)
  let p = 1 / 6227020800;
  p = p * r + 1 / 479001600;
  p = p * r + 1 / 39916800;
  p = p * r + 1 / 3628800;
  p = p * r + 1 / 362880;
  p = p * r + 1 / 40320;
  p = p * r + 1 / 5040;
  p = p * r + 1 / 720;
  p = p * r + 1 / 120;
  p = p * r + 1 / 24;
  p = p * r + 1 / 6;
  p = p * r + 0.5;
  p = p * r + 1;
  p = p * r + 1;
  // 2^k, k ∈ [−1022, 0], built from its IEEE bits (exact)
  pow2View.setUint32(0, (k + 1023) << 20);
  pow2View.setUint32(4, 0);
  return p * pow2View.getFloat64(0);
}

// ---------------------------------------------------------------------------
// canonical hashing

/** Canonical JSON of the layers (fixed key order); JS doubles round-trip exactly. */
export function canonicalLayersJson(layers: readonly FloatLayer[]): string {
  return JSON.stringify(layers.map((l) => ({ inSize: l.inSize, outSize: l.outSize, weights: l.weights, bias: l.bias })));
}

export function hashLayers(layers: readonly FloatLayer[]): string {
  return createHash("sha256").update(canonicalLayersJson(layers)).digest("hex");
}

// ---------------------------------------------------------------------------
// inference

export type PredictFloatParameters = { layers: readonly FloatLayer[]; pixels: ArrayLike<number> };
export type PredictFloatReturnType = {
  /** activations[0] = input (pixel/255), activations[l] = output of layer l−1 after ReLU, last = logits */
  activations: number[][];
  logits: number[];
  label: number;
};

/** Float forward pass on raw pixels (0..255); argmax takes the lowest index on ties. */
export function predictFloat({ layers, pixels }: PredictFloatParameters): PredictFloatReturnType {
  let x = Array.from(pixels, (p) => p / 255);
  const activations = [x];
  layers.forEach((layer, l) => {
    const y = new Array<number>(layer.outSize);
    for (let o = 0; o < layer.outSize; o++) {
      let s = layer.bias[o];
      const row = o * layer.inSize;
      for (let i = 0; i < layer.inSize; i++) s += layer.weights[row + i] * x[i];
      y[o] = l < layers.length - 1 && s < 0 ? 0 : s;
    }
    activations.push(y);
    x = y;
  });
  let label = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[label]) label = i;
  return { activations, logits: x, label };
}

export function evaluateFloat({ layers, samples }: { layers: readonly FloatLayer[]; samples: readonly Sample[] }): number {
  let correct = 0;
  for (const s of samples) if (predictFloat({ layers, pixels: s.pixels }).label === s.label) correct++;
  return correct / samples.length;
}

// ---------------------------------------------------------------------------
// training

/** Random affine warp of a 28×28 digit (bilinear, zero outside); writes pixel/255 values into dst. */
function augmentInto(src: Uint8Array, dst: Float64Array, random: () => number, aug: AugmentationParameters): void {
  const a = 1 + (2 * random() - 1) * aug.maxScale;
  const d = 1 + (2 * random() - 1) * aug.maxScale;
  const b = (2 * random() - 1) * aug.maxShear;
  const c = (2 * random() - 1) * aug.maxShear;
  const tx = (2 * random() - 1) * aug.maxShift;
  const ty = (2 * random() - 1) * aug.maxShift;
  const C = (IMAGE_SIDE - 1) / 2;
  const at = (yy: number, xx: number): number =>
    yy < 0 || yy >= IMAGE_SIDE || xx < 0 || xx >= IMAGE_SIDE ? 0 : src[yy * IMAGE_SIDE + xx] / 255;
  for (let r = 0; r < IMAGE_SIDE; r++) {
    for (let col = 0; col < IMAGE_SIDE; col++) {
      const u = col - C;
      const v = r - C;
      const sx = a * u + b * v + C + tx;
      const sy = c * u + d * v + C + ty;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      dst[r * IMAGE_SIDE + col] =
        (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
    }
  }
}

export type EpochReport = { epoch: number; loss: number; augmentedTrainAccuracy: number; testAccuracy?: number; learningRate: number; seconds: number };

export type TrainMlpParameters = {
  config: TrainConfig;
  train: readonly Sample[];
  test: readonly Sample[];
  logger?: Logger;
  /** evaluate the test set after every epoch (logging only; never used for selection). Default true. */
  evaluateEveryEpoch?: boolean;
};
export type TrainMlpReturnType = FloatModel;

/** Trains the MLP described by `config` — bit-reproducible from `config.seed`. */
export function trainMlp({ config, train, test, logger, evaluateEveryEpoch = true }: TrainMlpParameters): TrainMlpReturnType {
  const hp = config.hyperparameters;
  if (train.length === 0) throw new TrainError("empty training set");
  if (!(hp.batchSize >= 1 && hp.epochs >= 1)) throw new TrainError("invalid batch size or epoch count");
  const sizes = [IMAGE_SIZE, ...hp.hiddenSizes, 10];
  const L = sizes.length - 1;
  const initRandom = mulberry32(config.seed);
  const dataRandom = mulberry32((config.seed ^ 0x9e3779b9) >>> 0);

  const W: Float64Array[] = [];
  const B: Float64Array[] = [];
  for (let l = 0; l < L; l++) {
    const fanIn = sizes[l];
    const limit = Math.sqrt(6 / fanIn); // He-uniform
    const w = new Float64Array(sizes[l + 1] * fanIn);
    for (let k = 0; k < w.length; k++) w[k] = (2 * initRandom() - 1) * limit;
    W.push(w);
    B.push(new Float64Array(sizes[l + 1]));
  }
  const gW = W.map((w) => new Float64Array(w.length));
  const gB = B.map((b) => new Float64Array(b.length));
  const mW = W.map((w) => new Float64Array(w.length));
  const vW = W.map((w) => new Float64Array(w.length));
  const mB = B.map((b) => new Float64Array(b.length));
  const vB = B.map((b) => new Float64Array(b.length));
  const acts = sizes.map((n) => new Float64Array(n));
  const deltas = sizes.map((n) => new Float64Array(n));
  const nz = new Int32Array(IMAGE_SIZE);

  const stepsPerEpoch = Math.ceil(train.length / hp.batchSize);
  const totalSteps = stepsPerEpoch * hp.epochs;
  let step = 0;
  let beta1t = 1;
  let beta2t = 1;
  const order = train.map((_, i) => i);
  const smoothOff = hp.labelSmoothing / 10;
  const smoothOn = 1 - hp.labelSmoothing + smoothOff;
  const started = performance.now();
  const snapshotLayers = (): FloatLayer[] =>
    W.map((w, l) => ({ inSize: sizes[l], outSize: sizes[l + 1], weights: Array.from(w), bias: Array.from(B[l]) }));

  for (let epoch = 1; epoch <= hp.epochs; epoch++) {
    const epochStart = performance.now();
    shuffleInPlace(order, dataRandom);
    let lossSum = 0;
    let correct = 0;
    let lr = hp.learningRate;
    for (let start = 0; start < order.length; start += hp.batchSize) {
      const end = Math.min(start + hp.batchSize, order.length);
      for (let l = 0; l < L; l++) {
        gW[l].fill(0);
        gB[l].fill(0);
      }
      for (let s = start; s < end; s++) {
        const sample = train[order[s]];
        const x0 = acts[0];
        augmentInto(sample.pixels, x0, dataRandom, hp.augmentation);
        let nzCount = 0;
        for (let i = 0; i < IMAGE_SIZE; i++) if (x0[i] !== 0) nz[nzCount++] = i;
        // forward
        for (let l = 0; l < L; l++) {
          const inSize = sizes[l];
          const outSize = sizes[l + 1];
          const w = W[l];
          const b = B[l];
          const x = acts[l];
          const y = acts[l + 1];
          const hidden = l < L - 1;
          for (let o = 0; o < outSize; o++) {
            let sum = b[o];
            const row = o * inSize;
            if (l === 0) for (let k = 0; k < nzCount; k++) sum += w[row + nz[k]] * x[nz[k]];
            else for (let i = 0; i < inSize; i++) sum += w[row + i] * x[i];
            y[o] = hidden && sum < 0 ? 0 : sum;
          }
        }
        // softmax cross-entropy
        const z = acts[L];
        const dz = deltas[L];
        let best = 0;
        for (let i = 1; i < 10; i++) if (z[i] > z[best]) best = i;
        if (best === sample.label) correct++;
        let denom = 0;
        for (let i = 0; i < 10; i++) {
          dz[i] = expDeterministic(z[i] - z[best]);
          denom += dz[i];
        }
        lossSum += -Math.log(dz[sample.label] / denom); // logging only
        for (let i = 0; i < 10; i++) dz[i] = dz[i] / denom - (i === sample.label ? smoothOn : smoothOff);
        // backward
        for (let l = L - 1; l >= 0; l--) {
          const inSize = sizes[l];
          const outSize = sizes[l + 1];
          const w = W[l];
          const gw = gW[l];
          const gb = gB[l];
          const x = acts[l];
          const d = deltas[l + 1];
          for (let o = 0; o < outSize; o++) {
            const dout = d[o];
            gb[o] += dout;
            if (dout === 0) continue;
            const row = o * inSize;
            if (l === 0) for (let k = 0; k < nzCount; k++) gw[row + nz[k]] += dout * x[nz[k]];
            else for (let i = 0; i < inSize; i++) gw[row + i] += dout * x[i];
          }
          if (l > 0) {
            const dPrev = deltas[l];
            for (let i = 0; i < inSize; i++) {
              if (x[i] <= 0) {
                dPrev[i] = 0;
                continue;
              }
              let sum = 0;
              for (let o = 0; o < outSize; o++) sum += w[o * inSize + i] * d[o];
              dPrev[i] = sum;
            }
          }
        }
      }
      // AdamW step
      step++;
      beta1t *= hp.beta1;
      beta2t *= hp.beta2;
      lr = hp.learningRate * (1 - (1 - hp.finalLearningRateFraction) * ((step - 1) / totalSteps));
      const scale = 1 / (end - start);
      const c1 = 1 / (1 - beta1t);
      const c2 = 1 / (1 - beta2t);
      const adam = (p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, decay: number): void => {
        for (let k = 0; k < p.length; k++) {
          const gk = g[k] * scale;
          m[k] = hp.beta1 * m[k] + (1 - hp.beta1) * gk;
          v[k] = hp.beta2 * v[k] + (1 - hp.beta2) * gk * gk;
          p[k] -= lr * ((m[k] * c1) / (Math.sqrt(v[k] * c2) + hp.epsilon) + decay * p[k]);
        }
      };
      for (let l = 0; l < L; l++) {
        adam(W[l], gW[l], mW[l], vW[l], hp.weightDecay);
        adam(B[l], gB[l], mB[l], vB[l], 0);
      }
    }
    const report: EpochReport = {
      epoch,
      loss: lossSum / train.length,
      augmentedTrainAccuracy: correct / train.length,
      testAccuracy: evaluateEveryEpoch || epoch === hp.epochs ? evaluateFloat({ layers: snapshotLayers(), samples: test }) : undefined,
      learningRate: lr,
      seconds: (performance.now() - epochStart) / 1000,
    };
    logger?.info({ model: config.id, ...report }, "epoch");
  }

  const layers = snapshotLayers();
  const trainAccuracy = evaluateFloat({ layers, samples: train });
  const testAccuracy = evaluateFloat({ layers, samples: test });
  const weightsSha256 = hashLayers(layers);
  logger?.info({ model: config.id, trainAccuracy, testAccuracy, weightsSha256, seconds: (performance.now() - started) / 1000 }, "trained");
  return {
    id: config.id,
    seed: config.seed,
    layers,
    trainAccuracy,
    testAccuracy,
    epochs: hp.epochs,
    hyperparameters: structuredClone(hp),
    weightsSha256,
  };
}

/** Serializes a FloatModel: metadata pretty-printed, one layer per line (deterministic). */
export function serializeFloatModel(model: FloatModel): string {
  const { layers, ...meta } = model;
  const head = JSON.stringify({ ...meta, layers: "__LAYERS__" }, null, 2);
  const body = "[\n" + layers.map((l) => "    " + canonicalLayersJson([l]).slice(1, -1)).join(",\n") + "\n  ]";
  return head.replace('"__LAYERS__"', body) + "\n";
}

/** Parses float.json and verifies its layer hash. */
export function parseFloatModel(json: string): FloatModel {
  let model: FloatModel;
  try {
    model = JSON.parse(json) as FloatModel;
  } catch (cause) {
    throw new TrainError("float model is not valid JSON", { cause });
  }
  const actual = hashLayers(model.layers);
  if (actual !== model.weightsSha256) throw new TrainError(`float model ${model.id}: layers hash ${actual} ≠ stored ${model.weightsSha256}`);
  return model;
}

/** Directory of the shipped models: prover/models/<modelId>/ */
export const MODELS_DIR = new URL("../models/", import.meta.url);

export function floatModelUrl(id: string): URL {
  return new URL(`${id}/float.json`, MODELS_DIR);
}
