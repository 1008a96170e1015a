/**
 * A small TCP proxy that adds a fixed one-way delay to every chunk in both directions —
 * how the demo and the end-to-end tests inject network latency between processes on
 * loopback (no netem here). Order is preserved per direction.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export type DelayProxy = {
  /** the proxy's listening port on 127.0.0.1 */
  port: number;
  /** change the one-way delay at run time (e.g. to make a node slow) */
  setDelayMs(delayMs: number): void;
  /** down = drop every open connection and refuse new ones (an unreachable host); up again = forward normally */
  setDown(down: boolean): void;
  close(): Promise<void>;
};

export type StartDelayProxyParameters = {
  targetPort: number;
  targetHost?: string;
  /** added to each direction, so the round trip grows by 2 × delayMs */
  delayMs: number;
  listenPort?: number;
};

export async function startDelayProxy({ targetPort, targetHost = "127.0.0.1", delayMs, listenPort = 0 }: StartDelayProxyParameters): Promise<DelayProxy> {
  let delay = delayMs;
  const sockets = new Set<Socket>();
  const pipe = (from: Socket, to: Socket) => {
    // One FIFO per direction, drained by one timer: chunks leave in arrival order even when the
    // delay changes between them (separate timers of different lengths could overtake each other).
    const queue: { at: number; chunk: Buffer }[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ended = false;
    const flush = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && queue[0].at <= now) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(flush, queue[0].at - now);
      else if (ended) to.end();
    };
    from.on("data", (chunk: Buffer) => {
      const now = Date.now();
      const at = Math.max(now + delay, queue.length > 0 ? queue[queue.length - 1].at : 0);
      // No delay and nothing queued ahead: forward at once. A setTimeout(…, 0) would hold the
      // chunk for >= 1 ms (Node's minimum timer), a latency the 0 ms proxy must not add.
      if (at <= now && queue.length === 0) {
        if (!to.destroyed) to.write(chunk);
        return;
      }
      queue.push({ at, chunk });
      timer ??= setTimeout(flush, queue[0].at - now);
    });
    from.on("end", () => {
      ended = true;
      if (queue.length === 0) to.end();
    });
    from.on("error", () => to.destroy());
    from.on("close", () => {
      const last = queue.length > 0 ? queue[queue.length - 1].at : 0;
      setTimeout(() => to.destroy(), Math.max(0, last - Date.now()) + 1);
    });
  };
  let down = false;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    client.on("close", () => sockets.delete(client));
    upstream.on("close", () => sockets.delete(upstream));
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listenPort, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy has no port");
  return {
    port: address.port,
    setDelayMs(ms: number) {
      delay = ms;
    },
    setDown(value: boolean) {
      down = value;
      if (down) for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
