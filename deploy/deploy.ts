// `npm run deploy [-- --rpc-url <url>] [--manifest <file>] [--out <dir>]`
// Deploys ProofMesh to the in-process Hardhat network (default) or any JSON-RPC endpoint,
// registers the models listed in the circuits manifest (if present) and writes
// deploy/deployments/<chainId>.json.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";

import type { Address } from "viem";

import { artifactsDir, repoRoot } from "./artifacts.ts";
import { connectClients } from "./clients.ts";
import { readDeployEnv } from "./config.ts";
import { ArtifactNotFoundError } from "./errors.ts";
import { createLogger } from "./logger.ts";
import type { Logger } from "./logger.ts";
import {
  deployArtifact,
  deployProtocol,
  modelsFromManifest,
  readManifest,
  registerModels,
  writeDeployment,
} from "./protocol.ts";
import type { Clients } from "./protocol.ts";

async function findArtifactSource(name: string): Promise<string> {
  const root = path.join(artifactsDir, "contracts");
  const entries = await readdir(root, { recursive: true });
  const hit = entries.find((e) => path.basename(e) === `${name}.json` && !e.endsWith(".dbg.json"));
  if (!hit) throw new ArtifactNotFoundError(`no artifact for verifier ${name}`, { details: "run `npx hardhat build`" });
  return path.relative(path.join(artifactsDir), path.dirname(path.join(root, hit)));
}

export async function main(argv = process.argv.slice(2), logger?: Logger) {
  const { values } = parseArgs({
    args: argv,
    options: {
      "rpc-url": { type: "string" },
      manifest: { type: "string" },
      out: { type: "string" },
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
    let manifest = await readManifest({ file: manifestFile });
    if (manifest === undefined && env.manifestFallback) {
      manifestFile = path.resolve(repoRoot, env.manifestFallback);
      manifest = await readManifest({ file: manifestFile });
    }
    let models: { modelId: string; index: number }[] = [];
    if (manifest === undefined) {
      log.warn({ manifest: path.relative(repoRoot, manifestFile) }, "no model manifest, skipping model registration");
    } else {
      const verifiers = new Map<string, Address>();
      const inputs = await modelsFromManifest({
        manifest,
        defaultPricePerStage: env.params.defaultPricePerStage,
        resolveVerifier: async (name, sourcePath) => {
          const known = verifiers.get(name);
          if (known) return known;
          const sourceName = sourcePath ?? (await findArtifactSource(name));
          const { address } = await deployArtifact({ ...clients, name, sourceName });
          verifiers.set(name, address);
          return address;
        },
      });
      models = await registerModels({
        ...clients,
        modelRegistry: deployment.contracts.ModelRegistry.address,
        models: inputs,
      });
    }
    const file = await writeDeployment({
      dir: path.resolve(repoRoot, env.deploymentsDir),
      deployment,
      extra: { target: chain.target === "in-process" ? "in-process" : "rpc", models },
    });
    log.info({ file: path.relative(repoRoot, file), chainId: deployment.chainId }, "deployment written");
    return { deployment, file };
  } finally {
    await chain.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    const e = err as { shortMessage?: string; message?: string; details?: string };
    console.error(`deploy failed: ${e.shortMessage ?? e.message}${e.details ? `\n${e.details}` : ""}`);
    process.exitCode = 1;
  });
}
