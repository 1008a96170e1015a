/**
 * The auditor: re-verifies a job from the explorer API without trusting the coordinator.
 *
 * Trust roots: the chain (events, JobMarket / StakeRegistry / ModelRegistry state including each
 * model's ceremony record, deployed verifier code). The coordinator's trace and served vkeys are
 * only claims: every field that matters is checked against the chain, and every proof is verified
 * with the independent noble BN254 verifier (prover/verify/noble.ts, never snarkjs). The keys
 * themselves (that they came from the recorded ceremony) are `auditModel`'s job (sdk/audit-model.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { getAddress, isAddressEqual, recoverTypedDataAddress, type Address, type Hash, type Hex } from "viem";

import { jobMarketAbi, modelRegistryAbi, stakeRegistryAbi } from "../contracts/abi/index.ts";
import { jobIdOf, jobMarketDomain, jobRequestTypes, type JobRequest } from "../deploy/jobs.ts";
import { compileVerifier } from "../deploy/compile-verifier.ts";
import { toModelId } from "../deploy/protocol.ts";
import { computeBinding } from "../prover/binding.ts";
import type { Manifest, ModelManifest } from "../prover/manifest.ts";
import { verifierContractName } from "../prover/models/config.ts";
import { verifyGroth16Noble, type SnarkjsGroth16Proof, type SnarkjsGroth16VerificationKey } from "../prover/verify/noble.ts";
import type { ProofMeshDeployment } from "./deployment.ts";
import { requestJson } from "./http.ts";
import { JobTraceSchema, VkeyResponseSchema, type JobTrace, type TraceStage, type Vkey } from "./schemas.ts";
import { JOB_STATUS, chainStatusName, toJobId, type SdkPublicClient } from "./types.ts";
import { compareRuntimeCode, verifierSourceFromVkey } from "./verifier-source.ts";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export type AuditCheckStatus = "pass" | "fail" | "skip";

export type AuditVerdict = {
  /**
   * Stable check id: "trace", "trace.job-id", "trace.chain", "request.signature", "chain.job-created",
   * "chain.job-assigned", "chain.model", "stage.vkey", "stage.verifier", "stage.proof",
   * "stage.in-commit", "stage.binding", "stage.event", "result", "chain.job-settled".
   */
  check: string;
  /** the stage a "stage.*" check is about */
  stage?: number;
  status: AuditCheckStatus;
  /** false only when status is "fail" */
  ok: boolean;
  /** what was compared, or why it failed / was skipped */
  detail: string;
};

export type AuditJobParameters = {
  jobId: bigint | string;
  coordinatorUrl: string;
  publicClient: SdkPublicClient;
  deployment: ProofMeshDeployment;
  /**
   * the shard manifest, for the names the verifiers are generated with (verifier bytecode
   * comparison); default: this repository's (the comparison is skipped for a model it does not list); null = none
   */
  manifest?: Manifest | null;
  /** compile the verifier from each served vkey and compare it with the on-chain code (solc-js, ≈ 0.3-1.5 s per shard); default true */
  compileVerifiers?: boolean;
  /** HTTP timeout per request, default 30 s */
  timeoutMs?: number;
};
export type AuditJobReturnType = {
  jobId: bigint;
  /** true iff no check failed */
  ok: boolean;
  verdicts: AuditVerdict[];
  /** the trace as served (undefined if it could not be fetched / parsed) */
  trace: JobTrace | undefined;
};

type Outcome = { status: AuditCheckStatus; detail: string };
const pass = (detail: string): Outcome => ({ status: "pass", detail });
const fail = (detail: string): Outcome => ({ status: "fail", detail });
const skip = (detail: string): Outcome => ({ status: "skip", detail });

/** sha256 of the vkey as the build writes the file (`JSON.stringify(vkey, null, 1) + "\n"`), and of its compact JSON. */
export function vkeyIds(vkey: unknown): { file: string; compact: string } {
  const h = (s: string) => createHash("sha256").update(s).digest("hex");
  return { file: h(JSON.stringify(vkey, null, 1) + "\n"), compact: h(JSON.stringify(vkey)) };
}

/** Minimal big-endian hex of a field element, as it appears as a PUSH immediate in EVM code. */
function pushHex(v: string): string {
  const hex = BigInt(v).toString(16);
  return hex.length % 2 ? `0${hex}` : hex;
}

