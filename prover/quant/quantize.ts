import type { FloatLayer } from "../model/train.ts";
import { predictFloat } from "../model/train.ts";
import { ACT_MAX, checkLayerBounds, type IntLayer, type IntModel } from "./semantics.ts";


export type QuantizeModelParameters = {
  id: string;
  layers: readonly FloatLayer[];
  /** calibration inputs: raw pixels 0..255 (the float model sees pixel / 255) */
  calibration: readonly Uint8Array[];
  /** largest |integer weight| is below 2^weightBits (precision of the folded weights) */
  weightBits?: number;
};

export type QuantizeModelReturnType = {
  model: IntModel;
  /** per hidden layer: the real activation value mapped to 255 */
  activationMax: number[];
};

/**
 * Post-training quantization into ProofMesh's integer semantics (semantics.ts).
 *
 * Real activations of hidden layer l are a = y_q · s_l with s_l = max_l / 255, where
 * max_l is the largest activation seen on the calibration set (the clamp saturates
 * beyond it). The input scale is 1/255. For a hidden layer with input scale s_in:
 *   y_q ≈ Σ (W·s_in/s_out) x_q + b/s_out  → integer weights W' = round(W·s_in/s_out·2^S),
 *   bias B' = round(b/s_out·2^S) + 2^(S−1) (round half up), y_q = clamp(floor(acc/2^S)).
 * S is the largest shift keeping every |W'| < 2^weightBits. The logits layer keeps
 * scale 2^S·s_in (argmax is scale-invariant) and no shift.
 */
export function quantizeModel({ id, layers, calibration, weightBits = 12 }: QuantizeModelParameters): QuantizeModelReturnType {
  if (layers.length < 1) throw new Error("model has no layers");
  const activationMax = calibrate(layers, calibration);
  const out: IntLayer[] = [];
  let sIn = 1 / 255;
  for (let l = 0; l < layers.length; l++) {
    const layer = layers[l];
    const isLast = l === layers.length - 1;
    const sOut = isLast ? 1 : activationMax[l] / ACT_MAX;
    const a = layer.weights.map((w) => (w * sIn) / sOut);
    const c = layer.bias.map((b) => b / sOut);
    const maxA = Math.max(...a.map(Math.abs));
    const limit = 2 ** weightBits - 1;
    let shift = Math.floor(Math.log2(limit / maxA));
    while (Math.round(maxA * 2 ** shift) > limit) shift--;
    if (!isLast && shift < 1) throw new Error(`layer ${l}: requantization shift ${shift} < 1`);
    const scale = 2 ** shift;
    const weights = a.map((v) => Math.round(v * scale));
    const bias = c.map((v) => Math.round(v * scale) + (isLast ? 0 : 2 ** (shift - 1)));
    const q: IntLayer = { kind: isLast ? "logits" : "hidden", inSize: layer.inSize, outSize: layer.outSize, weights, bias, shift: isLast ? 0 : shift };
    checkLayerBounds(q);
    out.push(q);
    sIn = sOut;
  }
  return { model: { id, layers: out }, activationMax };
}

/** Largest ReLU activation per hidden layer of the float model over the calibration set. */
function calibrate(layers: readonly FloatLayer[], calibration: readonly Uint8Array[]): number[] {
  const max = new Array<number>(layers.length - 1).fill(0);
  for (const pixels of calibration) {
    const { activations } = predictFloat({ layers, pixels });
    for (let l = 0; l < max.length; l++) for (const v of activations[l + 1]) if (v > max[l]) max[l] = v;
  }
  for (let l = 0; l < max.length; l++) if (!(max[l] > 0)) throw new Error(`layer ${l}: no positive activation in calibration set`);
  return max;
}
