/**
 * Proof attacks through the real services. A real mesh (chain, deploy with the generated
 * verifiers, coordinator, two CLI-provisioned daemons in cluster 1) settles a real job; its real
 * proofs are then read back from the chain (StageProven events → submitStage calldata).
 *
 * The attacker, Mallory, is a registered, staked node of cluster 2 (on-boarded with plain contract
 * calls, the same transactions the operator CLI sends) that announces
 * both shards of the default model in signed heartbeats, so the coordinator routes cluster-2 jobs
 * through it and assigns it both stages (createAndAssign). Mallory then tries, on a job it IS
 * assigned to: another node's real proof (same input, so only the binding differs), the same
 * proof re-randomised (still a valid Groth16 proof), that proof with its binding rewritten,
 * another model's real proof (784-56-10, same pixels, its own binding), and the replay of its own
 * proofs of a settled job on another job. A second staked node (Tom) front-runs Mallory's proof.
 * Each attempt must revert with the specific JobMarket custom error — checked on the decoded revert
 * data and as a real transaction mined as reverted — and move no balance, stake or job state.
 * Mallory's honest proofs are then accepted, once.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { bn254 } from "@noble/curves/bn254.js";
import { http, parseEther, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { iShardVerifierAbi, jobMarketAbi, modelRegistryAbi, proofMeshTokenAbi, stakeRegistryAbi } from "../../contracts/abi/index.ts";
import { toModelId } from "../../deploy/protocol.ts";
import { computeBinding } from "../../prover/binding.ts";
import { commitValues } from "../../prover/commit.ts";
import { loadMnist } from "../../prover/data/mnist.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { proveShard, toCalldata, type ProofCalldata } from "../../prover/prove-shard.ts";
import { argmax, runIntLayers } from "../../prover/quant/reference.ts";
import { releaseProverThreads } from "../../prover/release.ts";
import { loadShardArtifacts } from "../../prover/shard-artifacts.ts";
import { type ProofMeshClient } from "../../sdk/index.ts";
import { forgeProof, isDeltaOf, publicDeltaOf } from "../../prover/ceremony/forge.ts";
import { readZkeyTranscript } from "../../prover/ceremony/zkey-contributions.ts";
import type { SnarkjsGroth16VerificationKey } from "../../prover/verify/noble.ts";
import { DEV_KEYS, meshClient, type LocalMesh } from "../harness/local-mesh.ts";
import { waitFor } from "../harness/processes.ts";
import { proofsFromChain, provisionNode, revertName, startAdversaryNode, startAttackMesh, type AdversaryNode, type ProvisionedNode, type StageProof } from "./adversary.ts";

const OTHER_MODEL = "mnist-mlp-784-56-10";
const STATUS = { Assigned: 2, Settled: 3 } as const;

/** Groth16 re-randomisation: (r·A, r⁻¹·B, C) satisfies the same pairing equation for any r ≠ 0. */
function rerandomise(cd: ProofCalldata, r: bigint): ProofCalldata {
  const { Fp2, Fr } = bn254.fields;
  const A = bn254.G1.Point.fromAffine({ x: cd.a[0], y: cd.a[1] }).multiply(r).toAffine();
  // calldata G2 coordinates are [c1, c0] (EVM precompile order)
  const B = bn254.G2.Point.fromAffine({ x: Fp2.fromBigTuple([cd.b[0][1], cd.b[0][0]]), y: Fp2.fromBigTuple([cd.b[1][1], cd.b[1][0]]) })
    .multiply(Fr.inv(r))
    .toAffine();
  return { a: [A.x, A.y], b: [[B.x.c1, B.x.c0], [B.y.c1, B.y.c0]], c: cd.c, pubSignals: cd.pubSignals };
}
const withBinding = (cd: ProofCalldata, binding: bigint): ProofCalldata => ({ ...cd, pubSignals: [cd.pubSignals[0], cd.pubSignals[1], binding, cd.pubSignals[3]] });

