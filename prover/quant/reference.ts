import { ACT_MAX, type IntLayer } from "./semantics.ts";

/** Runs one integer layer exactly (see semantics.ts). Inputs must be integers. */
export function runIntLayer({ layer, input }: { layer: IntLayer; input: readonly number[] }): number[] {
  const { inSize, outSize, weights, bias, kind, shift } = layer;
  if (input.length !== inSize) throw new Error(`layer expects ${inSize} inputs, got ${input.length}`);
  const out = new Array<number>(outSize);
  const div = 2 ** shift;
  for (let o = 0; o < outSize; o++) {
    // |acc| < 2^53 is guaranteed by checkLayerBounds, so number arithmetic is exact.
    let acc = bias[o];
    const row = o * inSize;
    for (let i = 0; i < inSize; i++) acc += weights[row + i] * input[i];
    if (kind === "logits") out[o] = acc;
    else {
      const q = Math.floor(acc / div);
      out[o] = q < 0 ? 0 : q > ACT_MAX ? ACT_MAX : q;
    }
  }
  return out;
}

/** Runs consecutive integer layers (a shard or a whole model). */
export function runIntLayers({ layers, input }: { layers: readonly IntLayer[]; input: readonly number[] }): number[] {
  let x: readonly number[] = input;
  for (const layer of layers) x = runIntLayer({ layer, input: x });
  return x as number[];
}

/** argmax with the lowest index on ties — the model's answer. */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
