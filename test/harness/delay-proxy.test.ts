import assert from "node:assert/strict";
import { connect, createServer } from "node:net";
import { test } from "node:test";
import { startDelayProxy } from "./delay-proxy.ts";

/** Lets loopback I/O happen (many event-loop turns; timers may be mocked): a chunk the proxy forwarded at once would be back by then. */
async function settle() {
  for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r));
}

/** An echo server behind a delay proxy, and a client connected to the proxy. */
async function echoBehindProxy(delayMs: number) {
  const echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", () => r()));
  const proxy = await startDelayProxy({ targetPort: (echo.address() as { port: number }).port, delayMs });
  const sock = connect(proxy.port, "127.0.0.1");
  await new Promise<void>((r) => sock.once("connect", () => r()));
  return { echo, proxy, sock };
}

test("delay proxy adds the configured one-way delay in both directions and keeps order", async () => {
  const { echo, proxy, sock } = await echoBehindProxy(40);
  const t0 = performance.now();
  const got: string[] = [];
  const done = new Promise<void>((r) => sock.on("data", (d) => { got.push(d.toString()); if (got.join("") === "abc") r(); }));
  sock.write("a");
  sock.write("b");
  sock.write("c");
  await done;
  const rtt = performance.now() - t0;
  assert.equal(got.join(""), "abc");
  assert.ok(rtt >= 80, `round trip ${rtt} ms < 2 × 40 ms`);
  assert.ok(rtt < 1000, `round trip ${rtt} ms`);
  sock.destroy();
  await proxy.close();
  await new Promise<void>((r) => echo.close(() => r()));
});

test("at 0 ms the proxy forwards at once (no timer), and chunks queued behind a delay keep their order", { timeout: 20_000 }, async (t) => {
  const { echo, proxy, sock } = await echoBehindProxy(0);
  let got = "";
  let waiter: { want: string; resolve: () => void } | undefined;
  sock.on("data", (d) => {
    got += d.toString();
    if (waiter && got === waiter.want) waiter.resolve();
  });
  const until = (want: string) => new Promise<void>((resolve) => (got === want ? resolve() : (waiter = { want, resolve })));
  // Timers are mocked from here on: a chunk that waits for a setTimeout does not move until tick().
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: Date.now() });
  sock.write("x");
  await until("x"); // would hang (test timeout) if the 0 ms path still used a timer
  proxy.setDelayMs(40);
  sock.write("y");
  await settle();
  assert.equal(got, "x", "a 40 ms chunk must wait for its timer");
  proxy.setDelayMs(0);
  sock.write("z"); // queued behind y: must not overtake it
  await settle();
  assert.equal(got, "x", "a 0 ms chunk behind a delayed one waits too");
  const done = until("xyz");
  t.mock.timers.tick(40); // y, then z, leave towards the echo server (the reply direction is at 0 ms again)
  await done;
  assert.equal(got, "xyz");
  t.mock.timers.reset();
  sock.destroy();
  await proxy.close();
  await new Promise<void>((r) => echo.close(() => r()));
});
