/**
 * A phase-2 ceremony run in one process by contributors whose keys this process holds: each, in
 * turn, verifies every shard's current zkey from the initial one, adds its contribution with fresh
 * entropy, and signs the contribution hashes. Used for the development keys the repository ships
 * (`npm run build:circuits`, contributors with throwaway keys) and by the benchmark; the ceremony
 * among operators goes through the coordinator's API (node/cli ceremony commands) with the same steps.
 */
import { copyFileSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { pino } from "pino";
import type { Hex, LocalAccount } from "viem";
import { contribute } from "./contribute.ts";
import { signContribution, transcriptHashOf, type ContributionRecord } from "./record.ts";
import { verifyZkeyFromInit } from "./verify-zkey.ts";

export type RunLocalCeremonyParameters = {
  modelId: Hex;
  /** initial zkey of each shard, in shard order */
  initialZkeys: readonly string[];
  ptauPath: string;
  contributors: readonly { account: LocalAccount; name: string }[];
  /** final zkeys are written as `<outDir>/shard<k>.zkey` */
  outDir: string;
  log: pino.Logger;
  /** called after each contribution (progress) */
  onContribution?: (c: ContributionRecord & { verifyMs: number; contributeMs: number }) => void;
};

export type RunLocalCeremonyReturnType = {
  zkeys: string[];
  contributions: (ContributionRecord & { verifyMs: number; contributeMs: number })[];
};

export async function runLocalCeremony({ modelId, initialZkeys, ptauPath, contributors, outDir, log, onContribution }: RunLocalCeremonyParameters): Promise<RunLocalCeremonyReturnType> {
  mkdirSync(outDir, { recursive: true });
  const work = join(outDir, ".work");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  let current = initialZkeys.map((p, k) => {
    const dst = join(work, `shard${k}.c0.zkey`);
    copyFileSync(p, dst);
    return dst;
  });
  const contributions: RunLocalCeremonyReturnType["contributions"] = [];
  for (const [index, c] of contributors.entries()) {
    const t0 = performance.now();
    let verifyMs = 0;
    let contributeMs = 0;
    const shardHashes: string[] = [];
    const next: string[] = [];
    for (const [k, zkey] of current.entries()) {
      // What this contributor received must be a valid chain from the initial zkey (checked against r1cs + ptau once).
      verifyMs += (await verifyZkeyFromInit({ initialZkeyPath: initialZkeys[k], ptauPath, zkeyPath: zkey, log })).ms;
      const out = join(work, `shard${k}.c${index + 1}.zkey`);
      const r = await contribute({ inPath: zkey, outPath: out, name: c.name, log });
      contributeMs += r.ms;
      shardHashes.push(r.contributionHash);
      next.push(out);
    }
    for (const p of current) if (!initialZkeys.includes(p)) rmSync(p, { force: true });
    current = next;
    const transcriptHash = transcriptHashOf({ shardHashes });
    const signature = await signContribution({ account: c.account, modelId, index, transcriptHash });
    const rec = { index, operator: c.account.address, name: c.name, shardHashes, transcriptHash, signature, at: new Date().toISOString(), ms: Math.round(performance.now() - t0), verifyMs: Math.round(verifyMs), contributeMs: Math.round(contributeMs) };
    contributions.push(rec);
    log.info({ index, operator: rec.operator, ms: rec.ms, verifyMs: rec.verifyMs, contributeMs: rec.contributeMs }, "ceremony: contribution added");
    onContribution?.(rec);
  }
  const zkeys = current.map((p, k) => {
    const dst = join(outDir, `shard${k}.zkey`);
    renameSync(p, dst);
    return dst;
  });
  rmSync(work, { recursive: true, force: true });
  return { zkeys, contributions };
}
