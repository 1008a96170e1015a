/** `proofmesh node serve`: runs the daemon until SIGINT/SIGTERM, then shuts down gracefully. */
import { releaseProverThreads } from "../../../prover/release.ts";
import { resolveServeConfig, SERVE_FLAGS } from "../../daemon/config.ts";
import { createNodeLogger, startNodeDaemon } from "../../daemon/server.ts";
import { parseCommandArgs } from "../args.ts";
import type { Env } from "../context.ts";
import type { CliIo, Output } from "../output.ts";

export const SERVE_USAGE = `usage: proofmesh node serve [options]     (flags > env > <home>/config.json > defaults)

  --home <dir> | --name <n>        node home (keys, config, node.db, artifacts/)
  --rpc-url <url>                  EVM JSON-RPC (PROOFMESH_RPC_URL)
  --deployments <dir>              deployments folder (PROOFMESH_DEPLOYMENTS; default deploy/deployments)
  --coordinator <url>              coordinator base URL, also the first artefact source (PROOFMESH_COORDINATOR_URL)
  --listen-host <host>             HTTP listen host (default 127.0.0.1)
  --port <n>                       HTTP port (default 0 = random; the bound URL is logged and printed)
  --endpoint <url>                 advertised URL (default http://<listen-host>:<port>)
  --gossip-host <host>             libp2p listen host (default 127.0.0.1)
  --gossip-port <n>                libp2p TCP port (default 0 = random)
  --peer <multiaddr>               gossip bootstrap peer, repeatable (e.g. the coordinator's /ip4/…/tcp/…/p2p/…)
  --heartbeat-interval-ms <n>      signed heartbeat period (default 250)
  --backend native|wasm            onnxruntime-node CPU (default) or onnxruntime-web WASM
  --shards <model[:k],…>           serve only these shards (default: every shard of the node's on-chain models)
  --prover-concurrency <n>         parallel provers (default: one per core)
  --no-prover-warm-up              skip the warm-up proof each prover process makes of every served shard
                                   on a zero input when it starts (loads keys, wasm, curve threads, JIT)
  --max-pending-proofs <n>         bounded prover queue; beyond it execute answers 503 QUEUE_FULL (default 1000)
  --chain-poll-interval-ms <n>     how often the job watcher polls the chain head, ms (default 200)
  --assignment-wait-ms <n>         give up on a stage not assigned on chain after this (default 600000)
  --shutdown-grace-ms <n>          time running proofs get at shutdown (default 30000)
  --body-limit-bytes <n>           HTTP body limit (default 262144)
  --artifact-peer <url>            another node serving /v1/artifacts, repeatable
  --no-embedded-artifacts          never use repository files; fetch by hash into <home>/artifacts
  --log-level <level>              pino level (PROOFMESH_LOG_LEVEL; default info); logs go to stderr
  --json                           print the "serving" line as JSON

On start it prints one line: serving <url> node <id> … (or JSON with url, nodeId, gossip multiaddrs).`;

export async function serveCommand(parameters: { argv: string[]; env: Env; out: Output; io: CliIo }): Promise<number> {
  const { argv, env, out } = parameters;
  const { values } = parseCommandArgs({ command: "serve", argv, options: SERVE_FLAGS, maxPositionals: 0 });
  const config = resolveServeConfig({ values, env });
  const log = createNodeLogger({ level: config.logLevel });
  const daemon = await startNodeDaemon({ config, log });
  out.result(
    {
      url: daemon.url,
      endpoint: daemon.identity.endpoint,
      nodeId: daemon.identity.nodeId,
      operator: daemon.identity.operator,
      clusterId: daemon.identity.clusterId,
      backend: daemon.shards.backend,
      shards: daemon.shards.list().map((s) => `${s.modelName}:${s.shard}`),
      gossip: daemon.gossip ? { peerId: daemon.gossip.peerId, multiaddrs: daemon.gossip.multiaddrs() } : null,
      resumedProofs: daemon.resumed,
    },
    [
      `serving ${daemon.url} node ${daemon.identity.nodeId} cluster ${daemon.identity.clusterId} backend ${daemon.shards.backend} shards ${daemon.shards.list().map((s) => `${s.modelName}:${s.shard}`).join(",")}`,
      ...(daemon.gossip ? [`gossip ${daemon.gossip.multiaddrs().join(" ")}`] : []),
    ],
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, "signal received");
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await daemon.close();
  await releaseProverThreads();
  return 0;
}
