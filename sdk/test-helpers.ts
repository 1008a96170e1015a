// TEST ONLY: a tiny JSON-RPC HTTP front for the in-process Hardhat network (so the CLI, which
// takes --rpc-url, can run against it), a CLI io recorder, and a deployment file writer.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import Fastify, { type FastifyInstance } from "fastify";

import type { CliIo } from "./cli/common.ts";
import type { ProofMeshDeployment } from "./deployment.ts";

type Eip1193 = { request(args: { method: string; params?: unknown[] }): Promise<unknown> };

export async function startRpcProxy(provider: Eip1193): Promise<{ url: string; close: () => Promise<void> }> {
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  const one = async (req: { id?: unknown; method: string; params?: unknown[] }) => {
    try {
      const result = await provider.request({ method: req.method, params: req.params ?? [] });
      return { jsonrpc: "2.0", id: req.id ?? null, result };
    } catch (e) {
      const err = e as { code?: number; message?: string; data?: unknown };
      return { jsonrpc: "2.0", id: req.id ?? null, error: { code: typeof err.code === "number" ? err.code : -32000, message: err.message ?? String(e), data: err.data } };
    }
  };
  app.post("/", async (req) => {
    const body = req.body as Parameters<typeof one>[0] | Parameters<typeof one>[0][];
    return Array.isArray(body) ? Promise.all(body.map(one)) : one(body);
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { url, close: () => app.close() };
}

export function recordIo(): CliIo & { lines: string[]; errors: string[]; all: () => string } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), all: () => [...lines, ...errors].join("\n") };
}

export async function writeDeploymentFile(d: ProofMeshDeployment): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "proofmesh-sdk-"));
  const file = path.join(dir, `${d.chainId}.json`);
  await writeFile(file, JSON.stringify(d, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
  return file;
}
