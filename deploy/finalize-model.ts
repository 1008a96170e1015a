/**
 * The last step of a model's ceremony on one chain, and its registration:
 *   beacon block announced (given, or two blocks ahead) → that block mined → its hash is the
 *   beacon applied to every shard's zkey → vkey and Solidity verifier exported from the final
 *   zkeys, compiled, deployed → ModelRegistry.registerModel with the ceremony record.
 * Shared by `deploy/deploy.ts` (the repository's development ceremony, on each chain it deploys
 * to) and `proofmesh model ceremony finalize` (a ceremony among operators).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Address, Hex } from "viem";
import { applyBeacon, BEACON_ITERATIONS_EXP } from "../prover/ceremony/apply-beacon.ts";
import { exportKeys } from "../prover/ceremony/export-keys.ts";
import { toOnChainRecord, type CeremonyRecord } from "../prover/ceremony/record.ts";
import { assertCeremony } from "../prover/ceremony/verify-ceremony.ts";
import type { ModelManifest } from "../prover/manifest.ts";
import { verifierContractName } from "../prover/models/config.ts";
import { PTAU_PATH, ROOT } from "../prover/paths.ts";
import { compileVerifier } from "./compile-verifier.ts";
import { ProofMeshDeployError } from "./errors.ts";
import { registerModels, toModelId, waitForTx, type Clients } from "./protocol.ts";
import { modelRegistryAbi } from "../contracts/abi/index.ts";
import { sha256File, sha256Hex } from "../prover/ceremony/hashes.ts";

export type KeyFile = { kind: "zkey" | "vkey"; shard: number; path: string; sha256: string };

export type FinalizeModelParameters = Clients & {
  modelRegistry: Address;
  model: ModelManifest;
  /** the ceremony so far: secret contributions, no beacon */
  record: CeremonyRecord;
  /** the current zkeys (after the last contribution), per shard */
  zkeys: readonly string[];
  /** the announced beacon block; default: two blocks after the current one */
  beaconBlock?: number;
  /** the final zkeys, vkeys and record.json are written here */
  outDir: string;
  pricePerStage: bigint;
  /**
   * also verify the final keys after the beacon (the input keys are always verified against the
   * record before the beacon: zkey verify from the initial zkeys, transcript, signatures)
   */
  verify?: boolean;
  progress?: (msg: string) => void;
};

export type FinalizeModelReturnType = { record: CeremonyRecord; files: KeyFile[]; verifiers: Address[]; index: number };


