/**
 * The daemon's configuration, validated once at boot: flags > env > <home>/config.json > defaults.
 * Units are in the names (…Ms, …Bytes). Keys never appear here (they are read from the home).
 */
import { availableParallelism } from "node:os";
import { Type, type Static } from "typebox";
import { Compile } from "typebox/compile";
import type { ParsedArgs } from "../cli/args.ts";
import { parseHttpUrl } from "../cli/args.ts";
import { homePaths, readConfigFile, resolveHome, type HomePaths } from "../config/home.ts";
import { NodeError } from "../errors.ts";

export const ServeConfigSchema = Type.Object(
  {
    rpcUrl: Type.String({ pattern: "^(https?|wss?)://" }),
    deploymentsDir: Type.Optional(Type.String()),
    expectedChainId: Type.Optional(Type.Integer({ minimum: 1 })),
    coordinatorUrl: Type.Optional(Type.String({ pattern: "^https?://" })),
    listenHost: Type.String({ minLength: 1 }),
    listenPort: Type.Integer({ minimum: 0, maximum: 65535 }),
    /** advertised URL (gossip, health); default http://<listenHost>:<port> */
    endpoint: Type.Optional(Type.String({ pattern: "^https?://" })),
    gossipHost: Type.String({ minLength: 1 }),
    gossipPort: Type.Integer({ minimum: 0, maximum: 65535 }),
    gossipPeers: Type.Array(Type.String({ pattern: "^/" })),
    heartbeatIntervalMs: Type.Integer({ minimum: 50, maximum: 60_000 }),
    backend: Type.Union([Type.Literal("native"), Type.Literal("wasm")]),
    shards: Type.Optional(Type.Array(Type.String())),
    proverConcurrency: Type.Integer({ minimum: 1, maximum: 64 }),
    maxPendingProofs: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    chainPollIntervalMs: Type.Integer({ minimum: 10, maximum: 60_000 }),
    assignmentWaitMs: Type.Integer({ minimum: 1_000 }),
    shutdownGraceMs: Type.Integer({ minimum: 0, maximum: 600_000 }),
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024 }),
    artifactPeers: Type.Array(Type.String({ pattern: "^https?://" })),
    embeddedArtifacts: Type.Boolean(),
    /** prove each served shard once on a zero input when a prover process starts (its first real proof is then ≈ 2× faster) */
    proverWarmUp: Type.Boolean(),
    logLevel: Type.Union(["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l))),
  },
  { additionalProperties: false },
);
export type ServeConfig = Static<typeof ServeConfigSchema> & { home: HomePaths };
const check = Compile(ServeConfigSchema);

export const SERVE_FLAGS = {
  "listen-host": { type: "string" },
  port: { type: "string" },
  endpoint: { type: "string" },
  "gossip-host": { type: "string" },
  "gossip-port": { type: "string" },
  peer: { type: "string", multiple: true },
  "heartbeat-interval-ms": { type: "string" },
  backend: { type: "string" },
  shards: { type: "string" },
  "prover-concurrency": { type: "string" },
  "max-pending-proofs": { type: "string" },
  "chain-poll-interval-ms": { type: "string" },
  "assignment-wait-ms": { type: "string" },
  "shutdown-grace-ms": { type: "string" },
  "body-limit-bytes": { type: "string" },
  "artifact-peer": { type: "string", multiple: true },
  "no-embedded-artifacts": { type: "boolean" },
  "no-prover-warm-up": { type: "boolean" },
  "log-level": { type: "string" },
} as const;

function int(raw: unknown, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || !/^(0|[1-9][0-9]*)$/.test(raw)) throw new NodeError("INVALID_ARGUMENT", `serve: --${flag} "${String(raw)}" must be a non-negative integer`);
  return Number(raw);
}

