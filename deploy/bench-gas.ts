// `npm run bench:gas [-- --verifier precompile|mock]`
// Gas table of one settled 2-stage job on the in-process Hardhat network. Stage proofs come from
// a `ProofSource`; verifiers from a list of addresses. Defaults: PrecompileCostVerifier (accepts
// anything but spends what a snarkjs 4-signal Groth16 verifier spends on precompiles) and a
// mock proof source. Pass real verifier addresses + a real proof source (the prover) to bench
// the real thing: `benchGas({ verifiers, proofSource, ... })`.
import path from "node:path";
import { parseArgs } from "node:util";

import { keccak256, parseEther, stringToBytes } from "viem";
import type { Address, Hash } from "viem";

import { jobMarketAbi, modelRegistryAbi, proofMeshTokenAbi, stakeRegistryAbi } from "../contracts/abi/index.ts";
import { connectClients } from "./clients.ts";
import type { ChainClients } from "./clients.ts";
import { defaultParams, readDeployEnv } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { bindingOf, jobIdOf, R, signJobRequest } from "./jobs.ts";
import type { JobRequest } from "./jobs.ts";
import { createLogger } from "./logger.ts";
import type { Logger } from "./logger.ts";
import { repoRoot } from "./artifacts.ts";
import { deployArtifact, deployProtocol, readManifest, registerModels } from "./protocol.ts";
import { localRecord } from "./local-record.ts";

export type StageProofRequest = {
  jobId: bigint;
  stage: number;
  prover: Address;
  inCommit: bigint;
  binding: bigint;
  isLast: boolean;
};
export type StageProof = {
  a: readonly [bigint, bigint];
  b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  c: readonly [bigint, bigint];
  pubSignals: readonly [bigint, bigint, bigint, bigint];
};
export type ProofSource = {
  /** The job's input commitment (= stage 0's `inCommit`), known before the job is created. */
  inputCommitment: (job: { jobId: bigint; binding0: bigint }) => Promise<bigint>;
  prove: (req: StageProofRequest) => Promise<StageProof>;
};

/** Random-looking field elements (realistic calldata cost), correct linking and binding. */
export const mockProofSource: ProofSource = {
  inputCommitment: async ({ jobId }) => BigInt(keccak256(stringToBytes(`input${jobId}`))) % R,
  prove: async ({ jobId, stage, inCommit, binding, isLast }) => {
    const fe = (tag: string) => BigInt(keccak256(stringToBytes(`${jobId}:${stage}:${tag}`))) % R;
    return {
      a: [fe("a0"), fe("a1")],
      b: [
        [fe("b00"), fe("b01")],
        [fe("b10"), fe("b11")],
      ],
      c: [fe("c0"), fe("c1")],
      pubSignals: [inCommit, fe("out"), binding, isLast ? 7n : 0n],
    };
  },
};

type ProveShard = (p: { modelId: string; shard: number; input: readonly number[]; binding: bigint }) => Promise<{
  calldata: StageProof;
  output: number[];
  inCommit: bigint;
}>;

/** Real Groth16 proofs from the prover (prover/prove-shard.ts), chaining each stage's output. */
export function proverProofSource({ proveShard, modelId, input }: { proveShard: ProveShard; modelId: string; input: readonly number[] }): ProofSource {
  const outputs = new Map<bigint, number[]>();
  const stage0 = new Map<bigint, StageProof>();
  return {
    inputCommitment: async ({ jobId, binding0 }) => {
      const r = await proveShard({ modelId, shard: 0, input, binding: binding0 });
      stage0.set(jobId, r.calldata);
      outputs.set(jobId, r.output);
      return r.inCommit;
    },
    prove: async ({ jobId, stage, binding }) => {
      if (stage === 0) return stage0.get(jobId)!;
      const r = await proveShard({ modelId, shard: stage, input: outputs.get(jobId)!, binding });
      outputs.set(jobId, r.output);
      return r.calldata;
    },
  };
}

export type GasRow = { step: string; gas: bigint };

