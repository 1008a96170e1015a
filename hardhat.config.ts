import { createRequire } from "node:module";

import hardhatToolboxViemPlugin from "@nomicfoundation/hardhat-toolbox-viem";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

// Offline compiler: the npm `solc` package ships soljson.js (wasm). Without `path`
// Hardhat would try to download a native solc and fail (no internet here).
const solc = {
  version: "0.8.30",
  path: require.resolve("solc/soljson.js"),
  settings: {
    evmVersion: "prague",
    optimizer: { enabled: true, runs: 10_000 },
  },
};

export default defineConfig({
  plugins: [hardhatToolboxViemPlugin],
  solidity: {
    profiles: {
      default: solc,
      production: solc,
    },
  },
  test: {
    solidity: {
      // Bounded so the whole Solidity suite (unit + fuzz + invariant) stays well under 2 minutes.
      fuzz: { runs: 256, seed: "0x5eed" },
      invariant: { runs: 48, depth: 40, failOnRevert: false },
    },
  },
  networks: {
    default: {
      type: "edr-simulated",
      chainType: "l1",
      hardfork: "prague",
      allowUnlimitedContractSize: false,
    },
  },
});
