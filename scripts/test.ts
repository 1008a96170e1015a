/**
 * `npm test`: type-check, regenerate-and-compare every generated artefact (builds the
 * zkeys if they are missing), Solidity tests (forge-std, via Hardhat), then every
 * `*.test.ts` in one node:test run (its summary is the last thing printed).
 *
 * Flags: --skip-build (trust the existing circuits/build), --only=<substring> (TS tests only).
 */
import { spawnSync } from "node:child_process";
import { globSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const bin = (name: string) => join(ROOT, "node_modules/.bin", name);
const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith("--only="))?.slice("--only=".length);

function step(title: string, cmd: string, cmdArgs: string[]): void {
  console.log(`\n=== ${title}: ${[cmd.replace(ROOT + "/", ""), ...cmdArgs].join(" ")}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  console.log(`=== ${title}: ok in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (!only) {
  step("typecheck", bin("tsc"), ["--noEmit", "-p", "."]);
  if (!args.includes("--skip-build")) step("generated artefacts", process.execPath, ["prover/build/build-circuits.ts", "--check"]);
  if (globSync("contracts/test/**/*.t.sol", { cwd: ROOT }).length > 0) step("solidity tests", bin("hardhat"), ["test", "solidity"]);
}
const files = globSync("{prover,circuits,coordinator,node,sdk,deploy,test,contracts,scripts}/**/*.test.ts", { cwd: ROOT })
  .filter((f) => !f.includes("node_modules"))
  .filter((f) => !only || f.includes(only))
  .sort();
step("node tests", process.execPath, ["--test", "--test-reporter=spec", ...files]);
