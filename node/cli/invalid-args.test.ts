/**
 * Issue 8 (bad input, CLI): every command and subcommand of `proofmesh` with missing or invalid
 * arguments exits non-zero (2 for usage errors) with one specific message naming the argument,
 * prints no stack trace, and changes nothing: no transaction (the block number and the nonces of
 * the operator and the dApp stay the same), no home created by a failed `init`, the existing
 * homes' files untouched.
 *
 * Runs the real entry point (`main` of node/cli/main.ts, in process, with its own env) against a
 * child hardhat node with ProofMesh deployed (node/test-chain.ts). The homes are set up so that the
 * same commands with valid arguments WOULD succeed and send transactions (home A: registered,
 * staked, funded, in cluster 1; the dApp: ETH and PMT), so a missing check shows up as a state
 * change, not only as a different message. A few cases also go through bin/proofmesh as child
 * processes (exit code and stderr of the real process).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { privateKeyToAccount } from "viem/accounts";
import { readEnv } from "../../config/env.ts";
import { ROOT } from "../../prover/paths.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { DEV_KEYS, freePort, runCli, startTestChain, type TestChain } from "../test-chain.ts";
import { main } from "./main.ts";

type Ctx = {
  t: TestChain;
  env: Record<string, string>;
  /** registered, staked 200 PMT in cluster 1, 800 PMT and ETH left: stake/unbond/leave/faucet would succeed */
  homeA: string;
  /** initialised (no endpoint in its config), funded with ETH, not registered: register would succeed */
  homeB: string;
  dir: string;
  file: string;
  emptyDir: string;
  deadRpc: string;
  dApp: `0x${string}`;
  fresh: number;
};

type Case = {
  /** argv after `proofmesh`; placeholders: @A @B (homes), @fresh (a new path that must not exist afterwards), @dir @file @emptydir @dead */
  argv: string[];
  /** the message (stderr; for `proofmesh node … --json` also the JSON `message`) */
  re: RegExp;
  /** exit code, default 2 (usage) */
  code?: number;
  /** NodeError code in the --json output of `proofmesh node` (default: MISSING_ARGUMENT / INVALID_ARGUMENT / UNKNOWN_COMMAND) */
  jsonCode?: string;
  /** do not re-run with --json (the case is about --json itself) */
  noJson?: boolean;
  env?: Record<string, string>;
};

const KEY_ZERO = `0x${"0".repeat(64)}`;
const KEY_MAX = `0x${"f".repeat(64)}`; // ≥ the secp256k1 order
const USAGE_CODES = ["MISSING_ARGUMENT", "INVALID_ARGUMENT", "UNKNOWN_COMMAND"];

function expand(c: Ctx, argv: string[], created: string[]): string[] {
  return argv.map((a) =>
    a
      .replace("@A", c.homeA)
      .replace("@B", c.homeB)
      .replace("@fresh", () => {
        const p = join(c.dir, `fresh-${c.fresh++}`);
        created.push(p);
        return p;
      })
      .replace("@emptydir", c.emptyDir)
      .replace("@dir", c.dir)
      .replace("@file", c.file)
      .replace("@dead", c.deadRpc),
  );
}

