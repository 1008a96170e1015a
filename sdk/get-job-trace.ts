import { requestJson } from "./http.ts";
import { JobTraceSchema, type JobTrace } from "./schemas.ts";
import { toJobId } from "./types.ts";

export type GetJobTraceParameters = { coordinatorUrl: string; jobId: bigint | string; timeoutMs?: number };
export type GetJobTraceReturnType = JobTrace;

/** A job's full trace from the explorer API: GET /v1/explorer/jobs/:jobId (schema: sdk/schemas.ts JobTraceSchema). */
export async function getJobTrace({ coordinatorUrl, jobId, timeoutMs }: GetJobTraceParameters): Promise<GetJobTraceReturnType> {
  const id = toJobId(jobId);
  return requestJson({ coordinatorUrl, path: `/v1/explorer/jobs/${id}`, schema: JobTraceSchema, name: "JobTrace", timeoutMs });
}
