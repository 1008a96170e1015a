/**
 * Runs ONNX shards built by `buildShardOnnx` on onnxruntime:
 * - "native": onnxruntime-node (CPU execution provider),
 * - "wasm":   onnxruntime-web (WASM execution provider, single-threaded, no proxy
 *             worker), which in Node loads `ort-wasm-simd-threaded.{mjs,wasm}` from
 *             node_modules/onnxruntime-web/dist (offline).
 * Both runtimes are imported lazily, so using one does not load the other.
 */
import { readFile } from "node:fs/promises";
import type { InferenceSession, Tensor } from "onnxruntime-node";
import { ACT_MAX } from "../quant/semantics.ts";
import { SHARD_INPUT, SHARD_OUTPUT, SHARD_RESULT } from "./onnx.ts";

export type ShardBackend = "native" | "wasm";

export interface ShardSession {
  backend: ShardBackend;
  session: InferenceSession;
  /** Tensor constructor of the runtime that owns `session` */
  Tensor: typeof Tensor;
  hasResult: boolean;
}

export class ShardSessionError extends Error {
  override name = "ShardSessionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class RunShardError extends Error {
  override name = "RunShardError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

type OrtModule = { InferenceSession: typeof InferenceSession; Tensor: typeof Tensor };
let nativeOrt: Promise<OrtModule> | undefined;
let wasmOrt: Promise<OrtModule> | undefined;

function loadNative(): Promise<OrtModule> {
  nativeOrt ??= import("onnxruntime-node").then((m) => m as unknown as OrtModule);
  return nativeOrt;
}

function loadWasm(): Promise<OrtModule> {
  wasmOrt ??= import("onnxruntime-web").then((ort) => {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    // explicit local path: never fetch the runtime from a CDN
    // (the "node" export of onnxruntime-web is dist/ort.node.min.mjs, next to the .wasm)
    ort.env.wasm.wasmPaths = new URL("./", import.meta.resolve("onnxruntime-web")).href;
    return ort as unknown as OrtModule;
  });
  return wasmOrt;
}

export type CreateShardSessionParameters = ({ bytes: Uint8Array; path?: undefined } | { path: string; bytes?: undefined }) & {
  backend: ShardBackend;
};
export type CreateShardSessionReturnType = Promise<ShardSession>;

/** Creates an inference session for a shard, from its bytes or its .onnx file. */
export async function createShardSession({ bytes, path, backend }: CreateShardSessionParameters): CreateShardSessionReturnType {
  let model: Uint8Array;
  try {
    model = bytes ?? new Uint8Array(await readFile(path!));
  } catch (cause) {
    throw new ShardSessionError(`cannot read shard ${path}`, { cause });
  }
  try {
    const ort = backend === "native" ? await loadNative() : backend === "wasm" ? await loadWasm() : undefined;
    if (!ort) throw new Error(`unknown backend ${String(backend)}`);
    // One thread, no spinning: a shard is a few small matrix products (≈ 0.1 ms), too small to gain
    // from ORT's thread pool, whose threads otherwise busy-wait after every run and take CPU from
    // the other processes on the request path (the next node, the coordinator) on a small machine.
    const session = await ort.InferenceSession.create(model, {
      executionProviders: [backend === "native" ? "cpu" : "wasm"],
      graphOptimizationLevel: "all",
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: "sequential",
      extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } },
    });
    if (!session.inputNames.includes(SHARD_INPUT) || !session.outputNames.includes(SHARD_OUTPUT)) throw new Error("not a ProofMesh shard (inputs/outputs differ)");
    return { backend, session, Tensor: ort.Tensor, hasResult: session.outputNames.includes(SHARD_RESULT) };
  } catch (cause) {
    throw new ShardSessionError(`cannot create ${backend} shard session`, { cause });
  }
}

export type RunShardParameters = {
  session: ShardSession;
  /** batch of integer activation vectors in [0, 255] (raw pixels for the first shard) */
  inputs: readonly (readonly number[])[];
};
export type RunShardReturnType = Promise<{ y: number[][]; result?: number[] }>;

/** Runs a batch through a shard: `y` = last layer output, `result` = argmax (last shard only). */
export async function runShard({ session, inputs }: RunShardParameters): RunShardReturnType {
  const n = inputs.length;
  if (n === 0) throw new RunShardError("empty batch");
  const inSize = inputs[0].length;
  const data = new Float64Array(n * inSize);
  for (let r = 0; r < n; r++) {
    const row = inputs[r];
    if (row.length !== inSize) throw new RunShardError(`input row ${r} has ${row.length} values, expected ${inSize}`);
    for (let i = 0; i < inSize; i++) {
      const v = row[i];
      // the exactness bound (checkLayerBounds) assumes integer inputs in [0, ACT_MAX]
      if (!(Number.isInteger(v) && v >= 0 && v <= ACT_MAX)) throw new RunShardError(`input [${r}][${i}] = ${v} is not an integer in [0, ${ACT_MAX}]`);
      data[r * inSize + i] = v;
    }
  }
  let outputs: InferenceSession.ReturnType;
  try {
    outputs = await session.session.run({ [SHARD_INPUT]: new session.Tensor("float64", data, [n, inSize]) });
  } catch (cause) {
    throw new RunShardError(`${session.backend} shard run failed`, { cause });
  }
  const yTensor = outputs[SHARD_OUTPUT];
  const outSize = yTensor.dims[1];
  const yData = yTensor.data as Float64Array;
  const y: number[][] = [];
  for (let r = 0; r < n; r++) y.push(Array.from(yData.subarray(r * outSize, (r + 1) * outSize)));
  if (!session.hasResult) return { y };
  const result = Array.from(outputs[SHARD_RESULT].data as BigInt64Array, (v) => Number(v));
  return { y, result };
}

/**
 * The backend to run with: `native` (onnxruntime-node) when its binary loads on this machine,
 * else `wasm` (onnxruntime-web), which runs anywhere Node does. Both give identical integer
 * outputs (prover/model/onnx.test.ts), so a node without a native build still serves.
 */
export async function resolveBackend({ preferred, onFallback }: { preferred: ShardBackend; onFallback?: (cause: unknown) => void }): Promise<ShardBackend> {
  if (preferred === "wasm") return "wasm";
  try {
    await loadNative();
    return "native";
  } catch (cause) {
    nativeOrt = undefined;
    onFallback?.(cause);
    return "wasm";
  }
}