async function runMain(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main({ argv, io: { out: (l) => out.push(l), err: (l) => err.push(l) }, env });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** What must not change: the chain (no block mined, nonces) and the homes' files. */
async function snapshot(c: Ctx): Promise<string> {
  const { publicClient } = c.t;
  const operatorA = privateKeyToAccount(readFileSync(join(c.homeA, "operator.key"), "utf8").trim() as `0x${string}`).address;
  const [block, nonceA, nonceDApp] = await Promise.all([
    publicClient.getBlockNumber(),
    publicClient.getTransactionCount({ address: operatorA }),
    publicClient.getTransactionCount({ address: c.dApp }),
  ]);
  const files = [c.homeA, c.homeB].flatMap((h) => readdirSync(h).map((f) => `${h}/${f}:${readFileSync(join(h, f), "utf8")}`));
  return JSON.stringify({ block: block.toString(), nonceA, nonceDApp, files, cwd: readdirSync(c.dir).filter((f) => !f.startsWith("fresh-")) });
}

async function check(c: Ctx, k: Case, json: boolean): Promise<void> {
  const created: string[] = [];
  let argv = expand(c, k.argv, created);
  if (json) argv = [argv[0]!, argv[1]!, "--json", ...argv.slice(2)];
  const label = `proofmesh ${argv.join(" ")}`;
  const r = await runMain(argv, { ...c.env, ...k.env });
  const all = `${r.out}\n${r.err}`;
  const expected = k.code ?? 2;
  assert.equal(r.code, expected, `${label}: exit ${r.code}, expected ${expected}\n${all}`);
  assert.doesNotMatch(all, /^\s+at /m, `${label}: stack trace printed\n${all}`);
  assert.match(r.err, k.re, `${label}: stderr does not name the problem\n${all}`);
  assert.match(r.err.split("\n")[0]!, /^(proofmesh[ :]|usage: proofmesh)/, `${label}: the first stderr line must say which command failed`);
  if (json) {
    const lines = r.out.split("\n").filter(Boolean);
    assert.equal(lines.length, 1, `${label}: --json must print exactly one JSON object\n${r.out}`);
    const j = JSON.parse(lines[0]!) as { ok: boolean; code: string; message: string };
    assert.equal(j.ok, false, label);
    if (k.jsonCode) assert.equal(j.code, k.jsonCode, `${label}: ${j.code}`);
    else assert.ok(USAGE_CODES.includes(j.code), `${label}: ${j.code} is not a usage error code`);
    assert.match(j.message, k.re, `${label}: JSON message`);
  } else {
    assert.equal(r.out, "", `${label}: a failure must not print a result on stdout`);
  }
  for (const p of created) assert.equal(existsSync(p), false, `${label}: ${p} was created by a failed command`);
}

// ---------------------------------------------------------------------------------------------
// The table. Every node case is run twice: human output, and with --json.

const pad = (n: number) => "x".repeat(n);
const models33 = Array.from({ length: 33 }, (_, i) => `m${i}`).join(",");

const NODE_CASES: Record<string, Case[]> = {
  init: [
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--operator-key", "0x1234"], re: /--operator-key must be a 0x-prefixed 32-byte hex private key/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--operator-key", "ab".repeat(32)], re: /--operator-key must be a 0x-prefixed 32-byte hex private key/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--operator-key", `0x${"g".repeat(64)}`], re: /--operator-key must be a 0x-prefixed 32-byte hex private key/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--operator-key", `0x${"ab".repeat(33)}`], re: /--operator-key must be a 0x-prefixed 32-byte hex private key/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--operator-key", KEY_ZERO], re: /--operator-key is not a valid secp256k1 private key/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--operator-key", KEY_MAX], re: /--operator-key is not a valid secp256k1 private key/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--operator-key", "--endpoint", "http://127.0.0.1:1"], re: /option --operator-key needs a value, got the option --endpoint/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "abc"], re: /--chain-id "abc" is not a non-negative integer/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "0"], re: /--chain-id must be at least 1/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "-1"], re: /--chain-id "-1" is negative/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id=-1"], re: /--chain-id "-1" is not a non-negative integer/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1.5"], re: /--chain-id "1\.5" is not a non-negative integer/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "NaN"], re: /--chain-id "NaN" is not a non-negative integer/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "0x1"], re: /--chain-id "0x1" is not a non-negative integer/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "9007199254740992"], re: /--chain-id 9007199254740992 is too large/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id"], re: /option --chain-id needs a value/ },
    { argv: ["node", "init", "--home", "@fresh", "--rpc-url", "notaurl"], re: /--rpc-url "notaurl" is not a URL/ },
    { argv: ["node", "init", "--home", "@fresh", "--rpc-url", "ftp://127.0.0.1/"], re: /--rpc-url "ftp:\/\/127\.0\.0\.1\/" must be an http\(s\):\/\/ or ws\(s\):\/\/ URL/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1"], env: { PROOFMESH_RPC_URL: "localhost:8545" }, re: /PROOFMESH_RPC_URL "localhost:8545" must be an http\(s\):\/\/ or ws\(s\):\/\/ URL/ },
    { argv: ["node", "init", "--home", "@fresh", "--rpc-url", "@dead"], code: 1, jsonCode: "RPC_UNREACHABLE", re: /cannot reach the RPC endpoint http:\/\/127\.0\.0\.1:\d+ to read its chain id/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--endpoint", "notaurl"], re: /--endpoint "notaurl" is not a URL/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--endpoint", "ftp://host"], re: /--endpoint "ftp:\/\/host" must be an http\(s\) URL/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--endpoint", "http://user:pw@host"], re: /--endpoint must not contain credentials/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--endpoint", `http://h/${pad(600)}`], re: /--endpoint must not have more than 512 characters/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--coordinator", "nope"], re: /--coordinator "nope" is not a URL/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--deployments", "@dir/no-such-dir"], re: /--deployments \S+no-such-dir is not a directory/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--deployments", "@file"], re: /--deployments \S+ is not a directory/ },
    { argv: ["node", "init", "--chain-id", "1", "--name", "bad/name"], re: /--name "bad\/name" must be 1-64 characters of \[A-Za-z0-9._-\]/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--name", pad(65)], re: /--name "x{65}" must be 1-64 characters/ },
    { argv: ["node", "init", "--home", "", "--chain-id", "1"], re: /option --home needs a non-empty value/ },
    { argv: ["node", "init", "--home", "@file", "--chain-id", "1"], re: /--home \S+ exists and is not a directory/ },
    { argv: ["node", "init", "--home", "@file/sub", "--chain-id", "1"], code: 1, jsonCode: "CONFIG_INVALID", re: /cannot create the node home \S+\/sub: ENOTDIR/ },
    { argv: ["node", "init", "--home", "@A", "--chain-id", "1"], code: 1, jsonCode: "HOME_EXISTS", re: /operator\.key already exists: refusing to overwrite/ },
    { argv: ["node", "init", "--home", "@fresh", "--home", "@fresh", "--chain-id", "1"], re: /option --home is given more than once/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--frobnicate"], re: /unknown option --frobnicate/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "extra"], re: /unexpected argument "extra"/ },
    { argv: ["node", "init", "--home", "@fresh", "--chain-id", "1", "--json=yes"], noJson: true, re: /Option '--json' does not take an argument/ },
  ],
  register: [
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--memory-bytes", "1", "--models", DEFAULT_MODEL_ID], re: /--cluster is required \(0 = no cluster\)/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--models", DEFAULT_MODEL_ID], re: /--memory-bytes is required/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--memory-bytes", "1"], re: /--models is required \(comma-separated model ids/ },
    { argv: ["node", "register", "--home", "@B", "--cluster", "0", "--memory-bytes", "1", "--models", DEFAULT_MODEL_ID], re: /--endpoint is required \(the node's public HTTP URL\)/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "abc", "--memory-bytes", "1", "--models", DEFAULT_MODEL_ID], re: /--cluster "abc" is not a non-negative integer/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "-1", "--memory-bytes", "1", "--models", DEFAULT_MODEL_ID], re: /--cluster "-1" is negative/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "1.5", "--memory-bytes", "1", "--models", DEFAULT_MODEL_ID], re: /--cluster "1\.5" is not a non-negative integer/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "4294967296", "--memory-bytes", "1", "--models", DEFAULT_MODEL_ID], re: /--cluster 4294967296 is too large \(at most 4294967295\)/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--cluster", "1", "--memory-bytes", "1", "--models", DEFAULT_MODEL_ID], re: /option --cluster is given more than once/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--memory-bytes", "0", "--models", DEFAULT_MODEL_ID], re: /--memory-bytes must be greater than 0/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--memory-bytes", "18446744073709551616", "--models", DEFAULT_MODEL_ID], re: /--memory-bytes 18446744073709551616 is too large/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--memory-bytes", "1e9", "--models", DEFAULT_MODEL_ID], re: /--memory-bytes "1e9" is not a non-negative integer/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--memory-bytes", "1", "--models", ",,"], re: /--models needs at least one model id/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--memory-bytes", "1", "--models", `${DEFAULT_MODEL_ID},,x`], re: /--models ".*" has an empty model id at position 2/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--memory-bytes", "1", "--models", `${DEFAULT_MODEL_ID},${DEFAULT_MODEL_ID}`], re: new RegExp(`--models lists "${DEFAULT_MODEL_ID}" twice`) },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--memory-bytes", "1", "--models", models33], re: /--models lists 33 models, at most 32/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--memory-bytes", "1", "--models", "0x1234"], re: /"0x1234" is neither a model name nor a 0x-prefixed 32-byte model id/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--memory-bytes", "1", "--models", "no-such-model"], code: 1, jsonCode: "UNKNOWN_MODEL", re: /model "no-such-model" \(0x[0-9a-f]{64}\) is not registered in the ModelRegistry/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "notaurl", "--cluster", "0", "--memory-bytes", "1", "--models", DEFAULT_MODEL_ID], re: /--endpoint "notaurl" is not a URL/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "ws://127.0.0.1:1", "--cluster", "0", "--memory-bytes", "1", "--models", DEFAULT_MODEL_ID], re: /--endpoint "ws:\/\/127\.0\.0\.1:1" must be an http\(s\) URL/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", `http://h/${pad(300)}`, "--cluster", "0", "--memory-bytes", "1", "--models", DEFAULT_MODEL_ID], re: /--endpoint is 309 bytes long, the StakeRegistry takes at most 256/ },
    { argv: ["node", "register", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--memory-bytes", "1", "--models", DEFAULT_MODEL_ID, "--region", "eu"], re: /unknown option --region/ },
    { argv: ["node", "register", "extra", "--home", "@B", "--endpoint", "http://127.0.0.1:8799", "--cluster", "0", "--memory-bytes", "1", "--models", DEFAULT_MODEL_ID], re: /unexpected argument "extra"/ },
  ],
  join: [
    { argv: ["node", "join", "--home", "@A"], re: /<clusterId> is required/ },
    { argv: ["node", "join", "abc", "--home", "@A"], re: /<clusterId> "abc" is not a non-negative integer/ },
    { argv: ["node", "join", "-1", "--home", "@A"], re: /"-1" is negative/ },
    { argv: ["node", "join", "0", "--home", "@A"], re: /<clusterId> must be at least 1/ },
    { argv: ["node", "join", "1.5", "--home", "@A"], re: /<clusterId> "1\.5" is not a non-negative integer/ },
    { argv: ["node", "join", "4294967296", "--home", "@A"], re: /<clusterId> 4294967296 is too large/ },
    { argv: ["node", "join", "1", "1", "--home", "@A"], re: /unexpected argument "1"/ },
    { argv: ["node", "join", "1", "--home", "@A", "--allow-below-minimum=yes"], re: /Option '--allow-below-minimum' does not take an argument/ },
  ],
  leave: [
    // home A is in cluster 1 without open jobs: with valid arguments `leave` would send a transaction
    { argv: ["node", "leave", "now", "--home", "@A"], re: /unexpected argument "now"/ },
    { argv: ["node", "leave", "--home", "@A", "--force"], re: /unknown option --force/ },
    { argv: ["node", "leave", "--home", "@A", "--rpc-url", "notaurl"], re: /--rpc-url "notaurl" is not a URL/ },
    { argv: ["node", "leave", "--home", "@A", "--rpc-url", "file:///etc/passwd"], re: /--rpc-url "file:\/\/\/etc\/passwd" must be an http\(s\):\/\/ or ws\(s\):\/\/ URL/ },
    { argv: ["node", "leave", "--home", "@A", "--coordinator", "nope"], re: /--coordinator "nope" is not a URL/ },
    { argv: ["node", "leave", "--home", "@A", "--deployments", "@dir/no-such-dir"], re: /--deployments \S+no-such-dir is not a directory/ },
    { argv: ["node", "leave", "--home", "@A", "--name", "a b"], re: /--name "a b" must be 1-64 characters/ },
    { argv: ["node", "leave", "--home", "@dir/no-such-home"], code: 1, jsonCode: "HOME_MISSING", re: /no node config at \S+no-such-home\/config\.json/ },
    { argv: ["node", "leave", "--home", "@A", "--rpc-url", "@dead"], code: 1, jsonCode: "RPC_UNREACHABLE", re: /cannot reach the RPC endpoint http:\/\/127\.0\.0\.1:\d+/ },
    { argv: ["node", "leave", "--home", "@A", "--deployments", "@emptydir"], code: 1, jsonCode: "DEPLOYMENT_NOT_FOUND", re: /no deployment for chain \d+: \S+\.json does not exist/ },
  ],
  stake: [
    { argv: ["node", "stake", "--home", "@A"], re: /<amount> is required \(token amount/ },
    { argv: ["node", "stake", "ten", "--home", "@A"], re: /<amount> "ten" is not a token amount/ },
    { argv: ["node", "stake", "-5", "--home", "@A"], re: /"-5" is negative/ },
    { argv: ["node", "stake", "--home", "@A", "--", "-5"], re: /<amount> "-5" is not a token amount/ },
    { argv: ["node", "stake", "0", "--home", "@A"], re: /<amount> must be greater than 0/ },
    { argv: ["node", "stake", "0.000", "--home", "@A"], re: /<amount> must be greater than 0/ },
    { argv: ["node", "stake", "1.0000000000000000001", "--home", "@A"], re: /<amount> "1\.0000000000000000001" has 19 decimals; PMT has at most 18/ },
    { argv: ["node", "stake", "1e3", "--home", "@A"], re: /<amount> "1e3" is not a token amount/ },
    { argv: ["node", "stake", "NaN", "--home", "@A"], re: /<amount> "NaN" is not a token amount/ },
    { argv: ["node", "stake", "Infinity", "--home", "@A"], re: /<amount> "Infinity" is not a token amount/ },
    { argv: ["node", "stake", "0x10", "--home", "@A"], re: /<amount> "0x10" is not a token amount/ },
    { argv: ["node", "stake", "1,5", "--home", "@A"], re: /<amount> "1,5" is not a token amount/ },
    { argv: ["node", "stake", "010", "--home", "@A"], re: /<amount> "010" is not a token amount/ },
    { argv: ["node", "stake", "9".repeat(22), "--home", "@A"], re: /<amount> "9{22}" is too large/ },
    { argv: ["node", "stake", "10", "20", "--home", "@A"], re: /unexpected argument "20"/ },
    { argv: ["node", "stake", "10", "--home", "@A", "--no-approve=1"], re: /Option '--no-approve' does not take an argument/ },
    { argv: ["node", "stake", "10", "--home", "@A", "--amount", "10"], re: /unknown option --amount/ },
  ],
  unbond: [
    { argv: ["node", "unbond", "--home", "@A"], re: /<amount> is required/ },
    { argv: ["node", "unbond", "-1", "--home", "@A"], re: /"-1" is negative/ },
    { argv: ["node", "unbond", "0", "--home", "@A"], re: /<amount> must be greater than 0/ },
    { argv: ["node", "unbond", "1.1234567890123456789", "--home", "@A"], re: /has 19 decimals/ },
    { argv: ["node", "unbond", "all", "--home", "@A"], re: /<amount> "all" is not a token amount/ },
    { argv: ["node", "unbond", "1", "1", "--home", "@A"], re: /unexpected argument "1"/ },
  ],
  faucet: [
    { argv: ["node", "faucet", "--home", "@A"], re: /<amount> is required/ },
    { argv: ["node", "faucet", "0", "--home", "@A"], re: /<amount> must be greater than 0/ },
    { argv: ["node", "faucet", "-3", "--home", "@A"], re: /"-3" is negative/ },
    { argv: ["node", "faucet", "12abc", "--home", "@A"], re: /<amount> "12abc" is not a token amount/ },
    { argv: ["node", "faucet", "1".repeat(30), "--home", "@A"], re: /is too large/ },
  ],
  withdraw: [
    { argv: ["node", "withdraw", "--home", "@A", "--amount", "5"], re: /--amount only applies with --earnings/ },
    { argv: ["node", "withdraw", "--home", "@A", "--earnings", "--amount", "0"], re: /--amount must be greater than 0/ },
    { argv: ["node", "withdraw", "--home", "@A", "--earnings", "--amount", "abc"], re: /--amount "abc" is not a token amount/ },
    { argv: ["node", "withdraw", "--home", "@A", "--earnings", "--amount", "-1"], re: /option --amount "-1" is negative/ },
    { argv: ["node", "withdraw", "--home", "@A", "--earnings", "--amount", "0.1234567890123456789"], re: /--amount "0\.1234567890123456789" has 19 decimals/ },
    { argv: ["node", "withdraw", "--home", "@A", "--earnings", "--amount"], re: /option --amount needs a value/ },
    { argv: ["node", "withdraw", "--home", "@A", "--earnings", "--amount", "1", "--amount", "2"], re: /option --amount is given more than once/ },
    { argv: ["node", "withdraw", "everything", "--home", "@A"], re: /unexpected argument "everything"/ },
  ],
  status: [
    { argv: ["node", "status", "--home", "@A", "verbose"], re: /unexpected argument "verbose"/ },
    { argv: ["node", "status", "--home", "@A", "--verbose"], re: /unknown option --verbose/ },
    { argv: ["node", "status", "--home", "@A", "--coordinator", "ftp://x"], re: /--coordinator "ftp:\/\/x" must be an http\(s\) URL/ },
    { argv: ["node", "status", "--home", "@A", "--rpc-url", "127.0.0.1:8545"], re: /--rpc-url "127\.0\.0\.1:8545" is not a URL/ },
    { argv: ["node", "status", "--home", "@A", "--rpc-url"], re: /option --rpc-url needs a value/ },
    { argv: ["node", "status", "--home", "@dir/no-such-home"], code: 1, jsonCode: "HOME_MISSING", re: /no node config at \S+no-such-home\/config\.json/ },
    { argv: ["node", "status", "--name", "nobody"], code: 1, jsonCode: "HOME_MISSING", re: /no node config at \S+\.proofmesh\/nobody\/config\.json/ },
  ],
  serve: [
    // with valid arguments home A would start a daemon: every case must fail in the config checks
    { argv: ["node", "serve", "--home", "@A", "--port", "abc"], re: /--port "abc" must be a non-negative integer/ },
    { argv: ["node", "serve", "--home", "@A", "--port", "70000"], re: /--port must be <= 65535 \(got 70000\)/ },
    { argv: ["node", "serve", "--home", "@A", "--port", "-1"], re: /option --port "-1" is negative/ },
    { argv: ["node", "serve", "--home", "@A", "--port", "1", "--port", "2"], re: /option --port is given more than once/ },
    { argv: ["node", "serve", "--home", "@A", "--gossip-port", "65536"], re: /--gossip-port must be <= 65535 \(got 65536\)/ },
    { argv: ["node", "serve", "--home", "@A", "--backend", "gpu"], re: /--backend must be native or wasm \(got "gpu"\)/ },
    { argv: ["node", "serve", "--home", "@A", "--log-level", "loud"], re: /--log-level must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/ },
    { argv: ["node", "serve", "--home", "@A", "--heartbeat-interval-ms", "10"], re: /--heartbeat-interval-ms must be >= 50 \(got 10\)/ },
    { argv: ["node", "serve", "--home", "@A", "--prover-concurrency", "0"], re: /--prover-concurrency must be >= 1 \(got 0\)/ },
    { argv: ["node", "serve", "--home", "@A", "--max-pending-proofs", "1.5"], re: /--max-pending-proofs "1\.5" must be a non-negative integer/ },
    { argv: ["node", "serve", "--home", "@A", "--body-limit-bytes", "1"], re: /--body-limit-bytes must be >= 1024 \(got 1\)/ },
    { argv: ["node", "serve", "--home", "@A", "--shutdown-grace-ms", "NaN"], re: /--shutdown-grace-ms "NaN" must be a non-negative integer/ },
    { argv: ["node", "serve", "--home", "@A", "--peer", "127.0.0.1:4001"], re: /--peer must be a multiaddr such as \/ip4\/.* \(got \["127\.0\.0\.1:4001"\]\)/ },
    { argv: ["node", "serve", "--home", "@A", "--artifact-peer", "notaurl"], re: /--artifact-peer "notaurl" is not a URL/ },
    { argv: ["node", "serve", "--home", "@A", "--endpoint", "ftp://x"], re: /--endpoint "ftp:\/\/x" must be an http\(s\) URL/ },
    { argv: ["node", "serve", "--home", "@A", "--coordinator", "nope"], re: /--coordinator "nope" is not a URL/ },
    { argv: ["node", "serve", "--home", "@A", "--shards", ""], re: /option --shards needs a non-empty value/ },
    { argv: ["node", "serve", "--home", "@A", "--daemonize"], re: /unknown option --daemonize/ },
    { argv: ["node", "serve", "now", "--home", "@A"], re: /unexpected argument "now"/ },
    { argv: ["node", "serve", "--home", "@dir/no-such-home"], code: 1, jsonCode: "HOME_MISSING", re: /no node config at \S+no-such-home\/config\.json/ },
  ],
  "ceremony contribute": [
    // home A is a staked operator: with a ceremony on the coordinator it would contribute
    { argv: ["node", "ceremony", "contribute", "--home", "@A"], re: /ceremony contribute: <model> is required \(a model id of the manifest: mnist-mlp-784-64-32-10/ },
    { argv: ["node", "ceremony", "contribute", "0x1234", "--home", "@A"], re: /<model> "0x1234" is neither a model name nor a 0x-prefixed 32-byte model id/ },
    { argv: ["node", "ceremony", "contribute", "no-such-model", "--home", "@A"], code: 1, jsonCode: "UNKNOWN_MODEL", re: /model "no-such-model" is not in the manifest/ },
    { argv: ["node", "ceremony", "contribute", DEFAULT_MODEL_ID, "extra", "--home", "@A"], re: /unexpected argument "extra"/ },
    { argv: ["node", "ceremony", "contribute", DEFAULT_MODEL_ID, "--home", "@A", "--poll-interval", "abc"], re: /--poll-interval "abc" is not a duration \(a whole number with a unit: 500ms, 120s, 5m, 1h; no unit = seconds\)/ },
    { argv: ["node", "ceremony", "contribute", DEFAULT_MODEL_ID, "--home", "@A", "--poll-interval", "1.5s"], re: /--poll-interval "1\.5s" is not a duration/ },
    { argv: ["node", "ceremony", "contribute", DEFAULT_MODEL_ID, "--home", "@A", "--poll-interval", "0s"], re: /--poll-interval 0s is out of range \(100ms to 10m\)/ },
    { argv: ["node", "ceremony", "contribute", DEFAULT_MODEL_ID, "--home", "@A", "--poll-interval", "11m"], re: /--poll-interval 11m is out of range \(100ms to 10m\)/ },
    { argv: ["node", "ceremony", "contribute", DEFAULT_MODEL_ID, "--home", "@A", "--poll-interval", "-1"], re: /option --poll-interval "-1" is negative/ },
    { argv: ["node", "ceremony", "contribute", DEFAULT_MODEL_ID, "--home", "@A", "--poll-interval"], re: /option --poll-interval needs a value/ },
    { argv: ["node", "ceremony", "contribute", DEFAULT_MODEL_ID, "--home", "@A", "--entropy", "x"], re: /unknown option --entropy \(see `proofmesh node ceremony contribute --help`\)/ },
    { argv: ["node", "ceremony", "contribute", DEFAULT_MODEL_ID, "--home", "@dir/no-such-home"], code: 1, jsonCode: "HOME_MISSING", re: /no node config at \S+no-such-home\/config\.json/ },
    { argv: ["node", "ceremony", "contribute", DEFAULT_MODEL_ID, "--home", "@A"], env: { PROOFMESH_COORDINATOR_URL: "" }, re: /--coordinator is required \(or PROOFMESH_COORDINATOR_URL, or coordinatorUrl in the node config\)/ },
    { argv: ["node", "ceremony", "contribute", DEFAULT_MODEL_ID, "--home", "@A"], code: 1, jsonCode: "COORDINATOR_ERROR", re: /GET http:\/\/127\.0\.0\.1:\d+\/v1\/ceremonies\/mnist-mlp-784-64-32-10 failed: cannot reach the coordinator/ },
  ],
  "(group)": [
    { argv: ["node"], re: /usage: proofmesh node <command>/, noJson: true },
    { argv: ["node", "fly"], re: /unknown command "fly" \(expected one of: init, register, join, leave, stake, unbond, withdraw, faucet, status, serve, ceremony\)/ },
    { argv: ["node", "STAKE", "1"], re: /unknown command "STAKE"/ },
    { argv: ["node", "ceremony"], re: /ceremony: missing command \(expected: contribute\)/ },
    { argv: ["node", "ceremony", "start", DEFAULT_MODEL_ID], jsonCode: "UNKNOWN_COMMAND", re: /ceremony: unknown command "start" \(expected: contribute\)/ },
  ],
};

/** `proofmesh model ceremony …`: the model owner. On the test chain, DEV_KEYS[0] (the deployer) is the ModelRegistry owner and both manifest models are registered. */
const OWNER = () => ["--operator-key", DEV_KEYS[0]!];
const A1 = "0x1000000000000000000000000000000000000001";
const A2 = "0x2000000000000000000000000000000000000002";
const MODEL_CASES: Record<string, Case[]> = {
  "ceremony start": [
    { argv: ["model", "ceremony", "start", ...OWNER()], re: /ceremony start: <model> is required \(a model id of the manifest/ },
    { argv: ["model", "ceremony", "start", "no-such-model", ...OWNER()], code: 1, jsonCode: "UNKNOWN_MODEL", re: /model "no-such-model" is not in the manifest/ },
    { argv: ["model", "ceremony", "start", `0x${"ab".repeat(31)}`, ...OWNER()], re: /<model> "0x(ab){31}" is neither a model name nor a 0x-prefixed 32-byte model id/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, "other", ...OWNER()], re: /unexpected argument "other"/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--contributors", ""], re: /option --contributors needs a non-empty value/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--contributors", ","], re: /--contributors needs at least one address/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--contributors", "0x12"], re: /--contributors: "0x12" is not an address \(0x \+ 40 hex characters\)/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--contributors", `${A1},,${A2}`], re: /--contributors has an empty address at position 2/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--contributors", `${A1},${A2},${A1.toUpperCase().replace("0X", "0x")}`], re: /--contributors lists 0x1000000000000000000000000000000000000001 twice/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--contributor-timeout", "2d"], re: /--contributor-timeout "2d" is not a duration/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--contributor-timeout", "500ms"], re: /--contributor-timeout 500ms is out of range \(1s to 24h\)/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--contributor-timeout", "25h"], re: /--contributor-timeout 25h is out of range \(1s to 24h\)/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--contributor-timeout", "-5s"], re: /option --contributor-timeout "-5s" is negative/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--beacon-delay-blocks", "0"], re: /--beacon-delay-blocks must be at least 1 \(the beacon block must not exist when the ceremony starts\)/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--beacon-delay-blocks", "ten"], re: /--beacon-delay-blocks "ten" is not a non-negative integer/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--beacon-delay-blocks", "100001"], re: /--beacon-delay-blocks 100001 is too large \(at most 100000\)/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, "--operator-key", "0x1234"], re: /ceremony start: --operator-key must be a 0x-prefixed 32-byte hex private key/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, "--operator-key", KEY_MAX], re: /--operator-key is not a valid secp256k1 private key/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--beacon", "1"], re: /unknown option --beacon \(see `proofmesh model ceremony start --help`\)/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, "--home", "@dir/no-such-home"], code: 1, jsonCode: "HOME_MISSING", re: /no node config at \S+no-such-home\/config\.json/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER(), "--rpc-url", "@dead"], code: 1, jsonCode: "RPC_UNREACHABLE", re: /cannot reach the RPC endpoint http:\/\/127\.0\.0\.1:\d+/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER()], env: { PROOFMESH_COORDINATOR_URL: "" }, re: /--coordinator is required/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, "--home", "@A"], code: 1, jsonCode: "NOT_MODEL_OWNER", re: /0x[0-9a-fA-F]{40} is not the ModelRegistry owner 0x[0-9a-fA-F]{40}/ },
    { argv: ["model", "ceremony", "start", DEFAULT_MODEL_ID, ...OWNER()], code: 1, jsonCode: "ALREADY_REGISTERED", re: /model mnist-mlp-784-64-32-10 is already registered in the ModelRegistry \(index 1\): its keys are final/ },
  ],
  "ceremony finalize": [
    { argv: ["model", "ceremony", "finalize", ...OWNER()], re: /ceremony finalize: <model> is required/ },
    { argv: ["model", "ceremony", "finalize", "no-such-model", ...OWNER()], code: 1, jsonCode: "UNKNOWN_MODEL", re: /model "no-such-model" is not in the manifest/ },
    { argv: ["model", "ceremony", "finalize", DEFAULT_MODEL_ID, ...OWNER(), "--price-per-stage", "abc"], re: /--price-per-stage "abc" is not a token amount/ },
    { argv: ["model", "ceremony", "finalize", DEFAULT_MODEL_ID, ...OWNER(), "--price-per-stage", "0"], re: /--price-per-stage must be greater than 0/ },
    { argv: ["model", "ceremony", "finalize", DEFAULT_MODEL_ID, ...OWNER(), "--out", "@file"], re: /--out \S+ exists and is not a directory/ },
    { argv: ["model", "ceremony", "finalize", DEFAULT_MODEL_ID, ...OWNER(), "--out", ""], re: /option --out needs a non-empty value/ },
    { argv: ["model", "ceremony", "finalize", DEFAULT_MODEL_ID, "--operator-key", KEY_ZERO], re: /--operator-key is not a valid secp256k1 private key/ },
    { argv: ["model", "ceremony", "finalize", DEFAULT_MODEL_ID, ...OWNER(), "--verify"], re: /unknown option --verify \(see `proofmesh model ceremony finalize --help`\)/ },
    { argv: ["model", "ceremony", "finalize", DEFAULT_MODEL_ID, "--home", "@A"], code: 1, jsonCode: "NOT_MODEL_OWNER", re: /is not the ModelRegistry owner/ },
    { argv: ["model", "ceremony", "finalize", DEFAULT_MODEL_ID, ...OWNER(), "--out", "@fresh"], code: 1, jsonCode: "ALREADY_REGISTERED", re: /model mnist-mlp-784-64-32-10 is already registered and \S+shard0\.zkey is not its shard 0 zkey/ },
  ],
  "(group)": [
    { argv: ["model"], re: /usage: proofmesh model ceremony <start\|finalize>/, noJson: true },
    { argv: ["model", "frob"], re: /unknown command "frob" \(expected: ceremony\)/ },
    { argv: ["model", "ceremony"], re: /ceremony: missing command \(expected: start, finalize\)/ },
    { argv: ["model", "ceremony", "contribute", DEFAULT_MODEL_ID], jsonCode: "UNKNOWN_COMMAND", re: /ceremony: unknown command "contribute" \(expected: start, finalize\)/ },
  ],
};

