// Deploy script end to end: in-process network, manifest-driven model registration, output file.
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";

import { main as deployMain } from "../../deploy/deploy.ts";
import { ManifestError } from "../../deploy/errors.ts";
import { createLogger } from "../../deploy/logger.ts";
import { modelsFromManifest, toModelId } from "../../deploy/protocol.ts";

describe("deploy", () => {
  it("deploys, registers manifest models (verifier by contract name) and writes <chainId>.json", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "proofmesh-deploy-"));
    const manifest = path.join(dir, "manifest.json");
    await writeFile(
      manifest,
      JSON.stringify({
        models: [
          {
            modelId: "mnist-mlp",
            shards: [
              { verifierContract: "MockShardVerifier", weightsHash: `0x${"11".repeat(32)}`, memoryBytes: 1024, pricePerStage: "1000" },
              { verifierContract: "MockShardVerifier", weightsHash: `0x${"22".repeat(32)}`, memoryBytes: 2048, pricePerStage: "2000" },
            ],
          },
        ],
      }),
    );
    const { deployment, file } = await deployMain(["--manifest", manifest, "--out", dir], createLogger({ level: "silent" }));
    const json = JSON.parse(await readFile(file, "utf8"));
    assert.equal(path.basename(file), `${deployment.chainId}.json`);
    assert.equal(json.chainId, 31337);
    for (const name of ["ProofMeshToken", "StakeRegistry", "ModelRegistry", "JobMarket"]) {
      assert.match(json.contracts[name].address, /^0x[0-9a-fA-F]{40}$/);
      assert.match(json.contracts[name].abiHash, /^0x[0-9a-f]{64}$/);
    }
    assert.equal(json.deployBlock, "1");
    assert.deepEqual(json.models, [{ modelId: toModelId("mnist-mlp"), index: 1 }]);
  });

  it("rejects a manifest without models, with a typed error", async () => {
    await assert.rejects(
      modelsFromManifest({ manifest: { nope: 1 }, resolveVerifier: async () => "0x0000000000000000000000000000000000000001" }),
      (e: unknown) => e instanceof ManifestError && /models/.test(e.shortMessage),
    );
  });
});
