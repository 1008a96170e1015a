// `npm run deploy [-- --rpc-url <url>] [--manifest <file>] [--out <dir>] [--models <id,…|none>]`
// Deploys ProofMesh to the in-process Hardhat network (default) or any JSON-RPC endpoint,
// registers the models of the circuits manifest (default: all) and writes
// deploy/deployments/<chainId>.json. Each model's keys come from the repository's development
// ceremony (circuits/ceremony/<model>/: secret contributions) finished on this chain with the
// hash of one of its future blocks as the beacon (deploy/finalize-model.ts); the final keys are
// written to <out>/keys/<chainId>/<model>/ and listed in the deployment file.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";


import { repoRoot } from "./artifacts.ts";
import { connectClients } from "./clients.ts";
import { readDeployEnv } from "./config.ts";
import { createLogger } from "./logger.ts";
import type { Logger } from "./logger.ts";
import { deployProtocol, readManifest, toModelId, writeDeployment } from "./protocol.ts";
import { finalizeModel, type KeyFile } from "./finalize-model.ts";
import type { CeremonyRecord } from "../prover/ceremony/record.ts";
import type { Manifest } from "../prover/manifest.ts";
import { releaseProverThreads } from "../prover/release.ts";
import type { Clients } from "./protocol.ts";

export async function main(argv = process.argv.slice(2), logger?: Logger) {
  const { values } = parseArgs({
    args: argv,
    options: {
      "rpc-url": { type: "string" },
      manifest: { type: "string" },
      out: { type: "string" },
      models: { type: "string" },
    },
  });
  const env = readDeployEnv({
    overrides: {
      ...(values["rpc-url"] ? { rpcUrl: values["rpc-url"] } : {}),
      ...(values.manifest ? { manifestPath: values.manifest } : {}),
      ...(values.out ? { deploymentsDir: values.out } : {}),
    },
  });
  const log = logger ?? createLogger({ level: env.logLevel });
  const chain = await connectClients({ rpcUrl: env.rpcUrl, deployerKey: env.deployerKey });
  try {
    const clients: Clients = { publicClient: chain.publicClient, walletClient: chain.walletClient, logger: log };
    log.info({ target: chain.target, deployer: chain.walletClient.account.address }, "deploying ProofMesh");
    const deployment = await deployProtocol({ ...clients, params: env.params });

    let manifestFile = path.resolve(repoRoot, env.manifestPath);
    let manifest = (await readManifest({ file: manifestFile })) as Manifest | undefined;
    if (manifest === undefined && env.manifestFallback) {
      manifestFile = path.resolve(repoRoot, env.manifestFallback);
      manifest = (await readManifest({ file: manifestFile })) as Manifest | undefined;
    }
    const models: { modelId: string; index: number }[] = [];
    const keys: Record<string, { record: string; files: KeyFile[] }> = {};
    const deploymentsDir = path.resolve(repoRoot, env.deploymentsDir);
    const wanted = values.models === undefined ? undefined : values.models === "none" ? [] : values.models.split(",");
    if (manifest === undefined) {
      log.warn({ manifest: path.relative(repoRoot, manifestFile) }, "no model manifest, skipping model registration");
    } else {
      for (const model of manifest.models) {
        if (wanted && !wanted.includes(model.id)) continue;
        const record = JSON.parse(await readFile(path.resolve(repoRoot, model.ceremony.path), "utf8")) as CeremonyRecord;
        const outDir = path.join(deploymentsDir, "keys", String(deployment.chainId), model.id);
        const r = await finalizeModel({
          ...clients,
          modelRegistry: deployment.contracts.ModelRegistry.address,
          model,
          record,
          zkeys: model.shards.map((s) => path.resolve(repoRoot, s.zkey.path)),
          outDir,
          pricePerStage: env.params.defaultPricePerStage,
        });
        models.push({ modelId: toModelId(model.id), index: r.index });
        keys[model.id] = {
          record: path.relative(deploymentsDir, path.join(outDir, "record.json")),
          files: r.files.map((f) => ({ ...f, path: path.relative(deploymentsDir, f.path) })),
        };
      }
    }
    const file = await writeDeployment({
      dir: path.resolve(repoRoot, env.deploymentsDir),
      deployment,
      extra: { target: chain.target === "in-process" ? "in-process" : "rpc", models, keys },
    });
    log.info({ file: path.relative(repoRoot, file), chainId: deployment.chainId }, "deployment written");
    return { deployment, file };
  } finally {
    await chain.close();
    // snarkjs's curve threads (beacon, key export) would keep the process alive
    await releaseProverThreads();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    const e = err as { shortMessage?: string; message?: string; details?: string };
    console.error(`deploy failed: ${e.shortMessage ?? e.message}${e.details ? `\n${e.details}` : ""}`);
    process.exitCode = 1;
  });
}
