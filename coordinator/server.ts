/**
 * `npm run coordinator -- --rpc-url http://127.0.0.1:8545 [--port 8700] [--db …] [--coordinator-key 0x…]`
 *
 * Thin server: config (validated once) → chain + deployment → SQLite → services → fastify app →
 * listen. SIGINT / SIGTERM: stop accepting, let in-flight requests finish (fastify close), end
 * SSE streams, stop the loops after their in-flight relay / expire, stop gossip, close the DB.
 * Flags and env: coordinator/config.ts.
 */
import path from "node:path";
import { pino } from "pino";
import { buildApp } from "./app.ts";
import { connectChain } from "./chain.ts";
import { readCoordinatorConfig } from "./config.ts";
import { openDb } from "./db.ts";
import { ConfigError } from "./errors.ts";
import { loadOrCreateGossipKey } from "./gossip-key.ts";
import { createCoordinator } from "./services.ts";

export async function main({ argv = process.argv.slice(2) }: { argv?: string[] } = {}) {
  const config = readCoordinatorConfig({ argv });
  const logger = pino({ name: "proofmesh-coordinator", level: config.logLevel, redact: ["coordinatorKey", "*.coordinatorKey", "req.headers.authorization"] });
  if (!config.rpcUrl) throw new ConfigError("set --rpc-url or PROOFMESH_RPC_URL (e.g. http://127.0.0.1:8545 of `hardhat node`)");
  const chain = await connectChain({ rpcUrl: config.rpcUrl, deploymentFile: config.deploymentFile, deploymentsDir: config.deploymentsDir, repoRoot: config.repoRoot, coordinatorKey: config.coordinatorKey });
  const dbFile = config.dbPath ?? path.join(config.repoRoot, "coordinator", "data", `${chain.chainId}.sqlite`);
  const db = openDb({ file: dbFile });
  // A stable peer id: nodes dial the coordinator by its multiaddr, peer id included.
  const gossipKeyFile = config.gossipKeyFile ?? (dbFile === ":memory:" ? undefined : `${dbFile}.gossip-key`);
  const gossipKey = config.gossip && gossipKeyFile ? await loadOrCreateGossipKey({ file: gossipKeyFile }) : undefined;
  const coordinator = createCoordinator({ config, chain, db, log: logger, ...(gossipKey ? { gossipKey } : {}) });
  const app = await buildApp({ coordinator, logger });
  await coordinator.start();
  const address = await app.listen({ host: config.host, port: config.port });
  logger.info(
    { address, chainId: chain.chainId, jobMarket: chain.deployment.contracts.JobMarket, relayer: chain.walletClient?.account.address ?? null, db: dbFile, gossip: coordinator.gossip()?.multiaddrs() ?? [] },
    "coordinator listening",
  );

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    const force = setTimeout(() => {
      logger.error("graceful shutdown timed out, exiting");
      process.exit(1);
    }, 30_000);
    force.unref();
    try {
      await app.close();
      await coordinator.stop();
      db.close();
      logger.info("coordinator stopped");
    } catch (err) {
      logger.error({ err }, "error during shutdown");
      process.exitCode = 1;
    } finally {
      clearTimeout(force);
    }
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  return { app, coordinator, address };
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    const e = err as { shortMessage?: string; message?: string };
    console.error(`coordinator failed to start: ${e.shortMessage ?? e.message}`);
    process.exitCode = 1;
  });
}
