/**
 * `zkey verify` of ceremony uploads off the coordinator's event loop: each call forks one child
 * process (ceremony-verify-child.ts) that verifies the zkeys one by one and exits, so snarkjs's
 * seconds of CPU per shard and its worker threads never stall job submissions. Calls are
 * serialised: one verification at a time, whatever the number of requests.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export type ZkeyVerifyItem = { initialZkeyPath: string; ptauPath: string; zkeyPath: string };
export type ZkeyVerifyResult = { ok: true; ms: number[] } | { ok: false; index: number; name: string; message: string };

/** Verifies every item (stops at the first failure). Rejects only when the verifier itself failed (could not run, crashed, timed out). */
export type ZkeyVerifier = (items: ZkeyVerifyItem[]) => Promise<ZkeyVerifyResult>;

export class VerifierUnavailableError extends Error {
  override name = "VerifierUnavailableError";
}

const CHILD = fileURLToPath(new URL("./ceremony-verify-child.ts", import.meta.url));

/** A promise chain: `run(fn)` starts fn after every earlier fn settled. */
export function createMutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const next = tail.then(fn, fn);
      tail = next.catch(() => undefined);
      return next;
    },
  };
}

export function createChildProcessVerifier({ timeoutMs = 10 * 60_000 }: { timeoutMs?: number } = {}): ZkeyVerifier {
  const mutex = createMutex();
  return (items) =>
    mutex.run(
      () =>
        new Promise<ZkeyVerifyResult>((resolve, reject) => {
          let settled = false;
          // execArgv []: not the parent's flags (node --test's); NODE_OPTIONS still passes through
          const child = fork(CHILD, [], { execArgv: [], serialization: "json", stdio: ["ignore", "ignore", "inherit", "ipc"] });
          const timer = setTimeout(() => {
            finish(() => reject(new VerifierUnavailableError(`zkey verify did not finish within ${timeoutMs} ms`)));
            child.kill("SIGKILL");
          }, timeoutMs);
          function finish(f: () => void) {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            f();
          }
          child.on("message", (m: ZkeyVerifyResult) => finish(() => resolve(m)));
          child.on("error", (err) => finish(() => reject(new VerifierUnavailableError(`zkey verifier process failed: ${err.message}`))));
          child.on("exit", (code, signal) => finish(() => reject(new VerifierUnavailableError(`zkey verifier process exited (${code ?? signal}) without an answer`))));
          child.send({ items });
        }),
    );
}
