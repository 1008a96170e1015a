/**
 * POST a JSON body and read the answer as text: the fast path's one HTTP client (coordinator →
 * stage 0, node → next stage).
 *
 * Why not `fetch`: on loopback Node's fetch (undici behind WHATWG streams, plus an
 * `AbortSignal.timeout` per call) costs ≈ 0.4–0.6 ms a request, `node:http` with a keep-alive agent
 * ≈ 0.1 ms (measured with a fastify echo of a 784-number body); a 2-stage pipeline crosses two or
 * three such hops, against a ≤ 2 ms overhead budget.
 *
 * Keep-alive: sockets are reused per origin. A server may close an idle socket just as a request is
 * written on it (ECONNRESET / "socket hang up" on a reused socket): that request is sent once more
 * on a new socket. Stage execution is idempotent per (job, stage), so the retry is safe.
 *
 * Tests inject a `fetch` (a fake network); it is used instead of node:http when given.
 */
import http from "node:http";
import https from "node:https";

export class PostJsonError extends Error {
  override name = "PostJsonError";
  /** true when no complete answer came within `timeoutMs` */
  readonly timedOut: boolean;
  constructor(message: string, options: { timedOut: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.timedOut = options.timedOut;
  }
}

export type PostJsonParameters = {
  url: string | URL;
  /** the JSON text to send */
  body: string;
  /** the whole exchange (connect, send, answer) must finish within this (ms) */
  timeoutMs: number;
  /** largest answer accepted (bytes, default 4 MiB) */
  maxResponseBytes?: number;
  /** a fetch implementation to use instead of node:http (tests) */
  fetch?: typeof fetch;
};

export type PostJsonReturnType = {
  status: number;
  text: string;
  /** the answer's Server-Timing header, if any (where the server's time went) */
  serverTiming: string | null;
};

const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
// Idle sockets are dropped after 30 s, well before fastify's default keepAliveTimeout (72 s).
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 30_000 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 30_000 }),
};

/** `name;dur=ms, …` → { name: ms } (entries without a duration are skipped). */
export function parseServerTiming(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (header ?? "").split(",")) {
    const [name, ...params] = part.trim().split(";");
    const dur = params.map((x) => x.trim()).find((x) => x.startsWith("dur="));
    if (name && dur) {
      const ms = Number(dur.slice(4));
      if (Number.isFinite(ms)) out[name] = ms;
    }
  }
  return out;
}

export async function postJson(parameters: PostJsonParameters): Promise<PostJsonReturnType> {
  const { url, body, timeoutMs, fetch: fetchImpl } = parameters;
  if (fetchImpl) return viaFetch(fetchImpl, url, body, timeoutMs);
  const deadline = performance.now() + timeoutMs;
  const maxBytes = parameters.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const asPostJsonError = (err: unknown, timedOut: boolean) => (err instanceof StaleSocketError ? new PostJsonError(err.message, { timedOut, cause: err.cause }) : err);
  try {
    return await once(url, body, timeoutMs, maxBytes);
  } catch (err) {
    if (!(err instanceof StaleSocketError)) throw err;
    const left = Math.floor(deadline - performance.now());
    if (left <= 0) throw asPostJsonError(err, true);
    try {
      return await once(url, body, left, maxBytes); // once, on a new socket
    } catch (again) {
      throw asPostJsonError(again, false);
    }
  }
}

/** a reused keep-alive socket failed before any answer: the request can be sent again */
class StaleSocketError extends Error {}

function once(url: string | URL, body: string, timeoutMs: number, maxBytes: number): Promise<PostJsonReturnType> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = typeof url === "string" ? new URL(url) : url;
    } catch (cause) {
      reject(new PostJsonError(`invalid URL ${String(url).slice(0, 200)}`, { timedOut: false, cause }));
      return;
    }
    const lib = target.protocol === "https:" ? https : target.protocol === "http:" ? http : undefined;
    if (!lib) {
      reject(new PostJsonError(`unsupported protocol ${target.protocol}`, { timedOut: false }));
      return;
    }
    let settled = false;
    let answered = false;
    const finish = (err: Error | undefined, value?: PostJsonReturnType) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value!);
    };
    const req = lib.request(target, {
      method: "POST",
      agent: agents[target.protocol as "http:" | "https:"],
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    const timer = setTimeout(() => {
      finish(new PostJsonError(`no answer within ${timeoutMs} ms`, { timedOut: true }));
      req.destroy();
    }, timeoutMs);
    req.on("error", (cause: NodeJS.ErrnoException) => {
      if (!answered && req.reusedSocket && (cause.code === "ECONNRESET" || cause.code === "EPIPE")) finish(new StaleSocketError(`reused connection closed: ${cause.message}`, { cause }));
      else finish(new PostJsonError(`request failed: ${cause.message}`, { timedOut: false, cause }));
    });
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          finish(new PostJsonError(`answer larger than ${maxBytes} bytes`, { timedOut: false }));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => {
        const st = res.headers["server-timing"];
        finish(undefined, { status: res.statusCode ?? 0, text: Buffer.concat(chunks, bytes).toString("utf8"), serverTiming: st === undefined ? null : String(st) });
      });
      res.on("error", (cause) => finish(new PostJsonError(`answer interrupted: ${cause.message}`, { timedOut: false, cause })));
      res.on("aborted", () => finish(new PostJsonError("answer interrupted", { timedOut: false })));
    });
    req.end(body);
  });
}

async function viaFetch(fetchImpl: typeof fetch, url: string | URL, body: string, timeoutMs: number): Promise<PostJsonReturnType> {
  try {
    const res = await fetchImpl(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, text: await res.text(), serverTiming: res.headers.get("server-timing") };
  } catch (cause) {
    const name = (cause as Error)?.name;
    const timedOut = name === "TimeoutError" || name === "AbortError";
    const inner = ((cause as Error)?.cause as Error | undefined)?.message;
    throw new PostJsonError(timedOut ? `no answer within ${timeoutMs} ms` : `request failed: ${(cause as Error)?.message}${inner ? `: ${inner}` : ""}`, { timedOut, cause });
  }
}
