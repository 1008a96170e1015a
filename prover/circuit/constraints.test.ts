/**
 * Negative witness tests (failing cases first): every constraint family of the shard
 * circuits rejects a tampered witness, checked by snarkjs `wtns check` and by our own
 * R1CS evaluator; then the sweeping property that no single witness entry of the
 * pipeline's last shard can be changed on its own (no free signal), and positive
 * bit-for-bit agreement with the integer reference on held-out digits.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { releaseProverThreads } from "../release.ts";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { loadMnist } from "../data/mnist.ts";
import { DEFAULT_MODEL_ID } from "../models/config.ts";
import { ROOT } from "../paths.ts";
import { runIntLayers } from "../quant/reference.ts";
import { loadShardArtifacts, type ShardArtifacts } from "../shard-artifacts.ts";
import { buildWitnessInput } from "../witness.ts";
import { calculateWitness } from "../witness-calculator.ts";
import { R } from "../commit.ts";
import { failingConstraints, loadR1cs, type R1cs } from "./r1cs-check.ts";
import { readSymbols, readWitnessValue, withWitnessValue, type MemFile } from "./wtns.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const { test: digits } = loadMnist();

interface Fixture {
  artifacts: ShardArtifacts;
  r1cs: R1cs;
  r1csPath: string;
  sym: Map<string, number>;
  wtns: MemFile;
  input: number[];
}

async function witnessFor(artifacts: ShardArtifacts, input: number[], binding = 12345n): Promise<MemFile> {
  const w = await buildWitnessInput({ artifacts, input, binding });
  return { type: "mem", data: await calculateWitness({ wasmPath: artifacts.wasmPath, input: w.circuitInput }) };
}

async function fixture(shard: number): Promise<Fixture> {
  const artifacts = loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard });
  const dir = join(ROOT, artifacts.manifest.wasm.path, "..");
  const pixels = Array.from(digits[0].pixels);
  const input = shard === 0 ? pixels : runIntLayers({ layers: loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 0 }).layers, input: pixels });
  const r1csPath = join(dir, "shard.r1cs");
  return { artifacts, r1cs: await loadR1cs({ path: r1csPath }), r1csPath, sym: readSymbols(join(dir, "shard.sym")), wtns: await witnessFor(artifacts, input), input };
}

/** The first of `names` (or of the signals starting with a `prefix*`) that --O2 kept in the witness. */
function kept(f: Fixture, names: string[]): string {
  for (const n of names) {
    if (n.endsWith("*")) {
      for (const [full, idx] of f.sym) if (idx > 0 && full.startsWith(`main.${n.slice(0, -1)}`)) return full.slice(5);
    } else if ((f.sym.get(`main.${n}`) ?? -1) > 0) return n;
  }
  assert.fail(`none of ${names.join(", ")} is in the witness`);
}

/** Tampers one named signal and asserts both checkers reject the witness. */
async function assertRejected(f: Fixture, name: string | string[], value: (old: bigint) => bigint): Promise<void> {
  if (Array.isArray(name)) name = kept(f, name);
  const idx = f.sym.get(`main.${name}`);
  assert.ok(idx !== undefined && idx > 0, `signal main.${name} is not in the witness (optimised away?)`);
  const old = readWitnessValue(f.wtns, idx);
  const bad = withWitnessValue(f.wtns, idx, value(old) % R);
  const failing = failingConstraints({ r1cs: f.r1cs, witness: (i) => readWitnessValue(bad, i), only: f.r1cs.uses[idx] });
  assert.ok(failing.length > 0, `tampering ${name} left every constraint satisfied`);
  assert.equal(await snarkjs.wtns.check(f.r1csPath, bad, silent), false, `snarkjs wtns check accepted tampered ${name}`);
}

after(releaseProverThreads);

