import { requestJson } from "./http.ts";
import { JobStatusResponseSchema, type JobStatusResponse } from "./schemas.ts";
import { toJobId } from "./types.ts";

export type GetJobParameters = { coordinatorUrl: string; jobId: bigint | string; timeoutMs?: number };
export type GetJobReturnType = JobStatusResponse;

/** The coordinator's view of a job: GET /v1/jobs/:jobId. */
export async function getJob({ coordinatorUrl, jobId, timeoutMs }: GetJobParameters): Promise<GetJobReturnType> {
  const id = toJobId(jobId);
  return requestJson({ coordinatorUrl, path: `/v1/jobs/${id}`, schema: JobStatusResponseSchema, name: "JobStatus", timeoutMs });
}
