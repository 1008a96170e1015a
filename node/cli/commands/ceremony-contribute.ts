/**
 * `proofmesh node ceremony contribute <model>`: this node's operator adds its secret contribution
 * to the model's ceremony when its turn comes. For each shard: fetch the current zkey by its
 * sha256, check its transcript is the ceremony's, `zkey verify` it from this machine's own initial
 * zkey, contribute with fresh entropy (held in memory only, prover/ceremony/contribute.ts), upload
 * the result signed by the operator; then sign the contribution (EIP-712 over the transcript hash)
 * and submit it. Temporary files live in the node home and are removed afterwards.
 */
import { statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { pino } from "pino";
import type { Hex } from "viem";
import { contribute } from "../../../prover/ceremony/contribute.ts";
import { ceremonyUploadTypedData, signContribution, transcriptHashOf } from "../../../prover/ceremony/record.ts";
import { verifyZkeyFromInit } from "../../../prover/ceremony/verify-zkey.ts";
import { readZkeyTranscript } from "../../../prover/ceremony/zkey-contributions.ts";
import { downloadArtifact, getCeremony, submitContribution, uploadCeremonyZkey } from "../../../sdk/ceremony-api.ts";
import type { Ceremony } from "../../../sdk/schemas.ts";
import { NodeError } from "../../errors.ts";
import { parseCommandArgs, parseDuration } from "../args.ts";
import { bareHex, checkInitialZkeys, coordinatorCall, mb, modelIdOf, ptauPathOf, requireCoordinator, resolveManifestModel, seconds, sha256File } from "../ceremony.ts";
import { loadHome, type Env } from "../context.ts";
import type { Output } from "../output.ts";

export const CEREMONY_CONTRIBUTE_OPTIONS = { "poll-interval": { type: "string" } } as const;

const DEFAULT_POLL_MS = 2_000;
/** consecutive failed polls tolerated while waiting for the turn (a coordinator restart) */
const MAX_POLL_FAILURES = 5;

/** a contributed zkey is barely larger than the initial one (the coordinator accepts ≤ 2×) */
const maxZkeyBytes = (initialBytes: number | undefined) => (initialBytes ? 2 * initialBytes : undefined);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const when = (t: string | number | null | undefined) => (t === undefined || t === null ? "?" : typeof t === "number" ? new Date(t).toISOString() : t);

export async function ceremonyContributeCommand({ argv, env, out }: { argv: string[]; env: Env; out: Output }): Promise<number> {
  const command = "ceremony contribute";
  const { values, positionals } = parseCommandArgs({ command, argv, options: CEREMONY_CONTRIBUTE_OPTIONS, maxPositionals: 1 });
  const model = resolveManifestModel(positionals[0], command);
  const pollMs = values["poll-interval"] !== undefined ? parseDuration(values["poll-interval"] as string, `${command}: --poll-interval`, { minMs: 100, maxMs: 600_000 }) : DEFAULT_POLL_MS;
  const home = loadHome({ values, env });
  const coordinatorUrl = requireCoordinator({ values, env, file: home.file, command });
  const account = home.keys.operator;
  const me = account.address.toLowerCase();
  const initial = checkInitialZkeys(model, command);
  const ptau = ptauPathOf(command);
  const modelId = modelIdOf(model);
  const log = pino({ level: "silent" });

  const fetchCeremony = () => coordinatorCall(`GET /v1/ceremonies/${model.id}`, () => getCeremony({ coordinatorUrl, model: model.id }));
  let c: Ceremony = await fetchCeremony();
  if (c.modelId.toLowerCase() !== modelId) throw new NodeError("COORDINATOR_ERROR", `${command}: the coordinator's ceremony of ${model.id} is for model id ${c.modelId}, not ${modelId}`);
  if (bareHex(c.ptauSha256) !== ptau.sha256) throw new NodeError("CEREMONY_INVALID", `${command}: the ceremony uses powers of tau ${bareHex(c.ptauSha256)}, this machine's are ${ptau.sha256}`);
  const shardsOf = (x: Ceremony) => {
    const shards = [...x.shards].sort((a, b) => a.shard - b.shard);
    if (shards.length !== model.shards.length) throw new NodeError("CEREMONY_INVALID", `${command}: the ceremony has ${shards.length} shard(s), the manifest's ${model.id} ${model.shards.length}`);
    for (const [k, s] of shards.entries()) {
      if (s.shard !== k || bareHex(s.initialZkeySha256) !== initial.sha256[k]) {
        throw new NodeError("CEREMONY_INVALID", `${command}: shard ${s.shard} of the ceremony starts from initial zkey ${bareHex(s.initialZkeySha256)}, this machine's is ${initial.sha256[k]}`, {
          details: "contributors must start from the initial zkey they built themselves (`npm run build:circuits`)",
        });
      }
    }
    return shards;
  };
  shardsOf(c); // before waiting: a ceremony this machine cannot contribute to is an error now, not after the wait

  // ---- wait for this operator's turn
  let lastWait = "";
  let failures = 0;
  for (;;) {
    const mine = c.contributors.find((x) => x.address.toLowerCase() === me);
    if (!mine) {
      throw new NodeError("NOT_A_CONTRIBUTOR", `${command}: operator ${account.address} is not a contributor of the ceremony of ${model.id}`, {
        details: `contributors: ${c.contributors.map((x) => x.address).join(", ")}`,
      });
    }
    if (mine.status === "done") {
      const i = c.contributions.find((x) => x.operator.toLowerCase() === me)?.index;
      throw new NodeError("NOT_A_CONTRIBUTOR", `${command}: operator ${account.address} has already contributed to the ceremony of ${model.id}${i !== undefined ? ` (contribution #${i})` : ""}`);
    }
    if (mine.status === "skipped") {
      throw new NodeError("NOT_A_CONTRIBUTOR", `${command}: operator ${account.address} was skipped: its turn in the ceremony of ${model.id} ended at ${when(mine.deadline)}`);
    }
    if (c.status !== "contributing") throw new NodeError("CEREMONY_UNAVAILABLE", `${command}: the ceremony of ${model.id} is ${c.status}: nothing to contribute to`);
    if (mine.status === "current") break;
    const ahead = c.contributors.slice(0, c.contributors.indexOf(mine)).filter((x) => x.status === "current" || x.status === "waiting");
    const cur = c.contributors.find((x) => x.status === "current");
    const line = `waiting for my turn: ${ahead.length} contributor(s) before me${cur ? ` (now ${cur.address}, until ${when(cur.deadline)})` : ""}`;
    if (line !== lastWait) out.info(line);
    lastWait = line;
    await sleep(pollMs);
    try {
      c = await fetchCeremony();
      failures = 0;
    } catch (e) {
      if (++failures >= MAX_POLL_FAILURES) throw e;
      out.warn(`${e instanceof NodeError ? e.shortMessage : String(e)}; retrying`);
    }
  }
  // the ceremony as it is now that the turn has come (the previous contributors' zkeys)
  const shards = shardsOf(c);
  const index = c.contributions.length;
  const deadline = c.contributors.find((x) => x.address.toLowerCase() === me)?.deadline;
  out.info(`my turn: contribution #${index} to ${model.id} (${shards.length} shard(s)), until ${when(deadline)}`);

  const t0 = performance.now();
  const ms = { download: 0, verify: 0, contribute: 0, upload: 0, submit: 0 };
  const name = `proofmesh ${account.address}`;
  const work = await mkdtemp(path.join(home.paths.home, `ceremony-${model.id}-`));
  const results: { shard: number; zkeySha256: string; contributionHash: string; file: string }[] = [];
  try {
    for (const [k, s] of shards.entries()) {
      const current = bareHex(s.zkeySha256);
      let inPath: string;
      if (current === initial.sha256[k]) {
        if (index !== 0) throw new NodeError("CEREMONY_INVALID", `${command}: shard ${k}'s current zkey is the initial one, but the ceremony lists ${index} contribution(s)`);
        inPath = initial.paths[k]!;
        out.info(`shard ${k}: the current zkey is the initial one (first contribution): nothing to download or verify`);
      } else {
        inPath = path.join(work, `shard${k}.in.zkey`);
        const d = await coordinatorCall(`GET /v1/artifacts/${current}`, () => downloadArtifact({ coordinatorUrl, sha256: current, outPath: inPath, maxBytes: maxZkeyBytes(model.shards[k]!.initialZkey.bytes) }));
        ms.download += d.ms;
        out.info(`shard ${k}: downloaded the current zkey ${current.slice(0, 12)}… (${mb(d.bytes)} in ${Math.round(d.ms)} ms, sha256 checked)`);
        const t = await readZkeyTranscript({ zkeyPath: inPath });
        const secret = t.contributions.filter((x) => x.type === 0);
        const want = c.contributions.map((x) => x.shardHashes[k]);
        if (t.contributions.length !== secret.length || secret.length !== index || secret.some((x, i) => x.contributionHash !== want[i])) {
          throw new NodeError("CEREMONY_INVALID", `${command}: shard ${k}'s current zkey holds other contributions than the ceremony lists (${secret.length} in the zkey, ${index} listed${t.contributions.length !== secret.length ? ", and a beacon" : ""})`);
        }
        try {
          const v = await verifyZkeyFromInit({ initialZkeyPath: initial.paths[k]!, ptauPath: ptau.path, zkeyPath: inPath, log });
          ms.verify += v.ms;
          out.info(`shard ${k}: zkey verify from my initial zkey: ok (${Math.round(v.ms)} ms)`);
        } catch (e) {
          throw new NodeError("CEREMONY_INVALID", `${command}: shard ${k}'s current zkey does not verify from the initial zkey: not contributing on top of it`, { cause: e, details: e instanceof Error ? e.message : String(e) });
        }
      }
      const outPath = path.join(work, `shard${k}.out.zkey`);
      const r = await contribute({ inPath, outPath, name, log });
      ms.contribute += r.ms;
      out.info(`shard ${k}: contributed in ${Math.round(r.ms)} ms (contribution hash ${r.contributionHash.slice(0, 16)}…)`);
      results.push({ shard: k, zkeySha256: sha256File(outPath), contributionHash: r.contributionHash, file: outPath });
    }
    for (const r of results) {
      const t = performance.now();
      const signature = await account.signTypedData(ceremonyUploadTypedData({ modelId, index, shard: r.shard, sha256: r.zkeySha256 }));
      await coordinatorCall(`PUT shard ${r.shard}'s zkey`, () => uploadCeremonyZkey({ coordinatorUrl, model: model.id, index, shard: r.shard, file: r.file, sha256: r.zkeySha256, signature }));
      const dt = performance.now() - t;
      ms.upload += dt;
      out.info(`shard ${r.shard}: uploaded ${r.zkeySha256.slice(0, 12)}… (${mb(statSync(r.file).size)} in ${Math.round(dt)} ms)`);
    }
    const transcriptHash: Hex = transcriptHashOf({ shardHashes: results.map((r) => r.contributionHash) });
    const signature = await signContribution({ account, modelId, index, transcriptHash });
    const t = performance.now();
    await coordinatorCall("POST the contribution", () =>
      submitContribution({ coordinatorUrl, model: model.id, index, operator: account.address, name, shards: results.map((r) => ({ shard: r.shard, zkeySha256: r.zkeySha256, contributionHash: r.contributionHash })), signature }),
    );
    ms.submit += performance.now() - t;
    const total = performance.now() - t0;
    const share = (x: number) => `${seconds(x)} (${total > 0 ? Math.round((100 * x) / total) : 0}%)`;
    const rounded = Object.fromEntries(Object.entries({ ...ms, total }).map(([k, v]) => [k, Math.round(v)]));
    out.result(
      { model: model.id, modelId, index, operator: account.address, name, transcriptHash, signature, shards: results.map(({ file: _f, ...r }) => r), ms: rounded },
      [
        `contribution #${index} to the ceremony of ${model.id} accepted (operator ${account.address})`,
        `  transcript hash ${transcriptHash} (signed)`,
        ...results.map((r) => `  shard ${r.shard}: contribution hash ${r.contributionHash.slice(0, 16)}…, zkey ${r.zkeySha256.slice(0, 12)}…`),
        `  my time ${seconds(total)}: download ${share(ms.download)}, verify ${share(ms.verify)}, contribute ${share(ms.contribute)}, upload ${share(ms.upload)}, submit (the coordinator's checks) ${share(ms.submit)}`,
        "  the entropy was drawn in memory and discarded: nothing of it was written to disk",
      ],
    );
    return 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