describe("shard circuits reject tampered witnesses", () => {
  let s0: Fixture;
  let s1: Fixture;
  before(async () => {
    s0 = await fixture(0);
    s1 = await fixture(1);
  });

  test("witness generation refuses inputs that contradict the public signals", async () => {
    const artifacts = s1.artifacts;
    const good = await buildWitnessInput({ artifacts, input: s1.input, binding: 7n });
    const cases: [string, Record<string, unknown>][] = [
      ["outCommit", { ...good.circuitInput, outCommit: (good.outCommit + 1n).toString() }],
      ["inCommit", { ...good.circuitInput, inCommit: (good.inCommit + 1n).toString() }],
      ["result", { ...good.circuitInput, result: String((good.result + 1) % 10) }],
      ["activation", { ...good.circuitInput, x: (good.circuitInput.x as string[]).map((v, i) => (i === 3 ? String(Number(v) ^ 1) : v)) }],
      ["range", { ...good.circuitInput, x: (good.circuitInput.x as string[]).map((v, i) => (i === 0 ? "256" : v)) }],
    ];
    for (const [what, input] of cases) {
      await assert.rejects(snarkjs.wtns.calculate(input, artifacts.wasmPath, { type: "mem" }), `witness generation accepted a tampered ${what}`);
      await assert.rejects(calculateWitness({ wasmPath: artifacts.wasmPath, input: input as never }), /violate a constraint/);
    }
  });

  test("output activation (requantized, clamped) cannot be changed", async () => {
    await assertRejected(s0, "a0[5]", (v) => v + 1n);
    await assertRejected(s1, "a0[2]", (v) => v + 1n);
  });

  test("requantization remainder and quotient bits are pinned", async () => {
    await assertRejected(s0, "rq0[7].bits.out[0]", (v) => 1n - v);
    await assertRejected(s0, "rq0[7].bits.out[20]", (v) => 1n - v);
    await assertRejected(s1, "rq0[1].bits.out[3]", (v) => v + 2n);
  });

  test("ReLU sign cannot be flipped", async () => {
    // The sign is the top bit of the decomposition (alias `pos`); --O2 may substitute it
    // by its linear definition, in which case the signals derived from it carry it.
    const k0 = s0.artifacts.manifest.accBits[0];
    const k1 = s1.artifacts.manifest.accBits[0];
    await assertRejected(s0, ["rq0[0].pos", `rq0[0].bits.out[${k0 - 1}]`, "rq0[0].highZero.out"], (v) => 1n - v);
    await assertRejected(s1, ["rq0[4].pos", `rq0[4].bits.out[${k1 - 1}]`], (v) => 1n - v);
    await assertRejected(s0, "rq0[3].inRange", (v) => 1n - v);
  });

  test("input range checks: an out-of-range activation that keeps the same packed chunk is rejected", async () => {
    // x_k + 256·x_{k+1} packs the same as (x_k + 256) + 256·(x_{k+1} − 1): only the range check stops it.
    const k = s1.input.findIndex((v, i) => i % 31 !== 0 && v > 0) - 1;
    assert.ok(k >= 0, "fixture needs a non-zero activation");
    const i0 = s1.sym.get(`main.x[${k}]`)!;
    const i1 = s1.sym.get(`main.x[${k + 1}]`)!;
    const x1 = readWitnessValue(s1.wtns, i1);
    let bad = withWitnessValue(s1.wtns, i0, readWitnessValue(s1.wtns, i0) + 256n);
    bad = withWitnessValue(bad, i1, x1 - 1n);
    assert.equal(await snarkjs.wtns.check(s1.r1csPath, bad, silent), false);
    await assertRejected(s1, "inRange[0].bits.out[1]", (v) => 1n - v);
  });

  test("packing and commitments are pinned", async () => {
    // (chunks are linear in the values, so --O2 substitutes them into the first Poseidon round)
    await assertRejected(s0, ["inHash.h[0].pEx.sigmaF[0][3].in2", "inHash.h[0].*"], (v) => v + 1n);
    await assertRejected(s0, ["inHash.h[1].pEx.sigmaF[0][5].in2", "inHash.h[1].*"], (v) => v + 1n);
    await assertRejected(s0, ["outHash.h[0].pEx.sigmaF[0][1].in2", "outHash.h[0].*"], (v) => v + 1n);
    await assertRejected(s1, ["inHash.out", "inHash.h[0].*"], (v) => v + 1n);
    await assertRejected(s1, "inCommit", (v) => v + 1n);
    await assertRejected(s1, "outCommit", (v) => v + 1n);
  });

  test("argmax: result and selector are pinned", async () => {
    await assertRejected(s1, "result", (v) => (v + 1n) % 10n);
    await assertRejected(s1, "best.sel[0]", (v) => 1n - v);
    await assertRejected(s1, "best.diff[0].out[0]", (v) => 1n - v);
  });

  test("non-last shard: result is pinned to 0; binding is constrained (squared)", async () => {
    await assertRejected(s0, "result", () => 1n);
    await assertRejected(s0, "bindingSquare", (v) => v + 1n);
    await assertRejected(s1, "binding", (v) => v + 1n);
  });

  test("no free signal: changing any single witness entry of the last shard breaks a constraint", async () => {
    const names = new Map<number, string>();
    for (const [name, idx] of s1.sym) if (idx > 0) names.set(idx, name);
    const free: string[] = [];
    for (let idx = 1; idx < s1.r1cs.nVars; idx++) {
      const name = names.get(idx) ?? `#${idx}`;
      // IsZero's inverse is free (by design) exactly when its input is zero; its output is pinned.
      if (/highZero\.inv$/.test(name)) continue;
      const bad = withWitnessValue(s1.wtns, idx, (readWitnessValue(s1.wtns, idx) + 1n) % R);
      const failing = failingConstraints({ r1cs: s1.r1cs, witness: (i) => readWitnessValue(bad, i), only: s1.r1cs.uses[idx] });
      if (failing.length === 0) free.push(name);
    }
    assert.deepEqual(free, []);
  });
});

describe("circuits agree bit for bit with the integer reference", () => {
  test("200 held-out digits through both shards of the default model", async () => {
    const a0 = loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 0 });
    const a1 = loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard: 1 });
    const sym0 = readSymbols(join(ROOT, a0.manifest.wasm.path, "../shard.sym"));
    const outIdx = Array.from({ length: a0.manifest.outputShape[1] }, (_, k) => sym0.get(`main.a0[${k}]`)!);
    for (const d of digits.slice(0, 200)) {
      const x = Array.from(d.pixels);
      const ref = runIntLayers({ layers: a0.layers, input: x });
      // Witness generation asserts every constraint, including outCommit = commit(reference output).
      const w0 = await witnessFor(a0, x);
      assert.deepEqual(outIdx.map((i) => Number(readWitnessValue(w0, i))), ref, `digit ${d.index}: circuit activations differ from the reference`);
      await witnessFor(a1, ref);
    }
  });
});
