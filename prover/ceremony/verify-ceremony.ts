/**
 * Checks a ceremony's keys against its record, one verdict per check (the auditor prints them,
 * the build and the coordinator require them all): every zkey is a valid contribution chain from
 * its initial zkey (`zkey verify`), the hashes are the recorded ones, the zkeys' transcripts hold
 * exactly the recorded contributions (in order) and the beacon, and every contribution is signed
 * by its operator.
 */
import type { pino } from "pino";
import { recoverContributor, transcriptHashOf, type CeremonyRecord } from "./record.ts";
import { readZkeyTranscript } from "./zkey-contributions.ts";
import { verifyZkeyFromInit } from "./verify-zkey.ts";
import { TranscriptMismatchError } from "./errors.ts";
import { sha256File } from "./hashes.ts";

export type CeremonyVerdict = { check: string; ok: boolean; detail: string };

export type VerifyCeremonyParameters = {
  record: CeremonyRecord;
  /** per shard, in order */
  initialZkeys: readonly string[];
  zkeys: readonly string[];
  ptauPath: string;
  /** true: the keys must end with the record's beacon; false: they must have none yet */
  finalized: boolean;
  log: pino.Logger;
};


export async function verifyCeremony({ record, initialZkeys, zkeys, ptauPath, finalized, log }: VerifyCeremonyParameters): Promise<CeremonyVerdict[]> {
  const out: CeremonyVerdict[] = [];
  const add = (check: string, ok: boolean, detail: string) => out.push({ check, ok, detail });
  if (record.shards.length !== zkeys.length || initialZkeys.length !== zkeys.length) {
    add("shard count", false, `record has ${record.shards.length} shards, ${zkeys.length} zkeys and ${initialZkeys.length} initial zkeys given`);
    return out;
  }
  const ptauSha = sha256File(ptauPath);
  add("powers of tau", ptauSha === record.ptauSha256, `sha256 ${ptauSha}${ptauSha === record.ptauSha256 ? "" : ` ≠ recorded ${record.ptauSha256}`}`);
  add("secret contributions", record.contributions.length >= 1, `${record.contributions.length} contribution(s) besides the beacon`);
  const operators = record.contributions.map((c) => c.operator.toLowerCase());
  add("distinct contributors", new Set(operators).size === operators.length && record.contributions.every((c, i) => c.index === i), `${new Set(operators).size} distinct operator(s), indexes ${record.contributions.map((c) => c.index).join(", ")}`);
  for (const [k, zkey] of zkeys.entries()) {
    const s = record.shards[k];
    const initSha = sha256File(initialZkeys[k]);
    add(`shard ${k} initial zkey`, initSha === s.initialZkeySha256, `sha256 ${initSha}${initSha === s.initialZkeySha256 ? "" : ` ≠ recorded ${s.initialZkeySha256}`}`);
    const zSha = sha256File(zkey);
    add(`shard ${k} zkey hash`, zSha === s.zkeySha256, `sha256 ${zSha}${zSha === s.zkeySha256 ? "" : ` ≠ recorded ${s.zkeySha256}`}`);
    try {
      const { ms } = await verifyZkeyFromInit({ initialZkeyPath: initialZkeys[k], ptauPath, zkeyPath: zkey, log });
      add(`shard ${k} zkey verify`, true, `valid contribution chain from the initial zkey (${Math.round(ms)} ms)`);
    } catch (e) {
      add(`shard ${k} zkey verify`, false, e instanceof Error ? e.message : String(e));
    }
    const t = await readZkeyTranscript({ zkeyPath: zkey });
    const secret = t.contributions.filter((c) => c.type === 0);
    const beacons = t.contributions.filter((c) => c.type === 1);
    const want = record.contributions.map((c) => c.shardHashes[k]);
    const same = secret.length === want.length && secret.every((c, i) => c.contributionHash === want[i]);
    add(`shard ${k} transcript`, same, same ? `${secret.length} contribution hashes as recorded` : `zkey holds [${secret.map((c) => c.contributionHash.slice(0, 16)).join(", ")}], record [${want.map((h) => h?.slice(0, 16)).join(", ")}]`);
    if (finalized) {
      const last = t.contributions.at(-1);
      const b = record.beacon;
      const ok = !!b && beacons.length === 1 && last?.type === 1 && last.beaconHash === b.blockHash.slice(2).toLowerCase() && last.iterationsExp === b.iterationsExp && last.contributionHash === b.shardHashes[k];
      add(`shard ${k} beacon`, ok, ok ? `beacon = block ${b!.blockNumber} hash ${b!.blockHash}, 2^${b!.iterationsExp} iterations, last` : `zkey's beacon ${last?.type === 1 ? `0x${last.beaconHash}` : "missing"} ≠ recorded ${b ? b.blockHash : "none"}`);
    } else add(`shard ${k} no beacon yet`, beacons.length === 0, `${beacons.length} beacon contribution(s)`);
  }
  for (const c of record.contributions) {
    let ok = false;
    let detail: string;
    try {
      const th = transcriptHashOf({ shardHashes: c.shardHashes });
      if (th !== c.transcriptHash) detail = `transcriptHash ${c.transcriptHash} ≠ keccak of the shard hashes ${th}`;
      else {
        const signer = await recoverContributor({ modelId: record.modelId, index: c.index, transcriptHash: th, signature: c.signature });
        ok = signer.toLowerCase() === c.operator.toLowerCase();
        detail = ok ? `signed by ${c.operator}` : `signed by ${signer}, recorded operator ${c.operator}`;
      }
    } catch (e) {
      detail = `bad signature: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
    }
    add(`contribution #${c.index} signature`, ok, detail);
  }
  return out;
}

/** verifyCeremony, throwing on the first failed check. */
export async function assertCeremony(p: VerifyCeremonyParameters): Promise<CeremonyVerdict[]> {
  const v = await verifyCeremony(p);
  const bad = v.find((x) => !x.ok);
  if (bad) throw new TranscriptMismatchError(`ceremony of ${p.record.model}: ${bad.check} failed`, { details: bad.detail });
  return v;
}
