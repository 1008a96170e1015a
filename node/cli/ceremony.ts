/**
 * What the ceremony commands share (`proofmesh model ceremony start|finalize`,
 * `proofmesh node ceremony contribute`): the model argument, the model owner's key and chain,
 * the coordinator, this machine's initial zkeys, and coordinator errors as one specific line.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { isAddress, isHex, getAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { toModelId } from "../../deploy/protocol.ts";
import { readManifest, type ModelManifest } from "../../prover/manifest.ts";
import { ROOT } from "../../prover/paths.ts";
import { ArtifactHashMismatchError, ProofMeshApiError, ProofMeshHttpError, ProofMeshSdkError } from "../../sdk/errors.ts";
import { connectChain, type NodeChain } from "../chain/connect.ts";
import { homePaths, readConfigFile, resolveHome, type HomePaths, type NodeConfigFile } from "../config/home.ts";
import { NodeError } from "../errors.ts";
import { parsePrivateKeyFlag, type ParsedArgs } from "./args.ts";
import { contractsOf, loadHome, resolveCoordinatorUrl, resolveDeploymentsDir, resolveRpcUrl, type Env } from "./context.ts";

import { bareHex, sha256File } from "../../prover/ceremony/hashes.ts";

export { bareHex, sha256File };

/** `<model>`: a manifest model id, or its 0x bytes32 on-chain id. Unknown to the manifest: UNKNOWN_MODEL. */
export function resolveManifestModel(raw: string | undefined, command: string): ModelManifest {
  const models = readManifest().models;
  if (raw === undefined || raw === "") {
    throw new NodeError("MISSING_ARGUMENT", `${command}: <model> is required (a model id of the manifest: ${models.map((m) => m.id).join(", ")})`);
  }
  if (/^0x/i.test(raw) && !(isHex(raw) && raw.length === 66)) throw new NodeError("INVALID_ARGUMENT", `${command}: <model> "${raw}" is neither a model name nor a 0x-prefixed 32-byte model id`);
  const m = models.find((x) => x.id === raw || toModelId(x.id).toLowerCase() === raw.toLowerCase());
  if (!m) {
    throw new NodeError("UNKNOWN_MODEL", `${command}: model "${raw}" is not in the manifest`, { details: `models in the local manifest: ${models.map((x) => x.id).join(", ")}` });
  }
  return m;
}

/** `--contributors 0x…,0x…`: addresses, none empty, none twice. */
export function parseContributors(raw: string, command: string): Address[] {
  const items = raw.split(",").map((s) => s.trim());
  if (items.every((s) => s === "")) throw new NodeError("MISSING_ARGUMENT", `${command}: --contributors needs at least one address`);
  const out: Address[] = [];
  for (const [i, a] of items.entries()) {
    if (a === "") throw new NodeError("INVALID_ARGUMENT", `${command}: --contributors has an empty address at position ${i + 1}`);
    if (!isAddress(a, { strict: false })) throw new NodeError("INVALID_ARGUMENT", `${command}: --contributors: "${a}" is not an address (0x + 40 hex characters)`);
    const addr = getAddress(a);
    if (out.includes(addr)) throw new NodeError("INVALID_ARGUMENT", `${command}: --contributors lists ${addr} twice`);
    out.push(addr);
  }
  if (out.length > 256) throw new NodeError("INVALID_ARGUMENT", `${command}: --contributors lists ${out.length} addresses, at most 256`);
  return out;
}

export function requireCoordinator(parameters: { values: ParsedArgs["values"]; env: Env; file?: NodeConfigFile; command: string }): string {
  const url = resolveCoordinatorUrl(parameters);
  if (!url) throw new NodeError("MISSING_ARGUMENT", `${parameters.command}: --coordinator is required (or PROOFMESH_COORDINATOR_URL, or coordinatorUrl in the node config)`);
  return url;
}

