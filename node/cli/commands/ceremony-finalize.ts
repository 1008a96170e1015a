/**
 * `proofmesh model ceremony finalize <model>`: the model owner finishes a ceremony whose
 * contributions are in ("ready"): fetches the current zkeys by hash, checks them (zkey verify from
 * this machine's initial zkeys, transcripts, signatures), then deploy/finalize-model.ts waits for
 * (or mines, on a development chain) the announced beacon block, applies its hash to every zkey,
 * exports the vkeys and verifiers, compiles and deploys the verifiers and registers the model with
 * the ceremony record. The final keys are written under the owner's home (or --out) and published
 * to the coordinator (PUT /v1/artifacts/:sha256) so nodes and auditors can fetch them.
 * Run again after a failed publication: the model being registered with these keys, it only publishes.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { pino } from "pino";
import { defaultParams } from "../../../deploy/config.ts";
import { finalizeModel, type KeyFile } from "../../../deploy/finalize-model.ts";
import { createLogger } from "../../../deploy/logger.ts";
import { verifyCeremony } from "../../../prover/ceremony/verify-ceremony.ts";
import type { ModelManifest } from "../../../prover/manifest.ts";
import { downloadArtifact, getCeremony, uploadArtifact } from "../../../sdk/ceremony-api.ts";
import { ceremonyRecordFromApi } from "../../../sdk/ceremony-record.ts";
import { NodeError } from "../../errors.ts";
import { parseCommandArgs, parsePrivateKeyFlag, parseTokenAmount } from "../args.ts";
import { assertModelOwner, bareHex, checkInitialZkeys, coordinatorCall, loadOwnerContext, mb, modelIdOf, ptauPathOf, requireCoordinator, resolveManifestModel, seconds, sha256File, type OwnerContext } from "../ceremony.ts";
import type { Env } from "../context.ts";
import type { Output } from "../output.ts";

export const CEREMONY_FINALIZE_OPTIONS = {
  "operator-key": { type: "string" },
  out: { type: "string" },
  "price-per-stage": { type: "string" },
} as const;

/** ModelRegistry reads blockhash(beaconBlock): only the last 256 blocks have one; keep a margin for the registration's own transactions */
const BEACON_MAX_AGE_BLOCKS = 240;

/** Uploads the final keys (each hash-checked against the file). */
async function publish(files: readonly KeyFile[], coordinatorUrl: string, out: Output): Promise<void> {
  for (const f of files) {
    const t = performance.now();
    await coordinatorCall(`PUT /v1/artifacts/${f.sha256} (shard ${f.shard} ${f.kind})`, () => uploadArtifact({ coordinatorUrl, file: f.path, sha256: f.sha256 }));
    out.info(`published shard ${f.shard} ${f.kind} ${f.sha256.slice(0, 12)}… (${mb(statSync(f.path).size)} in ${Math.round(performance.now() - t)} ms)`);
  }
}

/** Already registered: publish the final keys from `outDir` if they are the ones ceremonyOf names. */
async function republish(p: { ctx: OwnerContext; model: ModelManifest; modelId: `0x${string}`; outDir: string; coordinatorUrl: string; out: Output; command: string }): Promise<number> {
  const { ctx, model, modelId, outDir, coordinatorUrl, out, command } = p;
  const rec = await ctx.contracts.models.read.ceremonyOf([modelId]);
  const files: KeyFile[] = [];
  for (const [k, keys] of rec.shards.entries()) {
    for (const [kind, file, hash] of [
      ["zkey", path.join(outDir, `shard${k}.zkey`), keys.zkeyHash],
      ["vkey", path.join(outDir, `shard${k}.vkey.json`), keys.vkeyHash],
    ] as const) {
      if (!existsSync(file) || sha256File(file) !== bareHex(hash)) {
        throw new NodeError("ALREADY_REGISTERED", `${command}: model ${model.id} is already registered and ${file} is not its shard ${k} ${kind} (${bareHex(hash).slice(0, 12)}…)`, {
          details: "the final keys are where the finalizer wrote them (--out); `proofmesh audit model` checks a registered model",
        });
      }
      files.push({ kind, shard: k, path: file, sha256: bareHex(hash) });
    }
  }
  out.info(`model ${model.id} is already registered with these keys: publishing them again`);
  await publish(files, coordinatorUrl, out);
  out.result({ model: model.id, modelId, alreadyRegistered: true, outDir, files, published: true }, [`model ${model.id} was already registered; its final keys (${outDir}) are published to ${coordinatorUrl}`]);
  return 0;
}

