import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { test } from "node:test";
import { parseServerTiming, postJson, PostJsonError } from "./post-json.ts";

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

test("failures: refused, timeout, answer too large, bad URL, unsupported protocol — each a PostJsonError saying which", async () => {
  const slow = createServer(() => undefined); // never answers
  const big = createServer((_req, res) => res.end("x".repeat(2048)));
  const slowUrl = await listen(slow);
  const bigUrl = await listen(big);
  const closed = createServer();
  const closedUrl = await listen(closed);
  await new Promise<void>((r) => closed.close(() => r()));
  try {
    const refused = await postJson({ url: closedUrl, body: "{}", timeoutMs: 2000 }).catch((e: unknown) => e);
    assert.ok(refused instanceof PostJsonError && !refused.timedOut && /ECONNREFUSED/.test(refused.message), String(refused));
    const t0 = performance.now();
    const timeout = await postJson({ url: slowUrl, body: "{}", timeoutMs: 150 }).catch((e: unknown) => e);
    assert.ok(timeout instanceof PostJsonError && timeout.timedOut && /150 ms/.test(timeout.message), String(timeout));
    assert.ok(performance.now() - t0 < 1500);
    const large = await postJson({ url: bigUrl, body: "{}", timeoutMs: 2000, maxResponseBytes: 1024 }).catch((e: unknown) => e);
    assert.ok(large instanceof PostJsonError && /larger than 1024 bytes/.test(large.message), String(large));
    await assert.rejects(postJson({ url: "not a url", body: "{}", timeoutMs: 100 }), /invalid URL/);
    await assert.rejects(postJson({ url: "ftp://127.0.0.1/x", body: "{}", timeoutMs: 100 }), /unsupported protocol ftp:/);
  } finally {
    slow.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
    await new Promise<void>((r) => big.close(() => r()));
  }
});

test("sends the body as JSON, returns status, text and Server-Timing; non-2xx is an answer, not an error", async () => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url} ${req.headers["content-type"]} ${body}`);
      if (req.url === "/bad") {
        res.writeHead(409, { "content-type": "application/json" }).end('{"code":"X"}');
        return;
      }
      res.writeHead(200, { "server-timing": "compute;dur=0.25, store;dur=1.5, cache" }).end(`echo:${body}`);
    });
  });
  const url = await listen(server);
  try {
    const ok = await postJson({ url: `${url}/v1/x`, body: '{"a":1}', timeoutMs: 2000 });
    assert.deepEqual([ok.status, ok.text], [200, 'echo:{"a":1}']);
    assert.deepEqual(parseServerTiming(ok.serverTiming), { compute: 0.25, store: 1.5 });
    const bad = await postJson({ url: new URL("/bad", url), body: "{}", timeoutMs: 2000 });
    assert.deepEqual([bad.status, bad.text, bad.serverTiming], [409, '{"code":"X"}', null]);
    assert.deepEqual(seen, ['POST /v1/x application/json {"a":1}', "POST /bad application/json {}"]);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("a kept-alive socket that the server drops without answering: the request is sent again, once, on a new socket", async () => {
  let requests = 0;
  const perSocket = new WeakMap<object, number>();
  let dropSecond = true;
  const server = createServer((req, res) => {
    requests += 1;
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    // the 2nd request on a reused connection: close it unanswered (a server timing out an idle keep-alive socket)
    if (n === 2 && dropSecond) {
      req.socket.destroy();
      return;
    }
    res.end(`ok ${requests}`);
  });
  const url = await listen(server);
  try {
    assert.equal((await postJson({ url, body: "{}", timeoutMs: 2000 })).text, "ok 1");
    // reuses the kept-alive socket, which the server drops: retried on a new socket
    assert.equal((await postJson({ url, body: "{}", timeoutMs: 2000 })).text, "ok 3");
    assert.equal(requests, 3, "the first attempt reached the server, then exactly one retry");
    // a drop on a FRESH socket is not retried: the error is the caller's
    server.closeAllConnections();
    const fresh = createServer((req) => req.socket.destroy());
    const freshUrl = await listen(fresh);
    const err = await postJson({ url: freshUrl, body: "{}", timeoutMs: 2000 }).catch((e: unknown) => e);
    assert.ok(err instanceof PostJsonError && !err.timedOut && /socket hang up|ECONNRESET/.test(err.message), String(err));
    fresh.closeAllConnections();
    await new Promise<void>((r) => fresh.close(() => r()));
    dropSecond = false;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("with an injected fetch: same answer shape, and its failures mapped the same way", async () => {
  const fake = (async (_url: string | URL | Request, init?: RequestInit) => new Response(`got ${String(init?.body)}`, { status: 201, headers: { "server-timing": "a;dur=2" } })) as typeof fetch;
  assert.deepEqual(await postJson({ url: "http://x.invalid/", body: "{}", timeoutMs: 100, fetch: fake }), { status: 201, text: "got {}", serverTiming: "a;dur=2" });
  const hang = ((_url: string | URL | Request, init?: RequestInit) => new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)))) as typeof fetch;
  const keepAlive = setTimeout(() => undefined, 1000); // AbortSignal.timeout's timer does not hold the loop open
  const e = await postJson({ url: "http://x.invalid/", body: "{}", timeoutMs: 50, fetch: hang }).catch((x: unknown) => x);
  clearTimeout(keepAlive);
  assert.ok(e instanceof PostJsonError && e.timedOut, String(e));
});
