// Deployment addresses, as written by deploy/protocol.ts writeDeployment (deploy/deployments/<chainId>.json).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Type } from "typebox";
import { getAddress, type Address } from "viem";

import { DeploymentError } from "./errors.ts";
import { parseWith } from "./schemas.ts";

/** The part of a deployment the SDK needs (deploy/protocol.ts `Deployment` is assignable to it). */
export type ProofMeshDeployment = {
  chainId: number;
  /** first block of the deployment: event queries start here */
  deployBlock: bigint;
  contracts: {
    JobMarket: { address: Address };
    StakeRegistry: { address: Address };
    ModelRegistry: { address: Address };
    ProofMeshToken: { address: Address };
  };
};

export const DEFAULT_DEPLOYMENTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../deploy/deployments");

const Addr = Type.Object({ address: Type.String({ pattern: "^0x[0-9a-fA-F]{40}$" }) });
const DeploymentFileSchema = Type.Object({
  chainId: Type.Integer({ minimum: 1 }),
  deployBlock: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: "^[0-9]+$" })]),
  contracts: Type.Object({ JobMarket: Addr, StakeRegistry: Addr, ModelRegistry: Addr, ProofMeshToken: Addr }),
});

export type ParseDeploymentParameters = { raw: unknown };
export type ParseDeploymentReturnType = ProofMeshDeployment;

/** Validates a decoded deployment JSON (bigints as decimal strings or numbers). */
export function parseDeployment({ raw }: ParseDeploymentParameters): ParseDeploymentReturnType {
  let v;
  try {
    v = parseWith(DeploymentFileSchema, raw, "Deployment");
  } catch (cause) {
    throw new DeploymentError(`malformed deployment: ${(cause as Error).message}`, { cause });
  }
  const c = v.contracts;
  return {
    chainId: v.chainId,
    deployBlock: BigInt(v.deployBlock),
    contracts: {
      JobMarket: { address: getAddress(c.JobMarket.address) },
      StakeRegistry: { address: getAddress(c.StakeRegistry.address) },
      ModelRegistry: { address: getAddress(c.ModelRegistry.address) },
      ProofMeshToken: { address: getAddress(c.ProofMeshToken.address) },
    },
  };
}

export type LoadDeploymentParameters = {
  /** reads `<dir>/<chainId>.json` */
  chainId?: number;
  /** default: deploy/deployments of this repository */
  dir?: string;
  /** explicit file (wins over chainId/dir) */
  file?: string;
};
export type LoadDeploymentReturnType = ProofMeshDeployment;

/** Reads a deployment file; when `chainId` is given, the file's chainId must match it. */
export async function loadDeployment({ chainId, dir = DEFAULT_DEPLOYMENTS_DIR, file }: LoadDeploymentParameters): Promise<LoadDeploymentReturnType> {
  if (file === undefined && chainId === undefined) throw new DeploymentError("loadDeployment needs a chainId or a file");
  const target = file ?? path.join(dir, `${chainId}.json`);
  let text: string;
  try {
    text = await readFile(target, "utf8");
  } catch (cause) {
    throw new DeploymentError(`no deployment file ${target}`, {
      cause,
      details: (cause as NodeJS.ErrnoException).code === "ENOENT" ? "deploy first (npm run deploy -- --rpc-url <url>) or pass --deployment <file>" : undefined,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new DeploymentError(`deployment file ${target} is not valid JSON`, { cause });
  }
  const deployment = parseDeployment({ raw });
  if (chainId !== undefined && deployment.chainId !== chainId) {
    throw new DeploymentError(`deployment file ${target} is for chain ${deployment.chainId}, connected chain is ${chainId}`);
  }
  return deployment;
}
