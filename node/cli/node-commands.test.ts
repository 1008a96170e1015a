/**
 * Operator CLI end to end against a child `hardhat node` with ProofMesh deployed by the real
 * deploy script: init → register → stake → status → join/leave → unbond → withdraw, and each
 * specific failure (exit code + message naming the problem).
 * (The StakeRegistry stakes per registered node, so `stake` before `register` is itself a failure case.)
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseEther } from "viem";
import { ROOT } from "../../prover/paths.ts";
import { freePort, runCli, startTestChain, type TestChain } from "../test-chain.ts";

describe("proofmesh node CLI (child hardhat node)", { timeout: 150_000 }, () => {
  let t: TestChain;
  let env: Record<string, string>;
  let homeA: string;
  let homeB: string;
  let operatorA: `0x${string}`;
  let deadPort: number;

  before(async () => {
    t = await startTestChain();
    await t.createCluster("100");
    env = { PROOFMESH_RPC_URL: t.rpcUrl, PROOFMESH_DEPLOYMENTS: t.deploymentsDir };
    homeA = join(t.dir, "a");
    homeB = join(t.dir, "b");
    deadPort = await freePort();
  });
  after(async () => {
    await t?.stop();
  });

  it("init creates keys + config and refuses to overwrite", async () => {
    const r = await runCli(["init", "--home", homeA, "--endpoint", "http://127.0.0.1:1", "--json"], env);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json?.ok, true);
    assert.equal(r.json?.chainId, t.chainId);
    operatorA = r.json?.operator as `0x${string}`;
    assert.match(operatorA, /^0x[0-9a-fA-F]{40}$/);
    const again = await runCli(["init", "--home", homeA], env);
    assert.equal(again.code, 1);
    assert.match(again.err, /already exists: refusing to overwrite/);
    assert.equal((await runCli(["init", "--home", homeB, "--json"], env)).code, 0);
  });

  it("missing / invalid arguments: exit 2 and the message names the argument", async () => {
    const noCluster = await runCli(["register", "--home", homeA, "--memory-bytes", "1", "--models", "x"], env);
    assert.equal(noCluster.code, 2);
    assert.match(noCluster.err, /--cluster is required/);
    const noAmount = await runCli(["stake", "--home", homeA], env);
    assert.equal(noAmount.code, 2);
    assert.match(noAmount.err, /<amount> is required/);
    const badAmount = await runCli(["stake", "ten", "--home", homeA, "--json"], env);
    assert.equal(badAmount.code, 2);
    assert.equal(badAmount.json?.code, "INVALID_ARGUMENT");
    assert.match(badAmount.err, /"ten" is not a token amount/);
    const unknown = await runCli(["status", "--home", homeA, "--frobnicate"], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown option --frobnicate/);
    const unknownCmd = await runCli(["fly"], env);
    assert.equal(unknownCmd.code, 2);
    const noRpc = await runCli(["status", "--home", homeB], { PROOFMESH_DEPLOYMENTS: t.deploymentsDir });
    // homeB was initialised with the env RPC URL in its config, so status works without env; a fresh home without one must fail
    const homeC = join(t.dir, "c");
    await runCli(["init", "--home", homeC, "--chain-id", String(t.chainId)], {});
    const noRpcC = await runCli(["status", "--home", homeC], { PROOFMESH_DEPLOYMENTS: t.deploymentsDir });
    assert.equal(noRpc.code, 0, noRpc.err);
    assert.equal(noRpcC.code, 2);
    assert.match(noRpcC.err, /--rpc-url is required/);
    const noHome = await runCli(["status", "--home", join(t.dir, "nope")], env);
    assert.equal(noHome.code, 1);
    assert.match(noHome.err, /no node config .* run `proofmesh node init` first/s);
  });

  it("RPC unreachable, wrong chain id and deployments for another chain are specific failures", async () => {
    const down = await runCli(["status", "--home", homeA, "--rpc-url", `http://127.0.0.1:${deadPort}`, "--json"], env);
    assert.equal(down.code, 1);
    assert.equal(down.json?.code, "RPC_UNREACHABLE");
    assert.match(down.err, new RegExp(`cannot reach the RPC endpoint http://127.0.0.1:${deadPort}`));

    const otherDir = join(t.dir, "other-deployments");
    mkdirSync(otherDir);
    copyFileSync(join(t.deploymentsDir, `${t.chainId}.json`), join(otherDir, "11155111.json"));
    const wrongDeployments = await runCli(["status", "--home", homeA, "--deployments", otherDir, "--json"], env);
    assert.equal(wrongDeployments.code, 1);
    assert.equal(wrongDeployments.json?.code, "WRONG_CHAIN");
    assert.match(wrongDeployments.err, new RegExp(`RPC is chain ${t.chainId} but .* only has deployments for chain\\(s\\) 11155111`));

    const homeD = join(t.dir, "d");
    await runCli(["init", "--home", homeD, "--chain-id", "5"], {});
    const wrongChain = await runCli(["status", "--home", homeD, "--json"], env);
    assert.equal(wrongChain.json?.code, "WRONG_CHAIN");
    assert.match(wrongChain.err, new RegExp(`is chain ${t.chainId}, but this node was initialised for chain 5`));
  });

  it("stake before register, register without gas, unknown cluster", async () => {
    const early = await runCli(["stake", "10", "--home", homeA, "--json"], env);
    assert.equal(early.code, 1);
    assert.equal(early.json?.code, "NOT_REGISTERED");
    assert.match(early.err, /has no node on chain/);
    const args = ["register", "--home", homeA, "--endpoint", "http://127.0.0.1:8701", "--memory-bytes", "1000000000", "--models", "mnist-mlp-784-64-32-10", "--json"];
    const noGas = await runCli([...args, "--cluster", "1"], env);
    assert.equal(noGas.json?.code, "INSUFFICIENT_GAS_FUNDS");
    await t.fundEth(operatorA);
    const unknownCluster = await runCli([...args, "--cluster", "9"], env);
    assert.equal(unknownCluster.code, 1);
    assert.equal(unknownCluster.json?.code, "UNKNOWN_CLUSTER");
    assert.match(unknownCluster.err, /cluster 9 does not exist \(known clusters: 1\.\.1\)/);
    const unknownModel = await runCli(["register", "--home", homeA, "--cluster", "1", "--memory-bytes", "1", "--models", "no-such-model", "--json"], env);
    assert.equal(unknownModel.json?.code, "UNKNOWN_MODEL");
  });

  it("register, then 'already registered'", async () => {
    const ok = await runCli(["register", "--home", homeA, "--endpoint", "http://127.0.0.1:8701", "--cluster", "1", "--memory-bytes", "1000000000", "--models", "mnist-mlp-784-64-32-10"], env);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /registerNode: sent 0x[0-9a-f]{64}/);
    assert.match(ok.out, /registerNode: mined in block \d+ \(gas \d+\)/);
    assert.match(ok.out, /registered node 1 .* at http:\/\/127\.0\.0\.1:8701/);
    const again = await runCli(["register", "--home", homeA, "--cluster", "1", "--memory-bytes", "1", "--models", "mnist-mlp-784-64-32-10", "--json"], env);
    assert.equal(again.code, 1);
    assert.equal(again.json?.code, "ALREADY_REGISTERED");
    assert.match(again.err, /already registered as node 1/);
  });

  it("stake: insufficient balance (says how much), below the cluster minimum, insufficient allowance, then success", async () => {
    const poor = await runCli(["stake", "150", "--home", homeA, "--json"], env);
    assert.equal(poor.json?.code, "INSUFFICIENT_BALANCE");
    assert.match(poor.err, /token balance .* is 0 PMT; staking 150 PMT needs 150 PMT more/);
    await t.mint(operatorA, "1000");
    const low = await runCli(["stake", "50", "--home", homeA, "--json"], env);
    assert.equal(low.json?.code, "STAKE_BELOW_MINIMUM");
    assert.match(low.err, /would have 50 PMT staked, below cluster 1's minimum 100 PMT; stake at least 100/);
    const noAllowance = await runCli(["stake", "150", "--home", homeA, "--no-approve", "--json"], env);
    assert.equal(noAllowance.json?.code, "INSUFFICIENT_ALLOWANCE");
    assert.match(noAllowance.err, /allowance is 0 PMT, 150 PMT needed/);
    const ok = await runCli(["stake", "150", "--home", homeA, "--json"], env);
    assert.equal(ok.code, 0, ok.err);
    const txs = ok.json?.txs as { label: string; hash: string; blockNumber: string; gasUsed: string }[];
    assert.deepEqual(txs.map((x) => x.label), ["approve", "stake"]);
    assert.equal(ok.json?.stake, parseEther("150").toString());
    assert.match(ok.err, /stake: sent 0x/); // progress on stderr in --json mode
  });

  it("status: stake, cluster, eligibility, assignments, earnings; coordinator 'unreachable'", async () => {
    const r = await runCli(["status", "--home", homeA, "--coordinator", `http://127.0.0.1:${deadPort}`, "--json"], env);
    assert.equal(r.code, 0, r.err);
    const j = r.json as Record<string, any>;
    assert.equal(j.registered, true);
    assert.equal(j.nodeId, 1);
    assert.equal(j.node.stake, parseEther("150").toString());
    assert.equal(j.node.clusterId, 1);
    assert.equal(j.cluster.minStake, parseEther("100").toString());
    assert.equal(j.eligible, true);
    assert.equal(j.openJobStages, "0");
    assert.equal(j.earnings, "0");
    assert.equal(j.signerMatchesChain, true);
    assert.equal(j.coordinator.reachable, false);
    assert.equal(j.daemon.reachable, false);
    const human = await runCli(["status", "--home", homeA, "--coordinator", `http://127.0.0.1:${deadPort}`], env);
    assert.match(human.out, /stake 150 PMT/);
    assert.match(human.out, /eligible for jobs/);
    assert.match(human.out, /coordinator: unreachable at http:\/\/127\.0\.0\.1:\d+/);
  });

  it("join / leave with their failures (already in cluster, stake below minimum)", async () => {
    const inCluster = await runCli(["join", "1", "--home", homeA, "--json"], env);
    assert.equal(inCluster.json?.code, "ALREADY_IN_CLUSTER");
    assert.equal((await runCli(["leave", "--home", homeA], env)).code, 0);
    assert.equal((await runCli(["leave", "--home", homeA, "--json"], env)).json?.code, "NOT_IN_CLUSTER");
    const joined = await runCli(["join", "1", "--home", homeA, "--json"], env);
    assert.equal(joined.code, 0, joined.err);

    const b = (await runCli(["status", "--home", homeB, "--json"], env)).json as Record<string, any>;
    await t.fundEth(b.operator);
    assert.equal((await runCli(["register", "--home", homeB, "--endpoint", "http://127.0.0.1:8702", "--cluster", "0", "--memory-bytes", "1", "--models", "mnist-mlp-784-64-32-10"], env)).code, 0);
    const under = await runCli(["join", "1", "--home", homeB, "--json"], env);
    assert.equal(under.json?.code, "STAKE_BELOW_MINIMUM");
    assert.match(under.err, /has 0 PMT staked, below cluster 1's minimum 100 PMT/);
    const missing = await runCli(["join", "7", "--home", homeB, "--json"], env);
    assert.equal(missing.json?.code, "UNKNOWN_CLUSTER");
  });

  it("unbond then withdraw after the unbonding period (evm_increaseTime)", async () => {
    const tooMuch = await runCli(["unbond", "500", "--home", homeA, "--json"], env);
    assert.equal(tooMuch.json?.code, "AMOUNT_EXCEEDS_STAKE");
    const nothing = await runCli(["withdraw", "--home", homeA, "--json"], env);
    assert.equal(nothing.json?.code, "NOTHING_UNBONDING");
    const unbond = await runCli(["unbond", "50", "--home", homeA, "--json"], env);
    assert.equal(unbond.code, 0, unbond.err);
    assert.equal(unbond.json?.unbonding, parseEther("50").toString());
    const early = await runCli(["withdraw", "--home", homeA, "--json"], env);
    assert.equal(early.code, 1);
    assert.equal(early.json?.code, "UNBONDING_NOT_FINISHED");
    assert.match(early.err, /ends at .* \(in \d+ s of chain time\)/);
    const period = await t.contracts.stake.read.unbondingPeriod();
    await t.rpc("evm_increaseTime", [Number(period) + 1]);
    await t.rpc("evm_mine");
    const before = await t.contracts.token.read.balanceOf([operatorA]);
    const ok = await runCli(["withdraw", "--home", homeA, "--json"], env);
    assert.equal(ok.code, 0, ok.err);
    assert.equal((await t.contracts.token.read.balanceOf([operatorA])) - before, parseEther("50"));
    const earnings = await runCli(["withdraw", "--earnings", "--home", homeA, "--json"], env);
    assert.equal(earnings.json?.code, "NOTHING_TO_WITHDRAW");
  });

  it("the bin/proofmesh binary runs the same commands (child process, --json)", async () => {
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(join(ROOT, "bin/proofmesh"), ["node", "status", "--home", homeA, "--json"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout });
      });
    });
    assert.equal(out.code, 0);
    const j = JSON.parse(out.stdout.trim().split("\n").pop()!) as Record<string, any>;
    assert.equal(j.ok, true);
    assert.equal(j.node.stake, parseEther("100").toString());
  });
});
