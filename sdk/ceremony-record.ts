/**
 * Rebuilding a model's CeremonyRecord (prover/ceremony/record.ts) from what is public, so that
 * prover/ceremony/verify-ceremony.ts can check keys against it:
 *  - ceremonyRecordFromChain: the ModelRegistry's `ceremonyOf` record (operators, transcript
 *    hashes, signatures, beacon, key hashes) + the per-shard contribution hashes read from the
 *    final zkeys' own transcripts (the chain only stores their keccak, the transcriptHash);
 *  - ceremonyRecordFromApi: the coordinator's ceremony (before the beacon), for the finalizer.
 * Neither trusts what it is given: differences are returned as `problems` (one line each) for the
 * caller to report; the record is still built so every other check can run.
 */
import type { Address, Hex } from "viem";

import { BEACON_ITERATIONS_EXP } from "../prover/ceremony/apply-beacon.ts";
import type { CeremonyRecord, ContributionRecord } from "../prover/ceremony/record.ts";
import type { ZkeyTranscript } from "../prover/ceremony/zkey-contributions.ts";
import type { Ceremony } from "./schemas.ts";
import { bareHex as bare } from "../prover/ceremony/hashes.ts";

/** ModelRegistry.ceremonyOf(modelId) as viem decodes it. */
export type OnChainCeremonyRecord = {
  ptauHash: Hex;
  beaconBlock: bigint;
  beaconHash: Hex;
  shards: readonly { zkeyHash: Hex; vkeyHash: Hex }[];
  contributions: readonly { operator: Address; transcriptHash: Hex; signature: Hex }[];
};


export type CeremonyRecordFromChainParameters = {
  /** manifest model id */
  model: string;
  modelId: Hex;
  onChain: OnChainCeremonyRecord;
  /** per shard, the final zkey's transcript (readZkeyTranscript) */
  transcripts: readonly ZkeyTranscript[];
  /** per shard, the sha256 of the auditor's own initial zkey (not on chain: it is deterministic from r1cs + ptau) */
  initialZkeySha256: readonly string[];
};
export type CeremonyRecordFromChainReturnType = { record: CeremonyRecord; problems: string[] };

export function ceremonyRecordFromChain({ model, modelId, onChain, transcripts, initialZkeySha256 }: CeremonyRecordFromChainParameters): CeremonyRecordFromChainReturnType {
  const problems: string[] = [];
  if (transcripts.length !== onChain.shards.length) problems.push(`${transcripts.length} zkey transcript(s) for ${onChain.shards.length} shard(s) on chain`);
  const secret = transcripts.map((t) => t.contributions.filter((c) => c.type === 0));
  for (const [k, s] of secret.entries()) {
    if (s.length !== onChain.contributions.length) problems.push(`shard ${k}'s zkey holds ${s.length} secret contribution(s), the chain records ${onChain.contributions.length}`);
  }
  const contributions: ContributionRecord[] = onChain.contributions.map((c, i) => ({
    index: i,
    operator: c.operator,
    name: secret[0]?.[i]?.name ?? "",
    // a missing hash stays "" (it can never match the on-chain transcriptHash)
    shardHashes: secret.map((s) => s[i]?.contributionHash ?? ""),
    transcriptHash: c.transcriptHash.toLowerCase() as Hex,
    signature: c.signature,
  }));
  const beaconShardHashes = transcripts.map((t, k) => {
    const last = t.contributions.at(-1);
    if (last?.type !== 1) {
      problems.push(`shard ${k}'s zkey does not end with a beacon`);
      return "";
    }
    return last.contributionHash;
  });
  const record: CeremonyRecord = {
    model,
    modelId,
    ptauSha256: bare(onChain.ptauHash),
    shards: onChain.shards.map((s, k) => ({ shard: k, initialZkeySha256: initialZkeySha256[k] ?? "", zkeySha256: bare(s.zkeyHash), vkeySha256: bare(s.vkeyHash) })),
    contributions,
    beacon: { blockNumber: Number(onChain.beaconBlock), blockHash: onChain.beaconHash.toLowerCase() as Hex, iterationsExp: BEACON_ITERATIONS_EXP, shardHashes: beaconShardHashes },
  };
  return { record, problems };
}

export type CeremonyRecordFromApiParameters = {
  ceremony: Ceremony;
  /** the manifest's ptau sha256 and per-shard initial zkey sha256 (what this machine built and checked) */
  ptauSha256: string;
  initialZkeySha256: readonly string[];
};
export type CeremonyRecordFromApiReturnType = { record: CeremonyRecord; problems: string[] };

/** The record of a ceremony that is ready to finalize (secret contributions only, no beacon). */
export function ceremonyRecordFromApi({ ceremony, ptauSha256, initialZkeySha256 }: CeremonyRecordFromApiParameters): CeremonyRecordFromApiReturnType {
  const problems: string[] = [];
  if (bare(ceremony.ptauSha256) !== bare(ptauSha256)) problems.push(`the ceremony's ptau sha256 ${bare(ceremony.ptauSha256)} is not the manifest's ${bare(ptauSha256)}`);
  const shards = [...ceremony.shards].sort((a, b) => a.shard - b.shard);
  if (shards.length !== initialZkeySha256.length) problems.push(`the ceremony has ${shards.length} shard(s), the manifest ${initialZkeySha256.length}`);
  for (const [k, s] of shards.entries()) {
    if (s.shard !== k) problems.push(`the ceremony's shards are not 0..${shards.length - 1} (found shard ${s.shard} at position ${k})`);
    else if (initialZkeySha256[k] !== undefined && bare(s.initialZkeySha256) !== bare(initialZkeySha256[k])) {
      problems.push(`shard ${k}: the ceremony started from initial zkey ${bare(s.initialZkeySha256)}, this machine's is ${bare(initialZkeySha256[k])}`);
    }
  }
  const contributions = [...ceremony.contributions].sort((a, b) => a.index - b.index);
  for (const [i, c] of contributions.entries()) {
    if (c.index !== i) problems.push(`contribution indexes are not 0..${contributions.length - 1} (found ${c.index} at position ${i})`);
    if (c.shardHashes.length !== shards.length) problems.push(`contribution #${c.index} has ${c.shardHashes.length} shard hash(es) for ${shards.length} shard(s)`);
  }
  const record: CeremonyRecord = {
    model: ceremony.model,
    modelId: ceremony.modelId.toLowerCase() as Hex,
    ptauSha256: bare(ptauSha256),
    shards: shards.map((s) => ({ shard: s.shard, initialZkeySha256: bare(s.initialZkeySha256), zkeySha256: bare(s.zkeySha256) })),
    contributions: contributions.map((c) => ({
      index: c.index,
      operator: c.operator as Address,
      name: c.name,
      shardHashes: [...c.shardHashes],
      transcriptHash: c.transcriptHash.toLowerCase() as Hex,
      signature: c.signature as Hex,
      ...(typeof c.at === "string" ? { at: c.at } : typeof c.at === "number" ? { at: new Date(c.at).toISOString() } : {}),
      ...(typeof c.ms === "number" ? { ms: c.ms } : {}),
    })),
  };
  return { record, problems };
}
