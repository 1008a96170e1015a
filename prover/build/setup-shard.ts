import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import type { pino } from "pino";
import * as snarkjs from "snarkjs";
import { PTAU_PATH, ROOT } from "../paths.ts";

const run = promisify(execFile);

/** Public beacon of the deterministic phase 2 (development setup; see circuits/ptau/CEREMONY.md). */
export const PHASE2_BEACON_HASH = "5c4a1f0e9d8b7a69584736251403f2e1d0c9b8a7968574635241302f1e0d0c0b";
export const PHASE2_BEACON_ITERATIONS_EXP = 10;

export interface ShardBuild {
  r1cs: string;
  /** circom symbol file: signal name → witness index (-1 when optimised away) */
  sym: string;
  wasm: string;
  zkey: string;
  constraints: number;
  /** true when the content-hash stamp matched and nothing was rebuilt */
  cached: boolean;
}

export type SetupShardParameters = {
  /** path of the generated .circom file */
  source: string;
  outDir: string;
  log: pino.Logger;
};

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Hash of every input that determines the r1cs, wasm and zkey. */
function buildKey(source: string): string {
  const h = createHash("sha256");
  h.update(readFileSync(source));
  for (const f of ["range_check", "pack_commit", "requant_clamp", "argmax"]) h.update(readFileSync(join(ROOT, "circuits/lib", `${f}.circom`)));
  h.update(readFileSync(join(ROOT, "node_modules/circom2/package.json")));
  h.update(readFileSync(join(ROOT, "node_modules/snarkjs/package.json")));
  h.update(readFileSync(join(ROOT, "node_modules/circomlib/package.json")));
  h.update(readFileSync(PTAU_PATH.replace(/\.ptau$/, ".sha256")));
  h.update(PHASE2_BEACON_HASH + PHASE2_BEACON_ITERATIONS_EXP);
  return h.digest("hex");
}

/**
 * circom2 --O2 → r1cs + wasm; Groth16 setup against the committed powers of tau;
 * a deterministic phase-2 beacon (so every machine derives the same zkey); and
 * `zkey verify`. Skipped when the content-hash stamp matches.
 */
export async function setupShard({ source, outDir, log }: SetupShardParameters): Promise<ShardBuild> {
  const r1cs = join(outDir, "shard.r1cs");
  const wasm = join(outDir, "shard.wasm");
  const zkey = join(outDir, "shard.zkey");
  const stampPath = join(outDir, "stamp.json");
  const key = buildKey(source);
  if ([stampPath, r1cs, wasm, zkey, join(outDir, "shard.sym")].every((p) => existsSync(p))) {
    const stamp = JSON.parse(readFileSync(stampPath, "utf8")) as { key: string; constraints: number; zkeySha256: string };
    if (stamp.key === key) return { r1cs, sym: join(outDir, "shard.sym"), wasm, zkey, constraints: stamp.constraints, cached: true };
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const name = relative(ROOT, source);

  let t = Date.now();
  log.info({ circuit: name }, "circom: compiling (--O2)");
  const { stdout } = await run(join(ROOT, "node_modules/.bin/circom2"), [relative(ROOT, source), "--r1cs", "--wasm", "--sym", "--O2", "-l", "node_modules", "-l", "circuits", "-o", relative(ROOT, outDir)], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
  });
  const constraints = Number(/non-linear constraints: (\d+)/.exec(stdout)?.[1] ?? NaN) + Number(/(?<!non-)linear constraints: (\d+)/.exec(stdout)?.[1] ?? 0);
  const base = source.split("/").pop()!.replace(/\.circom$/, "");
  renameSync(join(outDir, `${base}.r1cs`), r1cs);
  renameSync(join(outDir, `${base}.sym`), join(outDir, "shard.sym"));
  renameSync(join(outDir, `${base}_js`, `${base}.wasm`), wasm);
  rmSync(join(outDir, `${base}_js`), { recursive: true, force: true });
  log.info({ circuit: name, constraints, ms: Date.now() - t }, "circom: compiled");

  const slog = snarkLogger(log.child({ circuit: name }));
  t = Date.now();
  log.info({ circuit: name }, "groth16: setup (phase 2 from the committed powers of tau)");
  const zkey0 = join(outDir, "shard_0.zkey.tmp");
  await snarkjs.zKey.newZKey(r1cs, PTAU_PATH, zkey0, slog);
  log.info({ circuit: name, ms: Date.now() - t }, "groth16: applying the phase-2 beacon");
  await snarkjs.zKey.beacon(zkey0, zkey, "proofmesh-dev-phase2", PHASE2_BEACON_HASH, PHASE2_BEACON_ITERATIONS_EXP, slog);
  rmSync(zkey0);
  log.info({ circuit: name, ms: Date.now() - t }, "groth16: zkey verify");
  const ok = await snarkjs.zKey.verifyFromR1cs(r1cs, PTAU_PATH, zkey, slog);
  if (!ok) throw new Error(`zkey verify failed for ${name}`);
  const zkeySha256 = sha256(readFileSync(zkey));
  writeFileSync(stampPath, JSON.stringify({ key, constraints, zkeySha256 }, null, 2) + "\n");
  log.info({ circuit: name, ms: Date.now() - t, zkeySha256 }, "groth16: zkey ready and verified");
  return { r1cs, sym: join(outDir, "shard.sym"), wasm, zkey, constraints, cached: false };
}

/** snarkjs logs a great deal at info level: keep its progress at debug, surface warnings and errors. */
export function snarkLogger(log: pino.Logger) {
  return {
    debug: (m: string) => log.debug(m),
    info: (m: string) => log.debug(m),
    warn: (m: string) => log.warn(m),
    error: (m: string) => log.error(m),
  };
}
