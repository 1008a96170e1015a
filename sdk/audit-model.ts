/**
 * The model auditor: checks, from public data only, that a registered model's keys came from the
 * ceremony its ModelRegistry record describes, and that the verifiers the registry uses are the
 * ones those keys give.
 *
 * Trust roots: the chain (ModelRegistry.ceremonyOf / getShards, block hashes, deployed code) and
 * this machine's own build (the manifest's initial zkeys, checked against r1cs + ptau by
 * `npm run build:circuits`, and the powers of tau). The coordinator only serves bytes, fetched by
 * the on-chain hashes and checked against them.
 *
 * One verdict per check (the CLI prints one line each):
 *   chain.model              the model is registered; ceremonyOf has one key pair per shard
 *   ceremony.ptau            on-chain ptauHash = the manifest's = sha256 of the local ptau file
 *   ceremony.beacon-block    on-chain beaconHash = the hash of block beaconBlock, read from the chain
 *   shard.zkey-fetch[k]      the final zkey, fetched by its on-chain zkeyHash (sha256 checked)
 *   shard.vkey-fetch[k]      the vkey file, fetched by its on-chain vkeyHash (sha256 checked)
 *   shard.initial-zkey-local[k]  this machine's initial zkey exists
 *   ceremony.transcripts     every zkey holds as many secret contributions as the chain records, then one beacon
 *   ceremony.* / shard.* / contribution.signature
 *                            prover/ceremony/verify-ceremony.ts on the record rebuilt from chain + zkeys:
 *                            zkey verify from the initial zkey, hashes, transcripts, beacon (= on-chain
 *                            beaconHash, 2^10 iterations, last), each transcriptHash = keccak of the
 *                            zkeys' contribution hashes and signed by its on-chain operator
 *   shard.vkey[k]            the vkey exported from the zkey = the fetched vkey = on-chain vkeyHash
 *   shard.verifier[k]        the registry's verifier's runtime code = solc's deployedBytecode of the
 *                            verifier exported from the zkey (prover/ceremony/export-keys.ts, deploy/compile-verifier.ts)
 * Never throws for a mismatch (that is a failed verdict); throws for bad parameters.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { pino } from "pino";
import type { Address, Hex } from "viem";

import { modelRegistryAbi } from "../contracts/abi/index.ts";
import { compileVerifier } from "../deploy/compile-verifier.ts";
import { toModelId } from "../deploy/protocol.ts";
import { exportKeys } from "../prover/ceremony/export-keys.ts";
import type { CeremonyRecord } from "../prover/ceremony/record.ts";
import { verifyCeremony } from "../prover/ceremony/verify-ceremony.ts";
import { readZkeyTranscript, type ZkeyTranscript } from "../prover/ceremony/zkey-contributions.ts";
import type { Manifest, ModelManifest } from "../prover/manifest.ts";
import { verifierContractName } from "../prover/models/config.ts";
import { downloadArtifact } from "./ceremony-api.ts";
import { ceremonyRecordFromChain, type OnChainCeremonyRecord } from "./ceremony-record.ts";
import type { ProofMeshDeployment } from "./deployment.ts";
import { InvalidParameterError } from "./errors.ts";
import { compareRuntimeCode } from "./verifier-source.ts";
import type { AuditCheckStatus } from "./audit-job.ts";
import type { SdkPublicClient } from "./types.ts";
import { bareHex as bare, sha256Hex } from "../prover/ceremony/hashes.ts";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export type ModelAuditVerdict = {
  /** stable check id (see the list at the top of sdk/audit-model.ts) */
  check: string;
  /** the shard a "shard.*" check is about */
  shard?: number;
  /** the contribution a "contribution.*" check is about */
  index?: number;
  status: AuditCheckStatus;
  /** false only when status is "fail" */
  ok: boolean;
  detail: string;
};

