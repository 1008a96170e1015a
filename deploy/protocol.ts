// Deploys and wires the ProofMesh contracts with plain viem clients, so the same code runs on
// the in-process Hardhat network, a local `hardhat node` or any JSON-RPC endpoint.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { getAddress, isAddress, isHex, keccak256, stringToBytes, stringToHex } from "viem";
import type { Abi, Account, Address, Chain, Hash, Hex, PublicClient, Transport, WalletClient } from "viem";

import { loadArtifact } from "./artifacts.ts";
import type { ProtocolParams } from "./config.ts";
import { ManifestError, ProofMeshDeployError, TransactionRevertedError } from "./errors.ts";
import type { Logger } from "./logger.ts";

export type Clients = {
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain, Account>;
  logger: Logger;
};

export const CORE_CONTRACTS = ["ProofMeshToken", "StakeRegistry", "ModelRegistry", "JobMarket"] as const;
export type CoreContract = (typeof CORE_CONTRACTS)[number];

export type DeployedContract = { address: Address; txHash: Hash; block: bigint; abiHash: Hex };

export type Deployment = {
  chainId: number;
  deployer: Address;
  deployBlock: bigint;
  contracts: Record<CoreContract, DeployedContract>;
  params: ProtocolParams & { coordinator: Address; feeRecipient: Address };
};

export type ShardInput = {
  verifier: Address;
  weightsHash: Hex;
  memoryBytes: bigint;
  pricePerStage: bigint;
};
/** A model's trusted-setup ceremony record as `ModelRegistry.registerModel` takes it
 *  (the shape of `toOnChainRecord` in prover/ceremony/record.ts). */
export type CeremonyRecordInput = {
  ptauHash: Hex;
  beaconBlock: bigint;
  beaconHash: Hex;
  shards: readonly { zkeyHash: Hex; vkeyHash: Hex }[];
  contributions: readonly { operator: Address; transcriptHash: Hex; signature: Hex }[];
};
export type ModelInput = { modelId: Hex; shards: ShardInput[]; record: CeremonyRecordInput };
/** What the manifest alone gives: a model without its ceremony record. */
export type ManifestModelInput = Omit<ModelInput, "record">;

/** keccak256 of the canonical JSON of an ABI (what deployments record to detect ABI drift). */
export function abiHash(abi: Abi): Hex {
  return keccak256(stringToBytes(JSON.stringify(abi)));
}

/** Sends nothing itself: waits for `hash`, logs sent/mined, throws if reverted. */
export async function waitForTx({
  publicClient,
  logger,
  hash,
  label,
}: Pick<Clients, "publicClient" | "logger"> & { hash: Hash; label: string }) {
  logger.info({ tx: hash, label }, "tx sent");
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") {
    throw new TransactionRevertedError(`${label} reverted`, { details: `tx ${hash} in block ${receipt.blockNumber}` });
  }
  logger.info({ tx: hash, label, block: receipt.blockNumber, gasUsed: receipt.gasUsed }, "tx mined");
  return receipt;
}

export async function deployArtifact({
  publicClient,
  walletClient,
  logger,
  name,
  sourceName,
  args = [],
}: Clients & { name: string; sourceName?: string; args?: readonly unknown[] }): Promise<DeployedContract & { abi: Abi }> {
  const artifact = await loadArtifact({ name, sourceName });
  const hash = await walletClient.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args: args as unknown[],
    account: walletClient.account,
    chain: walletClient.chain,
  });
  const receipt = await waitForTx({ publicClient, logger, hash, label: `deploy ${name}` });
  if (!receipt.contractAddress) throw new ProofMeshDeployError(`deploy ${name} returned no address`);
  logger.info({ contract: name, address: receipt.contractAddress }, "deployed");
  return {
    address: receipt.contractAddress,
    txHash: hash,
    block: receipt.blockNumber,
    abiHash: abiHash(artifact.abi),
    abi: artifact.abi,
  };
}

