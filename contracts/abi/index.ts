// GENERATED — do not edit. Source: artifacts/contracts/* (run `npm run gen:abis`).

export { proofMeshTokenAbi } from "./ProofMeshToken.ts";
export { stakeRegistryAbi } from "./StakeRegistry.ts";
export { modelRegistryAbi } from "./ModelRegistry.ts";
export { jobMarketAbi } from "./JobMarket.ts";
export { iShardVerifierAbi } from "./IShardVerifier.ts";
