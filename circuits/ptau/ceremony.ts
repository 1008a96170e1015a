/**
 * Local powers-of-tau ceremony (phase 1) for ProofMesh's development setup.
 *
 * Run ONCE by a maintainer (`npm run ceremony:ptau`); its output
 * `circuits/ptau/pot14_final.ptau` is committed and its sha256 recorded in
 * `circuits/ptau/CEREMONY.md`. CI never runs this (prepare phase2 of 2^14 takes
 * ~9 min on 2 cores).
 *
 * Steps: new (bn128, 2^POWER) → two contributions with fresh OS entropy →
 * a public beacon → prepare phase2 → verify.
 * The security of a powers of tau rests on at least one contributor having
 * discarded its entropy. Here both contributions were made on one machine, so
 * this is a DEVELOPMENT ceremony: see CEREMONY.md for how a multi-party one
 * replaces it.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { pino } from "pino";

const POWER = 14;
const BEACON_HASH = "8b3a0c5d7e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b"; // documented in CEREMONY.md
const BEACON_ITERATIONS_EXP = 10;

const log = pino({ name: "ceremony" });
const dir = import.meta.dirname;
const tmp = (n: number) => join(dir, `pot${POWER}_${n}.tmp.ptau`);
const out = join(dir, `pot${POWER}_final.ptau`);
// snarkjs accepts a logger with debug/info/warn/error.
const slog = { debug: () => {}, info: (m: string) => log.info(m), warn: (m: string) => log.warn(m), error: (m: string) => log.error(m) };

async function main() {
  const t0 = Date.now();
  log.info({ power: POWER }, "phase1: new");
  await snarkjs.powersOfTau.newAccumulator(await curve(), POWER, tmp(0), slog);
  log.info("phase1: contribution 1");
  await snarkjs.powersOfTau.contribute(tmp(0), tmp(1), "proofmesh-dev-1", randomBytes(64).toString("hex"), slog);
  log.info("phase1: contribution 2");
  await snarkjs.powersOfTau.contribute(tmp(1), tmp(2), "proofmesh-dev-2", randomBytes(64).toString("hex"), slog);
  log.info("phase1: beacon");
  await snarkjs.powersOfTau.beacon(tmp(2), tmp(3), "proofmesh-dev-beacon", BEACON_HASH, BEACON_ITERATIONS_EXP, slog);
  log.info("phase1: prepare phase2 (slow: ~9 min for 2^14 on 2 cores)");
  await snarkjs.powersOfTau.preparePhase2(tmp(3), out, slog);
  log.info("phase1: verify");
  const ok = await snarkjs.powersOfTau.verify(out, slog);
  if (!ok) throw new Error("powers of tau verification failed");
  for (let i = 0; i <= 3; i++) rmSync(tmp(i), { force: true });
  const sha256 = createHash("sha256").update(readFileSync(out)).digest("hex");
  writeFileSync(join(dir, "pot14_final.sha256"), `${sha256}  pot${POWER}_final.ptau\n`);
  log.info({ sha256, seconds: (Date.now() - t0) / 1000 }, "phase1: done");
  process.exit(0);
}

async function curve() {
  return snarkjs.curves.getCurveFromName("bn128");
}

await main();