async function write({
  publicClient,
  walletClient,
  logger,
  address,
  abi,
  functionName,
  args,
}: Clients & { address: Address; abi: Abi; functionName: string; args: readonly unknown[] }) {
  const hash = await walletClient.writeContract({
    address,
    abi,
    functionName,
    args: args as unknown[],
    account: walletClient.account,
    chain: walletClient.chain,
  });
  return waitForTx({ publicClient, logger, hash, label: functionName });
}

/**
 * Deploys token, registries and market, wires `StakeRegistry.setJobMarket`, and grants the
 * coordinator role. The deployer is owner/admin of everything.
 */
export async function deployProtocol({
  publicClient,
  walletClient,
  logger,
  params,
  coordinator,
  feeRecipient,
}: Clients & { params: ProtocolParams; coordinator?: Address; feeRecipient?: Address }): Promise<Deployment> {
  const deployer = walletClient.account.address;
  const clients = { publicClient, walletClient, logger };
  const coord = coordinator ?? deployer;
  const fees = feeRecipient ?? deployer;

  const token = await deployArtifact({ ...clients, name: "ProofMeshToken", args: [deployer, params.faucet] });
  const stake = await deployArtifact({
    ...clients,
    name: "StakeRegistry",
    args: [token.address, params.unbondingPeriod, deployer],
  });
  const models = await deployArtifact({ ...clients, name: "ModelRegistry", args: [deployer] });
  const market = await deployArtifact({
    ...clients,
    name: "JobMarket",
    args: [
      {
        token: token.address,
        stakeRegistry: stake.address,
        modelRegistry: models.address,
        maxDeadlineWindow: params.maxDeadlineWindow,
        coordinatorFee: params.coordinatorFee,
        slashAmount: params.slashAmount,
        admin: deployer,
        coordinator: coord,
        feeRecipient: fees,
      },
    ],
  });
  await write({ ...clients, address: stake.address, abi: stake.abi, functionName: "setJobMarket", args: [market.address] });

  const strip = ({ abi: _abi, ...rest }: DeployedContract & { abi: Abi }): DeployedContract => rest;
  return {
    chainId: await publicClient.getChainId(),
    deployer,
    deployBlock: token.block,
    contracts: {
      ProofMeshToken: strip(token),
      StakeRegistry: strip(stake),
      ModelRegistry: strip(models),
      JobMarket: strip(market),
    },
    params: { ...params, coordinator: coord, feeRecipient: fees },
  };
}

/**
 * Registers models with their ceremony records on the ModelRegistry (owner = wallet account).
 * Skips ids already registered. The record's beacon block must be a past block of this chain,
 * at most 256 blocks old when the transaction is mined.
 */
export async function registerModels({
  publicClient,
  walletClient,
  logger,
  modelRegistry,
  models,
}: Clients & { modelRegistry: Address; models: readonly ModelInput[] }): Promise<{ modelId: Hex; index: number }[]> {
  const { abi } = await loadArtifact({ name: "ModelRegistry" });
  const out: { modelId: Hex; index: number }[] = [];
  for (const model of models) {
    const info = (await publicClient.readContract({
      address: modelRegistry,
      abi,
      functionName: "modelInfo",
      args: [model.modelId],
    })) as { index: number };
    if (info.index !== 0) {
      logger.info({ modelId: model.modelId, index: info.index }, "model already registered, skipping");
      out.push({ modelId: model.modelId, index: info.index });
      continue;
    }
    await write({
      publicClient,
      walletClient,
      logger,
      address: modelRegistry,
      abi,
      functionName: "registerModel",
      args: [model.modelId, model.shards, model.record],
    });
    const after = (await publicClient.readContract({
      address: modelRegistry,
      abi,
      functionName: "modelInfo",
      args: [model.modelId],
    })) as { index: number };
    logger.info(
      { modelId: model.modelId, index: after.index, shards: model.shards.length, contributions: model.record.contributions.length, beaconBlock: model.record.beaconBlock },
      "model registered",
    );
    out.push({ modelId: model.modelId, index: after.index });
  }
  return out;
}