export async function benchGas({
  chain,
  logger,
  verifiers,
  proofSource = mockProofSource,
  pricePerStage = parseEther("1"),
}: {
  chain: ChainClients;
  logger: Logger;
  /** One verifier per stage (2 for the standard bench). */
  verifiers: readonly Address[];
  proofSource?: ProofSource;
  pricePerStage?: bigint;
}): Promise<GasRow[]> {
  const { publicClient, walletClient: deployer, wallets } = chain;
  const [, dApp, op1, op2] = wallets;
  if (!dApp || !op1 || !op2) throw new ConfigError("bench needs 4 unlocked accounts (in-process network)");
  const clients = { publicClient, walletClient: deployer, logger };
  const quiet = logger.child({}, { level: "warn" });

  const d = await deployProtocol({ ...clients, logger: quiet, params: defaultParams });
  const token = d.contracts.ProofMeshToken.address;
  const stake = d.contracts.StakeRegistry.address;
  const market = d.contracts.JobMarket.address;
  const chainId = d.chainId;
  const modelId = keccak256(stringToBytes("bench-model"));
  await registerModels({
    ...clients,
    logger: quiet,
    modelRegistry: d.contracts.ModelRegistry.address,
    models: [
      {
        modelId,
        shards: verifiers.map((verifier, k) => ({
          verifier,
          weightsHash: keccak256(stringToBytes(`w${k}`)),
          memoryBytes: 1n << 20n,
          pricePerStage,
        })),
        record: await localRecord({ publicClient, modelId, shardCount: verifiers.length }),
      },
    ],
  });

  const rows: GasRow[] = [];
  const measure = async (step: string, hash: Promise<Hash>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error(`${step} reverted`);
    rows.push({ step, gas: receipt.gasUsed });
    logger.debug({ step, gas: receipt.gasUsed }, "measured");
    return receipt;
  };
  const send = (w: typeof deployer) => ({ account: w.account, chain: w.chain });

  await measure(
    "createCluster",
    deployer.writeContract({ ...send(deployer), address: stake, abi: stakeRegistryAbi, functionName: "createCluster", args: ["eu-west", "eu-west-1", parseEther("100")] }),
  );
  for (const [i, w] of [dApp, op1, op2].entries()) {
    await measure(`mint #${i}`, deployer.writeContract({ ...send(deployer), address: token, abi: proofMeshTokenAbi, functionName: "mint", args: [w.account.address, parseEther("1000")] }));
  }
  const nodeIds: number[] = [];
  for (const [i, op] of [op1, op2].entries()) {
    await measure(
      i === 0 ? "registerNode" : "registerNode #2",
      op.writeContract({ ...send(op), address: stake, abi: stakeRegistryAbi, functionName: "registerNode", args: [`http://127.0.0.1:${9000 + i}`, 1, 8n << 30n, [modelId], op.account.address] }),
    );
    nodeIds.push(Number(await publicClient.readContract({ address: stake, abi: stakeRegistryAbi, functionName: "nodeIdOf", args: [op.account.address] })));
    await op.writeContract({ ...send(op), address: token, abi: proofMeshTokenAbi, functionName: "approve", args: [stake, parseEther("1000")] });
    await measure(i === 0 ? "stake" : "stake #2", op.writeContract({ ...send(op), address: stake, abi: stakeRegistryAbi, functionName: "stake", args: [parseEther("200")] }));
  }
  await dApp.writeContract({ ...send(dApp), address: token, abi: proofMeshTokenAbi, functionName: "approve", args: [market, parseEther("1000")] });
  await measure("deposit", dApp.writeContract({ ...send(dApp), address: market, abi: jobMarketAbi, functionName: "deposit", args: [dApp.account.address, parseEther("500")] }));

  const operators = [op1, op2];
  const runJob = async (label: string, combined: boolean, nonce: bigint) => {
    const block = await publicClient.getBlock();
    const jobId = jobIdOf({ dApp: dApp.account.address, nonce });
    const binding0 = bindingOf({ chainId, jobMarket: market, jobId, stage: 0, prover: operators[0]!.account.address });
    const request: JobRequest = {
      dApp: dApp.account.address,
      modelId,
      inputCommitment: await proofSource.inputCommitment({ jobId, binding0 }),
      maxFee: parseEther("10"),
      deadline: block.timestamp + 3600n,
      nonce,
      clusterId: 1,
    };
    const signature = await signJobRequest({ walletClient: dApp, chainId, jobMarket: market, request });
    const start = rows.length;
    if (combined) {
      await measure(`${label}: createAndAssign (signed)`, deployer.writeContract({ ...send(deployer), address: market, abi: jobMarketAbi, functionName: "createAndAssign", args: [request, signature, nodeIds] }));
    } else {
      await measure(`${label}: create (signed, relayed)`, deployer.writeContract({ ...send(deployer), address: market, abi: jobMarketAbi, functionName: "createJobFor", args: [request, signature] }));
      await measure(`${label}: assign`, deployer.writeContract({ ...send(deployer), address: market, abi: jobMarketAbi, functionName: "assign", args: [jobId, nodeIds] }));
    }
    let inCommit = request.inputCommitment;
    for (let stage = 0; stage < verifiers.length; stage++) {
      const op = operators[stage % operators.length]!;
      const isLast = stage === verifiers.length - 1;
      const binding = bindingOf({ chainId, jobMarket: market, jobId, stage, prover: op.account.address });
      const proof = await proofSource.prove({ jobId, stage, prover: op.account.address, inCommit, binding, isLast });
      await measure(
        `${label}: stage ${stage}${isLast ? " + settle" : ""}`,
        op.writeContract({ ...send(op), address: market, abi: jobMarketAbi, functionName: "submitStage", args: [jobId, BigInt(stage), proof.a, proof.b, proof.c, proof.pubSignals] }),
      );
      inCommit = proof.pubSignals[1];
    }
    const total = rows.slice(start).reduce((s, r) => s + r.gas, 0n);
    rows.push({ step: `${label}: TOTAL`, gas: total });
  };
  // Lanes: a dApp reuses the header slot of lane `nonce % 256`. Job 1 (nonce 0) pays first-use
  // costs (fresh lane, node credits, stage cache); jobs 2 and 3 reuse lanes 0 and 1 (steady state).
  await runJob("job 1 (first use)", false, 0n);
  await runJob("seed lane 1", true, 1n);
  rows.splice(rows.findIndex((r) => r.step.startsWith("seed lane 1")));
  await runJob("job 2 (steady, separate txs)", false, 256n);
  await runJob("job 3 (steady, createAndAssign)", true, 257n);

  await measure("withdraw (operator credit)", op1.writeContract({ ...send(op1), address: market, abi: jobMarketAbi, functionName: "withdraw", args: [pricePerStage] }));
  const result = await publicClient.readContract({ address: market, abi: jobMarketAbi, functionName: "resultOf", args: [jobIdOf({ dApp: dApp.account.address, nonce: 0n })] });
  logger.debug({ result }, "job 1 result");
  return rows;
}

