/**
 * Worker-thread entry of the prover pool (prover-pool.ts): proves stages on request with the same
 * `proveStage` the daemon used in-thread. Modules and per-shard artefacts (witness wasm, zkey,
 * the bn128 curve and its threads) stay loaded for the worker's lifetime.
 */
import { registerHooks } from "node:module";
import { parentPort } from "node:worker_threads";
import type { ProverWorkerRequest, ProverWorkerResponse, SerializedError } from "./prover-pool.ts";

if (!parentPort) throw new Error("prover-worker.ts is a worker-thread entry (see prover-pool.ts), not a script");
const port = parentPort;

// Must precede loading snarkjs: `web-worker` cannot be imported in a worker thread (see nested-web-worker.ts).
const NESTED_WEB_WORKER = new URL("./nested-web-worker.ts", import.meta.url).href;
registerHooks({
  resolve: (specifier, context, nextResolve) => (specifier === "web-worker" ? { url: NESTED_WEB_WORKER, shortCircuit: true } : nextResolve(specifier, context)),
});
const { encodeCalldata, proveStage } = await import("./prove-stage.ts");

function serialize(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: "Error", message: String(err) };
  const cause = err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message.split("\n")[0]}` : err.cause === undefined ? undefined : String(err.cause);
  return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}), ...(cause ? { cause } : {}) };
}

port.on("message", (msg: ProverWorkerRequest) => {
  if (msg.type !== "prove") return;
  const reply = (r: ProverWorkerResponse) => port.postMessage(r);
  // via then(): a synchronous throw (a malformed binding) becomes a reply too, never an uncaught exception
  Promise.resolve()
    .then(() => proveStage({ ...msg.params, binding: BigInt(msg.params.binding) }))
    .then(
      (r) => reply({ type: "result", id: msg.id, calldata: encodeCalldata(r.calldata), publicSignals: r.publicSignals, proveMs: r.proveMs }),
      (err: unknown) => reply({ type: "error", id: msg.id, error: serialize(err) }),
    );
});

const ready: ProverWorkerResponse = { type: "ready" };
port.postMessage(ready);
