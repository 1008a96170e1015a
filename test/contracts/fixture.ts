// Shared setup for the TypeScript contract tests: the real deploy code (deploy/protocol.ts)
// on a fresh in-process Hardhat network, mock verifiers, one cluster, three staked nodes and a
// funded dApp.
import { network } from "hardhat";
import { getContract, keccak256, parseEther, stringToBytes } from "viem";
import type { Abi, Address } from "viem";

import { jobMarketAbi, modelRegistryAbi, proofMeshTokenAbi, stakeRegistryAbi } from "../../contracts/abi/index.ts";
import { defaultParams } from "../../deploy/config.ts";
import { createLogger } from "../../deploy/logger.ts";
import { deployProtocol, registerModels } from "../../deploy/protocol.ts";
import { devRecordOf, localRecord } from "../../deploy/local-record.ts";

export const MODEL = keccak256(stringToBytes("proofmesh/test-mlp-2"));
export const PRICE0 = parseEther("1");
export const PRICE1 = parseEther("2");

export async function setup() {
  const conn = await network.create();
  const { viem, networkHelpers } = conn;
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const [deployer, dApp, op1, op2, op3, outsider] = wallets;
  if (!deployer || !dApp || !op1 || !op2 || !op3 || !outsider) throw new Error("need 6 accounts");
  const logger = createLogger({ level: "silent" });
  const clients = { publicClient: publicClient as never, walletClient: deployer as never, logger };

  const d = await deployProtocol({ ...clients, params: defaultParams });
  const chainId = d.chainId;
  // Typed by the generated `as const` ABIs (contracts/abi), i.e. what SDK users get.
  const at = <const A extends Abi>(abi: A, address: Address) =>
    getContract({ abi, address, client: { public: publicClient, wallet: deployer } });
  const token = at(proofMeshTokenAbi, d.contracts.ProofMeshToken.address);
  const stake = at(stakeRegistryAbi, d.contracts.StakeRegistry.address);
  const models = at(modelRegistryAbi, d.contracts.ModelRegistry.address);
  const market = at(jobMarketAbi, d.contracts.JobMarket.address);

  const v0 = await viem.deployContract("MockShardVerifier");
  const v1 = await viem.deployContract("MockShardVerifier");
  await registerModels({
    ...clients,
    modelRegistry: models.address,
    models: [
      {
        modelId: MODEL,
        shards: [
          { verifier: v0.address, weightsHash: keccak256(stringToBytes("w0")), memoryBytes: 1n << 20n, pricePerStage: PRICE0 },
          { verifier: v1.address, weightsHash: keccak256(stringToBytes("w1")), memoryBytes: 1n << 20n, pricePerStage: PRICE1 },
        ],
        record: await localRecord({ publicClient: publicClient as never, modelId: MODEL, shardCount: 2 }),
      },
    ],
  });

  await stake.write.createCluster(["eu-west", "eu-west-1", parseEther("100")]);
  await stake.write.createCluster(["us-east", "us-east-1", parseEther("100")]);
  const nodeId: Record<string, number> = {};
  const addNode = async (w: typeof op1, cluster: number, amount: bigint) => {
    await stake.write.registerNode([`http://${w.account.address}.local`, cluster, 8n << 30n, [MODEL], w.account.address], { account: w.account });
    if (amount > 0n) {
      await token.write.mint([w.account.address, amount]);
      await token.write.approve([stake.address, amount], { account: w.account });
      await stake.write.stake([amount], { account: w.account });
    }
    nodeId[w.account.address] = await stake.read.nodeIdOf([w.account.address]);
  };
  await addNode(op1, 1, parseEther("200"));
  await addNode(op2, 1, parseEther("200"));
  await addNode(op3, 2, parseEther("200")); // other cluster
  await addNode(outsider, 1, 0n); // registered, unstaked

  await token.write.mint([dApp.account.address, parseEther("100")]);
  await token.write.approve([market.address, parseEther("100")], { account: dApp.account });
  await market.write.deposit([dApp.account.address, parseEther("100")], { account: dApp.account });

  const idOf = (w: { account: { address: Address } }) => nodeId[w.account.address]!;
  return { conn, viem, networkHelpers, publicClient, chainId, deployment: d, token, stake, models, market, v0, v1, deployer, dApp, op1, op2, op3, outsider, idOf };
}

/**
 * Deploys the GENERATED Groth16 verifiers of a shipped model and registers it (real proofs
 * from prover/ then verify on chain). Returns the on-chain model id and the verifier addresses.
 */
export async function registerRealModel(t: Awaited<ReturnType<typeof setup>>, { modelName, pricePerStage = parseEther("1") }: { modelName: string; pricePerStage?: bigint }) {
  const { getModelManifest } = await import("../../prover/manifest.ts");
  const { toModelId } = await import("../../deploy/protocol.ts");
  const manifest = getModelManifest({ modelId: modelName });
  const modelId = toModelId(modelName);
  const verifiers: Address[] = [];
  for (const s of manifest.shards) verifiers.push(((await t.viem.deployContract(s.verifier.contract as never)) as { address: Address }).address);
  await registerModels({
    publicClient: t.publicClient as never,
    walletClient: t.deployer as never,
    logger: createLogger({ level: "silent" }),
    modelRegistry: t.models.address,
    models: [{ modelId, shards: manifest.shards.map((s, k) => ({ verifier: verifiers[k], weightsHash: s.weightsHash, memoryBytes: BigInt(s.memoryBytes), pricePerStage })), record: await localRecord({ publicClient: t.publicClient as never, modelId, shardCount: manifest.shards.length, devRecord: devRecordOf(manifest) }) }],
  });
  return { modelId, verifiers, manifest };
}
