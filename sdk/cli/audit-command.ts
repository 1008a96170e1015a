/**
 * `proofmesh audit <jobId>` — re-verify a job from the explorer API with the independent noble
 * verifier and the chain's events.
 * `proofmesh audit model <model>` — check a registered model's keys against its on-chain ceremony
 * record (sdk/audit-model.ts). Both print one verdict per check.
 * Exit codes: 0 every check passed, 1 a check failed (or the audit could not run), 2 usage error.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { toModelId } from "../../deploy/protocol.ts";
import type { Manifest } from "../../prover/manifest.ts";
import { auditJob } from "../audit-job.ts";
import {
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  connect,
  describeError,
  jsonLine,
  parse,
  parseDeploymentFile,
  parseJobIdArg,
  parseUrl,
  requireString,
  resolveDeployment,
  type RunParameters,
} from "./common.ts";

export const USAGE = `usage: proofmesh audit <jobId> [--coordinator <url>] [--rpc-url <url>] [--deployment <file>] [--json]
       proofmesh audit model <model> [--coordinator <url>] [--rpc-url <url>] [--deployment <file>] [--json]

audit <jobId>: fetches the job's trace from the coordinator's explorer API and checks, without
trusting it: the request signature; JobCreated / JobAssigned / StageProven / JobSettled on chain;
each shard's vkey (trace id, the model's on-chain ceremony record, constants in the on-chain
verifier) and verifier (compiled from that vkey = the on-chain code); each proof (noble BN254); the
commitment chain; the binding values; the result.

audit model <model>: reads the model's ceremony record on chain (ModelRegistry.ceremonyOf), fetches
each shard's final zkey and vkey by their on-chain hashes and checks: zkey verify from this
machine's initial zkeys (npm run build:circuits) and powers of tau; the zkeys' contributions = the
on-chain transcript hashes, each signed by its on-chain operator; the beacon = the on-chain beacon
hash = the hash of the beacon block; the vkey exported from the zkey = the served vkey = the on-chain
hash; the registry's verifier code = the verifier exported from the zkey, compiled.

Exit code 1 on any mismatch.

environment: PROOFMESH_COORDINATOR_URL, PROOFMESH_RPC_URL, PROOFMESH_DEPLOYMENTS`;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** `<model>`: a model of this repository's manifest (its id or 0x bytes32 id): its initial zkeys are what the keys are checked from. */
function parseModelArg(value: string | undefined): string {
  if (value === undefined) throw new UsageError("missing <model> (a model id of the manifest, e.g. mnist-mlp-784-64-32-10)");
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "prover/models/manifest.json"), "utf8")) as Manifest;
  if (/^0x/i.test(value) && !/^0x[0-9a-fA-F]{64}$/.test(value)) throw new UsageError(`invalid <model> "${value}": a 0x model id must be 32 bytes (64 hex digits); or give the model name`);
  const m = manifest.models.find((x) => x.id === value || toModelId(x.id).toLowerCase() === value.toLowerCase());
  if (!m) throw new UsageError(`unknown <model> "${value}": not in the manifest (known: ${manifest.models.map((x) => x.id).join(", ")})`);
  return m.id;
}

export async function run({ argv, io, env }: RunParameters): Promise<number> {
  try {
    const { values, positionals } = parse(argv, {
      coordinator: { type: "string" },
      "rpc-url": { type: "string" },
      deployment: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help || (positionals.length === 1 && positionals[0] === "help")) return (io.out(USAGE), EXIT_OK);
    if (positionals[0] === "model") return await runModelAudit({ positionals: positionals.slice(1), values, io, env });
    const jobId = parseJobIdArg(positionals[0]);
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const { coordinatorUrl, publicClient, deployment } = await auditTarget({ values, env });
    const audit = await auditJob({ jobId, coordinatorUrl, publicClient, deployment });
    if (values.json) {
      io.out(jsonLine({ jobId: audit.jobId, ok: audit.ok, verdicts: audit.verdicts }));
    } else {
      io.out(`audit of job ${jobId}`);
      for (const v of audit.verdicts) {
        const name = v.stage === undefined ? v.check : `${v.check}[${v.stage}]`;
        (v.ok ? io.out : io.err)(`  ${v.status.toUpperCase().padEnd(4)} ${name.padEnd(22)} ${v.detail}`);
      }
      const failed = audit.verdicts.filter((v) => !v.ok).length;
      (audit.ok ? io.out : io.err)(audit.ok ? `OK: all ${audit.verdicts.length} checks passed` : `MISMATCH: ${failed} of ${audit.verdicts.length} checks failed`);
    }
    return audit.ok ? EXIT_OK : EXIT_FAILED;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`proofmesh audit: ${e.message}`);
      return EXIT_USAGE;
    }
    io.err(`proofmesh audit: ${describeError(e)}`);
    return EXIT_FAILED;
  }
}

/** The coordinator, chain and deployment an audit reads (flags, then environment). */
async function auditTarget({ values, env }: { values: { coordinator?: string; "rpc-url"?: string; deployment?: string }; env: RunParameters["env"] }) {
  const coordinatorUrl = parseUrl(requireString(values.coordinator ?? env.PROOFMESH_COORDINATOR_URL, "--coordinator", "or set PROOFMESH_COORDINATOR_URL"), "--coordinator");
  const rpcUrl = parseUrl(requireString(values["rpc-url"] ?? env.PROOFMESH_RPC_URL, "--rpc-url", "or set PROOFMESH_RPC_URL"), "--rpc-url");
  const deploymentFile = parseDeploymentFile(values.deployment);
  const { publicClient, chainId } = await connect({ rpcUrl });
  const deployment = await resolveDeployment({ file: deploymentFile, env, chainId });
  return { coordinatorUrl, publicClient, deployment };
}

async function runModelAudit({ positionals, values, io, env }: { positionals: string[]; values: { coordinator?: string; "rpc-url"?: string; deployment?: string; json?: boolean }; io: RunParameters["io"]; env: RunParameters["env"] }): Promise<number> {
  const model = parseModelArg(positionals[0]);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const { coordinatorUrl, publicClient, deployment } = await auditTarget({ values, env });
  const { auditModel } = await import("../audit-model.ts"); // snarkjs + solc: loaded only for this command
  const audit = await auditModel({ model, coordinatorUrl, publicClient, deployment, onProgress: (line) => io.err(`  … ${line}`) });
  if (values.json) {
    io.out(jsonLine({ model: audit.model, modelId: audit.modelId, ok: audit.ok, verdicts: audit.verdicts }));
  } else {
    io.out(`audit of model ${audit.model} (${audit.modelId})`);
    for (const v of audit.verdicts) {
      const at = v.shard !== undefined ? `[${v.shard}]` : v.index !== undefined ? `[#${v.index}]` : "";
      (v.ok ? io.out : io.err)(`  ${v.status.toUpperCase().padEnd(4)} ${`${v.check}${at}`.padEnd(30)} ${v.detail}`);
    }
    const failed = audit.verdicts.filter((v) => !v.ok).length;
    (audit.ok ? io.out : io.err)(audit.ok ? `OK: all ${audit.verdicts.length} checks passed` : `MISMATCH: ${failed} of ${audit.verdicts.length} checks failed`);
  }
  return audit.ok ? EXIT_OK : EXIT_FAILED;
}