const JOB_CASES: Record<string, Case[]> = {
  // sdk/cli/cli-args.test.ts covers the basic ones (missing input, both inputs, bad URLs, …); these are the rest
  submit: [
    { argv: ["job", "submit", "--mnist-index", "1.5"], re: /invalid --mnist-index "1\.5": expected an integer in 0\.\.1999/ },
    { argv: ["job", "submit", "--mnist-index", "1e3"], re: /invalid --mnist-index "1e3"/ },
    { argv: ["job", "submit", "--mnist-index", "9".repeat(20)], re: /invalid --mnist-index "9{20}": expected an integer in 0\.\.1999/ },
    { argv: ["job", "submit", "--mnist-index", "-1"], re: /invalid --mnist-index "-1": must not be negative/ },
    { argv: ["job", "submit", "--mnist-index=-1"], re: /invalid --mnist-index "-1": expected an integer/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--mnist-index", "2"], re: /option --mnist-index is given more than once/ },
    { argv: ["job", "submit", "--image", "@dir"], re: /cannot read --image \S+: EISDIR/ },
    { argv: ["job", "submit", "--image", ""], re: /option --image needs a non-empty value/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--private-key", `0x${"a".repeat(63)}`], re: /invalid --private-key: must be a 0x-prefixed 32-byte hex private key/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--private-key", "ab".repeat(32)], re: /invalid --private-key: must be a 0x-prefixed 32-byte hex private key/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--private-key", KEY_ZERO], re: /invalid --private-key: not a valid secp256k1 private key/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--private-key", KEY_MAX], re: /invalid --private-key: not a valid secp256k1 private key/ },
    { argv: ["job", "submit", "--mnist-index", "1"], env: { PROOFMESH_PRIVATE_KEY: KEY_ZERO }, re: /invalid PROOFMESH_PRIVATE_KEY: not a valid secp256k1 private key/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--rpc-url", "http://"], re: /invalid --rpc-url "http:\/\/": not a URL/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--coordinator", ""], re: /option --coordinator needs a non-empty value/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--cluster", "4294967296"], re: /invalid --cluster "4294967296": expected an integer in 1\.\.4294967295/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--cluster", "-1"], re: /invalid --cluster "-1": must not be negative/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--max-fee", "0"], re: /invalid --max-fee: must be positive/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--max-fee", "0wei"], re: /invalid --max-fee: must be positive/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--max-fee", "1.0000000000000000001"], re: /invalid --max-fee "1\.0000000000000000001": more than 18 decimals/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--max-fee", "1e18"], re: /invalid --max-fee "1e18": expected tokens like 2\.5/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--max-fee", "340282366920938463464"], re: /invalid --max-fee "340282366920938463464": too large/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--max-fee", "1wei"], code: 1, re: /invalid --max-fee: 1 is below the job's price \d+/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--deadline-seconds", "31536001"], re: /invalid --deadline-seconds "31536001": expected an integer in 1\.\.31536000/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--deadline-seconds", "86401"], code: 1, re: /invalid --deadline-seconds 86401 exceeds the JobMarket's maximum deadline window of 86400 s/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--deadline-seconds", "-5"], re: /invalid --deadline-seconds "-5": must not be negative/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--nonce", "abc"], re: /invalid --nonce "abc": expected a uint64/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--nonce", "-1"], re: /invalid --nonce "-1": must not be negative/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--timeout-seconds", "0"], re: /invalid --timeout-seconds "0": expected an integer in 1\.\.86400/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--wait", ""], re: /option --wait needs a non-empty value/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--model", "0x1234"], re: /invalid --model "0x1234": a 0x model id must be 32 bytes/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--model", "no-such-model"], code: 1, re: /unknown --model "no-such-model" \(0x[0-9a-f]{64}\)/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--deployment", "@dir/none.json"], re: /invalid --deployment \S+none\.json: no such file/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--deployment", "@dir"], re: /invalid --deployment \S+: no such file/ },
    { argv: ["job", "submit", "--mnist-index", "1", "--invert=1"], re: /Option '--invert' does not take an argument/ },
    { argv: ["job", "submit", "1", "2"], re: /unexpected argument "1"/ },
  ],
  status: [
    { argv: ["job", "status", "-1"], re: /invalid argument "-1": must not be negative/ },
    { argv: ["job", "status", "1.5"], re: /invalid <jobId> "1\.5": expected a decimal or 0x-hex uint256/ },
    { argv: ["job", "status", `0x${"f".repeat(65)}`], re: /invalid <jobId> "0xf{65}"/ },
    { argv: ["job", "status", "2".repeat(78)], re: /invalid <jobId> "2{78}": larger than uint256/ },
    { argv: ["job", "status", ""], re: /invalid <jobId> "": expected a decimal or 0x-hex uint256/ },
    { argv: ["job", "status", "1", "--rpc-url", "notaurl"], re: /invalid --rpc-url "notaurl": not a URL/ },
    { argv: ["job", "status", "1", "--deployment", "@dir/none.json"], re: /invalid --deployment \S+none\.json: no such file/ },
    { argv: ["job", "status", "1", "--json=1"], re: /Option '--json' does not take an argument/ },
    { argv: ["job", "status", "1", "--watch"], re: /Unknown option '--watch'/ },
  ],
  deposit: [
    { argv: ["job", "deposit", "--amount", "-1"], re: /invalid --amount "-1": must not be negative/ },
    { argv: ["job", "deposit", "--amount", "abc"], re: /invalid --amount "abc": expected tokens like 2\.5/ },
    { argv: ["job", "deposit", "--amount", "0wei"], re: /invalid --amount: must be positive/ },
    { argv: ["job", "deposit", "--amount", "1.5wei"], re: /invalid --amount "1\.5wei"/ },
    { argv: ["job", "deposit", "--amount", "1".repeat(61)], re: /invalid --amount "1{61}": too large/ },
    { argv: ["job", "deposit", "--amount", `${"9".repeat(78)}wei`], re: /invalid --amount "9{78}wei": too large/ },
    { argv: ["job", "deposit", "--amount", ""], re: /option --amount needs a non-empty value/ },
    { argv: ["job", "deposit", "--amount"], re: /Option '--amount <value>' argument missing/ },
    { argv: ["job", "deposit", "--amount", "1", "--amount", "2"], re: /option --amount is given more than once/ },
    { argv: ["job", "deposit", "--amount", "1", "--private-key", "0x00"], re: /invalid --private-key: must be a 0x-prefixed 32-byte hex private key/ },
    { argv: ["job", "deposit", "--amount", "1", "--rpc-url", "ftp://x"], re: /invalid --rpc-url "ftp:\/\/x": must be http\(s\) or ws\(s\)/ },
    { argv: ["job", "deposit", "--amount", "1", "--deployment", "@dir/none.json"], re: /invalid --deployment \S+none\.json: no such file/ },
    { argv: ["job", "deposit", "10", "--amount", "1"], re: /unexpected argument "10"/ },
  ],
  "(group)": [
    { argv: ["job"], re: /usage: proofmesh job <command>/ },
    { argv: ["job", "launch"], re: /unknown command "launch" \(expected one of: submit, status, deposit\)/ },
  ],
};

