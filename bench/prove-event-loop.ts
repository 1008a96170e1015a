/**
 * `npm run bench:loop`: how much proving stalls the node daemon's event loop (which serves the
 * ~1 ms fast path `POST /v1/stages/execute`), before and after moving proofs into prover processes.
 * In ONE process it proves K stages back to back (default: 4 × shard 0 of the default model, the
 * real one) first in this thread (`proveStage`, the daemon's old path), then through the prover
 * pool (node/daemon/prover-pool.ts, one prover process: the same serial work), while it records
 *  - the event loop's delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution) and
 *  - a 1 ms timer ping loop: how late each ping fires (what a request arriving mid-proof waits).
 * One warm-up proof per path is not measured (artefact loading, curve build, process startup).
 * Writes bench/prove-event-loop.json and prints a markdown table.
 * `measureProveEventLoop` is exported for bench/bench.ts.
 */
import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadMnist } from "../prover/data/mnist.ts";
import { getModelManifest } from "../prover/manifest.ts";
import { DEFAULT_MODEL_ID } from "../prover/models/config.ts";
import { ROOT } from "../prover/paths.ts";
import { runIntLayers } from "../prover/quant/reference.ts";
import { releaseProverThreads } from "../prover/release.ts";
import { loadShardArtifacts } from "../prover/shard-artifacts.ts";
import { proveStage, type ProveStageParameters, type ProveStageReturnType } from "../node/daemon/prove-stage.ts";
import { createProverPool } from "../node/daemon/prover-pool.ts";

export type MeasureProveEventLoopParameters = {
  modelId?: string;
  /** the shard proven (default 0, the large one) */
  shard?: number;
  /** proofs per path, back to back (default 4) */
  proofs?: number;
  /** prover processes of the pool path (default 1: the same serial work as the in-thread path) */
  poolSize?: number;
};

/** Milliseconds. */
export type DelayStats = { p50: number; p99: number; max: number; mean: number };

export type ProveEventLoopRun = {
  mode: "in-thread" | "process-pool";
  proofs: number;
  wallMs: number;
  proofsPerSec: number;
  /** proveMs of each proof as proveStage reports it */
  proveMs: number[];
  /** monitorEventLoopDelay over the run */
  eventLoopDelay: DelayStats;
  /** lateness of a 1 ms timer ping loop over the run; `count` pings fired (≈ wallMs when the loop is free) */
  ping: DelayStats & { count: number };
};

export type MeasureProveEventLoopReturnType = {
  modelId: string;
  shard: number;
  proofs: number;
  poolSize: number;
  cores: number;
  node: string;
  inThread: ProveEventLoopRun;
  pool: ProveEventLoopRun;
  /** in-thread ÷ pool for delays (higher = the pool helps more); pool ÷ in-thread for proofs/s */
  ratio: { eventLoopP99: number; eventLoopMax: number; pingP99: number; pingMax: number; proofsPerSec: number };
};

const r2 = (x: number) => Math.round(x * 100) / 100;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Runs `work` while recording the event-loop delay histogram and a 1 ms ping loop. */
async function underLoopWatch(mode: ProveEventLoopRun["mode"], work: () => Promise<ProveStageReturnType[]>): Promise<ProveEventLoopRun> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const late: number[] = [];
  let pinging = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ping = () => {
    const due = performance.now() + 1;
    timer = setTimeout(() => {
      late.push(performance.now() - due);
      if (pinging) ping();
    }, 1);
  };
  histogram.enable();
  ping();
  const t0 = performance.now();
  const results = await work();
  const wallMs = performance.now() - t0;
  pinging = false;
  clearTimeout(timer);
  histogram.disable();
  const ns = (x: number) => r2(x / 1e6);
  const sorted = [...late].sort((a, b) => a - b);
  return {
    mode,
    proofs: results.length,
    wallMs: r2(wallMs),
    proofsPerSec: r2((results.length * 1000) / wallMs),
    proveMs: results.map((r) => r2(r.proveMs)),
    eventLoopDelay: { p50: ns(histogram.percentile(50)), p99: ns(histogram.percentile(99)), max: ns(histogram.max), mean: ns(histogram.mean) },
    ping: {
      p50: r2(percentile(sorted, 50)),
      p99: r2(percentile(sorted, 99)),
      max: r2(sorted.at(-1) ?? 0),
      mean: r2(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
      count: sorted.length,
    },
  };
}

