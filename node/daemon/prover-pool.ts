/**
 * Proves stages in prover processes, one per prover slot, so a proof never blocks the daemon's
 * event loop (the fast path `POST /v1/stages/execute` must answer in ~1 ms while a proof runs).
 * snarkjs/ffjavascript already spread FFT/multiexp over their own threads, but the circom witness
 * calculation, commitments and the rest of groth16.prove run on the calling thread: about a
 * second of main-thread time per shard-0 proof without this pool.
 *
 * Processes, not worker threads: with snarkjs (ffjavascript's wasm and threads) in worker threads,
 * Node 22.23 corrupted the daemon's heap when a worker ended (`free(): invalid next size`, SIGABRT
 * of the whole process, seen in CI at shutdown); a child process that dies takes only itself.
 *
 * Each prover process (prover-worker.ts) runs `proveStage` itself and keeps the witness wasm and
 * zkey of every shard it proved in memory (prove-shard.ts / witness-calculator.ts cache by path),
 * so only its first proof of a shard loads them. Messages are JSON (bigints as decimal strings).
 * A prover that dies mid-proof is replaced; its request rejects with ProverWorkerExitedError,
 * which the prover queue retries like a transient RPC failure.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { ProverError, ShardArtifactError, ShardInputError } from "../../prover/errors.ts";
import { decodeCalldata, ProveStageError, type ProveStageParameters, type ProveStageReturnType } from "./prove-stage.ts";

/** Base class of the pool's own errors (not the prover's: those keep their class across the thread boundary). */
export class ProverPoolError extends Error {
  override name = "ProverPoolError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The worker proving this request crashed or exited; it has been replaced, the same request may succeed on retry. */
export class ProverWorkerExitedError extends ProverPoolError {
  override name = "ProverWorkerExitedError";
  readonly transient = true;
}

/** The pool was closed before or while this request was proven. */
export class ProverPoolClosedError extends ProverPoolError {
  override name = "ProverPoolClosedError";
}

/** An error thrown inside a worker, as it crossed the thread boundary (the `cause` of the rehydrated error). */
export class ProverWorkerRemoteError extends ProverPoolError {
  override name = "ProverWorkerRemoteError";
}

// ---- wire protocol (JSON over the IPC channel; bigints as decimal strings)

export type ProverWorkerRequest = {
  type: "prove";
  id: number;
  params: Omit<ProveStageParameters, "binding"> & { binding: string };
};

export type SerializedError = { name: string; message: string; stack?: string; cause?: string };

export type ProverWorkerResponse =
  | { type: "ready" }
  | { type: "result"; id: number; calldata: string; publicSignals: string[]; proveMs: number }
  | { type: "error"; id: number; error: SerializedError };

/** Error classes a proof can fail with in-thread; through the pool they are rebuilt as the same class (same contract as proveStage). */
const KNOWN_ERRORS: Record<string, new (message: string, options?: { cause?: unknown }) => Error> = {
  ProveStageError,
  ProverError,
  ShardInputError,
  ShardArtifactError,
};

function rehydrate(e: SerializedError): Error {
  const remote = new ProverWorkerRemoteError(`${e.name}: ${e.message}${e.cause ? ` (cause: ${e.cause})` : ""}`);
  if (e.stack) remote.stack = e.stack;
  const Cls = KNOWN_ERRORS[e.name] ?? ProveStageError;
  return new Cls(e.message, { cause: remote });
}

// ---- the pool

export type CreateProverPoolParameters = {
  /** prover processes, one per prover slot (the queue's `concurrency`) */
  size: number;
  log?: Logger;
  /** the prover process's entry script; default ./prover-worker.ts (tests substitute a stand-in) */
  workerUrl?: URL;
};

export type ProverPoolStats = {
  /** live workers */
  workers: number;
  busy: number;
  /** requests waiting for a free worker */
  queued: number;
  /** workers that died and were replaced since the pool started */
  replaced: number;
};

export type CreateProverPoolReturnType = {
  /** proveStage in a prover process: same parameters, same result, same error classes */
  prove(parameters: ProveStageParameters): Promise<ProveStageReturnType>;
  stats(): ProverPoolStats;
  /**
   * Warm-up: every prover process (now, and every replacement later) proves these stages while it
   * is idle and throws the proofs away. A process's first proof of a shard pays for reading the
   * zkey, compiling the witness wasm, starting the curve's threads and JIT-compiling snarkjs: ≈ 2.5 s
   * instead of ≈ 1.2 s for shard 0 here. Warm-ups run only while no real request waits (a request
   * waits at most for the one warm-up proof in flight); a warm-up that kills its process turns
   * warm-up off for the pool. Resolves when the processes running now have made (or failed, or
   * died in, or dropped) their warm-ups; never rejects.
   */
  warmUp(stages: readonly ProveStageParameters[]): Promise<void>;
  /** Terminates every worker; pending and in-flight requests reject with ProverPoolClosedError. */
  close(): Promise<void>;
};
export type ProverPool = CreateProverPoolReturnType;

type Request = {
  /** a warm-up proof (internal: its answer goes nowhere) */
  warmUp?: true;
  id: number;
  params: ProverWorkerRequest["params"];
  resolve: (r: ProveStageReturnType) => void;
  reject: (err: Error) => void;
};

type Slot = {
  worker: ChildProcess;
  /** warm-up proofs still to make in this process (made while no real request waits) */
  warm: ProverWorkerRequest["params"][];
  /** called once this process has no warm-up left (or is gone) */
  onWarmed?: () => void;
  /** the worker finished loading its modules (an exit before that is a startup failure, not replaced eagerly) */
  ready: boolean;
  job: Request | undefined;
  lastError: unknown;
};

const DEFAULT_WORKER_URL = new URL("./prover-worker.ts", import.meta.url);

export function createProverPool(parameters: CreateProverPoolParameters): CreateProverPoolReturnType {
  const { size } = parameters;
  if (!Number.isInteger(size) || size < 1) throw new ProverPoolError(`pool size must be a positive integer, got ${size}`);
  const workerUrl = parameters.workerUrl ?? DEFAULT_WORKER_URL;
  const log = parameters.log?.child({ component: "prover-pool" });
  const slots: (Slot | undefined)[] = Array.from({ length: size }, () => undefined);
  const waiting: Request[] = [];
  let nextId = 1;
  let replaced = 0;
  let closed = false;
  let closing: Promise<void> | undefined;
  let warmUps: ProverWorkerRequest["params"][] = [];

  function spawn(index: number): Slot {
    // execArgv [] : not the parent's flags (e.g. node --test's, also --max-old-space-size: pass such
    // limits through NODE_OPTIONS, which the prover processes inherit)
    const worker = fork(fileURLToPath(workerUrl), [], { execArgv: [], serialization: "json", stdio: ["ignore", "inherit", "inherit", "ipc"] });
    // An idle prover must not keep the daemon alive (a CLI or test that forgets close() still exits);
    // it is ref'd while it proves, so a pending proof does.
    setRef(worker, false);
    const slot: Slot = { worker, warm: [...warmUps], ready: false, job: undefined, lastError: undefined };
    slots[index] = slot;
    worker.on("message", (msg: ProverWorkerResponse) => onMessage(slot, msg));
    worker.on("error", (err) => {
      slot.lastError = err; // could not be messaged ('exit' follows), or could not be started:
      if (worker.pid === undefined) onExit(index, slot, `not started: ${err.message}`); // no 'exit' then
    });
    worker.on("exit", (code, signal) => onExit(index, slot, code ?? (signal ? `signal ${signal}` : -1)));
    return slot;
  }

  let lastSpawnError: unknown;
  /** spawn, or undefined when fork throws (ENOMEM, EAGAIN…): never an exception out of an event handler */
  function trySpawn(index: number): Slot | undefined {
    try {
      return spawn(index);
    } catch (err) {
      lastSpawnError = err;
      log?.error({ worker: index, err: err instanceof Error ? err.message : String(err) }, "cannot start a prover process");
      return undefined;
    }
  }

  function onMessage(slot: Slot, msg: ProverWorkerResponse): void {
    if (msg.type === "ready") {
      slot.ready = true;
      return;
    }
    const job = slot.job;
    if (!job || job.id !== msg.id) return; // a reply to a request already rejected (close)
    slot.job = undefined;
    setRef(slot.worker, false);
    if (msg.type === "result") job.resolve({ calldata: decodeCalldata(msg.calldata), publicSignals: msg.publicSignals, proveMs: msg.proveMs });
    else job.reject(rehydrate(msg.error));
    dispatch();
  }

  function onExit(index: number, slot: Slot, code: number | string): void {
    if (slots[index] === slot) slots[index] = undefined;
    const job = slot.job;
    slot.job = undefined;
    if (job?.warmUp && slot.ready && !closed) {
      // a warm-up that kills its process would kill every replacement too: no more warm-ups (best effort)
      log?.warn({ worker: index }, "a prover process died in its warm-up proof; warm-up disabled");
      warmUps = [];
      for (const s of slots) if (s) dropWarmUps(s);
    }
    slot.onWarmed?.();
    if (closed) {
      job?.reject(new ProverPoolClosedError("prover pool closed during the proof"));
      return;
    }
    const why = slot.lastError instanceof Error ? slot.lastError.message.split("\n")[0] : typeof code === "string" ? code : `exit code ${code}`;
    log?.warn({ worker: index, code, err: why, inFlight: job !== undefined, ready: slot.ready }, "prover worker exited; replacing it");
    job?.reject(new ProverWorkerExitedError(`prover worker exited during the proof (${why})`, { cause: slot.lastError ?? code }));
    // A worker that proved before is replaced now, so the next proof does not pay its startup; one
    // that died while starting is only respawned on demand (dispatch), so a broken entry cannot spin.
    if (slot.ready) {
      replaced += 1;
      trySpawn(index);
    }
    dispatch();
  }

  /** forgets a process's remaining warm-ups; its warmUp() promise resolves unless a warm-up is in flight (that one resolves it) */
  function dropWarmUps(slot: Slot): void {
    slot.warm = [];
    if (!slot.job?.warmUp) slot.onWarmed?.();
  }

  /** sends the slot's next warm-up proof, if any is left */
  function warmNext(slot: Slot, index: number): void {
    const params = slot.warm.shift();
    if (!params) return;
    const t0 = performance.now();
    const shard = params.manifest.index;
    const settled = () => {
      if (slot.warm.length === 0) slot.onWarmed?.();
    };
    const job: Request = {
      warmUp: true,
      id: nextId++,
      params,
      resolve: () => {
        log?.info({ worker: index, shard, ms: Math.round(performance.now() - t0) }, "prover warmed up");
        settled();
      },
      reject: (err) => {
        if (!(err instanceof ProverPoolClosedError)) log?.warn({ worker: index, shard, err: err.message.split("\n")[0] }, "prover warm-up proof failed (the real proofs will tell)");
        settled();
      },
    };
    send(slot, job); // ref'd like a proof: a process that forgets close() exits once the warm-up is done
  }

  /** gives `job` to `slot`'s process; while it proves, the process keeps the daemon alive */
  function send(slot: Slot, job: Request): void {
    slot.job = job;
    setRef(slot.worker, true);
    const msg: ProverWorkerRequest = { type: "prove", id: job.id, params: job.params };
    slot.worker.send(msg, (err) => {
      if (err) slot.lastError = err; // the process is gone: its 'exit' rejects the job
    });
  }

  function dispatch(): void {
    // warm-ups only while no real request waits: a real proof warms its process just as well
    for (let i = 0; i < slots.length && waiting.length === 0; i++) {
      const s = slots[i];
      if (s && !s.job && s.warm.length > 0) warmNext(s, i);
    }
    for (let i = 0; i < slots.length && waiting.length > 0; i++) {
      let slot = slots[i];
      if (slot?.job) continue;
      slot ??= trySpawn(i);
      if (!slot) {
        // cannot start a prover now (fork failed: out of processes or memory): fail the oldest request
        waiting.shift()!.reject(new ProverWorkerExitedError("cannot start a prover process", { cause: lastSpawnError }));
        continue;
      }
      send(slot, waiting.shift()!);
    }
  }

  // Workers start at once: their module loading (snarkjs, circom runtime) then overlaps the daemon's boot.
  for (let i = 0; i < size; i++) spawn(i);

  return {
    prove(p) {
      if (closed) return Promise.reject(new ProverPoolClosedError("prover pool is closed"));
      if (typeof p.binding !== "bigint") return Promise.reject(new ProveStageError("binding must be a bigint"));
      return new Promise<ProveStageReturnType>((resolve, reject) => {
        waiting.push({ id: nextId++, params: toWire(p), resolve, reject });
        dispatch();
      });
    },
    warmUp(stages) {
      if (closed) return Promise.resolve();
      warmUps = stages.map(toWire);
      const live = slots.filter((s): s is Slot => s !== undefined);
      if (warmUps.length === 0) {
        for (const s of live) dropWarmUps(s);
        return Promise.resolve();
      }
      const done = live.map(
        (s) =>
          new Promise<void>((resolve) => {
            const earlier = s.onWarmed; // a warm-up asked for before this one still resolves
            s.onWarmed = () => {
              earlier?.();
              resolve();
            };
          }),
      );
      for (const s of live) s.warm = [...warmUps];
      dispatch();
      return Promise.all(done).then(() => undefined);
    },
    stats() {
      const live = slots.filter((s): s is Slot => s !== undefined);
      return { workers: live.length, busy: live.filter((s) => s.job).length, queued: waiting.length, replaced };
    },
    close() {
      closing ??= (async () => {
        closed = true;
        for (const job of waiting.splice(0)) job.reject(new ProverPoolClosedError("prover pool closed before the proof started"));
        // SIGTERM: a proof in progress is cut short (its stage resumes from the store at the next start)
        await Promise.all(
          slots.map((s) => {
            if (!s) return undefined;
            const exited = new Promise<void>((resolve) => s.worker.once("close", () => resolve())); // exited, stdio closed
            s.worker.kill("SIGTERM");
            const timer = setTimeout(() => s.worker.kill("SIGKILL"), 5_000);
            return exited.finally(() => clearTimeout(timer));
          }),
        );
      })();
      return closing;
    },
  };
}

/**
 * A request's parameters as they cross to the prover process: only the fields proveStage reads,
 * copied (JSON, so the caller may reuse its own), the binding as a decimal string.
 */
function toWire({ manifest, wasmPath, zkeyPath, input, output, binding }: ProveStageParameters): ProverWorkerRequest["params"] {
  return { manifest, wasmPath, zkeyPath, input, output, binding: binding.toString() };
}

/** ref/unref a prover process and its IPC channel (both keep the event loop alive). */
function setRef(child: ChildProcess, ref: boolean): void {
  const channel = child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
  if (ref) {
    child.ref();
    channel?.ref?.();
  } else {
    child.unref();
    channel?.unref?.();
  }
}