/** `0x` + 64 hex is used as is; any other string is hashed (keccak256 of its UTF-8 bytes). */
export function toModelId(id: string): Hex {
  if (isHex(id) && id.length === 66) return id;
  return keccak256(stringToBytes(id));
}

type ManifestShard = {
  /** address, contract name, or `{ contract, path }` (prover/models/manifest.json) */
  verifier?: string | { contract?: string; path?: string };
  verifierAddress?: string;
  verifierContract?: string;
  weightsHash?: string;
  memoryBytes?: number | string;
  pricePerStage?: number | string;
};
type ManifestModel = { modelId?: string; id?: string; name?: string; shards?: ManifestShard[] };

/**
 * Turns the circuits manifest (format not final) into `ManifestModelInput[]` (models without
 * their ceremony record). Each shard names its verifier either by address or by contract name
 * (`verifierContract` or a non-address `verifier`); names are resolved with `resolveVerifier`
 * (e.g. deploy the generated verifier).
 */
export async function modelsFromManifest({
  manifest,
  resolveVerifier,
  defaultPricePerStage = 0n,
}: {
  manifest: unknown;
  /** Resolves a verifier contract name (and its source path, when the manifest gives one). */
  resolveVerifier: (contractName: string, sourcePath?: string) => Promise<Address>;
  /** Used for shards without `pricePerStage`. */
  defaultPricePerStage?: bigint;
}): Promise<ManifestModelInput[]> {
  const root = manifest as { models?: ManifestModel[] } | ManifestModel[];
  const list = Array.isArray(root) ? root : root?.models;
  if (!Array.isArray(list)) throw new ManifestError("manifest has no `models` array");
  const models: ManifestModelInput[] = [];
  for (const [i, m] of list.entries()) {
    const id = m.modelId ?? m.id ?? m.name;
    if (!id || !Array.isArray(m.shards) || m.shards.length === 0) {
      throw new ManifestError(`manifest model #${i} needs an id and a non-empty shards array`);
    }
    const shards: ShardInput[] = [];
    for (const [k, s] of m.shards.entries()) {
      const v = s.verifier;
      const ref = s.verifierAddress ?? (typeof v === "object" ? v?.contract : v) ?? s.verifierContract;
      if (!ref) throw new ManifestError(`model ${id} shard ${k} has no verifier`);
      const sourcePath = typeof v === "object" ? v?.path : undefined;
      const verifier = isAddress(ref) ? getAddress(ref) : await resolveVerifier(ref, sourcePath);
      const weightsHash = s.weightsHash ? (isHex(s.weightsHash) ? s.weightsHash : toModelId(s.weightsHash)) : stringToHex("", { size: 32 });
      if (weightsHash.length !== 66) throw new ManifestError(`model ${id} shard ${k}: weightsHash must be 32 bytes`);
      shards.push({
        verifier,
        weightsHash,
        memoryBytes: BigInt(s.memoryBytes ?? 0),
        pricePerStage: s.pricePerStage === undefined ? defaultPricePerStage : BigInt(s.pricePerStage),
      });
    }
    models.push({ modelId: toModelId(id), shards });
  }
  return models;
}

/** Reads a JSON manifest; returns undefined if the file does not exist. */
export async function readManifest({ file }: { file: string }): Promise<unknown | undefined> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ManifestError(`cannot read manifest ${file}`, { cause });
  }
  try {
    return JSON.parse(raw);
  } catch (cause) {
    throw new ManifestError(`manifest ${file} is not valid JSON`, { cause });
  }
}

/** Writes `<dir>/<chainId>.json` (bigints as decimal strings). Returns the path. */
export async function writeDeployment({
  dir,
  deployment,
  extra = {},
}: {
  dir: string;
  deployment: Deployment;
  extra?: Record<string, unknown>;
}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${deployment.chainId}.json`);
  const json = JSON.stringify({ ...deployment, ...extra }, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
  await writeFile(file, `${json}\n`);
  return file;
}
