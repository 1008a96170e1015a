/**
 * Coordinator configuration: read once at boot from CLI flags and the environment snapshot
 * (`config/env.ts` `readEnv()`), validated with TypeBox, then passed down as a plain object.
 *
 * | flag                     | env                           | default                          |
 * |--------------------------|-------------------------------|----------------------------------|
 * | --host                   | PROOFMESH_COORDINATOR_HOST    | 127.0.0.1                        |
 * | --port                   | PROOFMESH_COORDINATOR_PORT    | 8700                             |
 * | --rpc-url                | PROOFMESH_RPC_URL             | (required for the server)        |
 * | --deployment             | PROOFMESH_DEPLOYMENT          | <deployments>/<chainId>.json     |
 * | --deployments            | PROOFMESH_DEPLOYMENTS         | deploy/deployments               |
 * | --db                     | PROOFMESH_COORDINATOR_DB      | coordinator/data/<chainId>.sqlite|
 * | --coordinator-key        | PROOFMESH_COORDINATOR_KEY     | first unlocked account of the RPC|
 * | --gossip-port            | PROOFMESH_GOSSIP_PORT         | 0 (random)                       |
 * | --gossip-bootstrap (csv) | PROOFMESH_GOSSIP_BOOTSTRAP    | none                             |
 * | --gossip-key-file        |                               | <db>.gossip-key (none: :memory:) |
 * | --log-level              | PROOFMESH_LOG_LEVEL           | info                             |
 * | --poll-interval-ms       |                               | 500                              |
 * | --probe-interval-ms      |                               | 250                              |
 * | --rate-limit-per-minute  |                               | 1200                             |
 * | --replicas               |                               | 3                                |
 * | --sweep-interval-ms      |                               | 5000 (expiry sweeper period)     |
 * | --upload-limit-bytes     |                               | 2 × the largest initial zkey     |
 * | --no-gossip              |                               | gossip on                        |
 * | --no-relay / --no-sweeper|                               | both on                          |
 */
import { parseArgs } from "node:util";
import { Type, type Static } from "typebox";
import { Compile } from "typebox/compile";
import { readEnv, type Env } from "../config/env.ts";
import { ConfigError } from "./errors.ts";

export const CoordinatorConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    rpcUrl: Type.Optional(Type.String({ pattern: "^(https?|wss?)://" })),
    /** explicit deployment file; otherwise `<deploymentsDir>/<chainId>.json` */
    deploymentFile: Type.Optional(Type.String({ minLength: 1 })),
    deploymentsDir: Type.String({ minLength: 1 }),
    /** SQLite path; ":memory:" allowed; default derived from chainId */
    dbPath: Type.Optional(Type.String({ minLength: 1 })),
    /** key that relays createAndAssign / expire (needs COORDINATOR_ROLE); default first unlocked RPC account */
    coordinatorKey: Type.Optional(Type.String({ pattern: "^0x[0-9a-fA-F]{64}$" })),
    gossip: Type.Boolean(),
    gossipHost: Type.String({ minLength: 1 }),
    gossipPort: Type.Integer({ minimum: 0, maximum: 65535 }),
    gossipBootstrap: Type.Array(Type.String({ minLength: 1 }), { maxItems: 64 }),
    /** libp2p private key file (stable peer id across restarts); default `<db>.gossip-key`, ephemeral for ":memory:" */
    gossipKeyFile: Type.Optional(Type.String({ minLength: 1 })),
    logLevel: Type.Enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    pollIntervalMs: Type.Integer({ minimum: 10, maximum: 60_000 }),
    /** active health probe period (GET {endpoint}/v1/health) */
    probeIntervalMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
    probeTimeoutMs: Type.Integer({ minimum: 10, maximum: 60_000 }),
    /** whole-pipeline time budget of one attempt */
    stageTimeoutMs: Type.Integer({ minimum: 10, maximum: 120_000 }),
    /** first-node attempts per request (retry with the next best first node) */
    maxAttempts: Type.Integer({ minimum: 1, maximum: 8 }),
    replicas: Type.Integer({ minimum: 1, maximum: 16 }),
    rateLimitPerMinute: Type.Integer({ minimum: 1 }),
    /** refuse jobs whose deadline is closer than this (seconds): nodes need time to prove */
    minDeadlineMarginSec: Type.Integer({ minimum: 0, maximum: 86_400 }),
    relay: Type.Boolean(),
    relayIntervalMs: Type.Integer({ minimum: 10, maximum: 60_000 }),
    sweeper: Type.Boolean(),
    sweepIntervalMs: Type.Integer({ minimum: 10, maximum: 600_000 }),
    /** where manifest artefact paths are resolved (repository root) */
    repoRoot: Type.String({ minLength: 1 }),
    /** body limit of zkey / key uploads (ceremony PUT, PUT /v1/artifacts); default 2 × the manifest's largest initial zkey */
    uploadLimitBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 4 * 1024 ** 3 })),
  },
  { additionalProperties: false },
);
export type CoordinatorConfig = Static<typeof CoordinatorConfigSchema>;

const validator = Compile(CoordinatorConfigSchema);