export async function measureProveEventLoop(parameters: MeasureProveEventLoopParameters = {}): Promise<MeasureProveEventLoopReturnType> {
  const modelId = parameters.modelId ?? DEFAULT_MODEL_ID;
  const shardIndex = parameters.shard ?? 0;
  const proofs = parameters.proofs ?? 4;
  const poolSize = parameters.poolSize ?? 1;
  const manifest = getModelManifest({ modelId }).shards[shardIndex];
  if (!manifest) throw new Error(`${modelId} has no shard ${shardIndex}`);

  // Real stage inputs: MNIST digits through the shards before this one, and this shard's output.
  const { test } = loadMnist();
  const before = Array.from({ length: shardIndex }, (_, k) => loadShardArtifacts({ modelId, shard: k }).layers).flat();
  const layers = loadShardArtifacts({ modelId, shard: shardIndex }).layers;
  const stages: ProveStageParameters[] = test.slice(0, proofs + 1).map((d, i) => {
    const input = before.length ? runIntLayers({ layers: before, input: Array.from(d.pixels) }) : Array.from(d.pixels);
    return {
      manifest,
      wasmPath: join(ROOT, manifest.wasm.path),
      zkeyPath: join(ROOT, manifest.zkey.path),
      input,
      output: runIntLayers({ layers, input }),
      binding: BigInt(1000 + i),
    };
  });
  const [warmup, ...measured] = stages;
  const serially = async (prove: (p: ProveStageParameters) => Promise<ProveStageReturnType>) => {
    const out: ProveStageReturnType[] = [];
    for (const s of measured) out.push(await prove(s));
    return out;
  };

  await proveStage(warmup);
  const inThread = await underLoopWatch("in-thread", () => serially(proveStage));
  // The pool path should not share the machine with idle main-thread prover threads.
  await releaseProverThreads();

  const pool = createProverPool({ size: poolSize });
  try {
    await Promise.all(Array.from({ length: poolSize }, () => pool.prove(warmup)));
    const pooled = await underLoopWatch("process-pool", () => (poolSize === 1 ? serially(pool.prove) : Promise.all(measured.map((s) => pool.prove(s)))));
    const div = (a: number, b: number) => r2(a / Math.max(b, 0.01));
    return {
      modelId,
      shard: shardIndex,
      proofs,
      poolSize,
      cores: availableParallelism(),
      node: process.version,
      inThread,
      pool: pooled,
      ratio: {
        eventLoopP99: div(inThread.eventLoopDelay.p99, pooled.eventLoopDelay.p99),
        eventLoopMax: div(inThread.eventLoopDelay.max, pooled.eventLoopDelay.max),
        pingP99: div(inThread.ping.p99, pooled.ping.p99),
        pingMax: div(inThread.ping.max, pooled.ping.max),
        proofsPerSec: div(pooled.proofsPerSec, inThread.proofsPerSec),
      },
    };
  } finally {
    await pool.close();
  }
}

export function proveEventLoopTable(r: MeasureProveEventLoopReturnType): string {
  const a = r.inThread;
  const b = r.pool;
  const row = (label: string, x: number, y: number, ratio: string) => `| ${label} | ${x} | ${y} | ${ratio} |`;
  return [
    `Proving ${r.proofs} × ${r.modelId} shard ${r.shard} back to back (${r.cores} cores, Node ${r.node}, pool of ${r.poolSize}); delays in ms.`,
    "",
    "| metric | in-thread (before) | prover process pool (after) | before ÷ after |",
    "|---|---:|---:|---:|",
    row("event-loop delay p50", a.eventLoopDelay.p50, b.eventLoopDelay.p50, `${r2(a.eventLoopDelay.p50 / Math.max(b.eventLoopDelay.p50, 0.01))}×`),
    row("event-loop delay p99", a.eventLoopDelay.p99, b.eventLoopDelay.p99, `${r.ratio.eventLoopP99}×`),
    row("event-loop delay max", a.eventLoopDelay.max, b.eventLoopDelay.max, `${r.ratio.eventLoopMax}×`),
    row("1 ms ping lateness p50", a.ping.p50, b.ping.p50, `${r2(a.ping.p50 / Math.max(b.ping.p50, 0.01))}×`),
    row("1 ms ping lateness p99", a.ping.p99, b.ping.p99, `${r.ratio.pingP99}×`),
    row("1 ms ping lateness max", a.ping.max, b.ping.max, `${r.ratio.pingMax}×`),
    row("pings fired", a.ping.count, b.ping.count, `${r2(a.ping.count / Math.max(b.ping.count, 1))}×`),
    row("wall ms", a.wallMs, b.wallMs, `${r2(a.wallMs / b.wallMs)}×`),
    `| proofs/s | ${a.proofsPerSec} | ${b.proofsPerSec} | after ÷ before: ${r.ratio.proofsPerSec}× |`,
  ].join("\n");
}

if (import.meta.main) {
  const result = await measureProveEventLoop();
  writeFileSync(join(ROOT, "bench/prove-event-loop.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(proveEventLoopTable(result));
}