const AUDIT_CASES: Case[] = [
  { argv: ["audit"], re: /proofmesh audit: missing <jobId>/ },
  { argv: ["audit", "-1"], re: /invalid argument "-1": must not be negative/ },
  { argv: ["audit", "1.5"], re: /invalid <jobId> "1\.5"/ },
  { argv: ["audit", "0x"], re: /invalid <jobId> "0x"/ },
  { argv: ["audit", "1", "2"], re: /unexpected argument "2"/ },
  { argv: ["audit", "1", "--coordinator", "ftp://x"], re: /invalid --coordinator "ftp:\/\/x": must be http\(s\)/ },
  { argv: ["audit", "1", "--rpc-url", ""], re: /option --rpc-url needs a non-empty value/ },
  { argv: ["audit", "1", "--deployment", "@dir/none.json"], re: /invalid --deployment \S+none\.json: no such file/ },
  { argv: ["audit", "1", "--deployment", "a.json", "--deployment", "b.json"], re: /option --deployment is given more than once/ },
  { argv: ["audit", "1", "--json=true"], re: /Option '--json' does not take an argument/ },
  { argv: ["audit", "1", "--fix"], re: /Unknown option '--fix'/ },
  { argv: ["audit", "model"], re: /proofmesh audit: missing <model> \(a model id of the manifest/ },
  { argv: ["audit", "model", "no-such-model"], re: /proofmesh audit: unknown <model> "no-such-model": not in the manifest \(known: mnist-mlp-784-64-32-10/ },
  { argv: ["audit", "model", "0x12"], re: /invalid <model> "0x12": a 0x model id must be 32 bytes/ },
  { argv: ["audit", "model", DEFAULT_MODEL_ID, "extra"], re: /unexpected argument "extra"/ },
  { argv: ["audit", "model", DEFAULT_MODEL_ID, "--coordinator", "ftp://x"], re: /invalid --coordinator "ftp:\/\/x": must be http\(s\)/ },
  { argv: ["audit", "model", DEFAULT_MODEL_ID, "--deployment", "@dir/none.json"], re: /invalid --deployment \S+none\.json: no such file/ },
  { argv: ["audit", "model", DEFAULT_MODEL_ID, "--rpc-url", "@dead"], code: 1, re: /proofmesh audit: cannot reach the RPC endpoint http:\/\/127\.0\.0\.1:\d+/ },
];

const TOP_CASES: Case[] = [
  { argv: [], re: /usage: proofmesh <group> <command>/ },
  { argv: ["frob"], re: /proofmesh: unknown command group "frob" \(expected one of: node, model, job, audit\)/ },
  { argv: ["NODE", "status"], re: /unknown command group "NODE"/ },
  { argv: ["--json"], re: /unknown command group "--json"/ },
];

/** `--help` (and `help`) anywhere it is offered: exit 0, usage on stdout, nothing on stderr. */
const HELP: { argv: string[]; re: RegExp }[] = [
  { argv: ["--help"], re: /usage: proofmesh <group>/ },
  { argv: ["-h"], re: /usage: proofmesh <group>/ },
  { argv: ["help"], re: /usage: proofmesh <group>/ },
  { argv: ["node", "--help"], re: /usage: proofmesh node <command>/ },
  { argv: ["node", "help"], re: /usage: proofmesh node <command>/ },
  ...["init", "register", "join", "leave", "stake", "unbond", "withdraw", "faucet", "status"].map((cmd) => ({ argv: ["node", cmd, "--help"], re: /usage: proofmesh node <command>/ })),
  { argv: ["node", "serve", "--help"], re: /usage: proofmesh node serve/ },
  { argv: ["node", "stake", "-h"], re: /usage: proofmesh node <command>/ },
  { argv: ["node", "ceremony", "contribute", "--help"], re: /usage: proofmesh node <command>/ },
  { argv: ["node", "ceremony", "--help"], re: /usage: proofmesh node <command>/ },
  { argv: ["model", "--help"], re: /usage: proofmesh model ceremony <start\|finalize>/ },
  { argv: ["model", "help"], re: /usage: proofmesh model ceremony <start\|finalize>/ },
  { argv: ["model", "ceremony", "--help"], re: /usage: proofmesh model ceremony <start\|finalize>/ },
  { argv: ["model", "ceremony", "start", "--help"], re: /usage: proofmesh model ceremony <start\|finalize>/ },
  { argv: ["model", "ceremony", "finalize", "-h"], re: /usage: proofmesh model ceremony <start\|finalize>/ },
  { argv: ["audit", "model", "--help"], re: /usage: proofmesh audit <jobId>/ },
  { argv: ["job", "--help"], re: /usage: proofmesh job <command>/ },
  { argv: ["job", "help"], re: /usage: proofmesh job <command>/ },
  ...["submit", "status", "deposit"].map((cmd) => ({ argv: ["job", cmd, "--help"], re: /usage: proofmesh job <command>/ })),
  { argv: ["audit", "--help"], re: /usage: proofmesh audit <jobId>/ },
  { argv: ["audit", "help"], re: /usage: proofmesh audit <jobId>/ },
];

/** Through bin/proofmesh as child processes (cwd = an empty folder `dir`; no PROOFMESH_* variables). */
const BIN_CASES: { argv: (dir: string) => string[]; code: number; re: RegExp; stdout?: RegExp }[] = [
  { argv: () => [], code: 2, re: /^usage: proofmesh <group> <command>/ },
  { argv: () => ["frob"], code: 2, re: /^proofmesh: unknown command group "frob"/ },
  { argv: (dir) => ["node", "init", "--home", join(dir, "fresh"), "--operator-key", KEY_ZERO, "--chain-id", "1"], code: 2, re: /^proofmesh node init: --operator-key is not a valid secp256k1 private key/ },
  { argv: (dir) => ["node", "stake", "-5", "--home", join(dir, "fresh")], code: 2, re: /^proofmesh node stake: "-5" is negative/ },
  { argv: () => ["audit", "0xZZ"], code: 2, re: /^proofmesh audit: invalid <jobId> "0xZZ"/ },
  { argv: () => ["model", "ceremony", "start"], code: 2, re: /^proofmesh model ceremony start: <model> is required/ },
];
type BinResult = { code: number | null; stdout: string; stderr: string };

function runBin(dir: string): Promise<BinResult[]> {
  const env = Object.fromEntries(Object.entries(readEnv()).filter(([k]) => !k.startsWith("PROOFMESH_"))) as Record<string, string>;
  return Promise.all(
    BIN_CASES.map(
      (k) =>
        new Promise<BinResult>((resolve) => {
          const child = spawn(join(ROOT, "bin/proofmesh"), k.argv(dir), { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
          child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
          const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
          child.on("exit", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
          });
        }),
    ),
  );
}

describe("proofmesh CLI: missing and invalid arguments (issue 8)", { timeout: 240_000 }, () => {
  const c = {} as Ctx;
  let initial: string;
  let binDir: string;
  let binRuns: Promise<BinResult[]>;

  before(async () => {
    c.t = await startTestChain();
    c.dir = c.t.dir;
    c.fresh = 0;
    await c.t.createCluster("100");
    c.env = { PROOFMESH_RPC_URL: c.t.rpcUrl, PROOFMESH_DEPLOYMENTS: c.t.deploymentsDir, PROOFMESH_COORDINATOR_URL: `http://127.0.0.1:${await freePort()}`, PROOFMESH_PRIVATE_KEY: DEV_KEYS[1]! };
    c.deadRpc = `http://127.0.0.1:${await freePort()}`;
    c.homeA = join(c.dir, "home-a");
    c.homeB = join(c.dir, "home-b");
    c.file = join(c.dir, "a-file");
    writeFileSync(c.file, "not a directory\n");
    c.emptyDir = join(c.dir, "empty");
    mkdirSync(c.emptyDir);
    c.dApp = privateKeyToAccount(DEV_KEYS[1]!).address;
    // relative paths (the default home ./.proofmesh/<name>) land in the test's folder, never in the repository
    process.chdir(c.dir);

    const ok = async (argv: string[]) => {
      const r = await runCli(argv, c.env);
      assert.equal(r.code, 0, `setup ${argv.join(" ")}: ${r.err}`);
      return r;
    };
    const a = await ok(["init", "--home", c.homeA, "--chain-id", String(c.t.chainId), "--json"]);
    const operatorA = a.json!.operator as `0x${string}`;
    const b = await ok(["init", "--home", c.homeB, "--chain-id", String(c.t.chainId), "--json"]);
    await c.t.fundEth(operatorA);
    await c.t.fundEth(b.json!.operator as `0x${string}`);
    await c.t.mint(operatorA, "1000");
    await c.t.mint(c.dApp, "1000");
    await ok(["register", "--home", c.homeA, "--endpoint", "http://127.0.0.1:8701", "--cluster", "1", "--memory-bytes", "1000000000", "--models", DEFAULT_MODEL_ID]);
    await ok(["stake", "200", "--home", c.homeA]);
    initial = await snapshot(c);
    // the child processes (seconds of module loading each) run while the in-process cases do; not
    // during the chain's start and the setup, which have time limits
    binDir = mkdtempSync(join(tmpdir(), "proofmesh-cli-bin-"));
    binRuns = runBin(binDir);
  });
  after(async () => {
    process.chdir(ROOT);
    if (binDir) {
      await binRuns;
      rmSync(binDir, { recursive: true, force: true });
    }
    await c.t?.stop();
  });

  const caseTests = (group: string, cases: Case[], withJson: boolean) => {
    for (const k of cases) {
      it(`${group}: ${k.argv.slice(group === "top" ? 0 : 1).join(" ") || "(no arguments)"}${k.env ? ` with ${JSON.stringify(k.env)}` : ""} → exit ${k.code ?? 2}`, async () => {
        await check(c, k, false);
        if (withJson && !k.noJson) await check(c, k, true);
        assert.equal(await snapshot(c), initial, "the chain or a home changed");
      });
    }
  };

  describe("proofmesh", () => caseTests("top", TOP_CASES, false));
  for (const [cmd, cases] of Object.entries(NODE_CASES)) describe(`proofmesh node ${cmd}`, () => caseTests(`node ${cmd}`, cases, true));
  for (const [cmd, cases] of Object.entries(JOB_CASES)) describe(`proofmesh job ${cmd}`, () => caseTests(`job ${cmd}`, cases, false));
  for (const [cmd, cases] of Object.entries(MODEL_CASES)) describe(`proofmesh model ${cmd}`, () => caseTests(`model ${cmd}`, cases, true));
  describe("proofmesh audit", () => caseTests("audit", AUDIT_CASES, false));

  it("--help / help exits 0 with the usage on stdout and nothing on stderr", async () => {
    for (const h of HELP) {
      const r = await runMain(h.argv, c.env);
      assert.equal(r.code, 0, `proofmesh ${h.argv.join(" ")}: ${r.err}`);
      assert.match(r.out, h.re, h.argv.join(" "));
      assert.equal(r.err, "", h.argv.join(" "));
    }
  });

  it("the same checks in the real process (bin/proofmesh): exit code, message, no stack trace", async () => {
    const results = await binRuns;
    for (const [i, k] of BIN_CASES.entries()) {
      const r = results[i]!;
      const label = `bin/proofmesh ${k.argv(binDir).join(" ")}`;
      const stderr = r.stderr.replace(/^\(node:\d+\) ExperimentalWarning: SQLite.*\n.*--trace-warnings.*\n/m, "");
      assert.equal(r.code, k.code, `${label}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      assert.match(stderr.trim(), k.re, label);
      assert.doesNotMatch(`${r.stdout}\n${r.stderr}`, /^\s+at /m, `${label}: stack trace`);
      if (k.stdout) assert.match(r.stdout, k.stdout, label);
      else assert.equal(r.stdout, "", label);
    }
    assert.equal(existsSync(join(binDir, "fresh")), false, "a failed init created its home");
    assert.deepEqual(readdirSync(binDir), [], "a failed command wrote into its working directory");
  });

  it("afterwards: no transaction was sent, the homes are unchanged, nothing was created in the working directory", async () => {
    assert.equal(await snapshot(c), initial);
    assert.equal(existsSync(join(c.dir, ".proofmesh")), false);
  });
});