export const DEFAULT_CONFIG: CoordinatorConfig = {
  host: "127.0.0.1",
  port: 8700,
  deploymentsDir: "deploy/deployments",
  gossip: true,
  gossipHost: "127.0.0.1",
  gossipPort: 0,
  gossipBootstrap: [],
  logLevel: "info",
  pollIntervalMs: 500,
  probeIntervalMs: 250,
  probeTimeoutMs: 400,
  stageTimeoutMs: 10_000,
  maxAttempts: 3,
  replicas: 3,
  rateLimitPerMinute: 1200,
  minDeadlineMarginSec: 30,
  relay: true,
  relayIntervalMs: 200,
  sweeper: true,
  sweepIntervalMs: 5_000,
  repoRoot: new URL("..", import.meta.url).pathname.replace(/\/$/, ""),
};

/** Validates a full config object (tests build one from `DEFAULT_CONFIG`). */
export function validateConfig(config: unknown): CoordinatorConfig {
  if (!validator.Check(config)) {
    const first = validator.Errors(config)[0];
    throw new ConfigError(`invalid coordinator config: ${first ? `${first.instancePath || "/"} ${first.message}` : "does not match schema"}`);
  }
  return config;
}

const int = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ConfigError(`${name} must be an integer, got "${v}"`);
  return n;
};

/** CLI flags win over env variables, which win over defaults. */
export function readCoordinatorConfig({ argv = process.argv.slice(2), env = readEnv() }: { argv?: string[]; env?: Env } = {}): CoordinatorConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "rpc-url": { type: "string" },
      deployment: { type: "string" },
      deployments: { type: "string" },
      db: { type: "string" },
      "coordinator-key": { type: "string" },
      "gossip-host": { type: "string" },
      "gossip-port": { type: "string" },
      "gossip-bootstrap": { type: "string" },
      "gossip-key-file": { type: "string" },
      "no-gossip": { type: "boolean" },
      "no-relay": { type: "boolean" },
      "no-sweeper": { type: "boolean" },
      "log-level": { type: "string" },
      "poll-interval-ms": { type: "string" },
      "probe-interval-ms": { type: "string" },
      "stage-timeout-ms": { type: "string" },
      "rate-limit-per-minute": { type: "string" },
      replicas: { type: "string" },
      "min-deadline-margin-sec": { type: "string" },
      "sweep-interval-ms": { type: "string" },
      "upload-limit-bytes": { type: "string" },
    },
    strict: true,
  });
  const d = DEFAULT_CONFIG;
  const pick = <T>(...xs: (T | undefined)[]): T | undefined => xs.find((x) => x !== undefined && x !== "");
  const bootstrap = pick(values["gossip-bootstrap"], env.PROOFMESH_GOSSIP_BOOTSTRAP);
  const config: Record<string, unknown> = {
    ...d,
    host: pick(values.host, env.PROOFMESH_COORDINATOR_HOST) ?? d.host,
    port: int("port", pick(values.port, env.PROOFMESH_COORDINATOR_PORT)) ?? d.port,
    rpcUrl: pick(values["rpc-url"], env.PROOFMESH_RPC_URL),
    deploymentFile: pick(values.deployment, env.PROOFMESH_DEPLOYMENT),
    deploymentsDir: pick(values.deployments, env.PROOFMESH_DEPLOYMENTS) ?? d.deploymentsDir,
    dbPath: pick(values.db, env.PROOFMESH_COORDINATOR_DB),
    coordinatorKey: pick(values["coordinator-key"], env.PROOFMESH_COORDINATOR_KEY),
    gossip: values["no-gossip"] !== true,
    gossipHost: pick(values["gossip-host"]) ?? d.gossipHost,
    gossipPort: int("gossip-port", pick(values["gossip-port"], env.PROOFMESH_GOSSIP_PORT)) ?? d.gossipPort,
    gossipBootstrap: bootstrap ? bootstrap.split(",").map((s) => s.trim()).filter(Boolean) : [],
    gossipKeyFile: pick(values["gossip-key-file"]),
    logLevel: pick(values["log-level"], env.PROOFMESH_LOG_LEVEL) ?? d.logLevel,
    pollIntervalMs: int("poll-interval-ms", values["poll-interval-ms"]) ?? d.pollIntervalMs,
    probeIntervalMs: int("probe-interval-ms", values["probe-interval-ms"]) ?? d.probeIntervalMs,
    stageTimeoutMs: int("stage-timeout-ms", values["stage-timeout-ms"]) ?? d.stageTimeoutMs,
    rateLimitPerMinute: int("rate-limit-per-minute", values["rate-limit-per-minute"]) ?? d.rateLimitPerMinute,
    replicas: int("replicas", values.replicas) ?? d.replicas,
    minDeadlineMarginSec: int("min-deadline-margin-sec", values["min-deadline-margin-sec"]) ?? d.minDeadlineMarginSec,
    relay: values["no-relay"] !== true,
    sweeper: values["no-sweeper"] !== true,
    sweepIntervalMs: int("sweep-interval-ms", values["sweep-interval-ms"]) ?? d.sweepIntervalMs,
    uploadLimitBytes: int("upload-limit-bytes", values["upload-limit-bytes"]),
  };
  for (const k of Object.keys(config)) if (config[k] === undefined) delete config[k];
  return validateConfig(config);
}
