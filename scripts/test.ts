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
// Tool scripts run with this Node (22) explicitly: their shebangs would pick whatever `node` is first on PATH.
const bin = (name: string) => join(ROOT, "node_modules/.bin", name);
const tool = (name: string, toolArgs: string[]): [string, string[]] => [process.execPath, [bin(name), ...toolArgs]];
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
  step("typecheck", ...tool("tsc", ["--noEmit", "-p", "."]));
  if (!args.includes("--skip-build")) step("generated circuits, keys, verifiers", process.execPath, ["prover/build/build-circuits.ts", "--check"]);
  step("compile contracts", ...tool("hardhat", ["build", "--quiet"]));
  step("generated ABIs", process.execPath, ["deploy/gen-abis.ts", "--check"]);
  step("solidity tests", ...tool("hardhat", ["test", "solidity"]));
}
const files = globSync("{prover,circuits,coordinator,node,sdk,deploy,test,contracts,scripts}/**/*.test.ts", { cwd: ROOT })
  .filter((f) => !f.includes("node_modules") && !f.startsWith("test/soak/")) // soak: `npm run test:soak`
  .filter((f) => !only || f.includes(only))
  .sort();
step("node tests", process.execPath, ["--test", "--test-reporter=spec", ...files]);
