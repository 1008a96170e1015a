/**
 * Child-process supervision for the demo and the end-to-end tests: every process started
 * here is killed (its whole process group) on stop(), on process exit and on Ctrl-C, so
 * nothing is left running.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";

export type Managed = { name: string; child: ChildProcess; logFile: string; exited: Promise<number | null> };

export class ProcessGroup {
  readonly logDir: string;
  private readonly procs: Managed[] = [];
  private readonly onSignal = () => {
    this.killAll("SIGTERM");
    setTimeout(() => process.exit(130), 300).unref();
  };
  private readonly onExit = () => this.killAll("SIGKILL");

  constructor({ logDir }: { logDir: string }) {
    this.logDir = logDir;
    mkdirSync(logDir, { recursive: true });
    process.once("SIGINT", this.onSignal);
    process.once("SIGTERM", this.onSignal);
    process.once("exit", this.onExit);
  }

  /** Starts `cmd args` in its own process group; stdout+stderr go to <logDir>/<name>.log. */
  start({ name, cmd, args, env, cwd }: { name: string; cmd: string; args: string[]; env?: Record<string, string>; cwd?: string }): Managed {
    const logFile = join(this.logDir, `${name}.log`);
    const out = createWriteStream(logFile, { flags: "a" });
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const m = { name, child, logFile, exited };
    this.procs.push(m);
    return m;
  }

  /** Stops one process (SIGTERM, then SIGKILL after graceMs). */
  async stop(m: Managed, graceMs = 5000): Promise<void> {
    if (m.child.exitCode !== null || m.child.signalCode !== null) return;
    signal(m.child, "SIGTERM");
    const timer = setTimeout(() => signal(m.child, "SIGKILL"), graceMs);
    await m.exited;
    clearTimeout(timer);
  }

  /** Kills one process at once (a crash). */
  async kill(m: Managed): Promise<void> {
    signal(m.child, "SIGKILL");
    await m.exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs].reverse().map((m) => this.stop(m)));
    process.off("SIGINT", this.onSignal);
    process.off("SIGTERM", this.onSignal);
    process.off("exit", this.onExit);
  }

  private killAll(sig: NodeJS.Signals) {
    for (const m of this.procs) signal(m.child, sig);
  }
}

function signal(child: ChildProcess, sig: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, sig); // the whole group (npm/hardhat spawn children)
  } catch {
    try {
      child.kill(sig);
    } catch {
      /* already gone */
    }
  }
}

/** Polls until `check` resolves truthy, or throws after timeoutMs with `what`. */
export async function waitFor<T>({ what, timeoutMs, intervalMs = 100, check }: { what: string; timeoutMs: number; intervalMs?: number; check: () => Promise<T | undefined | false> }): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