export async function ceremonyFinalizeCommand({ argv, env, out }: { argv: string[]; env: Env; out: Output }): Promise<number> {
  const command = "ceremony finalize";
  const { values, positionals } = parseCommandArgs({ command, argv, options: CEREMONY_FINALIZE_OPTIONS, maxPositionals: 1, group: "model" });
  const model = resolveManifestModel(positionals[0], command);
  const pricePerStage = values["price-per-stage"] !== undefined ? parseTokenAmount(values["price-per-stage"] as string, `${command}: --price-per-stage`) : defaultParams.defaultPricePerStage;
  if (values["operator-key"] !== undefined) parsePrivateKeyFlag(values["operator-key"] as string, `${command}: --operator-key`);
  if (values.out !== undefined && existsSync(values.out as string) && !statSync(values.out as string).isDirectory()) {
    throw new NodeError("INVALID_ARGUMENT", `${command}: --out ${values.out as string} exists and is not a directory`);
  }
  const initial = checkInitialZkeys(model, command);
  const ptau = ptauPathOf(command);

  const ctx = await loadOwnerContext({ values, env, command });
  const coordinatorUrl = requireCoordinator({ values, env, file: ctx.file, command });
  await assertModelOwner(ctx, command);
  const modelId = modelIdOf(model);
  const outDir = path.resolve((values.out as string | undefined) ?? path.join(ctx.paths.home, "keys", String(ctx.chain.chainId), model.id));
  const info = await ctx.contracts.models.read.modelInfo([modelId]);
  if (info.index !== 0) return republish({ ctx, model, modelId, outDir, coordinatorUrl, out, command });

  const c = await coordinatorCall(`GET /v1/ceremonies/${model.id}`, () => getCeremony({ coordinatorUrl, model: model.id }));
  if (c.modelId.toLowerCase() !== modelId) throw new NodeError("COORDINATOR_ERROR", `${command}: the coordinator's ceremony of ${model.id} is for model id ${c.modelId}, not ${modelId}`);
  if (c.status !== "ready") {
    const left = c.contributors.filter((x) => x.status === "current" || x.status === "waiting").length;
    const why =
      c.status === "contributing"
        ? `is not ready: ${left} contributor(s) still to contribute (${c.contributions.length} contribution(s) so far)`
        : c.status === "failed"
          ? "failed: no contributor contributed (start a new ceremony)"
          : `is ${c.status} according to the coordinator, but model ${model.id} is not registered on chain ${ctx.chain.chainId}`;
    throw new NodeError("CEREMONY_UNAVAILABLE", `${command}: the ceremony of ${model.id} ${why}`);
  }
  const { record, problems } = ceremonyRecordFromApi({ ceremony: c, ptauSha256: ptau.sha256, initialZkeySha256: initial.sha256 });
  if (problems.length) throw new NodeError("CEREMONY_INVALID", `${command}: ${problems[0]}`, { details: problems.slice(1).join("\n") || undefined });
  const beaconBlock = Number(c.beaconBlock);
  const head = Number(await ctx.chain.publicClient.getBlockNumber());
  if (head - beaconBlock > BEACON_MAX_AGE_BLOCKS) {
    throw new NodeError("BEACON_TOO_OLD", `${command}: the beacon block ${beaconBlock} is ${head - beaconBlock} blocks old; the ModelRegistry only accepts a beacon among the last 256 blocks`, {
      details: "start a new ceremony (a new model id) and finalize it sooner after its beacon block",
    });
  }

  const work = path.join(outDir, ".ceremony-download");
  mkdirSync(work, { recursive: true });
  try {
    const zkeys: string[] = [];
    for (const s of record.shards) {
      const file = path.join(work, `shard${s.shard}.zkey`);
      const d = await coordinatorCall(`GET /v1/artifacts/${s.zkeySha256}`, () => downloadArtifact({ coordinatorUrl, sha256: s.zkeySha256, outPath: file }));
      out.info(`shard ${s.shard}: downloaded the current zkey ${s.zkeySha256.slice(0, 12)}… (${mb(d.bytes)} in ${Math.round(d.ms)} ms, sha256 checked)`);
      zkeys.push(file);
    }
    // before any transaction: every zkey a valid chain from this machine's initial zkeys, holding exactly the signed contributions
    const t0 = performance.now();
    const verdicts = await verifyCeremony({ record, initialZkeys: initial.paths, zkeys, ptauPath: ptau.path, finalized: false, log: pino({ level: "silent" }) });
    const bad = verdicts.filter((v) => !v.ok);
    if (bad.length) throw new NodeError("CEREMONY_INVALID", `${command}: ${bad[0]!.check} failed: ${bad[0]!.detail}`, { details: bad.slice(1).map((v) => `${v.check}: ${v.detail}`).join("\n") || undefined });
    out.info(`ceremony checked (${verdicts.length} checks: zkey verify, transcripts, signatures) in ${Math.round(performance.now() - t0)} ms`);

    const r = await finalizeModel({
      publicClient: ctx.chain.publicClient,
      walletClient: ctx.chain.walletClient!,
      logger: createLogger({ level: "warn", name: "proofmesh-ceremony" }),
      modelRegistry: ctx.chain.deployment.contracts.modelRegistry,
      model,
      record,
      zkeys,
      beaconBlock,
      outDir,
      pricePerStage,
      verify: true,
      progress: (line) => out.info(line),
    });
    await publish(r.files, coordinatorUrl, out);
    const b = r.record.beacon!;
    out.result(
      {
        model: model.id,
        modelId,
        index: r.index,
        contributions: r.record.contributions.map((x) => ({ index: x.index, operator: x.operator, name: x.name, transcriptHash: x.transcriptHash, at: x.at ?? null, ms: x.ms ?? null })),
        beacon: b,
        shards: r.record.shards,
        verifiers: r.verifiers,
        outDir,
        files: r.files,
        published: true,
      },
      [
        `model ${model.id} registered (index ${r.index}) with its ceremony record`,
        `  contributions (${r.record.contributions.length}):`,
        ...r.record.contributions.map((x) => `    #${x.index} ${x.operator} transcript ${x.transcriptHash.slice(0, 18)}…${x.ms !== undefined ? ` ${seconds(x.ms)}` : ""}${x.at ? ` at ${x.at}` : ""}`),
        `  beacon: hash ${b.blockHash} of block ${b.blockNumber} (2^${b.iterationsExp} iterations)`,
        ...r.record.shards.map((s, k) => `  shard ${s.shard}: zkey ${s.zkeySha256.slice(0, 12)}…, vkey ${s.vkeySha256?.slice(0, 12)}…, verifier ${r.verifiers[k]}`),
        `  final keys in ${outDir}, published to ${coordinatorUrl}`,
      ],
    );
    return 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