/** Runs a coordinator call; its failure becomes one line naming the call (COORDINATOR_ERROR, ARTIFACT_MISMATCH). */
export async function coordinatorCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof NodeError) throw e;
    if (e instanceof ArtifactHashMismatchError) throw new NodeError("ARTIFACT_MISMATCH", `${what}: ${e.shortMessage}`, { cause: e, details: "the coordinator served other bytes than the ones asked for by hash: refusing them" });
    if (e instanceof ProofMeshApiError) throw new NodeError("COORDINATOR_ERROR", `${what}: ${e.shortMessage} (HTTP ${e.statusCode})`, { cause: e });
    // network errors and bad answers name the method and URL themselves
    if (e instanceof ProofMeshHttpError) throw new NodeError("COORDINATOR_ERROR", e.shortMessage, { cause: e, details: "is the coordinator running? check --coordinator / PROOFMESH_COORDINATOR_URL / coordinatorUrl in the node config" });
    if (e instanceof ProofMeshSdkError) throw new NodeError("COORDINATOR_ERROR", `${what}: ${e.shortMessage}`, { cause: e });
    throw e;
  }
}

/** The model owner (ModelRegistry owner): `--operator-key`, or the operator key of a node home. */
export type OwnerContext = { account: PrivateKeyAccount; paths: HomePaths; file: NodeConfigFile | undefined; chain: NodeChain; contracts: ReturnType<typeof contractsOf> };

export async function loadOwnerContext(parameters: { values: ParsedArgs["values"]; env: Env; command: string }): Promise<OwnerContext> {
  const { values, env, command } = parameters;
  let account: PrivateKeyAccount;
  let paths: HomePaths;
  let file: NodeConfigFile | undefined;
  const key = values["operator-key"] as string | undefined;
  if (key !== undefined) {
    account = privateKeyToAccount(parsePrivateKeyFlag(key, `${command}: --operator-key`));
    paths = homePaths(resolveHome({ home: values.home as string | undefined, name: values.name as string | undefined, env }));
    file = existsSync(paths.config) ? readConfigFile(paths) : undefined;
  } else {
    const home = loadHome({ values, env });
    account = home.keys.operator;
    paths = home.paths;
    file = home.file;
  }
  const chain = await connectChain({
    rpcUrl: resolveRpcUrl({ values, env, file, command }),
    deploymentsDir: resolveDeploymentsDir({ values, env, file }),
    ...(file?.chainId !== undefined ? { expectedChainId: file.chainId } : {}),
    account,
  });
  return { account, paths, file, chain, contracts: contractsOf(chain) };
}

export async function assertModelOwner(ctx: OwnerContext, command: string): Promise<void> {
  const owner = await ctx.contracts.models.read.owner();
  if (owner.toLowerCase() !== ctx.account.address.toLowerCase()) {
    throw new NodeError("NOT_MODEL_OWNER", `${command}: ${ctx.account.address} is not the ModelRegistry owner ${owner}`, {
      details: "the model owner's key opens and finalizes ceremonies: pass --operator-key <its key> or --home <its home>",
    });
  }
}

/** This machine's initial zkeys (built and checked against r1cs + ptau by `npm run build:circuits`), each with the manifest's sha256. */
export function checkInitialZkeys(model: ModelManifest, command: string): { paths: string[]; sha256: string[] } {
  const paths: string[] = [];
  for (const s of model.shards) {
    const p = path.resolve(ROOT, s.initialZkey.path);
    if (!existsSync(p)) {
      throw new NodeError("ARTIFACT_UNAVAILABLE", `${command}: the initial zkey of ${model.id} shard ${s.index} is missing (${p})`, { details: "build it and check it against r1cs + ptau with `npm run build:circuits`" });
    }
    const got = sha256File(p);
    if (got !== bareHex(s.initialZkey.sha256)) {
      throw new NodeError("ARTIFACT_MISMATCH", `${command}: ${p} hashes to ${got}, the manifest says ${s.initialZkey.sha256}`, { details: "rebuild it with `npm run build:circuits`" });
    }
    paths.push(p);
  }
  return { paths, sha256: model.shards.map((s) => bareHex(s.initialZkey.sha256)) };
}

export function ptauPathOf(command: string): { path: string; sha256: string } {
  const m = readManifest();
  const p = path.resolve(ROOT, m.ptau.path);
  if (!existsSync(p)) throw new NodeError("ARTIFACT_UNAVAILABLE", `${command}: the powers-of-tau file ${p} is missing`);
  return { path: p, sha256: bareHex(m.ptau.sha256) };
}

export const modelIdOf = (model: ModelManifest): Hex => toModelId(model.id).toLowerCase() as Hex;

/** "12.3 s" */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const mb = (bytes: number) => (bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`);