export type AuditModelParameters = {
  /** manifest model id ("mnist-mlp-784-64-32-10") or its 0x bytes32 on-chain id */
  model: string;
  coordinatorUrl: string;
  publicClient: SdkPublicClient;
  deployment: ProofMeshDeployment;
  /** default: this repository's prover/models/manifest.json */
  manifest?: Manifest;
  /** folder the manifest's paths are relative to (default: this repository) */
  root?: string;
  /** the fetched keys go to a fresh folder made inside this one (default: the OS temp folder), removed afterwards */
  workDir?: string;
  /** HTTP timeout per request (default 10 min for key downloads) */
  timeoutMs?: number;
  /** progress lines (downloads, verification times) */
  onProgress?: (line: string) => void;
  /** snarkjs's log (default silent) */
  log?: pino.Logger;
};

export type AuditModelReturnType = {
  model: string;
  modelId: Hex;
  /** true iff no check failed */
  ok: boolean;
  verdicts: ModelAuditVerdict[];
  /** ModelRegistry.ceremonyOf(modelId), when it could be read */
  onChain: OnChainCeremonyRecord | undefined;
  /** the record rebuilt from the chain and the zkeys' transcripts, when the zkeys could be fetched */
  record: CeremonyRecord | undefined;
};

type Outcome = { status: AuditCheckStatus; detail: string };
const pass = (detail: string): Outcome => ({ status: "pass", detail });
const fail = (detail: string): Outcome => ({ status: "fail", detail });

const msg = (e: unknown) => (e instanceof Error ? ((e as { shortMessage?: string }).shortMessage ?? e.message).split("\n")[0]! : String(e));

/** verify-ceremony.ts's check names → stable ids */
function mapCeremonyCheck(check: string): { check: string; shard?: number; index?: number } {
  const s = /^shard (\d+) (.+)$/.exec(check);
  if (s) return { check: `shard.${s[2]!.replace(/\s+/g, "-")}`, shard: Number(s[1]) };
  const c = /^contribution #(\d+) (.+)$/.exec(check);
  if (c) return { check: `contribution.${c[2]!.replace(/\s+/g, "-")}`, index: Number(c[1]) };
  return { check: `ceremony.${check.replace(/\s+/g, "-")}` };
}

function resolveModel(manifest: Manifest, model: string): ModelManifest {
  const m = manifest.models.find((x) => x.id === model || toModelId(x.id).toLowerCase() === model.toLowerCase());
  if (!m) throw new InvalidParameterError(`model "${model}" is not in the manifest (known: ${manifest.models.map((x) => x.id).join(", ")})`);
  return m;
}

