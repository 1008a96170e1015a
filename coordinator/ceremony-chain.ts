/**
 * The chain reads of the ceremony service and the key index, behind a small interface (unit
 * tests stub it): the ModelRegistry owner (who may open a ceremony), the head block (the beacon
 * must be a future block) and `ModelRegistry.ceremonyOf(modelId)` (the registered record; its
 * vkeyHash / zkeyHash choose the keys the coordinator serves).
 */
import { BaseError, ContractFunctionRevertedError, getAddress, type Address, type Hex } from "viem";
import { modelRegistryAbi } from "../contracts/abi/index.ts";
import type { ChainContext } from "./chain.ts";

/** `ModelRegistry.ceremonyOf(modelId)`: hashes lower-case 0x-prefixed, addresses checksummed. */
export type OnChainCeremonyRecord = {
  ptauHash: Hex;
  beaconBlock: bigint;
  beaconHash: Hex;
  shards: { zkeyHash: Hex; vkeyHash: Hex }[];
  contributions: { operator: Address; transcriptHash: Hex; signature: Hex }[];
};

export type CeremonyChainReader = {
  /** `ModelRegistry.owner()` (Ownable) */
  owner(): Promise<Address>;
  blockNumber(): Promise<bigint>;
  /** the registered record; null when the registry does not know the model */
  ceremonyOf(modelId: Hex): Promise<OnChainCeremonyRecord | null>;
};

/** Reads from the deployment's ModelRegistry with the coordinator's public client. */
export function createCeremonyChainReader({ chain }: { chain: ChainContext }): CeremonyChainReader {
  const address = chain.deployment.contracts.ModelRegistry;
  const client = chain.publicClient;
  return {
    owner: async () => getAddress(await client.readContract({ address, abi: modelRegistryAbi, functionName: "owner" })),
    blockNumber: () => client.getBlockNumber({ cacheTime: 0 }),
    async ceremonyOf(modelId) {
      try {
        const r = await client.readContract({ address, abi: modelRegistryAbi, functionName: "ceremonyOf", args: [modelId] });
        return normalizeRecord(r);
      } catch (err) {
        const revert = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
        if (revert instanceof ContractFunctionRevertedError && revert.data?.errorName === "ModelRegistry_UnknownModel") return null;
        throw err;
      }
    },
  };
}

export function normalizeRecord(r: {
  ptauHash: Hex;
  beaconBlock: bigint;
  beaconHash: Hex;
  shards: readonly { zkeyHash: Hex; vkeyHash: Hex }[];
  contributions: readonly { operator: Address; transcriptHash: Hex; signature: Hex }[];
}): OnChainCeremonyRecord {
  return {
    ptauHash: r.ptauHash.toLowerCase() as Hex,
    beaconBlock: BigInt(r.beaconBlock),
    beaconHash: r.beaconHash.toLowerCase() as Hex,
    shards: r.shards.map((s) => ({ zkeyHash: s.zkeyHash.toLowerCase() as Hex, vkeyHash: s.vkeyHash.toLowerCase() as Hex })),
    contributions: r.contributions.map((c) => ({ operator: getAddress(c.operator), transcriptHash: c.transcriptHash.toLowerCase() as Hex, signature: c.signature })),
  };
}
