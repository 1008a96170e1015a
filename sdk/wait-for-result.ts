import { JobFailedError, JobTimeoutError, ProofMeshHttpError } from "./errors.ts";
import { getJob } from "./get-job.ts";
import type { JobStatusResponse } from "./schemas.ts";
import { sleep } from "./sleep.ts";
import { toJobId } from "./types.ts";

export type WaitForResultParameters = {
  coordinatorUrl: string;
  jobId: bigint | string;
  /** default 60 s */
  timeoutMs?: number;
  /** default 250 ms */
  pollIntervalMs?: number;
  signal?: AbortSignal;
};
export type WaitForResultReturnType = JobStatusResponse & { result: number };

/**
 * Polls GET /v1/jobs/:jobId until the coordinator has an answer (`result` present).
 * Throws {@link JobFailedError} if the job failed or expired first, {@link JobTimeoutError} on timeout.
 * Transient network errors are retried until the timeout.
 */
export async function waitForResult({ coordinatorUrl, jobId, timeoutMs = 60_000, pollIntervalMs = 250, signal }: WaitForResultParameters): Promise<WaitForResultReturnType> {
  const id = toJobId(jobId);
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const job = await getJob({ coordinatorUrl, jobId: id, timeoutMs: Math.max(1, Math.min(10_000, end - Date.now())) });
      if (typeof job.result === "number") return job as WaitForResultReturnType;
      if (job.status === "failed" || job.status === "expired") throw new JobFailedError(`job ${id} ${job.status} before an answer`, { jobId: id, status: job.status });
      last = job.status;
    } catch (e) {
      if (!(e instanceof ProofMeshHttpError)) throw e;
      last = e;
    }
    if (Date.now() + pollIntervalMs > end) {
      throw new JobTimeoutError(`no answer for job ${id} within ${timeoutMs} ms`, { jobId: id, cause: last instanceof Error ? last : undefined, details: typeof last === "string" ? `last status: ${last}` : undefined });
    }
    await sleep(pollIntervalMs, signal);
  }
}