export function formatGasTable(rows: readonly GasRow[]): string {
  const w = Math.max(...rows.map((r) => r.step.length));
  return rows.map((r) => `${r.step.padEnd(w)}  ${r.gas.toString().padStart(9)}`).join("\n");
}

/** Deploys the generated verifiers of `modelId` (from the prover's manifest) and a ProofSource backed by the prover. */
async function realSetup({ chain, logger, modelId }: { chain: ChainClients; logger: Logger; modelId: string }) {
  const manifest = (await readManifest({ file: path.join(repoRoot, "prover/models/manifest.json") })) as
    | { models: { id: string; shards: { verifier: { contract: string; path: string } }[] }[] }
    | undefined;
  const model = manifest?.models.find((m) => m.id === modelId);
  if (!model) throw new ConfigError(`model ${modelId} not found in prover/models/manifest.json`);
  const verifiers: Address[] = [];
  for (const shard of model.shards) {
    const v = await deployArtifact({ ...chain, logger, name: shard.verifier.contract, sourceName: shard.verifier.path });
    verifiers.push(v.address);
  }
  const proverModule = "../prover/prove-shard.ts";
  const { proveShard } = (await import(proverModule)) as { proveShard: ProveShard };
  // a deterministic synthetic 28x28 "image" (pixels 0..255)
  const input = Array.from({ length: 784 }, (_, i) => ((i * 37) % 256) * Number((i % 28) > 6 && (i % 28) < 21));
  return { verifiers, proofSource: proverProofSource({ proveShard, modelId, input }) };
}

export async function main(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      verifier: { type: "string", default: "precompile" },
      model: { type: "string", default: "mnist-mlp-784-64-32-10" },
    },
  });
  const env = readDeployEnv();
  const logger = createLogger({ level: env.logLevel, name: "bench-gas" });
  if (env.rpcUrl) logger.warn("bench:gas always runs on the in-process network; PROOFMESH_RPC_URL ignored");
  const mode = values.verifier;
  if (mode !== "mock" && mode !== "precompile" && mode !== "real") {
    throw new ConfigError(`--verifier must be "precompile", "mock" or "real", got "${mode}"`);
  }
  const chain = await connectClients({});
  try {
    const quiet = logger.child({}, { level: "warn" });
    let verifiers: Address[] = [];
    let proofSource: ProofSource = mockProofSource;
    let label: string;
    if (mode === "real") {
      ({ verifiers, proofSource } = await realSetup({ chain, logger: quiet, modelId: values.model! }));
      label = `generated snarkjs verifiers of ${values.model}, real Groth16 proofs`;
    } else {
      const name = mode === "mock" ? "MockShardVerifier" : "PrecompileCostVerifier";
      for (let k = 0; k < 2; k++) {
        const v = await deployArtifact({ ...chain, logger: quiet, name, sourceName: "contracts/test/MockShardVerifier.sol" });
        verifiers.push(v.address);
      }
      label = name;
    }
    const rows = await benchGas({ chain, logger, verifiers, proofSource });
    console.log(`ProofMesh gas (verifier: ${label}, ${verifiers.length}-stage model)\n`);
    console.log(formatGasTable(rows));
  } finally {
    await chain.close();
    // snarkjs keeps its bn128 worker threads alive; release them so the process can exit.
    const curve = (globalThis as { curve_bn128?: { terminate?: () => Promise<void> } }).curve_bn128;
    await curve?.terminate?.();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(`bench:gas failed: ${(err as Error).message}`);
    process.exitCode = 1;
  });
}
