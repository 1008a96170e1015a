/**
 * The ONE module that reads `process.env`. Every component (deploy, node, coordinator,
 * SDK CLI) validates what it needs from this snapshot once, at boot, in its own config
 * module, and passes the typed result down.
 *
 * Variables (all optional; CLI flags win):
 * - PROOFMESH_RPC_URL        EVM JSON-RPC endpoint
 * - PROOFMESH_DEPLOYER_KEY   deployer private key (deploy only)
 * - PROOFMESH_LOG_LEVEL      pino level
 * - PROOFMESH_MANIFEST       shard manifest path
 * - PROOFMESH_DEPLOYMENTS    deployments folder
 * - PROOFMESH_HOME           node/operator state folder (keys, config, SQLite)
 * - PROOFMESH_COORDINATOR_URL coordinator base URL (node, SDK CLI)
 * - PROOFMESH_PRIVATE_KEY    dApp key for the job CLI
 * - PROOFMESH_DEPLOYMENT     deployment file (coordinator)
 * - PROOFMESH_COORDINATOR_HOST / _PORT / _DB / _KEY   coordinator listen address, SQLite file, relayer key
 * - PROOFMESH_GOSSIP_PORT, PROOFMESH_GOSSIP_BOOTSTRAP  coordinator gossip listen port and bootstrap peers
 * - PROOFMESH_FUZZ_SEED      seed of the HTTP fuzz tests (test/fuzz/generators.ts; printed on failure)
 */
export type Env = Readonly<Record<string, string | undefined>>;

export function readEnv(): Env {
  return { ...process.env };
}