export async function auditModel(parameters: AuditModelParameters): Promise<AuditModelReturnType> {
  const { coordinatorUrl, publicClient, deployment, timeoutMs } = parameters;
  const manifest = parameters.manifest ?? (JSON.parse(readFileSync(path.join(REPO_ROOT, "prover/models/manifest.json"), "utf8")) as Manifest);
  const root = parameters.root ?? REPO_ROOT;
  const say = parameters.onProgress ?? (() => {});
  const log = parameters.log ?? pino({ level: "silent" });
  const mm = resolveModel(manifest, parameters.model);
  const modelId = toModelId(mm.id).toLowerCase() as Hex;
  const registry = deployment.contracts.ModelRegistry.address;

  const verdicts: ModelAuditVerdict[] = [];
  const add = (v: { check: string; shard?: number; index?: number }, o: Outcome) => verdicts.push({ ...v, status: o.status, ok: o.status !== "fail", detail: o.detail });
  const run = async (v: { check: string; shard?: number; index?: number }, fn: () => Outcome | Promise<Outcome>): Promise<Outcome> => {
    let o: Outcome;
    try {
      o = await fn();
    } catch (e) {
      o = fail(`error: ${msg(e)}`);
    }
    add(v, o);
    return o;
  };
  // (an object, not `let`s: they are set inside the checks' callbacks)
  const got: { onChain?: OnChainCeremonyRecord; record?: CeremonyRecord } = {};
  const done = (): AuditModelReturnType => ({ model: mm.id, modelId, ok: verdicts.length > 0 && verdicts.every((v) => v.ok), verdicts, onChain: got.onChain, record: got.record });

  // ---- the on-chain record
  let shards: readonly { verifier: Address }[] = [];
  const model = await run({ check: "chain.model" }, async () => {
    const info = await publicClient.readContract({ address: registry, abi: modelRegistryAbi, functionName: "modelInfo", args: [modelId] });
    if (info.index === 0) return fail(`model ${mm.id} (${modelId}) is not registered in the ModelRegistry ${registry}`);
    shards = await publicClient.readContract({ address: registry, abi: modelRegistryAbi, functionName: "getShards", args: [modelId] });
    const onChain = (await publicClient.readContract({ address: registry, abi: modelRegistryAbi, functionName: "ceremonyOf", args: [modelId] })) as OnChainCeremonyRecord;
    got.onChain = onChain;
    if (onChain.shards.length !== shards.length) return fail(`ceremonyOf has ${onChain.shards.length} key pair(s) for ${shards.length} shard(s)`);
    if (shards.length !== mm.shards.length) return fail(`the chain has ${shards.length} shard(s), the manifest's ${mm.id} ${mm.shards.length}`);
    return pass(`${mm.id} (${modelId}): ${shards.length} shard(s), ${onChain.contributions.length} contribution(s), beacon block ${onChain.beaconBlock}`);
  });
  if (model.status === "fail" || !got.onChain) return done();
  const oc: OnChainCeremonyRecord = got.onChain;

  const ptauPath = path.resolve(root, manifest.ptau.path);
  await run({ check: "ceremony.ptau" }, () => {
    const chainPtau = bare(oc.ptauHash);
    if (chainPtau !== bare(manifest.ptau.sha256)) return fail(`on-chain ptauHash ${chainPtau} ≠ the manifest's ${manifest.ptau.sha256}`);
    if (!existsSync(ptauPath)) return fail(`no powers-of-tau file at ${ptauPath}`);
    const local = sha256Hex(readFileSync(ptauPath));
    if (local !== chainPtau) return fail(`${ptauPath} hashes to ${local}, the chain records ${chainPtau}`);
    return pass(`ptauHash ${chainPtau} = manifest = ${path.relative(root, ptauPath)}`);
  });

  await run({ check: "ceremony.beacon-block" }, async () => {
    const head = await publicClient.getBlockNumber();
    if (oc.beaconBlock > head) return fail(`beacon block ${oc.beaconBlock} is after the chain's head ${head}`);
    const block = await publicClient.getBlock({ blockNumber: oc.beaconBlock });
    if (!block.hash || block.hash.toLowerCase() !== oc.beaconHash.toLowerCase()) return fail(`block ${oc.beaconBlock} has hash ${block.hash}, the record's beaconHash is ${oc.beaconHash}`);
    return pass(`beaconHash ${oc.beaconHash} = hash of block ${oc.beaconBlock} (${new Date(Number(block.timestamp) * 1000).toISOString()})`);
  });

  // ---- the keys, fetched by their on-chain hashes
  const dir = await mkdtemp(path.join(parameters.workDir ?? tmpdir(), "proofmesh-audit-model-"));
  try {
    const zkeys: (string | undefined)[] = [];
    const vkeyFiles: (string | undefined)[] = [];
    for (const [k, keys] of oc.shards.entries()) {
      const zkeyPath = path.join(dir, `shard${k}.zkey`);
      const z = await run({ check: "shard.zkey-fetch", shard: k }, async () => {
        const r = await downloadArtifact({ coordinatorUrl, sha256: keys.zkeyHash, outPath: zkeyPath, timeoutMs });
        say(`shard ${k}: zkey ${bare(keys.zkeyHash).slice(0, 12)}… fetched (${r.bytes} bytes, ${Math.round(r.ms)} ms)`);
        return pass(`${r.bytes} bytes, sha256 = on-chain zkeyHash ${bare(keys.zkeyHash)}`);
      });
      zkeys.push(z.status === "pass" ? zkeyPath : undefined);
      const vkeyPath = path.join(dir, `shard${k}.vkey.json`);
      const v = await run({ check: "shard.vkey-fetch", shard: k }, async () => {
        const r = await downloadArtifact({ coordinatorUrl, sha256: keys.vkeyHash, outPath: vkeyPath, timeoutMs, maxBytes: 1 << 20 });
        return pass(`${r.bytes} bytes, sha256 = on-chain vkeyHash ${bare(keys.vkeyHash)}`);
      });
      vkeyFiles.push(v.status === "pass" ? vkeyPath : undefined);
    }
    const initialZkeys = mm.shards.map((s) => path.resolve(root, s.initialZkey.path));
    for (const [k, p] of initialZkeys.entries()) {
      if (!existsSync(p)) add({ check: "shard.initial-zkey-local", shard: k }, fail(`no initial zkey at ${p}: run \`npm run build:circuits\``));
    }
    const available = zkeys.every((z) => z !== undefined) && initialZkeys.every((p) => existsSync(p));
    if (!available) {
      add({ check: "ceremony.verify" }, fail("not run: a zkey could not be fetched or an initial zkey is missing"));
      return done();
    }
    const zkeyPaths = zkeys as string[];

    // ---- the record, rebuilt from the chain and the zkeys' own transcripts
    const transcripts: ZkeyTranscript[] = [];
    const read = await run({ check: "ceremony.transcripts" }, async () => {
      for (const z of zkeyPaths) transcripts.push(await readZkeyTranscript({ zkeyPath: z }));
      const rebuilt = ceremonyRecordFromChain({ model: mm.id, modelId, onChain: oc, transcripts, initialZkeySha256: mm.shards.map((s) => s.initialZkey.sha256) });
      got.record = rebuilt.record;
      if (rebuilt.problems.length) return fail(rebuilt.problems.join("; "));
      return pass(`every zkey: ${oc.contributions.length} secret contribution(s), then the beacon`);
    });
    const record = got.record;
    if (read.status === "fail" && !record) return done();

    const t0 = performance.now();
    say(`verifying the ceremony (zkey verify of ${zkeyPaths.length} shard(s) from the initial zkeys)…`);
    for (const v of await verifyCeremony({ record: record!, initialZkeys, zkeys: zkeyPaths, ptauPath, finalized: true, log })) {
      add(mapCeremonyCheck(v.check), v.ok ? pass(v.detail) : fail(v.detail));
    }
    say(`ceremony verified in ${Math.round(performance.now() - t0)} ms`);

    // ---- what the keys give: vkey and verifier
    for (const [k, zkeyPath] of zkeyPaths.entries()) {
      const contract = verifierContractName({ modelId: mm.id, shard: k });
      let exported: Awaited<ReturnType<typeof exportKeys>> | undefined;
      await run({ check: "shard.vkey", shard: k }, async () => {
        exported = await exportKeys({ zkeyPath, contract, modelId: mm.id, shard: k, log });
        const sha = sha256Hex(exported.vkeyJson);
        if (sha !== bare(oc.shards[k]!.vkeyHash)) return fail(`the vkey exported from the zkey hashes to ${sha}, on-chain vkeyHash is ${bare(oc.shards[k]!.vkeyHash)}`);
        const fetched = vkeyFiles[k];
        if (!fetched) return fail("the served vkey could not be fetched");
        if (readFileSync(fetched, "utf8") !== exported.vkeyJson) return fail("the served vkey file differs from the one exported from the zkey");
        return pass(`exported from the zkey = served = on-chain vkeyHash ${sha}`);
      });
      await run({ check: "shard.verifier", shard: k }, async () => {
        const verifier = shards[k]!.verifier;
        const code = ((await publicClient.getCode({ address: verifier })) ?? "0x").toLowerCase();
        if (code === "0x") return fail(`no code at the registry's verifier ${verifier}`);
        exported ??= await exportKeys({ zkeyPath, contract, modelId: mm.id, shard: k, log });
        const { deployedBytecode } = compileVerifier({ source: exported.verifierSource, contract });
        const same = compareRuntimeCode({ onChain: code, compiled: deployedBytecode });
        if (same === "different") return fail(`the code at ${verifier} (${(code.length - 2) / 2} bytes) is not ${contract} compiled from this zkey (${(deployedBytecode.length - 2) / 2} bytes)`);
        return pass(`code at ${verifier} = ${contract} exported from the zkey and compiled (solc 0.8.30)${same === "metadata" ? ", apart from the solc metadata hash" : ", byte for byte"}`);
      });
    }
    return done();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
