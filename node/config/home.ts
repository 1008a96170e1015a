/**
 * A node's state folder ("home"): keys, config file, SQLite state, artefact cache.
 *
 *   <home>/operator.key   operator private key (0x hex, mode 0600): stakes, proves, is paid
 *   <home>/signer.key     node signing key (0x hex, mode 0600): gossip heartbeats (StakeRegistry `signer`)
 *   <home>/config.json    NodeConfigFile (validated at boot; flags > env > this file)
 *   <home>/node.db        SQLite (WAL): executed stages and their proofs
 *   <home>/artifacts/     content-addressed artefact cache (<sha256> files)
 *
 * Keys are stored unencrypted (file mode 0600): a development keystore, see the report.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Type, type Static } from "typebox";
import { Compile } from "typebox/compile";
import { isHex, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { NodeError } from "../errors.ts";

export type HomePaths = {
  home: string;
  operatorKey: string;
  signerKey: string;
  config: string;
  db: string;
  artifacts: string;
};

export function homePaths(home: string): HomePaths {
  const h = resolve(home);
  return {
    home: h,
    operatorKey: join(h, "operator.key"),
    signerKey: join(h, "signer.key"),
    config: join(h, "config.json"),
    db: join(h, "node.db"),
    artifacts: join(h, "artifacts"),
  };
}

/** `--home` > PROOFMESH_HOME > ./.proofmesh/<name> (name defaults to "node"). */
export function resolveHome(parameters: { home?: string; name?: string; env: Readonly<Record<string, string | undefined>>; cwd?: string }): string {
  const { home, name = "node", env, cwd = process.cwd() } = parameters;
  if (home) return resolve(cwd, home);
  if (env.PROOFMESH_HOME) return resolve(cwd, env.PROOFMESH_HOME);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new NodeError("INVALID_ARGUMENT", `--name "${name}" must be 1-64 characters of [A-Za-z0-9._-]`);
  return resolve(cwd, ".proofmesh", name);
}

const Url = Type.String({ pattern: "^https?://", maxLength: 512 });

/** The config file written by `init` (every field optional except version; flags and env win). */
export const NodeConfigFileSchema = Type.Object(
  {
    version: Type.Literal(1),
    name: Type.Optional(Type.String({ maxLength: 64 })),
    /** chain the node was initialised for (checked against the RPC) */
    chainId: Type.Optional(Type.Integer({ minimum: 1 })),
    rpcUrl: Type.Optional(Type.String({ pattern: "^(https?|wss?)://", maxLength: 512 })),
    deploymentsDir: Type.Optional(Type.String({ maxLength: 1024 })),
    coordinatorUrl: Type.Optional(Url),
    /** advertised HTTP endpoint (registered on chain, gossiped) */
    endpoint: Type.Optional(Url),
    listenHost: Type.Optional(Type.String({ maxLength: 255 })),
    listenPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    gossipPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    gossipPeers: Type.Optional(Type.Array(Type.String({ maxLength: 512 }), { maxItems: 64 })),
    heartbeatIntervalMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 60_000 })),
    backend: Type.Optional(Type.Union([Type.Literal("native"), Type.Literal("wasm")])),
    /** shards to serve, "<model>:<shard>" or "<model>" (all its shards); default all shards of the node's on-chain models */
    shards: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 64 })),
    proverConcurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
    maxPendingProofs: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    chainPollIntervalMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 60_000 })),
    assignmentWaitMs: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 86_400_000 })),
    shutdownGraceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
    artifactPeers: Type.Optional(Type.Array(Url, { maxItems: 16 })),
    embeddedArtifacts: Type.Optional(Type.Boolean()),
    logLevel: Type.Optional(Type.Union(["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l)))),
  },
  { additionalProperties: false },
);
export type NodeConfigFile = Static<typeof NodeConfigFileSchema>;
const checkConfigFile = Compile(NodeConfigFileSchema);

export function readConfigFile(paths: HomePaths): NodeConfigFile {
  if (!existsSync(paths.config)) {
    throw new NodeError("HOME_MISSING", `no node config at ${paths.config}`, {
      details: "run `proofmesh node init` first, or pass --home <dir> (or PROOFMESH_HOME) pointing at an initialised node",
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(paths.config, "utf8"));
  } catch (cause) {
    throw new NodeError("CONFIG_INVALID", `${paths.config} is not valid JSON`, { cause });
  }
  if (!checkConfigFile.Check(raw)) {
    const e = checkConfigFile.Errors(raw)[0];
    throw new NodeError("CONFIG_INVALID", `${paths.config}${e?.instancePath ?? ""}: ${e?.message ?? "does not match the schema"}`);
  }
  return raw;
}

export function writeConfigFile(paths: HomePaths, config: NodeConfigFile): void {
  if (!checkConfigFile.Check(config)) {
    const e = checkConfigFile.Errors(config)[0];
    throw new NodeError("INVALID_ARGUMENT", `config${e?.instancePath ?? ""}: ${e?.message ?? "invalid"}`);
  }
  writeFileSync(paths.config, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
}

function readKey(file: string, what: string): PrivateKeyAccount {
  if (!existsSync(file)) {
    throw new NodeError("HOME_MISSING", `no ${what} at ${file}`, { details: "run `proofmesh node init` first, or pass --home <dir>" });
  }
  const key = readFileSync(file, "utf8").trim();
  if (!isHex(key) || key.length !== 66) throw new NodeError("CONFIG_INVALID", `${file} does not hold a 0x-prefixed 32-byte hex private key`);
  return privateKeyToAccount(key as Hex);
}

export type NodeKeys = { operator: PrivateKeyAccount; signer: PrivateKeyAccount };

export function readKeys(paths: HomePaths): NodeKeys {
  return { operator: readKey(paths.operatorKey, "operator key"), signer: readKey(paths.signerKey, "node signing key") };
}

/** Creates the home folder and writes both keys; refuses if any of the files exists. */
export function writeNewHome(parameters: { paths: HomePaths; operatorKey: Hex; signerKey: Hex; config: NodeConfigFile }): void {
  const { paths, operatorKey, signerKey, config } = parameters;
  for (const f of [paths.operatorKey, paths.signerKey, paths.config]) {
    if (existsSync(f)) {
      throw new NodeError("HOME_EXISTS", `${f} already exists: refusing to overwrite a node's keys`, {
        details: "use another --home / --name, or delete the folder yourself if you really mean to discard this node",
      });
    }
  }
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  writeFileSync(paths.operatorKey, operatorKey + "\n", { mode: 0o600, flag: "wx" });
  writeFileSync(paths.signerKey, signerKey + "\n", { mode: 0o600, flag: "wx" });
  chmodSync(paths.operatorKey, 0o600);
  chmodSync(paths.signerKey, 0o600);
  writeConfigFile(paths, config);
}
