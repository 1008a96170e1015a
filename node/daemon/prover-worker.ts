/**
 * Entry of a prover process of the prover pool (prover-pool.ts, which forks it): proves stages on
 * request with the same `proveStage` the daemon used in-thread. Modules and per-shard artefacts
 * (witness wasm, zkey, the bn128 curve and its threads) stay loaded for the process's lifetime.
 * It ends when the daemon closes the IPC channel (or kills it).
 */
import type { ProverWorkerRequest, ProverWorkerResponse, SerializedError } from "./prover-pool.ts";

if (!process.send) throw new Error("prover-worker.ts is the prover pool's child process entry (see prover-pool.ts), not a script");
const send = process.send.bind(process);
const { encodeCalldata, proveStage } = await import("./prove-stage.ts");

function serialize(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: "Error", message: String(err) };
  const cause = err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message.split("\n")[0]}` : err.cause === undefined ? undefined : String(err.cause);
  return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}), ...(cause ? { cause } : {}) };
}

process.on("message", (msg: ProverWorkerRequest) => {
  if (msg?.type !== "prove") return;
  const reply = (r: ProverWorkerResponse) => void send(r);
  // via then(): a synchronous throw (a malformed binding) becomes a reply too, never an uncaught exception
  Promise.resolve()
    .then(() => proveStage({ ...msg.params, binding: BigInt(msg.params.binding) }))
    .then(
      (r) => reply({ type: "result", id: msg.id, calldata: encodeCalldata(r.calldata), publicSignals: r.publicSignals, proveMs: r.proveMs }),
      (err: unknown) => reply({ type: "error", id: msg.id, error: serialize(err) }),
    );
});

// the daemon went away (closed the channel): nothing left to prove for
process.on("disconnect", () => process.exit(0));
// Ctrl-C reaches the whole process group: the daemon decides when its provers stop (it closes the
// pool, SIGTERM, after its shutdown grace), not the terminal
process.on("SIGINT", () => undefined);
const ready: ProverWorkerResponse = { type: "ready" };
send(ready);