describe("attack: stolen, replayed, re-randomised and foreign proofs against jobs routed by the real coordinator", { timeout: 300_000 }, () => {
  let mesh: LocalMesh;
  let mallory: AdversaryNode;
  let tom: ProvisionedNode;
  let client: ProofMeshClient;
  let dApp: Address;
  const modelId = toModelId(DEFAULT_MODEL_ID);
  const layers = [0, 1].flatMap((shard) => loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard }).layers);
  const otherLayers = loadShardArtifacts({ modelId: OTHER_MODEL, shard: 0 }).layers;
  // A digit the default model gets right and the other model calls 0: its proof then publishes
  // result 0, so on a stage-0 slot every cheap check passes and only the verifier can refuse it.
  const digit = loadMnist().test.find((d) => argmax(runIntLayers({ layers, input: Array.from(d.pixels) })) === d.label && argmax(runIntLayers({ layers: otherLayers, input: Array.from(d.pixels) })) === 0)!;
  const input = Array.from(digit.pixels);
  const truth = argmax(runIntLayers({ layers, input }));

  let settled: { jobId: bigint; proofs: StageProof[] }; // J1: cluster 1, honest daemons
  let target: bigint; // J2: cluster 2, assigned to Mallory for both stages
  let other: bigint; // J3: cluster 2, same input, also Mallory's
  let mallory0: ProofCalldata | undefined; // Mallory's honest (accepted) proofs of J2
  let mallory1: ProofCalldata | undefined;

  before(async () => {
    mesh = await startAttackMesh({ name: "proofs" });
    // harness keys: deployer 0, nodes a 1 and b 2, dApp 3
    mallory = await startAdversaryNode({ mesh, name: "mallory", key: DEV_KEYS[4], clusterId: 2, shards: [0, 1], modelName: DEFAULT_MODEL_ID, stake: "150", memoryBytes: 60_000_000n, via: "viem" });
    // Tom: registered and staked in the same cluster straight through the contracts (viem), for the
    // other model only, so the coordinator never routes default-model jobs to him.
    tom = await provisionNode({ mesh, name: "tom", key: DEV_KEYS[5], clusterId: 2, endpoint: "http://127.0.0.1:9", memoryBytes: 25_000_000n, stake: "150", models: OTHER_MODEL, via: "viem" });
    dApp = privateKeyToAccount(mesh.dAppKey).address;
    client = meshClient(mesh);
    await client.deposit({ amount: parseEther("10") });
  });
  after(async () => {
    await mallory?.stop();
    await mesh?.stop();
    await releaseProverThreads();
  });

  const market = () => mesh.deployment.contracts.JobMarket.address as Address;
  const read = <T>(functionName: string, args: unknown[] = []) => mesh.publicClient.readContract({ address: market(), abi: jobMarketAbi, functionName: functionName as never, args: args as never }) as Promise<T>;
  const stakeOf = async (nodeId: number) =>
    (await mesh.publicClient.readContract({ address: mesh.deployment.contracts.StakeRegistry.address, abi: stakeRegistryAbi, functionName: "getNode", args: [nodeId] })).stake;
  const shardInfo = (model: string, shard: number) =>
    mesh.publicClient.readContract({ address: mesh.deployment.contracts.ModelRegistry.address, abi: modelRegistryAbi, functionName: "getShard", args: [toModelId(model), BigInt(shard)] });
  const bind = (jobId: bigint, stage: number, prover: Address) => computeBinding({ chainId: mesh.chainId, contract: market(), jobId, stage, prover });
  const verifies = async (model: string, shard: number, cd: ProofCalldata) =>
    mesh.publicClient.readContract({ address: (await shardInfo(model, shard)).verifier, abi: iShardVerifierAbi, functionName: "verifyProof", args: [cd.a, cd.b, cd.c, cd.pubSignals] });

  /** Everything an attack could move: balances, stakes, escrows, the token, the jobs' progress. */
  async function snapshot() {
    const job = async (id: bigint) => {
      const j = await read<{ status: number; nextStage: number; commit: bigint }>("getJob", [id]);
      return { status: j.status, nextStage: j.nextStage, commit: j.commit, escrow: await read<bigint>("escrowOf", [id]) };
    };
    return {
      mallory: await read<bigint>("balanceOf", [mallory.operator.address]),
      tom: await read<bigint>("balanceOf", [tom.operator.address]),
      dApp: await read<bigint>("balanceOf", [dApp]),
      nodes: await Promise.all(mesh.nodes.map((n) => read<bigint>("balanceOf", [n.operator]))),
      stakes: await Promise.all([mallory.nodeId, tom.nodeId, ...mesh.nodes.map((n) => n.nodeId)].map(stakeOf)),
      fees: await read<bigint>("accruedFees"),
      token: await mesh.publicClient.readContract({ address: mesh.deployment.contracts.ProofMeshToken.address, abi: proofMeshTokenAbi, functionName: "balanceOf", args: [market()] }),
      target: await job(target),
      other: await job(other),
    };
  }

  /** The hash of `from`'s transaction with `nonce`, searched in the latest blocks. */
  async function minedTxOf(from: Address, nonce: number): Promise<Hex> {
    const head = await mesh.publicClient.getBlockNumber({ cacheTime: 0 });
    for (let n = head; n >= 0n && n > head - 20n; n--) {
      const block = await mesh.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
      const tx = block.transactions.find((t) => t.from.toLowerCase() === from.toLowerCase() && t.nonce === nonce);
      if (tx) return tx.hash;
    }
    throw new Error(`no transaction of ${from} with nonce ${nonce} in the last 20 blocks`);
  }

  /** submitStage as `who`: the decoded revert must be `expected`; sent anyway, it is mined as reverted and nothing moves. */
  async function attack(who: Pick<ProvisionedNode, "operator" | "wallet">, jobId: bigint, stage: number, cd: ProofCalldata, expected: string) {
    const before = await snapshot();
    const args = [jobId, BigInt(stage), cd.a, cd.b, cd.c, cd.pubSignals] as const;
    const err = await mesh.publicClient.simulateContract({ address: market(), abi: jobMarketAbi, functionName: "submitStage", args, account: who.operator }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err, `submitStage(job ${jobId}, stage ${stage}) by ${who.operator.address} did not revert (expected ${expected})`);
    assert.equal(revertName(err), expected, `job ${jobId} stage ${stage}: ${(err as Error).message.split("\n")[0]}`);
    // Sent anyway as a real transaction (explicit gas: no estimation). The dev chain mines it and
    // reports the revert to the sender.
    const nonce = await mesh.publicClient.getTransactionCount({ address: who.operator.address });
    const sent = await who.wallet
      .writeContract({ address: market(), abi: jobMarketAbi, functionName: "submitStage", args, gas: 3_000_000n, nonce, chain: who.wallet.chain, account: who.operator })
      .then((hash) => ({ hash }), (e: unknown) => ({ error: e }));
    if ("error" in sent) assert.equal(revertName(sent.error), expected, "the chain's revert, as the sender sees it");
    assert.equal(await mesh.publicClient.getTransactionCount({ address: who.operator.address }), nonce + 1, "the attack transaction was mined");
    const hash = "hash" in sent ? sent.hash : await minedTxOf(who.operator.address, nonce);
    assert.equal((await mesh.publicClient.waitForTransactionReceipt({ hash })).status, "reverted", "and reverted");
    assert.deepEqual(await snapshot(), before, `${expected}: no balance, stake, escrow or job state moved`);
  }

  async function submitHonest(jobId: bigint, stage: number, cd: ProofCalldata) {
    const hash = await mallory.wallet.writeContract({ address: market(), abi: jobMarketAbi, functionName: "submitStage", args: [jobId, BigInt(stage), cd.a, cd.b, cd.c, cd.pubSignals], chain: mallory.wallet.chain, account: mallory.operator });
    assert.equal((await mesh.publicClient.waitForTransactionReceipt({ hash })).status, "success");
  }

  test("a real job settles through the honest daemons; the attacker gets two jobs of its own routed to it", async () => {
    const j1 = await client.submitJob({ input, clusterId: 1 });
    assert.deepEqual(j1.answer.route.map((r) => r.nodeId), mesh.nodes.map((n) => n.nodeId));
    const s = await client.waitForSettlement({ jobId: j1.jobId, expectedResult: BigInt(truth), timeoutMs: 120_000 });
    assert.equal(s.result, BigInt(truth));
    const proofs = await proofsFromChain({ publicClient: mesh.publicClient as never, jobMarket: market(), jobId: j1.jobId });
    assert.deepEqual(proofs.map((p) => [p.stage, p.nodeId, p.prover]), mesh.nodes.map((n, k) => [k, n.nodeId, n.operator]), "the real proofs, read back from the chain");
    settled = { jobId: j1.jobId, proofs };

    const j2 = await client.submitJob({ input, clusterId: 2 });
    const j3 = await client.submitJob({ input, clusterId: 2 });
    for (const j of [j2, j3]) {
      assert.deepEqual(j.answer.route.map((r) => r.nodeId), [mallory.nodeId, mallory.nodeId], "cluster 2 is Mallory's: both stages routed to it");
      assert.equal(j.answer.result, truth, "Mallory answers honestly on the fast path");
      await waitFor({ what: `job ${j.jobId} assigned on chain`, timeoutMs: 30_000, check: async () => (await read<number>("statusOf", [j.jobId])) === STATUS.Assigned });
      const onChain = await read<{ nodeIds: readonly number[]; commit: bigint }>("getJob", [j.jobId]);
      assert.deepEqual([...onChain.nodeIds], [mallory.nodeId, mallory.nodeId]);
      assert.equal(onChain.commit, await commitValues({ values: input, bits: 8 }), "same input as the settled job: same commitment");
    }
    target = j2.jobId;
    other = j3.jobId;
  });

  test("stage 0: another node's real proof, re-randomised, re-bound, another model's proof, and a front-run by another staked node are refused", async () => {
    assert.ok(settled && target, "needs the previous test");
    const theirs = settled.proofs[0].calldata; // node a's proof of the same computation on job 1
    assert.equal(theirs.pubSignals[0], (await read<{ commit: bigint }>("getJob", [target])).commit, "its inCommit matches: only the binding tells the jobs apart");
    await attack(mallory, target, 0, theirs, "JobMarket_BindingMismatch");
    await attack(mallory, target, 0, withBinding(theirs, bind(target, 0, mallory.operator.address)), "JobMarket_InvalidProof");

    const rr = rerandomise(theirs, 0xfeedn + BigInt(Date.now()));
    assert.notDeepEqual(rr.a, theirs.a);
    assert.equal(await verifies(DEFAULT_MODEL_ID, 0, rr), true, "the re-randomised proof is a valid Groth16 proof for the generated verifier");
    await attack(mallory, target, 0, rr, "JobMarket_BindingMismatch");
    await attack(mallory, target, 0, withBinding(rr, bind(target, 0, mallory.operator.address)), "JobMarket_InvalidProof");

    // Another model's real proof: same pixels (same inCommit), Mallory's own binding, result 0.
    const foreign = await proveShard({ modelId: OTHER_MODEL, shard: 0, input, binding: bind(target, 0, mallory.operator.address), zkeyPath: mesh.chainZkeyPath(OTHER_MODEL, 0) });
    assert.equal(foreign.result, 0);
    assert.equal(foreign.calldata.pubSignals[0], theirs.pubSignals[0], "the other model commits the same input");
    assert.equal(await verifies(OTHER_MODEL, 0, foreign.calldata), true, "a valid proof for its own model's verifier");
    await attack(mallory, target, 0, foreign.calldata, "JobMarket_InvalidProof");

    // Mallory's honest proof, front-run by Tom (staked, in the cluster, not assigned): refused, whatever its binding.
    const mine = await proveShard({ modelId: DEFAULT_MODEL_ID, shard: 0, input, binding: bind(target, 0, mallory.operator.address), zkeyPath: mesh.chainZkeyPath(DEFAULT_MODEL_ID, 0) });
    await attack(tom, target, 0, mine.calldata, "JobMarket_NotAssignedNode");
    await attack(tom, target, 0, withBinding(mine.calldata, bind(target, 0, tom.operator.address)), "JobMarket_NotAssignedNode");

    // The honest proof is accepted and paid once; a re-randomised copy of it is not paid again.
    const before = await snapshot();
    await submitHonest(target, 0, mine.calldata);
    mallory0 = mine.calldata;
    const price0 = (await shardInfo(DEFAULT_MODEL_ID, 0)).pricePerStage;
    const after1 = await snapshot();
    assert.equal(after1.mallory, before.mallory + price0, "paid the stage price, once");
    assert.equal(after1.target.nextStage, 1);
    const copy = rerandomise(mine.calldata, 7n);
    assert.equal(await verifies(DEFAULT_MODEL_ID, 0, copy), true);
    await attack(mallory, target, 0, copy, "JobMarket_StageOutOfOrder");
  });

  test("stage 1 (last): another node's real proof, re-randomised, re-bound, another model's proof, a proof forged from the key's public beacon are refused; the honest proof settles; its re-randomised copy is refused", async () => {
    assert.ok(mallory0, "needs the previous test");
    const theirs = settled.proofs[1].calldata; // node b's proof of the same computation on job 1
    assert.equal(theirs.pubSignals[0], (await read<{ commit: bigint }>("getJob", [target])).commit, "same activations: same inCommit");
    await attack(mallory, target, 1, theirs, "JobMarket_BindingMismatch");
    await attack(mallory, target, 1, withBinding(theirs, bind(target, 1, mallory.operator.address)), "JobMarket_InvalidProof");
    const rr = rerandomise(theirs, 3n + BigInt(Date.now()));
    assert.equal(await verifies(DEFAULT_MODEL_ID, 1, rr), true);
    await attack(mallory, target, 1, rr, "JobMarket_BindingMismatch");
    await attack(mallory, target, 1, withBinding(rr, bind(target, 1, mallory.operator.address)), "JobMarket_InvalidProof");
    const foreign = await proveShard({ modelId: OTHER_MODEL, shard: 0, input, binding: bind(target, 1, mallory.operator.address), zkeyPath: mesh.chainZkeyPath(OTHER_MODEL, 0) });
    await attack(mallory, target, 1, foreign.calldata, "JobMarket_InCommitMismatch");

    // SECURITY.md item 10: a proof forged from the public part of the chain's key (its beacon), for
    // result 7, chained to the proven stage 0 and bound to Mallory. The chain's key has secret
    // contributions, so the attacker's delta is wrong: the registered verifier refuses it.
    const zkeyPath = mesh.chainZkeyPath(DEFAULT_MODEL_ID, 1);
    const { delta, secretContributions } = publicDeltaOf({ transcript: await readZkeyTranscript({ zkeyPath }) });
    assert.ok(secretContributions >= 1, "the chain's key has secret contributions");
    const vkey = (await (await fetch(`${mesh.coordinatorUrl}/v1/models/${modelId}/shards/1/vkey`)).json()) as { vkey: SnarkjsGroth16VerificationKey };
    assert.equal(isDeltaOf({ vkey: vkey.vkey, delta }), false, "the public beacon does not give away delta");
    const signals = [mallory0.pubSignals[1], 123n, bind(target, 1, mallory.operator.address), 7n].map(String);
    const forgedCd = toCalldata({ proof: forgeProof({ vkey: vkey.vkey, delta, publicSignals: signals }) as never, publicSignals: signals });
    assert.equal(await verifies(DEFAULT_MODEL_ID, 1, forgedCd), false, "the deployed verifier refuses the forgery");
    await attack(mallory, target, 1, forgedCd, "JobMarket_InvalidProof");

    const mine = await proveShard({ modelId: DEFAULT_MODEL_ID, shard: 1, input: mallory.inputOf(target, 1), binding: bind(target, 1, mallory.operator.address), zkeyPath });
    const before = await snapshot();
    await submitHonest(target, 1, mine.calldata);
    mallory1 = mine.calldata;
    assert.equal(await read<number>("statusOf", [target]), STATUS.Settled);
    assert.equal(await read<bigint>("resultOf", [target]), BigInt(truth));
    assert.equal(await read<bigint>("balanceOf", [mallory.operator.address]), before.mallory + (await shardInfo(DEFAULT_MODEL_ID, 1)).pricePerStage);
    await attack(mallory, target, 1, rerandomise(mine.calldata, 11n), "JobMarket_WrongStatus");
    await attack(mallory, target, 1, mine.calldata, "JobMarket_WrongStatus");
  });

  test("replay of the settled job's proofs (by the same prover, as is and re-randomised) on another job it is assigned to", async () => {
    assert.ok(mallory0 && mallory1, "needs the previous tests");
    assert.equal((await read<{ commit: bigint }>("getJob", [other])).commit, mallory0.pubSignals[0], "same input: only the binding differs");
    await attack(mallory, other, 0, mallory0, "JobMarket_BindingMismatch");
    await attack(mallory, other, 0, rerandomise(mallory0, 5n), "JobMarket_BindingMismatch");
    await attack(mallory, other, 0, withBinding(mallory0, bind(other, 0, mallory.operator.address)), "JobMarket_InvalidProof");
    // The last stage's proof cannot skip stage 0 either.
    await attack(mallory, other, 1, mallory1, "JobMarket_StageOutOfOrder");
    assert.equal(await read<bigint>("balanceOf", [mallory.operator.address]), (await shardInfo(DEFAULT_MODEL_ID, 0)).pricePerStage + (await shardInfo(DEFAULT_MODEL_ID, 1)).pricePerStage, "Mallory earned exactly its two honest stages");
  });
});
