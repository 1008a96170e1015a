// The TypeScript contribution signature (record.ts) and the registry's Solidity mirror agree:
// same EIP-712 digest for random keys / ids / indices / transcripts, and records signed with
// `signContribution` are accepted by ModelRegistry.registerModel (tampered ones refused).
// Run: node --test prover/ceremony/record.test.ts   (after `npx hardhat build`)
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";

import { network } from "hardhat";
import { BaseError, ContractFunctionRevertedError, getContract, keccak256, toHex } from "viem";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { modelRegistryAbi } from "../../contracts/abi/index.ts";
import { contributionDigest, recoverContributor, signContribution } from "./record.ts";

const rand32 = (): Hex => toHex(randomBytes(32));

/** ModelRegistry (+ a mock shard verifier) on a fresh in-process Hardhat network. */
async function connect() {
  const conn = await network.create();
  const publicClient = await conn.viem.getPublicClient();
  const [owner] = await conn.viem.getWalletClients();
  const { address } = await conn.viem.deployContract("ModelRegistry", [owner!.account.address]);
  const registry = getContract({ abi: modelRegistryAbi, address, client: { public: publicClient, wallet: owner! } });
  const verifier = (await conn.viem.deployContract("MockShardVerifier")).address;
  return { conn, publicClient, registry, verifier };
}

describe("ceremony record ⇄ ModelRegistry", () => {
  let t: Awaited<ReturnType<typeof connect>>;
  before(async () => {
    t = await connect();
  });
  after(async () => {
    await t?.conn.close();
  });

  it("contributionDigest equals the contract's for random keys, ids, indices and transcripts", async () => {
    for (let i = 0; i < 8; i++) {
      const account = privateKeyToAccount(generatePrivateKey());
      const p = { modelId: rand32(), index: Math.floor(Math.random() * 1000), transcriptHash: rand32() };
      const onChain = await t.registry.read.contributionDigest([p.modelId, BigInt(p.index), p.transcriptHash]);
      assert.equal(contributionDigest(p), onChain);
      const signature = await signContribution({ account, ...p });
      assert.equal(await recoverContributor({ ...p, signature }), account.address);
    }
  });

  /** A record signed by `keys`, its beacon the block before the latest (in the past both for a
   *  mined transaction and for an eth_call, which runs at the latest block's number). */
  async function record(modelId: Hex, keys: Hex[]) {
    const beacon = await t.publicClient.getBlock({ blockNumber: (await t.publicClient.getBlockNumber()) - 1n });
    const contributions = await Promise.all(
      keys.map(async (key, index) => {
        const account = privateKeyToAccount(key);
        const transcriptHash = keccak256(randomBytes(128));
        return { operator: account.address, transcriptHash, signature: await signContribution({ account, modelId, index, transcriptHash }) };
      }),
    );
    return { ptauHash: rand32(), beaconBlock: beacon.number, beaconHash: beacon.hash, shards: [{ zkeyHash: rand32(), vkeyHash: rand32() }], contributions };
  }
  const shards = () => [{ verifier: t.verifier, weightsHash: rand32(), memoryBytes: 1n, pricePerStage: 1n }];

  it("registerModel accepts a record signed with signContribution and returns it from ceremonyOf", async () => {
    const modelId = rand32();
    const rec = await record(modelId, [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()]);
    await t.registry.write.registerModel([modelId, shards(), rec]);
    assert.deepEqual(await t.registry.read.ceremonyOf([modelId]), rec);
  });

  it("registerModel refuses a signature made for another index", async () => {
    const modelId = rand32();
    const keys = [generatePrivateKey(), generatePrivateKey()];
    const rec = await record(modelId, keys);
    const c = rec.contributions[1]!;
    c.signature = await signContribution({ account: privateKeyToAccount(keys[1]!), modelId, index: 0, transcriptHash: c.transcriptHash });
    const err = await t.registry.simulate.registerModel([modelId, shards(), rec]).then(
      () => assert.fail("expected a revert"),
      (e: unknown) => e,
    );
    const revert = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
    assert.ok(revert instanceof ContractFunctionRevertedError, String(err));
    assert.equal(revert.data?.errorName, "ModelRegistry_BadContributionSignature");
    assert.deepEqual(revert.data?.args, [1n, c.operator]);
  });
});
