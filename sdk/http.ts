// The one place the SDK talks HTTP to a coordinator: timeout, ApiError bodies → ProofMeshApiError,
// schema validation of every response; raw bodies (zkeys, vkeys) in and out by content hash.
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import type { Static, TSchema } from "typebox";

import { ArtifactHashMismatchError, ProofMeshApiError, ProofMeshHttpError, ProofMeshResponseError } from "./errors.ts";
import { ApiErrorBodySchema, parseWith } from "./schemas.ts";

export type RequestJsonParameters<S extends TSchema> = {
  coordinatorUrl: string;
  /** path starting with "/", e.g. "/v1/jobs" */
  path: string;
  method?: "GET" | "POST";
  body?: unknown;
  /** extra request headers */
  headers?: Record<string, string>;
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
  const { coordinatorUrl, path, method = "GET", body, schema, name, timeoutMs = DEFAULT_HTTP_TIMEOUT_MS, signal, headers = {} } = parameters;
  const url = apiUrl(coordinatorUrl, path);
  const res = await send({
    url,
    method,
    timeoutMs,
    signal,
    headers: { ...(body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
  });
  const text = await res.text().catch(() => "");
  let json: unknown = undefined;
  let jsonError: unknown = undefined;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch (cause) {
    jsonError = cause;
  }
  if (!res.ok) throw apiErrorOf({ status: res.status, text, json, method, url });
  if (jsonError !== undefined || json === undefined) {
    throw new ProofMeshResponseError(`${name}: response of ${method} ${url} is not JSON`, { cause: jsonError, details: text.slice(0, 200) });
  }
  return parseWith(schema, json, name);
}

async function send(p: { url: string; method: string; timeoutMs: number; signal?: AbortSignal; headers: Record<string, string>; body?: string | Uint8Array }): Promise<Response> {
  const signals = [AbortSignal.timeout(p.timeoutMs), ...(p.signal ? [p.signal] : [])];
  try {
    return await fetch(p.url, { method: p.method, headers: p.headers, body: p.body, signal: AbortSignal.any(signals) });
  } catch (cause) {
    const timedOut = cause instanceof Error && cause.name === "TimeoutError";
    throw new ProofMeshHttpError(timedOut ? `${p.method} ${p.url} timed out after ${p.timeoutMs} ms` : `${p.method} ${p.url} failed: cannot reach the coordinator`, { cause });
  }
}

/** An error response: the ApiError body's code and message when there is one. */
function apiErrorOf({ status, text, json, method, url }: { status: number; text: string; json: unknown; method: string; url: string }): ProofMeshApiError {
  let apiError: Static<typeof ApiErrorBodySchema> | undefined;
  try {
    apiError = parseWith(ApiErrorBodySchema, json, "ApiError");
  } catch {
    apiError = undefined;
  }
  if (apiError) return new ProofMeshApiError(`${apiError.code}: ${apiError.message}`, { statusCode: status, code: apiError.code, details: `${method} ${url} → ${status}` });
  return new ProofMeshApiError(`HTTP ${status} from ${method} ${url}`, { statusCode: status, code: `HTTP_${status}`, details: text.slice(0, 500) || undefined });
}

async function errorOf(res: Response, method: string, url: string): Promise<ProofMeshApiError> {
  const text = await res.text().catch(() => "");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return apiErrorOf({ status: res.status, text, json, method, url });
}

export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

export type DownloadToFileParameters = {
  coordinatorUrl: string;
  /** path starting with "/", e.g. "/v1/artifacts/<sha256>" */
  path: string;
  /** the file is written here (atomically: a temporary file renamed when complete and checked) */
  outPath: string;
  /** expected sha256 (hex, with or without 0x): a body that hashes otherwise is an ArtifactHashMismatchError and is not kept */
  sha256: string;
  /** refuse bodies larger than this (default 2 GiB) */
  maxBytes?: number;
  timeoutMs?: number;
};
export type DownloadToFileReturnType = { bytes: number; ms: number };

/** Streams a response body to a file while hashing it; keeps the file only if its sha256 is the expected one. */
export async function downloadToFile({ coordinatorUrl, path, outPath, sha256, maxBytes = 2 ** 31, timeoutMs = DEFAULT_DOWNLOAD_TIMEOUT_MS }: DownloadToFileParameters): Promise<DownloadToFileReturnType> {
  const t0 = performance.now();
  const want = sha256.replace(/^0x/, "").toLowerCase();
  const url = apiUrl(coordinatorUrl, path);
  const res = await send({ url, method: "GET", timeoutMs, headers: { accept: "application/octet-stream" } });
  if (!res.ok) throw await errorOf(res, "GET", url);
  const declared = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw new ProofMeshResponseError(`GET ${url}: ${declared} bytes, more than the ${maxBytes} allowed`, {});
  if (!res.body) throw new ProofMeshResponseError(`GET ${url}: empty response`, {});
  const hash = createHash("sha256");
  let bytes = 0;
  const tmp = `${outPath}.${randomBytes(4).toString("hex")}.part`;
  try {
    await pipeline(
      Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>),
      async function* (source: AsyncIterable<Uint8Array>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          if (bytes > maxBytes) throw new ProofMeshResponseError(`GET ${url}: more than the ${maxBytes} bytes allowed`, {});
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(tmp),
    );
    const got = hash.digest("hex");
    if (got !== want) throw new ArtifactHashMismatchError(`GET ${url}: the body hashes to sha256 ${got}, not ${want}`, { expected: want, actual: got });
    await rename(tmp, outPath);
  } catch (e) {
    await rm(tmp, { force: true });
    if (e instanceof ProofMeshResponseError || e instanceof ArtifactHashMismatchError) throw e;
    throw new ProofMeshHttpError(`GET ${url} failed while downloading`, { cause: e });
  }
  return { bytes, ms: performance.now() - t0 };
}

export type UploadBytesParameters<S extends TSchema> = {
  coordinatorUrl: string;
  path: string;
  method?: "PUT" | "POST";
  body: Uint8Array;
  headers?: Record<string, string>;
  /** the JSON answer's schema; undefined = the answer is not read */
  schema?: S;
  name: string;
  timeoutMs?: number;
};

/** Sends a raw `application/octet-stream` body (a zkey, a vkey file); returns the parsed JSON answer when a schema is given. */
export async function uploadBytes<S extends TSchema>({ coordinatorUrl, path, method = "PUT", body, headers = {}, schema, name, timeoutMs = DEFAULT_DOWNLOAD_TIMEOUT_MS }: UploadBytesParameters<S>): Promise<Static<S> | undefined> {
  const url = apiUrl(coordinatorUrl, path);
  const res = await send({ url, method, timeoutMs, headers: { accept: "application/json", "content-type": "application/octet-stream", ...headers }, body });
  if (!res.ok) throw await errorOf(res, method, url);
  const text = await res.text().catch(() => "");
  if (!schema) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ProofMeshResponseError(`${name}: response of ${method} ${url} is not JSON`, { cause, details: text.slice(0, 200) });
  }
  return parseWith(schema, json, name);
}
