/**
 * Forwards a stage's output to the next stage: the route's candidates are tried in order with
 * the remaining time budget; a candidate that errors, answers with a non-2xx or an invalid body,
 * or times out is recorded in `failed` and the next one is tried.
 */
import {
  parseStageExecuteResponse,
  type RouteHop,
  type StageExecuteRequest,
  type StageExecuteResponse,
} from "../wire/messages.ts";
import { postJson, PostJsonError } from "../wire/post-json.ts";

export type ForwardFailure = { nodeId: number; error: string };

export type ForwardStageParameters = {
  jobId: string;
  modelId: string;
  /** the next stage's hop (route[0] of this node's request) */
  hop: RouteHop;
  /** the hops after it */
  rest: RouteHop[];
  input: number[];
  /** absolute deadline (performance.now() clock) of this node's request */
  deadlineAt: number;
  /** a fetch to use instead of node:http (tests) */
  fetchImpl?: typeof fetch;
};

export type ForwardStageReturnType =
  | { ok: true; response: StageExecuteResponse; failed: ForwardFailure[] }
  | { ok: false; failed: ForwardFailure[]; timedOut: boolean };

/** Time kept for ourselves after the downstream answers (serialising, the hop back). */
const MARGIN_MS = 5;

export async function forwardStage(parameters: ForwardStageParameters): Promise<ForwardStageReturnType> {
  const { jobId, modelId, hop, rest, input, deadlineAt, fetchImpl } = parameters;
  const failed: ForwardFailure[] = [];
  for (const candidate of hop.candidates) {
    const remaining = Math.floor(deadlineAt - performance.now());
    if (remaining < 2 * MARGIN_MS) return { ok: false, failed, timedOut: true };
    const body: StageExecuteRequest = { jobId, modelId, stage: hop.stage, input, route: rest, timeoutMs: remaining - MARGIN_MS };
    try {
      const res = await postJson({ url: `${candidate.endpoint.replace(/\/+$/, "")}/v1/stages/execute`, body: JSON.stringify(body), timeoutMs: remaining, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
      const text = res.text;
      if (res.status < 200 || res.status > 299) {
        let detail = text.slice(0, 200);
        try {
          const e = JSON.parse(text) as { code?: string; message?: string };
          detail = `${e.code ?? ""} ${e.message ?? ""}`.trim();
        } catch {
          /* raw text */
        }
        failed.push({ nodeId: candidate.nodeId, error: `HTTP ${res.status}: ${detail}`.slice(0, 500) });
        continue;
      }
      const response = parseStageExecuteResponse(text);
      if (response.jobId !== jobId || response.stages[0]?.stage !== hop.stage) {
        failed.push({ nodeId: candidate.nodeId, error: "answer is for another job or stage" });
        continue;
      }
      return { ok: true, response, failed };
    } catch (err) {
      const e = err as Error;
      const reason = err instanceof PostJsonError && err.timedOut ? `timed out after ${remaining} ms` : e.message;
      failed.push({ nodeId: candidate.nodeId, error: reason.slice(0, 500) });
    }
  }
  return { ok: false, failed, timedOut: false };
}
