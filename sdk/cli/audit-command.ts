/**
 * `proofmesh audit <jobId>` — re-verify a job from the explorer API with the independent noble
 * verifier and the chain's events. Prints one verdict per check.
 * Exit codes: 0 every check passed, 1 a check failed (or the audit could not run), 2 usage error.
 */
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

Fetches the job's trace from the coordinator's explorer API and checks, without trusting it:
the request signature; JobCreated / JobAssigned / StageProven / JobSettled on chain; each shard's
vkey (trace id, repository manifest, constants in the on-chain verifier); each proof (noble BN254);
the commitment chain; the binding values; the result. Exit code 1 on any mismatch.

environment: PROOFMESH_COORDINATOR_URL, PROOFMESH_RPC_URL, PROOFMESH_DEPLOYMENTS`;

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
    const jobId = parseJobIdArg(positionals[0]);
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const coordinatorUrl = parseUrl(requireString(values.coordinator ?? env.PROOFMESH_COORDINATOR_URL, "--coordinator", "or set PROOFMESH_COORDINATOR_URL"), "--coordinator");
    const rpcUrl = parseUrl(requireString(values["rpc-url"] ?? env.PROOFMESH_RPC_URL, "--rpc-url", "or set PROOFMESH_RPC_URL"), "--rpc-url");
    const deploymentFile = parseDeploymentFile(values.deployment);

    const { publicClient, chainId } = await connect({ rpcUrl });
    const deployment = await resolveDeployment({ file: deploymentFile, env, chainId });
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
