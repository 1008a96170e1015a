import assert from "node:assert/strict";
import { connect } from "node:net";
import { test } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import pino from "pino";
import { closeStageStreams, executeStage } from "../wire/execute-stage.ts";
import { postJson, PostJsonError } from "../wire/post-json.ts";
import { encodeRequestFrame } from "../wire/stage-stream.ts";
import { attachStageStream } from "./stage-stream-server.ts";

const log = pino({ level: "silent" });

/** A node-like app: POST /v1/stages/execute echoes { id, n } after `waitMs`, 400 on { bad: true }. */
async function startApp({ stream = true, bodyLimit = 64 * 1024 } = {}) {
  const app: FastifyInstance = Fastify({ bodyLimit, forceCloseConnections: true });
  let executed = 0;
  app.post("/v1/stages/execute", async (req, reply) => {
    const b = req.body as { id: number; waitMs?: number; bad?: boolean };
    executed += 1;
    if (b.bad) return reply.status(400).send({ statusCode: 400, code: "BAD_REQUEST", error: "Bad Request", message: "bad on purpose" });
    if (b.waitMs) await new Promise((r) => setTimeout(r, b.waitMs));
    void reply.header("server-timing", "compute;dur=0.125");
    return { id: b.id, n: executed };
  });
  const server = stream ? attachStageStream({ app, log, maxFrameBytes: bodyLimit }) : undefined;
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  return { app, server, url: `${base}/v1/stages/execute`, executed: () => executed };
}

test("over the stream: same status, body and Server-Timing as over HTTP; 50 concurrent requests each get their own answer on one connection", async () => {
  const node = await startApp();
  try {
    const viaStream = await executeStage({ url: node.url, body: JSON.stringify({ id: 1 }), timeoutMs: 2000 });
    const viaHttp = await postJson({ url: node.url, body: JSON.stringify({ id: 1 }), timeoutMs: 2000 });
    assert.deepEqual([viaStream.status, JSON.parse(viaStream.text).id, viaStream.serverTiming], [200, 1, "compute;dur=0.125"]);
    assert.deepEqual([viaHttp.status, JSON.parse(viaHttp.text).id, viaHttp.serverTiming], [200, 1, "compute;dur=0.125"]);
    const bad = await executeStage({ url: node.url, body: JSON.stringify({ bad: true }), timeoutMs: 2000 });
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.text).code, "BAD_REQUEST");
    const notJson = await executeStage({ url: node.url, body: "{not json", timeoutMs: 2000 });
    assert.equal(notJson.status, 400, notJson.text);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => executeStage({ url: node.url, body: JSON.stringify({ id: 100 + i, waitMs: (i * 7) % 20 }), timeoutMs: 5000 })));
    assert.deepEqual(answers.map((a) => JSON.parse(a.text).id), Array.from({ length: 50 }, (_, i) => 100 + i));
    assert.equal(node.server!.connections(), 1, "one multiplexed connection");
  } finally {
    closeStageStreams();
    await node.app.close();
  }
});

test("a node without the stream is reached over HTTP (the upgrade is answered 404)", async () => {
  const node = await startApp({ stream: false });
  try {
    for (let i = 0; i < 3; i++) {
      const r = await executeStage({ url: node.url, body: JSON.stringify({ id: i }), timeoutMs: 2000 });
      assert.deepEqual([r.status, JSON.parse(r.text).id], [200, i]);
    }
    assert.equal(node.executed(), 3);
  } finally {
    closeStageStreams();
    await node.app.close();
  }
});

test("failures: timeout, refused, an oversized frame closes only that connection and the next request opens a new one", async () => {
  const node = await startApp({ bodyLimit: 2048 });
  try {
    const slow = await executeStage({ url: node.url, body: JSON.stringify({ id: 1, waitMs: 500 }), timeoutMs: 100 }).catch((e: unknown) => e);
    assert.ok(slow instanceof PostJsonError && slow.timedOut, String(slow));
    // a frame over the body limit: the node closes the connection, the requests waiting on it fail
    const big = await executeStage({ url: node.url, body: JSON.stringify({ id: 2, pad: "x".repeat(4096) }), timeoutMs: 2000 }).catch((e: unknown) => e);
    assert.ok(big instanceof PostJsonError && !big.timedOut, String(big));
    const after = await executeStage({ url: node.url, body: JSON.stringify({ id: 3 }), timeoutMs: 2000 });
    assert.equal(JSON.parse(after.text).id, 3, "a new connection serves the next request");
    await node.app.close();
  } finally {
    closeStageStreams();
  }
  const refused = await executeStage({ url: node.url, body: JSON.stringify({ id: 4 }), timeoutMs: 2000 }).catch((e: unknown) => e);
  assert.ok(refused instanceof PostJsonError && /ECONNREFUSED/.test(refused.message), String(refused));
});

test("closing the app: requests in progress are answered, then the connection is closed", async () => {
  const node = await startApp();
  const first = await executeStage({ url: node.url, body: JSON.stringify({ id: 1 }), timeoutMs: 2000 });
  assert.equal(first.status, 200);
  const inProgress = executeStage({ url: node.url, body: JSON.stringify({ id: 2, waitMs: 200 }), timeoutMs: 2000 });
  await new Promise((r) => setTimeout(r, 50));
  const closing = node.app.close();
  const answered = await inProgress;
  assert.deepEqual([answered.status, JSON.parse(answered.text).id], [200, 2]);
  await closing;
  closeStageStreams();
});

test("raw protocol abuse: a wrong upgrade token or path gets 404; garbage frames close the connection; the node keeps serving", async () => {
  const node = await startApp({ bodyLimit: 1024 });
  const port = Number(new URL(node.url).port);
  const raw = (text: string | Buffer) =>
    new Promise<string>((resolve) => {
      const s = connect(port, "127.0.0.1");
      let got = "";
      s.on("data", (d) => (got += d.toString("latin1")));
      s.on("close", () => resolve(got));
      s.on("error", () => resolve(got));
      s.write(text);
      setTimeout(() => s.destroy(), 500);
    });
  try {
    const wrongToken = await raw("GET /v1/stages/stream HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n");
    assert.match(wrongToken, /^HTTP\/1.1 404/);
    const wrongPath = await raw("GET /v1/other HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: proofmesh-stages/1\r\n\r\n");
    assert.match(wrongPath, /^HTTP\/1.1 404/);
    const huge = Buffer.alloc(8);
    huge.writeUInt32BE(10_000_000, 0);
    const closed = await raw(Buffer.concat([Buffer.from("GET /v1/stages/stream HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: proofmesh-stages/1\r\n\r\n"), huge]));
    assert.match(closed, /^HTTP\/1.1 101/);
    assert.equal(node.server!.connections(), 0, "the connection with the oversized frame was closed");
    // a valid frame with a bad body on a raw connection is answered like HTTP (400), not a crash
    const answer = await raw(Buffer.concat([Buffer.from("GET /v1/stages/stream HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: proofmesh-stages/1\r\n\r\n"), encodeRequestFrame(7, Buffer.from("[1,2"))]));
    assert.match(answer, /"statusCode":400/);
    const ok = await executeStage({ url: node.url, body: JSON.stringify({ id: 9 }), timeoutMs: 2000 });
    assert.equal(JSON.parse(ok.text).id, 9);
  } finally {
    closeStageStreams();
    await node.app.close();
  }
});
