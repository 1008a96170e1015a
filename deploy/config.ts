// Deploy/bench configuration, validated once from config/env.ts (the one reader of process.env). Everything else receives a
// typed config object.
import { readEnv, type Env } from "../config/env.ts";
import { isHex } from "viem";
import type { Hex } from "viem";

import { ConfigError } from "./errors.ts";

export type ProtocolParams = {
  /** StakeRegistry unbonding period, seconds. Must exceed `maxDeadlineWindow`. */
  unbondingPeriod: bigint;
  /** Longest allowed `deadline - now` of a job, seconds. */
  maxDeadlineWindow: bigint;
  /** Coordinator fee per job, token units (immutable in JobMarket). */
  coordinatorFee: bigint;
  /** Stake slashed from the node that blocks an expired job, token units. */
  slashAmount: bigint;
  /** Whether ProofMeshToken's public faucet is open (local demo networks). */
  faucet: boolean;
  /** Price of a stage when the model manifest gives none, token units. */
  defaultPricePerStage: bigint;
};

export type DeployEnv = {
  /** JSON-RPC URL; undefined = in-process Hardhat network. */
  rpcUrl: string | undefined;
  /** Private key used with `rpcUrl`; undefined = first unlocked account of the node. */
  deployerKey: Hex | undefined;
  logLevel: string;
  manifestPath: string;
  /** Tried when `manifestPath` does not exist (the prover's manifest); undefined if a path was given explicitly. */
  manifestFallback: string | undefined;
  deploymentsDir: string;
  params: ProtocolParams;
};

const DAY = 86_400n;
const TOKEN = 10n ** 18n;

export const defaultParams: ProtocolParams = {
  unbondingPeriod: 7n * DAY,
  maxDeadlineWindow: 1n * DAY,
  coordinatorFee: TOKEN / 10n,
  slashAmount: 10n * TOKEN,
  faucet: true,
  defaultPricePerStage: TOKEN / 100n,
};

/**
 * Reads the environment once. CLI flags (passed as `overrides`) win over env variables.
 *
 * - `PROOFMESH_RPC_URL`       JSON-RPC endpoint (default: in-process Hardhat network)
 * - `PROOFMESH_DEPLOYER_KEY`  0x-prefixed private key for that endpoint
 * - `PROOFMESH_LOG_LEVEL`     pino level (default `info`)
 * - `PROOFMESH_MANIFEST`      model manifest (default `prover/models/manifest.json`)
 * - `PROOFMESH_DEPLOYMENTS`   output folder (default `deploy/deployments`)
 */
export function readDeployEnv({
  overrides = {},
  env = readEnv(),
}: { overrides?: Partial<Omit<DeployEnv, "params">>; env?: Env } = {}): DeployEnv {
  const deployerKey = overrides.deployerKey ?? env.PROOFMESH_DEPLOYER_KEY;
  if (deployerKey !== undefined && !(isHex(deployerKey) && deployerKey.length === 66)) {
    throw new ConfigError("PROOFMESH_DEPLOYER_KEY must be a 0x-prefixed 32-byte hex private key");
  }
  const rpcUrl = overrides.rpcUrl ?? (env.PROOFMESH_RPC_URL || undefined);
  if (rpcUrl !== undefined && !/^(https?|wss?):\/\//.test(rpcUrl)) {
    throw new ConfigError(`RPC URL must start with http(s):// or ws(s)://, got "${rpcUrl}"`);
  }
  return {
    rpcUrl,
    deployerKey: deployerKey as Hex | undefined,
    logLevel: overrides.logLevel ?? env.PROOFMESH_LOG_LEVEL ?? "info",
    manifestPath: overrides.manifestPath ?? env.PROOFMESH_MANIFEST ?? "prover/models/manifest.json",
    manifestFallback: overrides.manifestPath ?? env.PROOFMESH_MANIFEST ? undefined : "prover/models/manifest.json",
    deploymentsDir: overrides.deploymentsDir ?? env.PROOFMESH_DEPLOYMENTS ?? "deploy/deployments",
    params: defaultParams,
  };
}
