/**
 * The node's side of the stage stream (node/wire/stage-stream.ts): accepts the HTTP Upgrade on
 * `/v1/stages/stream` and answers every request frame by running it through the fastify app's own
 * `POST /v1/stages/execute` route (`app.inject`): the same schemas, checks, errors, metrics and
 * Server-Timing as over HTTP, without an HTTP exchange per stage.
 *
 * Limits: a frame larger than the body limit, or any framing error, closes that connection; more
 * than `maxInFlight` requests at once on one connection get 503 STREAM_BUSY. While the app closes,
 * new frames get 503 SHUTTING_DOWN, and the connections are closed once their requests are answered.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { createFrameReader, encodeResponseFrame, STAGE_STREAM_PATH, STAGE_STREAM_PROTOCOL, StageStreamFrameError } from "../wire/stage-stream.ts";

export type AttachStageStreamParameters = {
  app: FastifyInstance;
  log: Logger;
  /** largest request body (bytes): the app's body limit */
  maxFrameBytes: number;
  /** requests in progress per connection before STREAM_BUSY (default 1024) */
  maxInFlight?: number;
};

export type StageStreamServer = { connections(): number };

const errorBody = (statusCode: number, code: string, error: string, message: string) => Buffer.from(JSON.stringify({ statusCode, code, error, message }));

export function attachStageStream({ app, log: parentLog, maxFrameBytes, maxInFlight = 1024 }: AttachStageStreamParameters): StageStreamServer {
  const log = parentLog.child({ component: "stage-stream" });
  const sockets = new Set<Duplex>();
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  app.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? "").split("?")[0];
    if (!path.endsWith(`/${STAGE_STREAM_PATH}`) || String(req.headers.upgrade ?? "").toLowerCase() !== STAGE_STREAM_PROTOCOL || req.method !== "GET") {
      socket.end(`HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-type: application/json\r\n\r\n${errorBody(404, "NOT_FOUND", "Not Found", `no upgrade to ${String(req.headers.upgrade ?? "").slice(0, 64)} at ${path.slice(0, 200)}`)}`);
      return;
    }
    if (closing) {
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-type: application/json\r\n\r\n${errorBody(503, "SHUTTING_DOWN", "Service Unavailable", "node is shutting down")}`);
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: ${STAGE_STREAM_PROTOCOL}\r\n\r\n`);
    (socket as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    sockets.add(socket);
    const reader = createFrameReader("request", maxFrameBytes);
    let active = 0;
    const reply = (id: number, status: number, timing: string, body: Buffer) => {
      if (!socket.destroyed) socket.write(encodeResponseFrame(id, status, timing, body));
    };
    const onData = (chunk: Buffer) => {
      let frames;
      try {
        frames = reader.push(chunk);
      } catch (err) {
        log.warn({ err: err instanceof StageStreamFrameError ? err.message : String(err) }, "stage stream: bad frame, closing the connection");
        socket.destroy();
        return;
      }
      for (const { id, body } of frames) {
        if (closing) {
          reply(id, 503, "", errorBody(503, "SHUTTING_DOWN", "Service Unavailable", "node is shutting down"));
          continue;
        }
        if (active >= maxInFlight) {
          reply(id, 503, "", errorBody(503, "STREAM_BUSY", "Service Unavailable", `more than ${maxInFlight} requests in progress on this connection`));
          continue;
        }
        active += 1;
        const task = app
          .inject({ method: "POST", url: "/v1/stages/execute", headers: { "content-type": "application/json" }, payload: body })
          .then(
            (res) => reply(id, res.statusCode, String(res.headers["server-timing"] ?? ""), res.rawPayload),
            (err: unknown) => {
              log.error({ err }, "stage stream: request failed inside the app");
              reply(id, 500, "", errorBody(500, "INTERNAL", "Internal Server Error", "internal error"));
            },
          )
          .finally(() => {
            active -= 1;
            inFlight.delete(task);
            if (closing && active === 0) socket.end();
          });
        inFlight.add(task);
      }
    };
    socket.on("data", onData);
    socket.on("error", () => socket.destroy());
    socket.on("close", () => sockets.delete(socket));
    if (head.length > 0) onData(head);
  });

  // fastify does not know upgraded sockets: finish their requests, then close them, with the app
  app.addHook("preClose", async () => {
    closing = true;
    await Promise.allSettled([...inFlight]);
    for (const s of sockets) s.end();
    setTimeout(() => {
      for (const s of sockets) s.destroy();
    }, 1_000).unref();
  });

  return { connections: () => sockets.size };
}
