/**
 * A ceremony record for in-process test chains and gas benchmarks that register MOCK verifiers or
 * the repository's development verifiers directly: signed contributions and a beacon that is a
 * real past block of the chain, so ModelRegistry accepts it, but the keys were NOT finished with
 * that beacon. Never used by `npm run deploy`, the demo or the mesh (deploy/finalize-model.ts
 * applies the beacon there); `proofmesh audit model` would fail such a record, as it should.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Hex, PublicClient } from "viem";
import { ROOT } from "../prover/paths.ts";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { keccak256, toHex } from "viem";
import { signContribution, transcriptHashOf, type CeremonyRecord } from "../prover/ceremony/record.ts";
import type { CeremonyRecordInput } from "./protocol.ts";

export type LocalRecordParameters = {
  publicClient: PublicClient;
  modelId: Hex;
  shardCount: number;
  /** the development ceremony's record when the model is a shipped one (its real signatures and key hashes) */
  devRecord?: CeremonyRecord;
};

export async function localRecord({ publicClient, modelId, shardCount, devRecord }: LocalRecordParameters): Promise<CeremonyRecordInput> {
  const head = await publicClient.getBlock();
  const contributions = devRecord
    ? devRecord.contributions.map((c) => ({ operator: c.operator, transcriptHash: c.transcriptHash, signature: c.signature }))
    : await Promise.all(
        [0, 1].map(async (index) => {
          const account = privateKeyToAccount(generatePrivateKey());
          const transcriptHash = transcriptHashOf({ shardHashes: Array.from({ length: shardCount }, (_, k) => keccak256(toHex(`${modelId}:${index}:${k}`)).slice(2).repeat(2)) });
          return { operator: account.address, transcriptHash, signature: await signContribution({ account, modelId, index, transcriptHash }) };
        }),
      );
  return {
    ptauHash: `0x${devRecord?.ptauSha256 ?? "11".repeat(32)}`,
    beaconBlock: head.number,
    beaconHash: head.hash,
    shards: Array.from({ length: shardCount }, (_, k) => ({
      zkeyHash: `0x${devRecord?.shards[k].zkeySha256 ?? keccak256(toHex(`zkey${k}`)).slice(2)}` as Hex,
      vkeyHash: `0x${devRecord?.shards[k].vkeySha256 ?? keccak256(toHex(`vkey${k}`)).slice(2)}` as Hex,
    })),
    contributions,
  };
}

/** The development ceremony record a shipped model's manifest points at. */
export function devRecordOf(model: { ceremony: { path: string } }): CeremonyRecord {
  return JSON.parse(readFileSync(path.resolve(ROOT, model.ceremony.path), "utf8")) as CeremonyRecord;
}
