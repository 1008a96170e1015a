import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import type { pino } from "pino";
import * as snarkjs from "snarkjs";
import { PTAU_PATH, ROOT } from "../paths.ts";

const run = promisify(execFile);

export interface ShardBuild {
  r1cs: string;
  /** circom symbol file: signal name → witness index (-1 when optimised away) */
  sym: string;
  wasm: string;
  /**
   * The INITIAL zkey of phase 2 (`zkey new`: delta = 1, deterministic). Never used to prove or
   * export a verifier: keys come from a ceremony on top of it (prover/ceremony/).
   */
  initialZkey: string;
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
  return h.digest("hex");
}

/**
 * circom2 --O2 → r1cs + wasm; the initial phase-2 zkey against the committed powers of tau
 * (`zkey new`, deterministic), checked once with `zkey verify` against r1cs + ptau. Everything
 * here is deterministic and cached by content hash; the keys that prove come from a ceremony
 * on top of the initial zkey (prover/ceremony/), which is checked from it (`verifyFromInit`).
 */
export async function setupShard({ source, outDir, log }: SetupShardParameters): Promise<ShardBuild> {
  const r1cs = join(outDir, "shard.r1cs");
  const wasm = join(outDir, "shard.wasm");
  const initialZkey = join(outDir, "shard_init.zkey");
  const stampPath = join(outDir, "stamp.json");
  const key = buildKey(source);
  if ([stampPath, r1cs, wasm, initialZkey, join(outDir, "shard.sym")].every((p) => existsSync(p))) {
    const stamp = JSON.parse(readFileSync(stampPath, "utf8")) as { key: string; constraints: number; initialZkeySha256: string };
    if (stamp.key === key) return { r1cs, sym: join(outDir, "shard.sym"), wasm, initialZkey, constraints: stamp.constraints, cached: true };
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
  log.info({ circuit: name }, "groth16: initial phase-2 zkey from the committed powers of tau (zkey new)");
  const tmp = `${initialZkey}.tmp`;
  await snarkjs.zKey.newZKey(r1cs, PTAU_PATH, tmp, slog);
  log.info({ circuit: name, ms: Date.now() - t }, "groth16: zkey verify (initial zkey against r1cs + ptau)");
  const ok = await snarkjs.zKey.verifyFromR1cs(r1cs, PTAU_PATH, tmp, slog);
  if (!ok) throw new Error(`zkey verify failed for the initial zkey of ${name}`);
  renameSync(tmp, initialZkey);
  const initialZkeySha256 = sha256(readFileSync(initialZkey));
  writeFileSync(stampPath, JSON.stringify({ key, constraints, initialZkeySha256 }, null, 2) + "\n");
  log.info({ circuit: name, ms: Date.now() - t, initialZkeySha256 }, "groth16: initial zkey ready and verified");
  return { r1cs, sym: join(outDir, "shard.sym"), wasm, initialZkey, constraints, cached: false };
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
