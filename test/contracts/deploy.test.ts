// Deploy script end to end: in-process network, the development ceremony finished on chain, output file.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";

import { main as deployMain } from "../../deploy/deploy.ts";
import { ManifestError } from "../../deploy/errors.ts";
import { createLogger } from "../../deploy/logger.ts";
import { modelsFromManifest, toModelId } from "../../deploy/protocol.ts";
import { repoRoot } from "../../deploy/artifacts.ts";
import { readZkeyTranscript } from "../../prover/ceremony/zkey-contributions.ts";
import { applyBeacon } from "../../prover/ceremony/apply-beacon.ts";
import { TranscriptMismatchError } from "../../prover/ceremony/errors.ts";
import { getModelManifest } from "../../prover/manifest.ts";
import { releaseProverThreads } from "../../prover/release.ts";
import { modelRegistryAbi } from "../../contracts/abi/index.ts";
import { connectClients } from "../../deploy/clients.ts";
import { defaultParams } from "../../deploy/config.ts";
import { finalizeModel } from "../../deploy/finalize-model.ts";
import { devRecordOf } from "../../deploy/local-record.ts";
import { deployProtocol } from "../../deploy/protocol.ts";

describe("deploy", () => {
  it("deploys, finishes the development ceremony with a beacon from this chain, registers the model with its record", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "proofmesh-deploy-"));
    const { deployment, file } = await deployMain(["--out", dir, "--models", "mnist-mlp-784-56-10"], createLogger({ level: "silent" }));
    const json = JSON.parse(await readFile(file, "utf8"));
    assert.equal(path.basename(file), `${deployment.chainId}.json`);
    assert.equal(json.chainId, 31337);
    for (const name of ["ProofMeshToken", "StakeRegistry", "ModelRegistry", "JobMarket"]) {
      assert.match(json.contracts[name].address, /^0x[0-9a-fA-F]{40}$/);
      assert.match(json.contracts[name].abiHash, /^0x[0-9a-f]{64}$/);
    }
    assert.equal(json.deployBlock, "1");
    assert.deepEqual(json.models, [{ modelId: toModelId("mnist-mlp-784-56-10"), index: 1 }]);
    // the final keys: on disk, hashed as listed, and the beacon is the recorded block's hash
    const keys = json.keys["mnist-mlp-784-56-10"];
    assert.deepEqual(keys.files.map((f: { kind: string }) => f.kind), ["zkey", "vkey"]);
    for (const f of keys.files) assert.equal(createHash("sha256").update(await readFile(path.join(dir, f.path))).digest("hex"), f.sha256);
    const record = JSON.parse(await readFile(path.join(dir, keys.record), "utf8"));
    assert.equal(record.contributions.length, 4);
    assert.equal(record.shards[0].zkeySha256, keys.files[0].sha256);
    const dev = JSON.parse(await readFile(path.join(repoRoot, "circuits/ceremony/mnist-mlp-784-56-10/record.json"), "utf8"));
    assert.notEqual(record.shards[0].zkeySha256, dev.shards[0].zkeySha256, "the chain's key is not the repository's development key");
    const t = await readZkeyTranscript({ zkeyPath: path.join(dir, keys.files[0].path) });
    assert.deepEqual(t.contributions.map((c) => c.type), [0, 0, 0, 0, 1]);
    assert.equal(`0x${t.contributions[4].beaconHash}`, record.beacon.blockHash);
  });

  it("attack: a development zkey swapped for a beacon-only one (delta public) is not finished nor registered", async () => {
    // Whoever can replace circuits/ceremony/<model>/shard0.zkey wants a key it can forge with
    // registered under the genuine contributors' signatures.
    const dir = await mkdtemp(path.join(tmpdir(), "proofmesh-swap-"));
    const model = getModelManifest({ modelId: "mnist-mlp-784-56-10" });
    const forged = path.join(dir, "beacon-only.zkey");
    const log = createLogger({ level: "silent" });
    await applyBeacon({ inPath: path.join(repoRoot, model.shards[0].initialZkey.path), outPath: forged, beaconHash: `0x${"42".repeat(32)}`, log: log as never });
    const chain = await connectClients({});
    try {
      const clients = { publicClient: chain.publicClient, walletClient: chain.walletClient, logger: log };
      const d = await deployProtocol({ ...clients, params: defaultParams });
      await assert.rejects(
        finalizeModel({ ...clients, modelRegistry: d.contracts.ModelRegistry.address, model, record: devRecordOf(model), zkeys: [forged], outDir: path.join(dir, "out"), pricePerStage: 1n }),
        (e: unknown) => e instanceof TranscriptMismatchError && /zkey hash|transcript/.test(`${e.message} ${e.details}`),
      );
      const info = await chain.publicClient.readContract({ address: d.contracts.ModelRegistry.address, abi: modelRegistryAbi, functionName: "modelInfo", args: [toModelId(model.id)] });
      assert.equal(info.index, 0, "nothing registered");
    } finally {
      await chain.close();
      await releaseProverThreads();
    }
  });

  it("rejects a manifest without models, with a typed error", async () => {
    await assert.rejects(
      modelsFromManifest({ manifest: { nope: 1 }, resolveVerifier: async () => "0x0000000000000000000000000000000000000001" }),
      (e: unknown) => e instanceof ManifestError && /models/.test(e.shortMessage),
    );
  });
});
