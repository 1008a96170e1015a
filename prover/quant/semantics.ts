/**
 * ProofMesh integer semantics — the ONE definition used by the TypeScript
 * reference, the ONNX shards run by onnxruntime-node, and the circom circuits.
 *
 * Activations are unsigned integers of ACT_BITS bits (0..255). The model input is
 * the raw MNIST pixel (0..255).
 *
 * A layer holds integer weights W (row-major [outSize][inSize]) and integer bias B.
 *   acc_o = Σ_i W[o][i] · x_i + B[o]                       (exact integer)
 * - "hidden" layer: y_o = clamp(floor(acc_o / 2^shift), 0, 2^ACT_BITS − 1)
 *   (floor, i.e. round toward −∞; the rounding offset 2^(shift−1) and the real
 *    requantization multiplier are folded into W and B by the quantizer, so the
 *    requantization is a pure power-of-two floor division followed by a clamp that
 *    is at once the ReLU and the saturation)
 * - "logits" layer (last layer only): y_o = acc_o (signed integer, no shift).
 * The model's answer is argmax(logits), the LOWEST index on ties.
 *
 * Exactness: every |acc| (and every partial sum) is < 2^53 (checked by
 * `checkLayerBounds`), so float64 MatMul/Add/Div/Floor/Clip in onnxruntime
 * computes these integers exactly, in any summation order.
 */
export const ACT_BITS = 8;
export const ACT_MAX = (1 << ACT_BITS) - 1;
export const INPUT_SIZE = 784;

export type LayerKind = "hidden" | "logits";

export interface IntLayer {
  kind: LayerKind;
  inSize: number;
  outSize: number;
  /** row-major [outSize][inSize], safe integers */
  weights: number[];
  /** [outSize], safe integers */
  bias: number[];
  /** power-of-two requantization shift (hidden layers); 0 for logits */
  shift: number;
}

export interface IntModel {
  id: string;
  layers: IntLayer[];
}

/** Largest |acc| a layer can produce for inputs in [0, ACT_MAX]. */
export function maxAbsAcc(layer: IntLayer): bigint {
  let max = 0n;
  for (let o = 0; o < layer.outSize; o++) {
    let pos = BigInt(layer.bias[o] > 0 ? layer.bias[o] : 0);
    let neg = BigInt(layer.bias[o] < 0 ? -layer.bias[o] : 0);
    for (let i = 0; i < layer.inSize; i++) {
      const w = layer.weights[o * layer.inSize + i];
      if (w > 0) pos += BigInt(w) * BigInt(ACT_MAX);
      else neg += BigInt(-w) * BigInt(ACT_MAX);
    }
    if (pos > max) max = pos;
    if (neg > max) max = neg;
  }
  return max;
}

export function checkLayerBounds(layer: IntLayer): void {
  if (layer.weights.length !== layer.inSize * layer.outSize) throw new Error("weights length mismatch");
  if (layer.bias.length !== layer.outSize) throw new Error("bias length mismatch");
  for (const v of [...layer.weights, ...layer.bias]) if (!Number.isSafeInteger(v)) throw new Error(`non-integer parameter ${v}`);
  if (maxAbsAcc(layer) >= 2n ** 53n) throw new Error("accumulator may exceed 2^53: float64 execution would not be exact");
}
