/**
 * `npm run bench:prove`: per shard of every shipped model — constraints, witness ms,
 * prove ms (median of RUNS), verify ms (snarkjs and noble), zkey size — and the whole
 * model (all its shards proven one after another). Writes bench/prove.json.
 * Each model is measured in a fresh child process (`--model=<id>`), so one model's loaded
 * keys, heap and prover threads do not slow the next one down.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { loadMnist } from "./data/mnist.ts";
import { readManifest } from "./manifest.ts";
import { ROOT } from "./paths.ts";
import { proveShard } from "./prove-shard.ts";
import { releaseProverThreads } from "./release.ts";
import { loadShardArtifacts } from "./shard-artifacts.ts";
import { verifyShard } from "./verify-shard.ts";
import { verifyGroth16Noble } from "./verify/noble.ts";

const RUNS = Number(process.argv.find((a) => a.startsWith("--runs="))?.slice(7) ?? 5);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const only = process.argv.find((a) => a.startsWith("--model="))?.slice(8);
if (!only) {
  const rows: Record<string, string | number>[] = [];
  for (const model of readManifest().models) {
    const r = spawnSync(process.execPath, [import.meta.filename, `--model=${model.id}`, `--runs=${RUNS}`], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`bench of ${model.id} failed (exit ${r.status})`);
    rows.push(...(JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, string | number>[]));
  }
  report(rows);
  process.exit(0);
}

const { test } = loadMnist();
const rows: Record<string, string | number>[] = [];
for (const model of readManifest().models.filter((m) => m.id === only)) {
  const whole: number[] = [];
  const perShard = model.shards.map(() => ({ witness: [] as number[], prove: [] as number[], snark: [] as number[], noble: [] as number[] }));
  // one warm-up run (wasm instantiation, curve build), then RUNS measured runs on different digits
  for (let run = -1; run < RUNS; run++) {
    let x = Array.from(test[run + 1].pixels);
    const t0 = performance.now();
    for (const shard of model.shards) {
      const p = await proveShard({ modelId: model.id, shard: shard.index, input: x, binding: 42n });
      x = p.output;
      if (run < 0) continue;
      const m = perShard[shard.index];
      m.witness.push(p.timings.witnessMs);
      m.prove.push(p.timings.proveMs);
      let t = performance.now();
      if (!(await verifyShard({ modelId: model.id, shard: shard.index, proof: p.proof, publicSignals: p.publicSignals }))) throw new Error("snarkjs rejected");
      m.snark.push(performance.now() - t);
      const { vkey } = loadShardArtifacts({ modelId: model.id, shard: shard.index });
      t = performance.now();
      if (!verifyGroth16Noble({ vkey: vkey as never, proof: p.proof as never, publicSignals: p.publicSignals }).valid) throw new Error("noble rejected");
      m.noble.push(performance.now() - t);
    }
    if (run >= 0) whole.push(perShard.reduce((s, m) => s + m.witness[run] + m.prove[run], 0));
  }
  model.shards.forEach((shard, i) => {
    const m = perShard[i];
    rows.push({
      model: model.id,
      shard: String(shard.index),
      constraints: shard.constraints,
      witnessMs: +median(m.witness).toFixed(1),
      proveMs: +median(m.prove).toFixed(1),
      verifySnarkjsMs: +median(m.snark).toFixed(1),
      verifyNobleMs: +median(m.noble).toFixed(1),
      zkeyMB: +(shard.zkey.bytes! / 1e6).toFixed(2),
    });
  });
  rows.push({
    model: model.id,
    shard: "all",
    constraints: model.shards.reduce((s, x) => s + x.constraints, 0),
    witnessMs: +model.shards.reduce((s, _, i) => s + median(perShard[i].witness), 0).toFixed(1),
    proveMs: +median(whole).toFixed(1),
    verifySnarkjsMs: "",
    verifyNobleMs: "",
    zkeyMB: +(model.shards.reduce((s, x) => s + x.zkey.bytes!, 0) / 1e6).toFixed(2),
  });
}

console.log(JSON.stringify(rows));
await releaseProverThreads();
process.exit(0);

function report(rows: Record<string, string | number>[]): void {
const cols = ["model", "shard", "constraints", "witnessMs", "proveMs", "verifySnarkjsMs", "verifyNobleMs", "zkeyMB"];
const table = [`| ${cols.join(" | ")} |`, `|${cols.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${cols.map((c) => r[c]).join(" | ")} |`)].join("\n");
const machine = { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, date: new Date().toISOString() };
console.log(`\nbench:prove — median of ${RUNS} (after 1 warm-up); "all" proveMs = median of witness+prove over the whole model\n`);
console.log(table);
console.log(`\nmachine: ${JSON.stringify(machine)}\ncommand: npm run bench:prove`);
mkdirSync(join(ROOT, "bench"), { recursive: true });
writeFileSync(join(ROOT, "bench/prove.json"), JSON.stringify({ machine, runs: RUNS, rows }, null, 2) + "\n");
}
