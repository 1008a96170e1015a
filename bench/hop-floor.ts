/**
 * The physical floor of a pipeline on this machine, measured in the same bench run: a chain of
 * bare `node:http` processes (client → relay → … → echo) that do no work at all. Each relay
 * forwards the body it received to the next one with the same keep-alive client the mesh uses
 * (node/wire/post-json.ts) and answers with what came back; the last one answers with a body of
 * the real answer's size. Same payloads, same number of processes and hops as the real path,
 * nothing else: no framework, no validation, no compute, no storage, no signatures.
 *
 * What the bench reports as "overhead above the floor" is then what ProofMesh itself adds:
 * path p50 − (in-process compute p50 + chain p50). The bench alternates batches of requests to the
 * real path and to the chain, so both see the same moments of a noisy shared machine.
 *
 * Run as a script it is one link of the chain:
 *   node bench/hop-floor.ts --port P [--next Q] --reply-bytes N   (prints "listening" when ready)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { postJson } from "../node/wire/post-json.ts";
import { freePort } from "../test/harness/processes.ts";

export type StartHopChainParameters = {
  /** processes in the chain (each request crosses this many process boundaries) */
  hops: number;
  /** size of the last process's answer (the real path's answer size), bytes */
  replyBytes: number;
};
export type StartHopChainReturnType = Promise<{ url: string; stop(): void }>;

/** Starts a bare chain of `hops` processes on loopback; send it the real path's bodies (bench/fast-path-client.ts). */
export async function startHopChain({ hops, replyBytes }: StartHopChainParameters): StartHopChainReturnType {
  if (!Number.isInteger(hops) || hops < 1) throw new Error(`hops must be a positive integer, got ${hops}`);
  const ports: number[] = [];
  for (let i = 0; i < hops; i++) ports.push(await freePort());
  const children: ChildProcess[] = [];
  const stop = () => {
    for (const c of children) c.kill("SIGKILL");
  };
  try {
    // start from the end of the chain so every relay's next link is already listening
    for (let i = hops - 1; i >= 0; i--) {
      const args = [fileURLToPath(import.meta.url), "--port", String(ports[i]), "--reply-bytes", String(replyBytes)];
      if (i + 1 < hops) args.push("--next", String(ports[i + 1]));
      const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once("exit", (code) => reject(new Error(`hop-floor link on port ${ports[i]} exited with ${code}`)));
        child.stdout!.on("data", (d: Buffer) => d.toString().includes("listening") && resolve());
      });
      child.removeAllListeners("exit");
    }
  } catch (err) {
    stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${ports[0]}/`, stop };
}

/** One link: forwards to --next (or answers --reply-bytes of JSON when it is the last). */
function serveLink() {
  const { values } = parseArgs({ options: { port: { type: "string" }, next: { type: "string" }, "reply-bytes": { type: "string" } } });
  const port = Number(values.port);
  const replyBytes = Number(values["reply-bytes"]);
  if (!Number.isInteger(port) || !Number.isInteger(replyBytes) || replyBytes < 2) throw new Error("usage: hop-floor.ts --port P [--next Q] --reply-bytes N (N ≥ 2)");
  const next = values.next === undefined ? undefined : `http://127.0.0.1:${Number(values.next)}/`;
  const reply = `"${"x".repeat(replyBytes - 2)}"`; // a JSON string of exactly replyBytes bytes
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, text: string) => res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
      if (!next) return send(200, reply);
      postJson({ url: next, body: Buffer.concat(chunks).toString("utf8"), timeoutMs: 10_000 }).then(
        (r) => send(r.status, r.text),
        (e: Error) => send(502, JSON.stringify({ error: e.message })),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, "127.0.0.1", () => process.stdout.write("listening\n"));
}

if (import.meta.main) serveLink();
