/**
 * Builds an ONNX shard (ModelProto, opset 13, IR version 8) computing the ProofMesh
 * integer semantics (prover/quant/semantics.ts) in float64, exactly:
 *
 *   input  "x"      double [N, inSize]     (N = dynamic batch dimension)
 *   per layer l:    MatMul(x, Wt_l) → Add(B_l)                       (exact integers < 2^53)
 *     hidden:       → Div(2^shift) → Floor → Clip(0, 255)            (= clamp(floor(acc/2^shift)))
 *     logits:       (nothing more: y = acc)
 *   output "y"      double [N, outSize]    (last layer of the shard)
 *   output "result" int64  [N]             (only if isLast: ArgMax(y, axis 1, keepdims 0,
 *                                           select_last_index 0) = lowest index on ties)
 *
 * Wt_l is W_l transposed ([inSize, outSize]); all initializers are float64 stored
 * little-endian in raw_data. Exactness follows from `checkLayerBounds` (every
 * partial sum is an integer of magnitude < 2^53, division by a power of two is exact).
 */
import onnxProtoModule from "onnx-proto/dist/onnx.js";
import { checkLayerBounds, ACT_MAX, type IntLayer } from "../quant/semantics.ts";

// Import through the file path: types/untyped.d.ts declares "onnx-proto" as untyped,
// which would hide the declarations the package ships (dist/onnx.d.ts).
const { onnx } = onnxProtoModule;
type ITensorProto = import("onnx-proto/dist/onnx.js").onnx.ITensorProto;
type INodeProto = import("onnx-proto/dist/onnx.js").onnx.INodeProto;
type IValueInfoProto = import("onnx-proto/dist/onnx.js").onnx.IValueInfoProto;
type ITensorShapeProto = import("onnx-proto/dist/onnx.js").onnx.ITensorShapeProto;

export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 8;
export const SHARD_INPUT = "x";
export const SHARD_OUTPUT = "y";
export const SHARD_RESULT = "result";

export class BuildShardOnnxError extends Error {
  override name = "BuildShardOnnxError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type BuildShardOnnxParameters = {
  /** consecutive integer layers of the shard */
  layers: readonly IntLayer[];
  /** last shard of the model: its last layer must be the "logits" layer; adds the "result" output */
  isLast: boolean;
  /** graph name */
  name: string;
};
export type BuildShardOnnxReturnType = Uint8Array;

const DOUBLE = onnx.TensorProto.DataType.DOUBLE;
const INT64 = onnx.TensorProto.DataType.INT64;

function doubleTensor(name: string, dims: number[], values: ArrayLike<number>): ITensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return { name, dims, dataType: DOUBLE, rawData: raw };
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): IValueInfoProto {
  const shape: ITensorShapeProto = { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) };
  return { name, type: { tensorType: { elemType, shape } } };
}

/** Serialized ONNX ModelProto of a shard (see the module comment for the graph). */
export function buildShardOnnx({ layers, isLast, name }: BuildShardOnnxParameters): BuildShardOnnxReturnType {
  if (layers.length === 0) throw new BuildShardOnnxError("a shard needs at least one layer");
  layers.forEach((layer, l) => {
    try {
      checkLayerBounds(layer);
    } catch (cause) {
      throw new BuildShardOnnxError(`layer ${l} is not exactly representable in float64`, { cause });
    }
    if (l > 0 && layer.inSize !== layers[l - 1].outSize) throw new BuildShardOnnxError(`layer ${l} inSize ${layer.inSize} ≠ previous outSize ${layers[l - 1].outSize}`);
    const final = l === layers.length - 1;
    if (layer.kind === "logits" && !(final && isLast)) throw new BuildShardOnnxError(`layer ${l}: a "logits" layer must be the last layer of the last shard`);
    if (layer.kind === "hidden" && !(Number.isInteger(layer.shift) && layer.shift >= 0 && layer.shift <= 1000)) throw new BuildShardOnnxError(`layer ${l}: invalid shift ${layer.shift}`);
  });
  if (isLast && layers[layers.length - 1].kind !== "logits") throw new BuildShardOnnxError('the last shard must end with the "logits" layer');

  const initializer: ITensorProto[] = [];
  const node: INodeProto[] = [];
  const needsClip = layers.some((l) => l.kind === "hidden");
  if (needsClip) initializer.push(doubleTensor("act_min", [], [0]), doubleTensor("act_max", [], [ACT_MAX]));

  let current = SHARD_INPUT;
  layers.forEach((layer, l) => {
    const { inSize, outSize } = layer;
    const p = `l${l}_`;
    const wt = new Float64Array(inSize * outSize); // [inSize][outSize] = W transposed
    for (let o = 0; o < outSize; o++) for (let i = 0; i < inSize; i++) wt[i * outSize + o] = layer.weights[o * inSize + i];
    initializer.push(doubleTensor(`${p}wt`, [inSize, outSize], wt), doubleTensor(`${p}b`, [outSize], layer.bias));
    const final = l === layers.length - 1;
    const out = (t: string): string => (final ? SHARD_OUTPUT : `${p}${t}`);
    node.push({ name: `${p}matmul`, opType: "MatMul", input: [current, `${p}wt`], output: [`${p}mm`] });
    if (layer.kind === "logits") {
      node.push({ name: `${p}add`, opType: "Add", input: [`${p}mm`, `${p}b`], output: [out("acc")] });
      current = out("acc");
    } else {
      initializer.push(doubleTensor(`${p}div`, [], [2 ** layer.shift]));
      node.push(
        { name: `${p}add`, opType: "Add", input: [`${p}mm`, `${p}b`], output: [`${p}acc`] },
        { name: `${p}div`, opType: "Div", input: [`${p}acc`, `${p}div`], output: [`${p}q`] },
        { name: `${p}floor`, opType: "Floor", input: [`${p}q`], output: [`${p}fl`] },
        { name: `${p}clip`, opType: "Clip", input: [`${p}fl`, "act_min", "act_max"], output: [out("y")] },
      );
      current = out("y");
    }
  });
  const outSize = layers[layers.length - 1].outSize;
  const output = [valueInfo(SHARD_OUTPUT, DOUBLE, ["N", outSize])];
  if (isLast) {
    const INT = onnx.AttributeProto.AttributeType.INT;
    node.push({
      name: "argmax",
      opType: "ArgMax",
      input: [SHARD_OUTPUT],
      output: [SHARD_RESULT],
      attribute: [
        { name: "axis", type: INT, i: 1 },
        { name: "keepdims", type: INT, i: 0 },
        { name: "select_last_index", type: INT, i: 0 },
      ],
    });
    output.push(valueInfo(SHARD_RESULT, INT64, ["N"]));
  }

  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: "", version: ONNX_OPSET }],
    producerName: "proofmesh",
    producerVersion: "0.1.0",
    graph: {
      name,
      node,
      initializer,
      input: [valueInfo(SHARD_INPUT, DOUBLE, ["N", layers[0].inSize])],
      output,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