export async function finalizeModel(p: FinalizeModelParameters): Promise<FinalizeModelReturnType> {
  const { publicClient, walletClient, logger, modelRegistry, model, record, zkeys, outDir, pricePerStage, verify = false } = p;
  const say = p.progress ?? ((m: string) => logger.info(m));
  if (record.beacon) throw new ProofMeshDeployError(`ceremony of ${model.id} already has a beacon`);
  if (record.contributions.length === 0) throw new ProofMeshDeployError(`ceremony of ${model.id} has no contribution: a beacon alone is public, anyone could forge`);
  if (zkeys.length !== model.shards.length) throw new ProofMeshDeployError(`${zkeys.length} zkeys for ${model.shards.length} shards of ${model.id}`);
  mkdirSync(outDir, { recursive: true });
  const modelId = toModelId(model.id);
  const existing = await publicClient.readContract({ address: modelRegistry, abi: modelRegistryAbi, functionName: "modelInfo", args: [modelId] });
  if (existing.index !== 0) throw new ProofMeshDeployError(`model ${model.id} is already registered (index ${existing.index}): its keys are final`);
  // What is about to be finished must be what the record says: a valid chain of the recorded, signed
  // contributions from the initial zkeys (a replaced or stale zkey would be registered with genuine signatures).
  const initialZkeys = model.shards.map((s) => path.resolve(ROOT, s.initialZkey.path));
  const checked = await assertCeremony({ record, initialZkeys, zkeys, ptauPath: PTAU_PATH, finalized: false, log: logger as never });
  say(`ceremony ${model.id}: ${record.contributions.length} contributions verified (${checked.length} checks)`);

  const beaconBlock = p.beaconBlock ?? Number(await publicClient.getBlockNumber({ cacheTime: 0 })) + 2;
  say(`ceremony ${model.id}: beacon = hash of block ${beaconBlock}`);
  const blockHash = await waitForBlockHash({ clients: p, blockNumber: beaconBlock });
  say(`ceremony ${model.id}: block ${beaconBlock} hash ${blockHash}`);

  const final: CeremonyRecord = { ...record, shards: record.shards.map((s) => ({ ...s })), beacon: { blockNumber: beaconBlock, blockHash, iterationsExp: BEACON_ITERATIONS_EXP, shardHashes: [] } };
  const files: KeyFile[] = [];
  const verifiers: Address[] = [];
  const finalZkeys: string[] = [];
  const sources: { contract: string; source: string }[] = [];
  for (const [k, zkey] of zkeys.entries()) {
    const out = path.join(outDir, `shard${k}.zkey`);
    const { contributionHash } = await applyBeacon({ inPath: zkey, outPath: out, beaconHash: blockHash, log: logger as never });
    finalZkeys.push(out);
    final.beacon!.shardHashes.push(contributionHash);
    const contract = verifierContractName({ modelId: model.id, shard: k });
    const keys = await exportKeys({ zkeyPath: out, contract, modelId: model.id, shard: k, log: logger as never });
    const vkeyPath = path.join(outDir, `shard${k}.vkey.json`);
    writeFileSync(vkeyPath, keys.vkeyJson);
    writeFileSync(path.join(outDir, `${contract}.sol`), keys.verifierSource);
    const zSha = sha256File(out);
    const vSha = sha256Hex(keys.vkeyJson);
    final.shards[k].zkeySha256 = zSha;
    final.shards[k].vkeySha256 = vSha;
    files.push({ kind: "zkey", shard: k, path: out, sha256: zSha }, { kind: "vkey", shard: k, path: vkeyPath, sha256: vSha });
    sources.push({ contract, source: keys.verifierSource });
    say(`ceremony ${model.id}: shard ${k} beacon applied, zkey ${zSha.slice(0, 12)}…, vkey ${vSha.slice(0, 12)}…`);
  }
  if (verify) {
    const v = await assertCeremony({ record: final, initialZkeys, zkeys: finalZkeys, ptauPath: PTAU_PATH, finalized: true, log: logger as never });
    say(`ceremony ${model.id}: final keys verified (${v.length} checks)`);
  }
  for (const { contract, source } of sources) {
    const { abi, bytecode } = compileVerifier({ source, contract });
    const hash = await walletClient.deployContract({ abi, bytecode, account: walletClient.account, chain: walletClient.chain });
    const receipt = await waitForTx({ publicClient, logger, hash, label: `deploy ${contract}` });
    if (!receipt.contractAddress) throw new ProofMeshDeployError(`deploy ${contract} returned no address`);
    verifiers.push(receipt.contractAddress);
    say(`ceremony ${model.id}: ${contract} deployed at ${receipt.contractAddress}`);
  }
  writeFileSync(path.join(outDir, "record.json"), JSON.stringify(final, null, 2) + "\n");
  const [registered] = await registerModels({
    publicClient,
    walletClient,
    logger,
    modelRegistry,
    models: [
      {
        modelId,
        shards: model.shards.map((s, k) => ({ verifier: verifiers[k], weightsHash: s.weightsHash, memoryBytes: BigInt(s.memoryBytes), pricePerStage })),
        record: toOnChainRecord(final),
      },
    ],
  });
  say(`ceremony ${model.id}: registered with its record (${final.contributions.length} contributions + beacon of block ${beaconBlock})`);
  return { record: final, files, verifiers, index: registered.index };
}

/** Waits until `blockNumber` is mined (mining empty blocks on a development chain that only mines on demand). */
async function waitForBlockHash({ clients, blockNumber }: { clients: Clients; blockNumber: number }): Promise<Hex> {
  const { publicClient } = clients;
  const start = Number(await publicClient.getBlockNumber({ cacheTime: 0 }));
  // 10 minutes, plus 30 s for every block still to come (a real chain's announced block may be far)
  const deadline = Date.now() + 10 * 60_000 + Math.max(0, blockNumber - start) * 30_000;
  let canMine = true;
  for (;;) {
    const head = Number(await publicClient.getBlockNumber({ cacheTime: 0 }));
    if (head >= blockNumber) {
      const b = await publicClient.getBlock({ blockNumber: BigInt(blockNumber) });
      return b.hash!;
    }
    if (Date.now() > deadline) throw new ProofMeshDeployError(`block ${blockNumber} was not mined in time (head ${head})`);
    if (canMine) {
      try {
        await publicClient.request({ method: "evm_mine" as never, params: [] as never });
        continue;
      } catch {
        canMine = false; // a real chain: wait for its blocks
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