export function resolveServeConfig(parameters: { values: ParsedArgs["values"]; env: Readonly<Record<string, string | undefined>> }): ServeConfig {
  const { values: v, env } = parameters;
  const home = homePaths(resolveHome({ home: v.home as string | undefined, name: v.name as string | undefined, env }));
  const file = readConfigFile(home);
  const rpcUrl = (v["rpc-url"] as string | undefined) ?? env.PROOFMESH_RPC_URL ?? file.rpcUrl;
  if (!rpcUrl) throw new NodeError("MISSING_ARGUMENT", "serve: --rpc-url is required (or PROOFMESH_RPC_URL, or rpcUrl in the node config)");
  const coordinator = (v.coordinator as string | undefined) ?? env.PROOFMESH_COORDINATOR_URL ?? file.coordinatorUrl;
  const endpoint = (v.endpoint as string | undefined) ?? file.endpoint;
  const shards = (v.shards as string | undefined)?.split(",").map((s) => s.trim()).filter(Boolean) ?? file.shards;
  const logLevel = (v["log-level"] as string | undefined) ?? env.PROOFMESH_LOG_LEVEL ?? file.logLevel ?? "info";
  const deploymentsDir = (v.deployments as string | undefined) ?? env.PROOFMESH_DEPLOYMENTS ?? file.deploymentsDir;
  const config = {
    rpcUrl,
    ...(deploymentsDir !== undefined ? { deploymentsDir } : {}),
    ...(file.chainId !== undefined ? { expectedChainId: file.chainId } : {}),
    ...(coordinator ? { coordinatorUrl: parseHttpUrl(coordinator, "--coordinator") } : {}),
    listenHost: (v["listen-host"] as string | undefined) ?? file.listenHost ?? "127.0.0.1",
    listenPort: int(v.port, "port") ?? file.listenPort ?? 0,
    ...(endpoint !== undefined ? { endpoint: parseHttpUrl(endpoint, "--endpoint") } : {}),
    gossipHost: (v["gossip-host"] as string | undefined) ?? "127.0.0.1",
    gossipPort: int(v["gossip-port"], "gossip-port") ?? file.gossipPort ?? 0,
    gossipPeers: (v.peer as string[] | undefined) ?? file.gossipPeers ?? [],
    heartbeatIntervalMs: int(v["heartbeat-interval-ms"], "heartbeat-interval-ms") ?? file.heartbeatIntervalMs ?? 250,
    backend: ((v.backend as string | undefined) ?? file.backend ?? "native") as "native" | "wasm",
    ...(shards !== undefined && shards.length > 0 ? { shards } : {}),
    proverConcurrency: int(v["prover-concurrency"], "prover-concurrency") ?? file.proverConcurrency ?? availableParallelism(),
    maxPendingProofs: int(v["max-pending-proofs"], "max-pending-proofs") ?? file.maxPendingProofs ?? 1_000,
    chainPollIntervalMs: int(v["chain-poll-interval-ms"], "chain-poll-interval-ms") ?? file.chainPollIntervalMs ?? 200,
    assignmentWaitMs: int(v["assignment-wait-ms"], "assignment-wait-ms") ?? file.assignmentWaitMs ?? 600_000,
    shutdownGraceMs: int(v["shutdown-grace-ms"], "shutdown-grace-ms") ?? file.shutdownGraceMs ?? 30_000,
    bodyLimitBytes: int(v["body-limit-bytes"], "body-limit-bytes") ?? 256 * 1024,
    artifactPeers: ((v["artifact-peer"] as string[] | undefined) ?? file.artifactPeers ?? []).map((u) => parseHttpUrl(u, "--artifact-peer")),
    embeddedArtifacts: v["no-embedded-artifacts"] === true ? false : (file.embeddedArtifacts ?? true),
    proverWarmUp: v["no-prover-warm-up"] !== true,
    logLevel,
  };
  if (!check.Check(config)) {
    const e = check.Errors(config)[0];
    const field = (e?.instancePath ?? "").replace(/^\//, "").replace(/\/.*/, "");
    // the flag that sets the field (most are the kebab-case field name)
    const renamed: Record<string, string> = { listenPort: "port", gossipPeers: "peer", artifactPeers: "artifact-peer", embeddedArtifacts: "no-embedded-artifacts", proverWarmUp: "no-prover-warm-up", expectedChainId: "home" };
    const flag = renamed[field] ?? field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const got = field ? (config as Record<string, unknown>)[field] : undefined;
    const message = field === "backend" ? "must be native or wasm" : field === "logLevel" ? "must be one of fatal, error, warn, info, debug, trace, silent" : field === "gossipPeers" ? "must be a multiaddr such as /ip4/127.0.0.1/tcp/4001/p2p/<peer id>" : (e?.message ?? "is invalid");
    throw new NodeError("INVALID_ARGUMENT", `serve: --${flag || "config"} ${message}${field ? ` (got ${JSON.stringify(got)})` : ""}`);
  }
  return { ...(config as Static<typeof ServeConfigSchema>), home };
}
