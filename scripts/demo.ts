/**
 * `npm run demo` — the whole mission, for real, on an embedded local chain:
 * a Hardhat node, the contracts with the generated verifiers, a coordinator, and four node
 * processes in two clusters with different injected network latencies, each set up through
 * the operator CLI; nodes' memory is set so the default model must be pipeline-sharded.
 * A dApp submits paid jobs (MNIST test digits) through the SDK, sees each answer at once and
 * again when its proofs settle on chain; an auditor re-verifies settled jobs independently.
 * Ends with a summary table; everything it started is stopped on exit or Ctrl-C.
 *
 * Flags: --jobs <n> (default 20), --audits <n> (3), --work-dir <dir> (.proofmesh/demo).
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createWalletClient, formatEther, http, parseEther, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { jobMarketAbi, stakeRegistryAbi } from "../contracts/abi/index.ts";
import { attemptForgery } from "../test/harness/forgery.ts";
import { loadMnist } from "../prover/data/mnist.ts";
import { getModelManifest } from "../prover/manifest.ts";
import { DEFAULT_MODEL_ID } from "../prover/models/config.ts";
import { releaseProverThreads } from "../prover/release.ts";
import { createProofMeshClient, parseDeployment } from "../sdk/index.ts";
import { cli, proveMsByStage, startLocalMesh, type NodeSpec } from "../test/harness/local-mesh.ts";

const ROOT = resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { jobs: { type: "string", default: "20" }, audits: { type: "string", default: "3" }, "work-dir": { type: "string", default: join(ROOT, ".proofmesh/demo") } } });
const JOBS = Number(values.jobs);
const AUDITS = Number(values.audits);
if (!Number.isInteger(JOBS) || JOBS < 1 || JOBS > 200) throw new Error("--jobs must be an integer in 1..200");

const t0 = Date.now();
const say = (m: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};

/** Builds what a fresh clone lacks (proving keys, compiled contracts); both steps are cached. */
function prepare(): void {
  for (const [what, args] of [
    ["circuits and proving keys (first run: ~5 min, then cached)", [join(ROOT, "prover/build/build-circuits.ts")]],
    ["contracts (offline solc)", [join(ROOT, "node_modules/hardhat/dist/src/cli.js"), "build", "--quiet"]],
  ] as const) {
    say(`build: ${what}`);
    const r = spawnSync(process.execPath, [...args], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
    if (r.status !== 0) throw new Error(`build of ${what} failed (exit ${r.status})`);
  }
}

async function main(): Promise<number> {
  prepare();
  const model = getModelManifest({ modelId: DEFAULT_MODEL_ID });
  const total = model.shards.reduce((s, x) => s + x.memoryBytes, 0);
  const largest = Math.max(...model.shards.map((s) => s.memoryBytes));
  // Each node holds its largest shard but not the whole model: the model must be sharded.
  const memoryBytes = BigInt(Math.ceil((largest + Math.min(total - largest, largest) / 2) / 1e6) * 1e6);
  say(`model ${DEFAULT_MODEL_ID}: ${model.shards.length} shards, ${(total / 1e6).toFixed(1)} MB in all; node capacity ${Number(memoryBytes) / 1e6} MB → pipeline-sharded`);
  const shardArg = (k: number) => `${DEFAULT_MODEL_ID}:${k}`;
  const nodes: (NodeSpec & { shards: string })[] = [
    { name: "eu-a", clusterId: 1, oneWayDelayMs: 2, memoryBytes, stake: "150", shards: shardArg(0) },
    { name: "eu-b", clusterId: 1, oneWayDelayMs: 3, memoryBytes, stake: "150", shards: shardArg(1) },
    { name: "us-a", clusterId: 2, oneWayDelayMs: 12, memoryBytes, stake: "150", shards: shardArg(0) },
    { name: "us-b", clusterId: 2, oneWayDelayMs: 15, memoryBytes, stake: "150", shards: shardArg(1) },
  ];
  const mesh = await startLocalMesh({
    workDir: values["work-dir"]!,
    clusters: [
      { label: "eu-west", region: "eu-west-1", minStake: "100" },
      { label: "us-east", region: "us-east-1", minStake: "100" },
    ],
    nodes,
    modelId: DEFAULT_MODEL_ID,
    log: say,
    // The model's keys come from a ceremony among the four operators (coordinator API + CLI), finished
    // with the hash of a block announced at its start, and registered with the record on chain.
    ceremony: true,
  });
  try {
    const deployment = parseDeployment({ raw: mesh.deployment });
    const account = privateKeyToAccount(mesh.dAppKey as Hex);
    const walletClient = createWalletClient({ chain: mesh.publicClient.chain, transport: http(mesh.rpcUrl), account });
    const client = createProofMeshClient({ coordinatorUrl: mesh.coordinatorUrl, publicClient: mesh.publicClient as never, walletClient: walletClient as never, deployment });
    say(`dApp ${account.address}: deposit 100 PMT into the JobMarket`);
    await client.deposit({ amount: parseEther("100") });

    const digits = loadMnist().test.slice(0, JOBS);
    const fast: number[] = [];
    const settle: number[] = [];
    let correct = 0;
    let settledCorrect = 0;
    const jobs: { jobId: bigint; label: number; result: number; cluster: number; tAnswer: number }[] = [];
    say(`submitting ${JOBS} paid jobs (MNIST held-out digits), alternating clusters`);
    const settlements: Promise<void>[] = [];
    for (const [i, d] of digits.entries()) {
      const clusterId = 1 + (i % 2);
      const t = performance.now();
      const { jobId, answer } = await client.submitJob({ input: Array.from(d.pixels), clusterId });
      const ms = performance.now() - t;
      fast.push(ms);
      if (answer.result === d.label) correct++;
      const route = answer.route.map((r) => `s${r.stage}→node ${r.nodeId}`).join(", ");
      say(`job ${i + 1}/${JOBS} answered in ${ms.toFixed(1)} ms: ${answer.result} (label ${d.label}) [tentative; cluster ${clusterId}; ${route}]`);
      const job = { jobId, label: d.label, result: answer.result, cluster: clusterId, tAnswer: performance.now() };
      jobs.push(job);
      settlements.push(
        client.waitForSettlement({ jobId, expectedResult: BigInt(answer.result), timeoutMs: 600_000 }).then((s) => {
          const ms2 = performance.now() - job.tAnswer;
          settle.push(ms2);
          if (Number(s.result) === d.label) settledCorrect++;
          say(`job ${i + 1} settled on chain ${(ms2 / 1000).toFixed(1)} s after its answer: result ${s.result} verified (tx ${s.txHash.slice(0, 10)}…)`);
        }, (e: unknown) => say(`job ${i + 1} did NOT settle: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`)),
      );
    }
    await Promise.all(settlements);

    say(`auditing the model's keys from public data only: proofmesh audit model ${DEFAULT_MODEL_ID}`);
    const auditModel = await cli(mesh.group, "audit-model", ["audit", "model", DEFAULT_MODEL_ID, "--rpc-url", mesh.rpcUrl, "--deployment", join(mesh.deploymentsDir, `${mesh.chainId}.json`), "--coordinator", mesh.coordinatorUrl]);
    for (const line of auditModel.out.trim().split("\n")) say(`  ${line}`);
    say(`proofmesh audit model: ${auditModel.code === 0 ? "OK" : `FAILED (exit ${auditModel.code})`}`);
    const forgery = await attemptForgery({ mesh, model: DEFAULT_MODEL_ID });
    say(`forgery (A = alpha, B = beta, C = -delta^-1·vk_x with delta from the public beacon) against the registered verifiers: ${forgery.map((f) => `shard ${f.shard} ${f.accepted ? "ACCEPTED" : "refused"}`).join(", ")}`);

    say(`auditing ${AUDITS} settled jobs with the independent noble verifier and the chain's events`);
    let auditsOk = 0;
    for (const job of jobs.slice(0, AUDITS)) {
      const audit = await client.auditJob({ jobId: job.jobId });
      const failed = audit.verdicts.filter((v) => v.status === "fail");
      say(`audit ${job.jobId.toString(16).slice(-8)}: ${audit.ok ? "OK" : "FAILED"} — ${audit.verdicts.filter((v) => v.status === "pass").length} checks passed${failed.length ? `, failed: ${failed.map((f) => f.check).join(", ")}` : ""}`);
      if (audit.ok) auditsOk++;
    }

    // ---- summary
    const market = deployment.contracts.JobMarket.address;
    const gas: number[] = [];
    for (const job of jobs) {
      const trace = (await client.getJobTrace({ jobId: job.jobId })) as any;
      const hashes = new Set<string>([trace.creation?.txHash, trace.assignment?.txHash, ...(trace.stages ?? []).map((s: any) => s.txHash)].filter(Boolean));
      let g = 0;
      for (const h of hashes) g += Number((await mesh.publicClient.getTransactionReceipt({ hash: h as Hex })).gasUsed);
      gas.push(g);
    }
    const proveMs = await proveMsByStage(mesh.nodes);
    const rows: [string, string][] = [
      ["jobs (answered / settled)", `${jobs.length} / ${settle.length}`],
      ["accuracy (fast path / settled)", `${((100 * correct) / jobs.length).toFixed(1)}% / ${((100 * settledCorrect) / Math.max(1, settle.length)).toFixed(1)}%`],
      ["fast-path latency p50 / p95 (SDK → answer)", `${pct(fast, 50).toFixed(1)} / ${pct(fast, 95).toFixed(1)} ms`],
      ["time to settlement p50 / p95 (after answer)", `${(pct(settle, 50) / 1000).toFixed(1)} / ${(pct(settle, 95) / 1000).toFixed(1)} s`],
      ...[...proveMs.entries()].sort().map(([k, [sum, count]]) => [`proving time, stage ${k} (mean)`, count ? `${(sum / count).toFixed(0)} ms over ${count} proofs` : "n/a"] as [string, string]),
      ["gas per job (create+assign, stages, settle)", `${pct(gas, 50).toLocaleString()} median`],
      ["audits", `${auditsOk}/${Math.min(AUDITS, jobs.length)} OK`],
      ["ceremony (operators' contributions + beacon)", mesh.ceremony ? `${mesh.ceremony.contributions.length} + block ${mesh.ceremony.beacon.blockNumber}, ${(mesh.ceremony.totalMs / 1000).toFixed(1)} s start → registered` : "n/a"],
      ["audit model / forgery", `${auditModel.code === 0 ? "OK" : "FAILED"} / ${forgery.some((f) => f.accepted) ? "ACCEPTED" : "refused by every verifier"}`],
    ];
    for (const n of mesh.nodes) {
      const earned = (await mesh.publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "balanceOf", args: [n.operator] })) as bigint;
      const node = (await mesh.publicClient.readContract({ address: deployment.contracts.StakeRegistry.address, abi: stakeRegistryAbi, functionName: "getNode", args: [n.nodeId] })) as any;
      rows.push([`node ${n.name} (cluster ${n.clusterId}, +${n.oneWayDelayMs} ms)`, `earned ${formatEther(earned)} PMT; stake ${formatEther(node.stake ?? 0n)} PMT; slashed ${formatEther(node.slashed ?? 0n)} PMT`]);
    }
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(`\n${"=".repeat(w + 40)}\nProofMesh demo summary (${new Date().toISOString()})\n${"-".repeat(w + 40)}`);
    for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
    console.log(`${"=".repeat(w + 40)}\nlogs: ${mesh.group.logDir}`);
    return settle.length === jobs.length && auditsOk === Math.min(AUDITS, jobs.length) && auditModel.code === 0 && !forgery.some((f) => f.accepted) ? 0 : 1;
  } finally {
    say("stopping every process");
    await mesh.stop();
    await releaseProverThreads();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
