import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { startDelayProxy } from "./delay-proxy.ts";

test("delay proxy adds the configured one-way delay in both directions and keeps order", async () => {
  const echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", () => r()));
  const port = (echo.address() as { port: number }).port;
  const proxy = await startDelayProxy({ targetPort: port, delayMs: 40 });
  const { connect } = await import("node:net");
  const sock = connect(proxy.port, "127.0.0.1");
  await new Promise<void>((r) => sock.once("connect", () => r()));
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
