/**
 * The ceremony record: what a model's phase-2 setup was made of, as it is kept off chain
 * (`record.json` beside the keys, the coordinator's ceremony API) and on chain
 * (ModelRegistry.ceremonyOf). One definition of the contribution signature (EIP-712), used by
 * the contributor CLI, the coordinator, the registry (Solidity mirror) and the auditor.
 */
import { concat, hashTypedData, keccak256, recoverTypedDataAddress, type Address, type Hex, type LocalAccount } from "viem";

/** EIP-712 domain of contribution attestations. No chain id or contract: a contributor attests to
 *  keys, which can be registered on any chain; (modelId, index, transcriptHash) say which. */
export const CEREMONY_EIP712_DOMAIN = { name: "ProofMesh Ceremony", version: "1" } as const;
export const CEREMONY_EIP712_TYPES = {
  Contribution: [
    { name: "modelId", type: "bytes32" },
    { name: "index", type: "uint256" },
    { name: "transcriptHash", type: "bytes32" },
  ],
  /** the model owner (ModelRegistry owner) opens a ceremony */
  CeremonyStart: [
    { name: "modelId", type: "bytes32" },
    { name: "contributors", type: "address[]" },
    { name: "contributorTimeoutMs", type: "uint256" },
    { name: "beaconBlock", type: "uint256" },
  ],
  /** the contributor whose turn it is uploads one shard's zkey */
  CeremonyUpload: [
    { name: "modelId", type: "bytes32" },
    { name: "index", type: "uint256" },
    { name: "shard", type: "uint256" },
    { name: "sha256", type: "bytes32" },
  ],
} as const;

export function ceremonyStartTypedData(m: { modelId: Hex; contributors: readonly Address[]; contributorTimeoutMs: number; beaconBlock: number }) {
  return { domain: CEREMONY_EIP712_DOMAIN, types: CEREMONY_EIP712_TYPES, primaryType: "CeremonyStart" as const, message: { modelId: m.modelId, contributors: [...m.contributors], contributorTimeoutMs: BigInt(m.contributorTimeoutMs), beaconBlock: BigInt(m.beaconBlock) } };
}

export function ceremonyUploadTypedData(m: { modelId: Hex; index: number; shard: number; sha256: string }) {
  return { domain: CEREMONY_EIP712_DOMAIN, types: CEREMONY_EIP712_TYPES, primaryType: "CeremonyUpload" as const, message: { modelId: m.modelId, index: BigInt(m.index), shard: BigInt(m.shard), sha256: `0x${m.sha256.replace(/^0x/, "")}` as Hex } };
}

export type ShardKeysRecord = {
  shard: number;
  /** sha256 of the deterministic initial zkey (`zkey new` from r1cs + ptau) */
  initialZkeySha256: string;
  /** sha256 of the current (before finalize) or final zkey file */
  zkeySha256: string;
  /** sha256 of the verification key JSON exported from the final zkey (after finalize) */
  vkeySha256?: string;
};

export type ContributionRecord = {
  /** 0-based position among the secret contributions */
  index: number;
  operator: Address;
  /** what the contributor wrote into the zkey */
  name: string;
  /** per shard, the blake2b-512 contribution hash snarkjs printed (128 hex, no 0x) */
  shardHashes: string[];
  /** keccak256 of the shard hashes concatenated: what is signed and stored on chain */
  transcriptHash: Hex;
  /** EIP-712 signature of Contribution(modelId, index, transcriptHash) by `operator` */
  signature: Hex;
  /** ISO time the contribution became current, and its contributor's own time (download, verify, contribute), ms */
  at?: string;
  ms?: number;
};

export type BeaconRecord = {
  blockNumber: number;
  blockHash: Hex;
  iterationsExp: number;
  /** per shard, the beacon contribution's hash */
  shardHashes: string[];
};

export type CeremonyRecord = {
  /** manifest id, e.g. "mnist-mlp-784-64-32-10" */
  model: string;
  /** bytes32 id used on chain */
  modelId: Hex;
  ptauSha256: string;
  shards: ShardKeysRecord[];
  contributions: ContributionRecord[];
  beacon?: BeaconRecord;
};

/** keccak256 of the per-shard contribution hashes (64 bytes each), in shard order. */
export function transcriptHashOf({ shardHashes }: { shardHashes: readonly string[] }): Hex {
  for (const h of shardHashes) if (!/^[0-9a-f]{128}$/.test(h)) throw new TypeError(`contribution hash must be 128 lowercase hex characters, got "${h}"`);
  return keccak256(concat(shardHashes.map((h) => `0x${h}` as Hex)));
}

export function contributionTypedData({ modelId, index, transcriptHash }: { modelId: Hex; index: number; transcriptHash: Hex }) {
  return { domain: CEREMONY_EIP712_DOMAIN, types: CEREMONY_EIP712_TYPES, primaryType: "Contribution" as const, message: { modelId, index: BigInt(index), transcriptHash } };
}

export function contributionDigest(p: { modelId: Hex; index: number; transcriptHash: Hex }): Hex {
  return hashTypedData(contributionTypedData(p));
}

export async function signContribution({ account, ...p }: { account: LocalAccount; modelId: Hex; index: number; transcriptHash: Hex }): Promise<Hex> {
  return account.signTypedData(contributionTypedData(p));
}

export async function recoverContributor(p: { modelId: Hex; index: number; transcriptHash: Hex; signature: Hex }): Promise<Address> {
  return recoverTypedDataAddress({ ...contributionTypedData(p), signature: p.signature });
}

/** The record as ModelRegistry.registerModel takes it (hashes as bytes32, signatures as bytes). */
export function toOnChainRecord(record: CeremonyRecord) {
  if (!record.beacon) throw new TypeError(`ceremony of ${record.model} has no beacon yet: finalize it first`);
  return {
    ptauHash: `0x${record.ptauSha256}` as Hex,
    beaconBlock: BigInt(record.beacon.blockNumber),
    beaconHash: record.beacon.blockHash,
    shards: record.shards.map((s) => {
      if (!s.vkeySha256) throw new TypeError(`shard ${s.shard} of ${record.model} has no vkey yet`);
      return { zkeyHash: `0x${s.zkeySha256}` as Hex, vkeyHash: `0x${s.vkeySha256}` as Hex };
    }),
    contributions: record.contributions.map((c) => ({ operator: c.operator, transcriptHash: c.transcriptHash, signature: c.signature })),
  };
}
