// The one place the SDK talks HTTP to a coordinator: timeout, ApiError bodies → ProofMeshApiError,
// schema validation of every response.
import type { Static, TSchema } from "typebox";

import { ProofMeshApiError, ProofMeshHttpError, ProofMeshResponseError } from "./errors.ts";
import { ApiErrorBodySchema, parseWith } from "./schemas.ts";

export type RequestJsonParameters<S extends TSchema> = {
  coordinatorUrl: string;
  /** path starting with "/", e.g. "/v1/jobs" */
  path: string;
  method?: "GET" | "POST";
  body?: unknown;
  schema: S;
  /** name used in validation errors, e.g. "JobAnswer" */
  name: string;
  timeoutMs?: number;
  signal?: AbortSignal;
};

export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

/** Joins a base URL (with or without trailing slash / path prefix) and an absolute API path. */
export function apiUrl(coordinatorUrl: string, path: string): string {
  let base: URL;
  try {
    base = new URL(coordinatorUrl);
  } catch (cause) {
    throw new ProofMeshHttpError(`invalid coordinator URL "${coordinatorUrl}"`, { cause });
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new ProofMeshHttpError(`coordinator URL must be http(s), got "${coordinatorUrl}"`);
  return base.href.replace(/\/+$/, "") + path;
}

export async function requestJson<S extends TSchema>(parameters: RequestJsonParameters<S>): Promise<Static<S>> {
  const { coordinatorUrl, path, method = "GET", body, schema, name, timeoutMs = DEFAULT_HTTP_TIMEOUT_MS, signal } = parameters;
  const url = apiUrl(coordinatorUrl, path);
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
      signal: AbortSignal.any(signals),
    });
  } catch (cause) {
    const timedOut = cause instanceof Error && cause.name === "TimeoutError";
    throw new ProofMeshHttpError(timedOut ? `${method} ${url} timed out after ${timeoutMs} ms` : `${method} ${url} failed: cannot reach the coordinator`, {
      cause,
    });
  }
  const text = await res.text().catch(() => "");
  let json: unknown = undefined;
  let jsonError: unknown = undefined;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch (cause) {
    jsonError = cause;
  }
  if (!res.ok) {
    let apiError: Static<typeof ApiErrorBodySchema> | undefined;
    try {
      apiError = parseWith(ApiErrorBodySchema, json, "ApiError");
    } catch {
      apiError = undefined;
    }
    if (apiError) {
      throw new ProofMeshApiError(`${apiError.code}: ${apiError.message}`, { statusCode: res.status, code: apiError.code, details: `${method} ${url} → ${res.status}` });
    }
    throw new ProofMeshApiError(`HTTP ${res.status} from ${method} ${url}`, {
      statusCode: res.status,
      code: `HTTP_${res.status}`,
      details: text.slice(0, 500) || undefined,
    });
  }
  if (jsonError !== undefined || json === undefined) {
    throw new ProofMeshResponseError(`${name}: response of ${method} ${url} is not JSON`, { cause: jsonError, details: text.slice(0, 200) });
  }
  return parseWith(schema, json, name);
}
