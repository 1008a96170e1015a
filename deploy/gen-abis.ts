// `npm run gen:abis [-- --check]`
// Generates contracts/abi/*.ts (viem-ready `as const` ABIs) from the Hardhat artifacts.
// With --check, regenerates in memory and fails if the files on disk differ (CI drift check).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";

import { loadArtifact, repoRoot } from "./artifacts.ts";
import { createLogger } from "./logger.ts";

/** Contracts whose ABI is exported: [artifact name, source]. */
export const ABI_EXPORTS: readonly (readonly [string, string])[] = [
  ["ProofMeshToken", "contracts/ProofMeshToken.sol"],
  ["StakeRegistry", "contracts/StakeRegistry.sol"],
  ["ModelRegistry", "contracts/ModelRegistry.sol"],
  ["JobMarket", "contracts/JobMarket.sol"],
  ["IShardVerifier", "contracts/interfaces/IShardVerifier.sol"],
];

export const abiDir = path.join(repoRoot, "contracts", "abi");

const constName = (name: string) => `${name[0]!.toLowerCase()}${name.slice(1)}Abi`;

export async function renderAbiFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const header = (src: string) =>
    `// GENERATED — do not edit. Source: artifacts/${src} (run \`npm run gen:abis\`).\n`;
  for (const [name, source] of ABI_EXPORTS) {
    const { abi } = await loadArtifact({ name, sourceName: source });
    files.set(
      `${name}.ts`,
      `${header(`${source}/${name}.json`)}\nexport const ${constName(name)} = ${JSON.stringify(abi, null, 2)} as const;\n`,
    );
  }
  const index = ABI_EXPORTS.map(([name]) => `export { ${constName(name)} } from "./${name}.ts";`).join("\n");
  files.set("index.ts", `${header("contracts/*")}\n${index}\n`);
  return files;
}

export async function main(argv = process.argv.slice(2)) {
  const { values } = parseArgs({ args: argv, options: { check: { type: "boolean", default: false } } });
  const logger = createLogger({ name: "gen-abis" });
  const files = await renderAbiFiles();
  if (values.check) {
    const stale: string[] = [];
    for (const [file, text] of files) {
      const onDisk = await readFile(path.join(abiDir, file), "utf8").catch(() => "");
      if (onDisk !== text) stale.push(file);
    }
    if (stale.length) {
      logger.error({ stale }, "generated ABIs are stale; run `npm run gen:abis`");
      process.exitCode = 1;
    } else logger.info({ files: files.size }, "generated ABIs are up to date");
    return;
  }
  await mkdir(abiDir, { recursive: true });
  for (const [file, text] of files) await writeFile(path.join(abiDir, file), text);
  logger.info({ dir: path.relative(repoRoot, abiDir), files: [...files.keys()] }, "ABIs written");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(`gen:abis failed: ${(err as Error).message}`);
    process.exitCode = 1;
  });
}
