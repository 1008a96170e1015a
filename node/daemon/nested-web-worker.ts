/**
 * ffjavascript (snarkjs's curve arithmetic) starts its FFT/multiexp threads with the `web-worker`
 * package, which picks its half when it is loaded: `worker_threads.isMainThread` ? the Worker
 * class : the bootstrap of a thread it spawned itself (reads `workerData.mod`). Loaded inside a
 * prover worker it takes the bootstrap half and crashes the worker at import time. This module is
 * the Worker half for a thread that is itself a worker: prover-worker.ts resolves `web-worker`
 * here, and the threads it spawns run web-worker's own bootstrap as usual (they have workerData),
 * so proofs in a worker keep ffjavascript's parallelism.
 * Only what ffjavascript's threadman uses: `new Worker(url)`, addEventListener("message"),
 * postMessage(data, transfer), terminate().
 */
import { createRequire } from "node:module";
import { Worker as ThreadWorker, type TransferListItem } from "node:worker_threads";
import { fileURLToPath } from "node:url";

/** web-worker's Node entry (cjs/node.js): the nested thread's main script, where it takes the bootstrap half */
const WEB_WORKER_ENTRY = createRequire(import.meta.url).resolve("web-worker");

export default class NestedWebWorker extends EventTarget {
  readonly #thread: ThreadWorker;

  constructor(url: string | URL, options?: { name?: string; type?: "classic" | "module" }) {
    super();
    const href = String(url);
    // same mapping as web-worker's own Worker: data: URLs as they are, anything else as a file path
    const mod = href.startsWith("data:") ? href : fileURLToPath(new URL(href, `file://${process.cwd()}/`));
    this.#thread = new ThreadWorker(WEB_WORKER_ENTRY, { workerData: { mod, name: options?.name, type: options?.type } });
    this.#thread.on("message", (data: unknown) => this.dispatchEvent(new MessageEvent("message", { data })));
    this.#thread.on("error", (error: Error) => this.dispatchEvent(Object.assign(new Event("error"), { error })));
    this.#thread.on("exit", () => this.dispatchEvent(new Event("close")));
  }

  postMessage(data: unknown, transfer?: readonly TransferListItem[]): void {
    this.#thread.postMessage(data, transfer);
  }

  terminate(): void {
    void this.#thread.terminate();
  }
}
