/**
 * End to end through real processes: a Hardhat node, the deploy script, the coordinator and
 * two node daemons set up by the operator CLI (one shard each: the model does not fit one
 * node), behind latency-injecting proxies. A dApp pays for 3 jobs through the SDK, gets the
 * fast-path answers, the nodes prove their shards, the chain settles, and the auditor
 * re-verifies a job independently.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { parseEther } from "viem";
import { loadMnist } from "../../prover/data/mnist.ts";
import { DEFAULT_MODEL_ID } from "../../prover/models/config.ts";
import { argmax, runIntLayers } from "../../prover/quant/reference.ts";
import { loadShardArtifacts } from "../../prover/shard-artifacts.ts";
import { type ProofMeshClient } from "../../sdk/index.ts";
import { cli, meshClient, startLocalMesh, type LocalMesh } from "../harness/local-mesh.ts";
import { modelRegistryAbi } from "../../contracts/abi/index.ts";
import { toModelId } from "../../deploy/protocol.ts";
import { attemptForgery } from "../harness/forgery.ts";

describe("ProofMesh end to end (real processes, real chain, real proofs)", { timeout: 300_000 }, () => {
  let mesh: LocalMesh;
  let client: ProofMeshClient;
  const digits = loadMnist().test.slice(10, 13);
  const layers = [0, 1].flatMap((shard) => loadShardArtifacts({ modelId: DEFAULT_MODEL_ID, shard }).layers);

  before(async () => {
    mesh = await startLocalMesh({
      workDir: join(tmpdir(), `proofmesh-e2e-${process.pid}`),
      clusters: [{ label: "eu-west", region: "eu-west-1", minStake: "100" }],
      nodes: [
        { name: "a", clusterId: 1, oneWayDelayMs: 2, memoryBytes: 25_000_000n, stake: "150", shards: `${DEFAULT_MODEL_ID}:0` },
        { name: "b", clusterId: 1, oneWayDelayMs: 5, memoryBytes: 25_000_000n, stake: "150", shards: `${DEFAULT_MODEL_ID}:1` },
      ],
      modelId: DEFAULT_MODEL_ID,
      log: () => {},
      // the model's keys: a ceremony between the two nodes' operators, finished with a beacon block
      ceremony: true,
    });
    client = meshClient(mesh);
    await client.deposit({ amount: parseEther("10") });
  });
  after(async () => {
    await mesh?.stop();
  });

  test("3 paid jobs: fast-path answers equal the integer reference, proofs settle on chain, an audit passes", async () => {
    const jobs = [];
    for (const d of digits) {
      const { jobId, answer } = await client.submitJob({ input: Array.from(d.pixels), clusterId: 1 });
      const expected = argmax(runIntLayers({ layers, input: Array.from(d.pixels) }));
      assert.equal(answer.result, expected, "fast-path answer = integer reference");
      assert.equal(answer.tentative, true);
      assert.deepEqual(answer.route.map((r) => r.nodeId), [mesh.nodes[0].nodeId, mesh.nodes[1].nodeId], "the model is split across the two nodes");
      jobs.push({ jobId, expected });
    }
    for (const { jobId, expected } of jobs) {
      const settled = await client.waitForSettlement({ jobId, expectedResult: BigInt(expected), timeoutMs: 180_000 });
      assert.equal(settled.result, BigInt(expected), "the chain verified the same answer");
    }
    const audit = await client.auditJob({ jobId: jobs[0].jobId });
    assert.equal(audit.ok, true, `audit failed: ${JSON.stringify(audit.verdicts.filter((v) => v.status === "fail"))}`);
    const status = await client.getJob({ jobId: jobs[2].jobId });
    assert.equal(status.status, "settled");
  });

  test("the keys came from the operators' ceremony: the record on chain, the explorer and `proofmesh audit model` agree", async () => {
    const c = mesh.ceremony!;
    assert.deepEqual(c.contributions.map((x) => x.operator), mesh.nodes.map((n) => n.operator), "one contribution per operator, in turn");
    for (const x of c.contributions) assert.ok(x.ms.verify > 0 || x.index === 0, `contributor #${x.index} verified what it received`);
    const modelId = toModelId(DEFAULT_MODEL_ID);
    const rec = await mesh.publicClient.readContract({ address: mesh.deployment.contracts.ModelRegistry.address, abi: modelRegistryAbi, functionName: "ceremonyOf", args: [modelId] });
    assert.deepEqual(rec.contributions.map((x) => x.operator), mesh.nodes.map((n) => n.operator));
    assert.equal(Number(rec.beaconBlock), c.beacon.blockNumber);
    assert.equal(rec.beaconHash, (await mesh.publicClient.getBlock({ blockNumber: rec.beaconBlock })).hash, "the beacon is that block's hash");
    const explorer = (await (await fetch(`${mesh.coordinatorUrl}/v1/explorer/models/${DEFAULT_MODEL_ID}`)).json()) as Record<string, unknown>;
    assert.match(JSON.stringify(explorer), new RegExp(rec.beaconHash.slice(2), "i"), "the explorer shows the record");
    const audit = await cli(mesh.group, "audit-model", ["audit", "model", DEFAULT_MODEL_ID, "--rpc-url", mesh.chainRpcUrl, "--deployment", join(mesh.deploymentsDir, `${mesh.chainId}.json`), "--coordinator", mesh.coordinatorUrl]);
    assert.equal(audit.code, 0, audit.out);
    assert.deepEqual(await attemptForgery({ mesh, model: DEFAULT_MODEL_ID }), [{ shard: 0, accepted: false }, { shard: 1, accepted: false }], "the delta forgery is refused by both registered verifiers");
  });
});
