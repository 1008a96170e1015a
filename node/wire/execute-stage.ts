/**
 * Sends a StageExecuteRequest (JSON text) to a node and returns its answer as postJson does:
 * over the node's stage stream (stage-stream.ts: one persistent multiplexed connection per node,
 * opened on first use) when the node offers it, else as an HTTP POST (post-json.ts).
 *
 * - A node that answers the upgrade with anything but 101 (an older node, a proxy) is reached over
 *   HTTP for the next 5 minutes.
 * - A connection that closes or breaks fails the requests waiting on it (PostJsonError, not a
 *   timeout); a request that was written on a connection used before and got no answer is sent
 *   once more on a new connection (stage execution is idempotent per job and stage), like a stale
 *   keep-alive socket over HTTP.
 * - With an injected `fetch` (tests: a fake network) everything goes through it over HTTP.
 */
import http from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import { postJson, PostJsonError, type PostJsonReturnType } from "./post-json.ts";
import { createFrameReader, encodeRequestFrame, STAGE_STREAM_PATH, STAGE_STREAM_PROTOCOL, StageStreamFrameError } from "./stage-stream.ts";

export type ExecuteStageParameters = {
  /** the node's `…/v1/stages/execute` URL */
  url: string | URL;
  /** the StageExecuteRequest as JSON text */
  body: string;
  timeoutMs: number;
  fetch?: typeof fetch;
};

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const HTTP_ONLY_MS = 5 * 60_000;
const MAX_IDS = 0xffffffff;

type Waiter = { resolve: (r: PostJsonReturnType) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> };
type Connection = {
  socket: Duplex;
  waiting: Map<number, Waiter>;
  nextId: number;
  /** requests answered on it (a failure of a connection used before may be a stale socket) */
  answered: number;
  closed: boolean;
};

/** stream base URL → the handshake in progress */
const opening = new Map<string, Promise<Connection | "http">>();
/** stream base URL → open connection */
const live = new Map<string, Connection>();
/** stream base URL → until when the node is reached over HTTP (it refused the upgrade) */
const httpOnly = new Map<string, number>();

class StaleConnectionError extends Error {}

export async function executeStage(parameters: ExecuteStageParameters): Promise<PostJsonReturnType> {
  const { url, body, timeoutMs } = parameters;
  if (parameters.fetch) return postJson(parameters);
  const executeUrl = typeof url === "string" ? safeUrl(url) : url;
  if (!executeUrl || (executeUrl.protocol !== "http:" && executeUrl.protocol !== "https:") || !executeUrl.pathname.endsWith("/v1/stages/execute")) return postJson(parameters);
  const streamUrl = new URL(executeUrl.pathname.replace(/v1\/stages\/execute$/, STAGE_STREAM_PATH), executeUrl);
  const key = streamUrl.href;
  if ((httpOnly.get(key) ?? 0) > Date.now()) return postJson(parameters);
  const deadline = performance.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const left = Math.floor(deadline - performance.now());
    if (left <= 0) throw new PostJsonError(`no answer within ${timeoutMs} ms`, { timedOut: true });
    let conn: Connection | "http";
    try {
      conn = await withTimeout(connect(key, streamUrl), left, timeoutMs);
    } catch (err) {
      throw err instanceof PostJsonError ? err : new PostJsonError(`request failed: ${(err as Error).message}`, { timedOut: false, cause: err });
    }
    if (conn === "http") return postJson({ ...parameters, timeoutMs: Math.max(1, Math.floor(deadline - performance.now())) });
    try {
      return await send(conn, Buffer.from(body), Math.max(1, Math.floor(deadline - performance.now())), timeoutMs);
    } catch (err) {
      if (err instanceof StaleConnectionError && attempt === 0) continue;
      if (err instanceof StaleConnectionError) throw new PostJsonError(err.message, { timedOut: false, cause: err });
      throw err;
    }
  }
}

function safeUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, totalMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new PostJsonError(`no answer within ${totalMs} ms`, { timedOut: true })), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function connect(key: string, streamUrl: URL): Promise<Connection | "http"> {
  const conn = live.get(key);
  if (conn && !conn.closed) return Promise.resolve(conn);
  const pending = opening.get(key);
  if (pending) return pending;
  const p = handshake(key, streamUrl);
  opening.set(key, p);
  const done = () => {
    if (opening.get(key) === p) opening.delete(key);
  };
  p.then(done, done);
  return p;
}

function handshake(key: string, streamUrl: URL): Promise<Connection | "http"> {
  return new Promise((resolve, reject) => {
    const lib = streamUrl.protocol === "https:" ? https : http;
    const req = lib.request(streamUrl, { method: "GET", agent: false, headers: { connection: "Upgrade", upgrade: STAGE_STREAM_PROTOCOL } });
    req.on("error", (err) => reject(new PostJsonError(`request failed: ${err.message}`, { timedOut: false, cause: err })));
    req.on("response", (res) => {
      // not upgraded: a node without the stream (or something in between)
      res.resume();
      httpOnly.set(key, Date.now() + HTTP_ONLY_MS);
      resolve("http");
    });
    req.on("upgrade", (res, socket, head) => {
      if (String(res.headers.upgrade ?? "").toLowerCase() !== STAGE_STREAM_PROTOCOL) {
        socket.destroy();
        httpOnly.set(key, Date.now() + HTTP_ONLY_MS);
        resolve("http");
        return;
      }
      resolve(attach(key, socket, head));
    });
    req.end();
  });
}

function attach(key: string, socket: Duplex, head: Buffer): Connection {
  const net = socket as { setNoDelay?: (v: boolean) => void; unref?: () => void };
  net.setNoDelay?.(true);
  net.unref?.(); // an idle stream never keeps a process alive (a waiting request's timer does)
  const conn: Connection = { socket, waiting: new Map(), nextId: 1, answered: 0, closed: false };
  live.set(key, conn);
  const reader = createFrameReader("response", MAX_RESPONSE_BYTES);
  const fail = (err: Error) => {
    if (conn.closed) return;
    conn.closed = true;
    if (live.get(key) === conn) live.delete(key);
    socket.destroy();
    for (const [id, w] of conn.waiting) {
      conn.waiting.delete(id);
      clearTimeout(w.timer);
      w.reject(err);
    }
  };
  const onData = (chunk: Buffer) => {
    let frames;
    try {
      frames = reader.push(chunk);
    } catch (err) {
      fail(new PostJsonError(err instanceof StageStreamFrameError ? `stage stream: ${err.message}` : "stage stream: bad frame", { timedOut: false, cause: err }));
      return;
    }
    for (const f of frames) {
      const w = conn.waiting.get(f.id);
      if (!w) continue; // timed out already
      conn.waiting.delete(f.id);
      clearTimeout(w.timer);
      conn.answered += 1;
      w.resolve({ status: f.status, text: f.body.toString("utf8"), serverTiming: f.timing === "" ? null : f.timing });
    }
  };
  socket.on("data", onData);
  socket.on("error", (err) => fail(conn.answered > 0 ? new StaleConnectionError(`stage stream closed: ${err.message}`) : new PostJsonError(`stage stream failed: ${err.message}`, { timedOut: false, cause: err })));
  socket.on("close", () => fail(conn.answered > 0 ? new StaleConnectionError("stage stream closed") : new PostJsonError("stage stream closed by the node", { timedOut: false })));
  if (head.length > 0) onData(head);
  return conn;
}

function send(conn: Connection, body: Buffer, ms: number, totalMs: number): Promise<PostJsonReturnType> {
  if (conn.closed) return Promise.reject(new StaleConnectionError("stage stream closed"));
  const id = conn.nextId;
  conn.nextId = conn.nextId >= MAX_IDS ? 1 : conn.nextId + 1;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.waiting.delete(id);
      reject(new PostJsonError(`no answer within ${totalMs} ms`, { timedOut: true }));
    }, ms);
    conn.waiting.set(id, { resolve, reject, timer });
    conn.socket.write(encodeRequestFrame(id, body));
  });
}

/** Closes every stage stream this process opened (tests, shutdown). */
export function closeStageStreams(): void {
  for (const c of live.values()) c.socket.destroy();
  live.clear();
  httpOnly.clear();
}