function vkeyNumbers(vkey: Vkey): string[] {
  const g1 = (p: readonly string[]) => [p[0], p[1]];
  const g2 = (p: readonly (readonly string[])[]) => [p[0][0], p[0][1], p[1][0], p[1][1]];
  return [...g1(vkey.vk_alpha_1), ...g2(vkey.vk_beta_2), ...g2(vkey.vk_gamma_2), ...g2(vkey.vk_delta_2), ...vkey.IC.flatMap(g1)] as string[];
}

function defaultManifest(): Manifest | null {
  const file = path.join(REPO_ROOT, "prover/models/manifest.json");
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch {
    return null;
  }
}

/**
 * Audits a job: fetches its trace from `{coordinator}/v1/explorer/jobs/:jobId` and the shard vkeys
 * from `/v1/models/:modelId/shards/:k/vkey`, then checks the request signature, the chain's
 * JobCreated / JobAssigned / StageProven / JobSettled events, each vkey (id, manifest, on-chain
 * verifier), each proof (noble), the commitment chain, the binding values and the result.
 * Never throws for a bad trace or chain mismatch: those are failed verdicts.
 */
export async function auditJob(parameters: AuditJobParameters): Promise<AuditJobReturnType> {
  const { coordinatorUrl, publicClient, deployment, timeoutMs } = parameters;
  const jobId = toJobId(parameters.jobId);
  const manifest = parameters.manifest === undefined ? defaultManifest() : parameters.manifest;
  const compileVerifiers = parameters.compileVerifiers ?? true;
  const market = deployment.contracts.JobMarket.address;
  const verdicts: AuditVerdict[] = [];
  const run = async (check: string, stage: number | undefined, fn: () => Outcome | Promise<Outcome>): Promise<Outcome> => {
    let o: Outcome;
    try {
      o = await fn();
    } catch (e) {
      o = fail(`error: ${e instanceof Error ? ((e as { shortMessage?: string }).shortMessage ?? e.message) : String(e)}`);
    }
    verdicts.push({ check, ...(stage === undefined ? {} : { stage }), status: o.status, ok: o.status !== "fail", detail: o.detail });
    return o;
  };
  const done = (trace: JobTrace | undefined): AuditJobReturnType => ({ jobId, ok: verdicts.length > 0 && verdicts.every((v) => v.ok), verdicts, trace });

  // ---- the trace
  let trace: JobTrace | undefined;
  await run("trace", undefined, async () => {
    trace = await requestJson({ coordinatorUrl, path: `/v1/explorer/jobs/${jobId}`, schema: JobTraceSchema, name: "JobTrace", timeoutMs });
    return pass(`fetched, ${trace.stages.length} stage(s), status ${trace.status}`);
  });
  if (!trace) return done(undefined);
  const t: JobTrace = trace;
  const chainId = await publicClient.getChainId();

  const request: JobRequest | undefined = t.request
    ? {
        dApp: getAddress(t.request.dApp),
        modelId: t.request.modelId as Hex,
        inputCommitment: BigInt(t.request.inputCommitment),
        maxFee: BigInt(t.request.maxFee),
        deadline: BigInt(t.request.deadline),
        nonce: BigInt(t.request.nonce),
        clusterId: t.request.clusterId,
      }
    : undefined;
  const modelId = t.modelId.toLowerCase() as Hex;

  await run("trace.job-id", undefined, () => {
    if (BigInt(t.jobId) !== jobId) return fail(`trace is for job ${t.jobId}, asked for ${jobId}`);
    if (!request) return fail("trace has no signed request");
    const derived = jobIdOf({ dApp: request.dApp, nonce: request.nonce });
    if (derived !== jobId) return fail(`jobIdOf(request.dApp, request.nonce) = ${derived} ≠ ${jobId}`);
    if (request.modelId.toLowerCase() !== modelId) return fail(`request.modelId ${request.modelId} ≠ trace modelId ${t.modelId}`);
    return pass("trace job id = jobIdOf(dApp, nonce)");
  });
  await run("trace.chain", undefined, () => {
    if (deployment.chainId !== chainId) return fail(`deployment is for chain ${deployment.chainId}, RPC is chain ${chainId}`);
    if (t.chainId !== undefined && t.chainId !== chainId) return fail(`trace chainId ${t.chainId} ≠ chain ${chainId}`);
    if (t.jobMarket !== undefined && !isAddressEqual(t.jobMarket as Address, market)) return fail(`trace jobMarket ${t.jobMarket} ≠ deployment ${market}`);
    return pass(`chain ${chainId}, JobMarket ${market}`);
  });
  await run("request.signature", undefined, async () => {
    if (!request || !t.signature) return fail("trace has no signed request");
    const signer = await recoverTypedDataAddress({
      domain: jobMarketDomain({ chainId, jobMarket: market }),
      types: jobRequestTypes,
      primaryType: "JobRequest",
      message: request,
      signature: t.signature as Hex,
    });
    return isAddressEqual(signer, request.dApp) ? pass(`EIP-712 request signed by the dApp ${request.dApp}`) : fail(`signature recovers to ${signer}, not the dApp ${request.dApp}`);
  });

  // ---- chain events (the source of truth), from the deployment block on
  const range = { fromBlock: deployment.deployBlock, toBlock: "latest" as const };
  const [created, assigned, proven, settled] = await Promise.all([
    publicClient.getContractEvents({ address: market, abi: jobMarketAbi, eventName: "JobCreated", args: { jobId }, ...range }),
    publicClient.getContractEvents({ address: market, abi: jobMarketAbi, eventName: "JobAssigned", args: { jobId }, ...range }),
    publicClient.getContractEvents({ address: market, abi: jobMarketAbi, eventName: "StageProven", args: { jobId }, ...range }),
    publicClient.getContractEvents({ address: market, abi: jobMarketAbi, eventName: "JobSettled", args: { jobId }, ...range }),
  ]).catch((e: unknown) => {
    verdicts.push({ check: "chain.events", status: "fail", ok: false, detail: `cannot read JobMarket events: ${e instanceof Error ? e.message : String(e)}` });
    return [undefined, undefined, undefined, undefined] as const;
  });
  if (!created || !assigned || !proven || !settled) return done(t);
  const createdEv = created[0];
  const assignedEv = assigned[0];
  const assignedNodeIds: readonly number[] = assignedEv?.args.nodeIds ?? [];

  const receiptOk = async (hash: Hash): Promise<string | undefined> => {
    try {
      const r = await publicClient.getTransactionReceipt({ hash });
      return r.status === "success" ? undefined : `tx ${hash} reverted`;
    } catch {
      return `tx ${hash} not found on chain`;
    }
  };
  const sameBlock = (claimed: number | string | null | undefined, actual: bigint) => claimed === undefined || claimed === null || BigInt(claimed) === actual;

  await run("chain.job-created", undefined, async () => {
    if (created.length !== 1 || !createdEv) return fail(`${created.length} JobCreated events for job ${jobId}`);
    if (!request) return fail("trace has no signed request to compare with JobCreated");
    const a = createdEv.args;
    const diffs: string[] = [];
    if (t.creation && t.creation.txHash.toLowerCase() !== createdEv.transactionHash.toLowerCase()) diffs.push(`creation tx ${t.creation.txHash} ≠ chain ${createdEv.transactionHash}`);
    if (t.creation && !sameBlock(t.creation.blockNumber, createdEv.blockNumber)) diffs.push(`creation block ${t.creation.blockNumber} ≠ chain ${createdEv.blockNumber}`);
    if (!a.dApp || !isAddressEqual(a.dApp, request.dApp)) diffs.push(`dApp ${a.dApp} ≠ ${request.dApp}`);
    if (a.modelId?.toLowerCase() !== modelId) diffs.push(`modelId ${a.modelId} ≠ ${modelId}`);
    if (a.clusterId !== request.clusterId) diffs.push(`clusterId ${a.clusterId} ≠ ${request.clusterId}`);
    if (a.inputCommitment !== request.inputCommitment) diffs.push(`inputCommitment ${a.inputCommitment} ≠ request ${request.inputCommitment}`);
    if (a.deadline !== undefined && BigInt(a.deadline) !== request.deadline) diffs.push(`deadline ${a.deadline} ≠ ${request.deadline}`);
    if (diffs.length) return fail(`JobCreated differs from the trace: ${diffs.join("; ")}`);
    const bad = await receiptOk(createdEv.transactionHash);
    return bad ? fail(bad) : pass(`JobCreated in tx ${createdEv.transactionHash} matches the signed request`);
  });

  await run("chain.job-assigned", undefined, async () => {
    if (assigned.length !== 1 || !assignedEv) return fail(`${assigned.length} JobAssigned events for job ${jobId}`);
    if (!t.assignment) return fail("trace has no assignment, the chain has one");
    const diffs: string[] = [];
    if (t.assignment.txHash.toLowerCase() !== assignedEv.transactionHash.toLowerCase()) diffs.push(`assignment tx ${t.assignment.txHash} ≠ chain ${assignedEv.transactionHash}`);
    if (!sameBlock(t.assignment.blockNumber, assignedEv.blockNumber)) diffs.push(`assignment block ${t.assignment.blockNumber} ≠ chain ${assignedEv.blockNumber}`);
    if (t.assignment.nodeIds.join(",") !== assignedNodeIds.join(",")) diffs.push(`trace nodeIds [${t.assignment.nodeIds}] ≠ chain [${assignedNodeIds}]`);
    const stageNodes = t.stages.map((s) => s.nodeId);
    if (stageNodes.join(",") !== assignedNodeIds.join(",")) diffs.push(`trace stage nodes [${stageNodes}] ≠ chain [${assignedNodeIds}]`);
    if (diffs.length) return fail(diffs.join("; "));
    const bad = await receiptOk(assignedEv.transactionHash);
    return bad ? fail(bad) : pass(`JobAssigned nodes [${assignedNodeIds}] in tx ${assignedEv.transactionHash}`);
  });

  // ---- model and stages
  let shards: readonly { verifier: Address }[] = [];
  /** per shard, the sha256 of the vkey file the model's ceremony record names (ModelRegistry.ceremonyOf) */
  let vkeyHashes: readonly string[] = [];
  await run("chain.model", undefined, async () => {
    shards = await publicClient.readContract({ address: deployment.contracts.ModelRegistry.address, abi: modelRegistryAbi, functionName: "getShards", args: [modelId] });
    if (shards.length === 0) return fail(`model ${modelId} is not registered`);
    const ceremony = await publicClient.readContract({ address: deployment.contracts.ModelRegistry.address, abi: modelRegistryAbi, functionName: "ceremonyOf", args: [modelId] });
    vkeyHashes = ceremony.shards.map((x) => x.vkeyHash.replace(/^0x/, "").toLowerCase());
    if (vkeyHashes.length !== shards.length) return fail(`ceremonyOf names ${vkeyHashes.length} vkey(s) for ${shards.length} shard(s)`);
    const idx = t.stages.map((s) => s.stage);
    if (idx.join(",") !== shards.map((_, k) => k).join(",")) return fail(`trace stages [${idx}] ≠ the model's ${shards.length} shards [0..${shards.length - 1}]`);
    if (assignedNodeIds.length !== shards.length) return fail(`${assignedNodeIds.length} assigned nodes for ${shards.length} shards`);
    return pass(`${shards.length} shard(s), one trace stage and one assigned node each`);
  });

  const manifestModel: ModelManifest | undefined = manifest?.models.find((m) => toModelId(m.id).toLowerCase() === modelId);
  const signals = (s: TraceStage) => s.publicSignals?.map((x) => BigInt(x));

  for (const s of t.stages) {
    const k = s.stage;
    const onChainVerifier = shards[k]?.verifier;

    // vkey: served by the coordinator; its id must be the trace's and its sha256 the one the model's
    // on-chain ceremony record names; its constants must be in the verifier the ModelRegistry uses.
    let vkey: Vkey | undefined;
    await run("stage.vkey", k, async () => {
      const res = await requestJson({ coordinatorUrl, path: `/v1/models/${modelId}/shards/${k}/vkey`, schema: VkeyResponseSchema, name: "Vkey", timeoutMs });
      const v: Vkey = "vkey" in res ? (res.vkey as Vkey) : (res as Vkey);
      vkey = v;
      const ids = vkeyIds(v);
      if (!s.vkeyId) return fail("trace names no vkey id for this stage");
      const claimed = s.vkeyId.toLowerCase().replace(/^0x/, "");
      if (claimed !== ids.file && claimed !== ids.compact) return fail(`served vkey hashes to ${ids.file}, trace vkeyId is ${claimed}`);
      const onChainHash = vkeyHashes[k];
      if (!onChainHash) return fail(`the model's ceremony record has no vkey for shard ${k}`);
      if (ids.file !== onChainHash) return fail(`served vkey sha256 ${ids.file} ≠ the on-chain ceremony record's vkeyHash ${onChainHash} for shard ${k}`);
      const notes: string[] = [`sha256 ${ids.file} = on-chain vkeyHash (ceremonyOf)`];
      if (onChainVerifier) {
        const code = (await publicClient.getCode({ address: onChainVerifier })) ?? "0x";
        const missing = vkeyNumbers(v).filter((n) => !code.toLowerCase().includes(pushHex(n)));
        if (missing.length) return fail(`${missing.length} vkey constant(s) not in the on-chain verifier ${onChainVerifier}'s code`);
        notes.push("constants in the on-chain verifier's code");
      }
      return pass(notes.join(", "));
    });

    // verifier: the ModelRegistry's, and its code must be the verifier generated from the served
    // (= on-chain recorded) vkey, compiled here: the registered verifier is compiled from the chain's
    // final key, not the repository's committed development verifier.
    await run("stage.verifier", k, async () => {
      if (!onChainVerifier) return fail(`no ModelRegistry verifier for shard ${k}`);
      if (s.verifier && !isAddressEqual(s.verifier as Address, onChainVerifier)) return fail(`trace verifier ${s.verifier} ≠ ModelRegistry's ${onChainVerifier}`);
      if (!compileVerifiers) return pass(`ModelRegistry verifier ${onChainVerifier} (bytecode not compared)`);
      if (!manifestModel) return pass(`ModelRegistry verifier ${onChainVerifier} (model not in the local manifest: bytecode not compared)`);
      if (!vkey) return fail("no served vkey to generate the verifier from");
      const contract = verifierContractName({ modelId: manifestModel.id, shard: k });
      const source = verifierSourceFromVkey({ vkey: vkey as unknown as Record<string, unknown>, contract, modelId: manifestModel.id, shard: k });
      const { deployedBytecode } = compileVerifier({ source, contract });
      const code = (await publicClient.getCode({ address: onChainVerifier })) ?? "0x";
      const same = compareRuntimeCode({ onChain: code, compiled: deployedBytecode });
      if (same === "different") return fail(`on-chain code of ${onChainVerifier} ≠ ${contract} generated from the served vkey and compiled`);
      return pass(`ModelRegistry verifier ${onChainVerifier} = ${contract} generated from the vkey and compiled${same === "metadata" ? " (apart from the solc metadata hash)" : ""}`);
    });

    await run("stage.proof", k, () => {
      if (!s.proof || !s.publicSignals) return fail("stage not proven (no proof in the trace)");
      if (!vkey) return fail("no valid vkey to verify against");
      const res = verifyGroth16Noble({
        vkey: vkey as unknown as SnarkjsGroth16VerificationKey,
        proof: s.proof as unknown as SnarkjsGroth16Proof,
        publicSignals: s.publicSignals,
      });
      return res.valid ? pass("Groth16 proof valid (noble BN254)") : fail(`proof invalid (noble): ${res.code}: ${res.reason}`);
    });

    await run("stage.in-commit", k, () => {
      const sig = signals(s);
      if (!sig) return fail("no public signals");
      if (k === 0) {
        const chainCommit = createdEv?.args.inputCommitment;
        if (chainCommit === undefined) return fail("no JobCreated inputCommitment to link to");
        return sig[0] === chainCommit ? pass("inCommit = JobCreated inputCommitment") : fail(`inCommit ${sig[0]} ≠ JobCreated inputCommitment ${chainCommit}`);
      }
      const prev = t.stages.find((p) => p.stage === k - 1);
      const prevSig = prev ? signals(prev) : undefined;
      if (!prevSig) return fail(`stage ${k - 1} has no public signals to link to`);
      return sig[0] === prevSig[1] ? pass(`inCommit = stage ${k - 1} outCommit`) : fail(`inCommit ${sig[0]} ≠ stage ${k - 1} outCommit ${prevSig[1]}`);
    });

    await run("stage.binding", k, async () => {
      const sig = signals(s);
      if (!sig) return fail("no public signals");
      const nodeId = assignedNodeIds[k];
      if (nodeId === undefined) return fail(`no node assigned on chain for stage ${k}`);
      const operator = await publicClient.readContract({ address: deployment.contracts.StakeRegistry.address, abi: stakeRegistryAbi, functionName: "operatorOf", args: [nodeId] });
      const claimed = [s.prover, s.operator, s.address].filter((a): a is string => typeof a === "string");
      if (claimed.length === 0) return fail("trace names no prover for this stage");
      const wrong = claimed.find((a) => !isAddressEqual(a as Address, operator));
      if (wrong) return fail(`trace prover ${wrong} ≠ operator ${operator} of assigned node ${nodeId}`);
      const expected = computeBinding({ chainId, contract: market, jobId, stage: k, prover: operator });
      return sig[2] === expected ? pass(`binding = H(chain ${chainId}, JobMarket, job, stage ${k}, operator ${operator}) mod r`) : fail(`binding ${sig[2]} ≠ recomputed ${expected} for operator ${operator}`);
    });

    await run("stage.event", k, async () => {
      const evs = proven.filter((e) => e.args.stage === k);
      const ev = evs[0];
      if (evs.length !== 1 || !ev) return fail(`${evs.length} StageProven events for stage ${k}`);
      const diffs: string[] = [];
      if (ev.args.nodeId !== assignedNodeIds[k]) diffs.push(`event node ${ev.args.nodeId} ≠ assigned ${assignedNodeIds[k]}`);
      if (ev.args.nodeId !== s.nodeId) diffs.push(`event node ${ev.args.nodeId} ≠ trace node ${s.nodeId}`);
      const sig = signals(s);
      if (!sig || ev.args.outCommit !== sig[1]) diffs.push(`event outCommit ${ev.args.outCommit} ≠ trace outCommit ${sig?.[1]}`);
      if (!s.txHash || s.txHash.toLowerCase() !== ev.transactionHash.toLowerCase()) diffs.push(`trace tx ${s.txHash} ≠ StageProven tx ${ev.transactionHash}`);
      if (!sameBlock(s.blockNumber, ev.blockNumber)) diffs.push(`trace block ${s.blockNumber} ≠ chain ${ev.blockNumber}`);
      if (s.paid !== undefined && s.paid !== null && BigInt(s.paid) !== ev.args.paid) diffs.push(`trace paid ${s.paid} ≠ chain ${ev.args.paid}`);
      if (diffs.length) return fail(diffs.join("; "));
      const bad = await receiptOk(ev.transactionHash);
      return bad ? fail(bad) : pass(`StageProven in tx ${ev.transactionHash} (block ${ev.blockNumber}), outCommit matches`);
    });
  }

  // ---- result and settlement
  const settledEv = settled[0];
  await run("result", undefined, async () => {
    const last = t.stages[t.stages.length - 1];
    const lastSig = last ? signals(last) : undefined;
    if (!lastSig) return fail("last stage has no public signals");
    if (!settledEv) return fail("no JobSettled event: the result is not final");
    const diffs: string[] = [];
    if (settledEv.args.result !== lastSig[3]) diffs.push(`JobSettled result ${settledEv.args.result} ≠ last stage's result signal ${lastSig[3]}`);
    if (!t.settlement) diffs.push("trace has no settlement");
    else if (BigInt(t.settlement.result) !== lastSig[3]) diffs.push(`trace settlement result ${t.settlement.result} ≠ result signal ${lastSig[3]}`);
    const onChain = await publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "resultOf", args: [jobId] });
    if (onChain !== lastSig[3]) diffs.push(`JobMarket.resultOf ${onChain} ≠ result signal ${lastSig[3]}`);
    return diffs.length ? fail(diffs.join("; ")) : pass(`result ${lastSig[3]} = last proof's result = JobSettled = resultOf`);
  });

  await run("chain.job-settled", undefined, async () => {
    const status = await publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "statusOf", args: [jobId] });
    if (status !== JOB_STATUS.Settled) return fail(`job is ${chainStatusName(status)} on chain, not Settled`);
    if (settled.length !== 1 || !settledEv) return fail(`${settled.length} JobSettled events`);
    if (!t.settlement) return fail("trace has no settlement");
    if (t.settlement.txHash.toLowerCase() !== settledEv.transactionHash.toLowerCase()) return fail(`trace settlement tx ${t.settlement.txHash} ≠ JobSettled tx ${settledEv.transactionHash}`);
    if (!sameBlock(t.settlement.blockNumber, settledEv.blockNumber)) return fail(`trace settlement block ${t.settlement.blockNumber} ≠ chain ${settledEv.blockNumber}`);
    const fee = t.settlement.coordinatorFee ?? t.settlement.fee;
    if (fee !== undefined && BigInt(fee) !== settledEv.args.coordinatorFee) return fail(`trace fee ${fee} ≠ chain ${settledEv.args.coordinatorFee}`);
    const bad = await receiptOk(settledEv.transactionHash);
    return bad ? fail(bad) : pass(`Settled in tx ${settledEv.transactionHash} (block ${settledEv.blockNumber})`);
  });

  return done(t);
}
