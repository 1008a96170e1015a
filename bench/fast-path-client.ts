/**
 * The bench's fast-path client, in a process of its own: it sends prepared JSON bodies one after
 * the other with the mesh's keep-alive client (node/wire/post-json.ts) and times each exchange.
 * A dApp is a separate, small process; the bench process is neither (it holds the MNIST set, viem
 * clients and the mesh's log pipes), and its garbage collection and pipe reads would otherwise
 * be timed with every request and take CPU from the nodes on a small machine.
 *
 * Run as a script: reads {url, bodies, warmup} as JSON on stdin, writes the results as JSON on stdout.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { postJson } from "../node/wire/post-json.ts";

export type RunFastPathClientParameters = {
  url: string;
  /** measured in order, after the first `warmup` (sent, not measured) */
  bodies: string[];
  warmup: number;
  timeoutMs?: number;
};
export type FastPathExchange = { ms: number; status: number; text: string; serverTiming: string | null };
export type RunFastPathClientReturnType = Promise<{
  exchanges: FastPathExchange[];
  /** the client's own CPU over the measured requests, per request (ms) */
  cpuPerRequest: { userMs: number; systemMs: number };
}>;

/** Sends `bodies` to `url` from a fresh client process and returns every measured exchange. */
export async function runFastPathClient(parameters: RunFastPathClientParameters): RunFastPathClientReturnType {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { stdio: ["pipe", "pipe", "inherit"] });
  const out: Buffer[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve)); // 'close': stdout fully read
  child.stdin.end(JSON.stringify(parameters));
  const code = await exited;
  if (code !== 0) throw new Error(`fast-path client exited with ${code}`);
  return JSON.parse(Buffer.concat(out).toString("utf8")) as Awaited<RunFastPathClientReturnType>;
}

async function main() {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const { url, bodies, warmup, timeoutMs = 10_000 } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RunFastPathClientParameters;
  const exchanges: FastPathExchange[] = [];
  let cpu0 = process.cpuUsage();
  for (let i = 0; i < bodies.length; i++) {
    if (i === warmup) cpu0 = process.cpuUsage();
    const t = performance.now();
    const res = await postJson({ url, body: bodies[i], timeoutMs });
    const ms = performance.now() - t;
    if (i >= warmup) exchanges.push({ ms, status: res.status, text: res.text, serverTiming: res.serverTiming });
  }
  const cpu = process.cpuUsage(cpu0);
  const n = Math.max(1, bodies.length - warmup);
  process.stdout.write(JSON.stringify({ exchanges, cpuPerRequest: { userMs: Math.round(cpu.user / n) / 1000, systemMs: Math.round(cpu.system / n) / 1000 } }));
}

if (import.meta.main) await main();
