/**
 * Test fixture (not a test file): a child `hardhat node` on a free loopback port, ProofMesh
 * deployed to it with the real deploy script into a temporary deployments folder, and viem
 * clients for the well-known dev accounts (deployer = owner + COORDINATOR_ROLE).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createWalletClient, defineChain, getContract, http, parseEther, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { jobMarketAbi, modelRegistryAbi, proofMeshTokenAbi, stakeRegistryAbi } from "../contracts/abi/index.ts";
import { ROOT } from "../prover/paths.ts";
import { readDeployment } from "./chain/connect.ts";

/** Hardhat's default dev accounts #0 (deployer) and #1 (dApp). */
export const DEV_KEYS: Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
];

const NODE = join(ROOT, "node_modules/.bin/node");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`${args.join(" ")} exited ${code}:\n${out.slice(-2000)}`));
    });
  });
}

export type TestChain = Awaited<ReturnType<typeof startTestChain>>;

export async function startTestChain() {
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "proofmesh-node-test-"));
  const deploymentsDir = join(dir, "deployments");
  const child: ChildProcess = spawn(NODE, [join(ROOT, "node_modules/.bin/hardhat"), "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    detached: false,
  });
  let log = "";
  child.stdout!.on("data", (d: Buffer) => (log += d.toString().slice(0, 10_000)));
  child.stderr!.on("data", (d: Buffer) => (log += d.toString().slice(0, 10_000)));
  const probe = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 1_000 }) });
  const t0 = Date.now();
  for (;;) {
    try {
      await probe.getChainId();
      break;
    } catch {
      if (child.exitCode !== null || Date.now() - t0 > 30_000) {
        child.kill("SIGKILL");
        throw new Error(`hardhat node did not start:\n${log.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await run(NODE, [join(ROOT, "deploy/deploy.ts"), "--rpc-url", rpcUrl, "--out", deploymentsDir], 60_000);
  const chainId = await probe.getChainId();
  const deployment = readDeployment({ dir: deploymentsDir, chainId });
  const chain = defineChain({ id: chainId, name: "hardhat", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval: 100 });
  const wallet = (key: Hex) => createWalletClient({ chain, transport: http(rpcUrl), account: privateKeyToAccount(key) });
  const deployer = wallet(DEV_KEYS[0]);
  const client = { public: publicClient, wallet: deployer };
  const c = deployment.contracts;
  const contracts = {
    token: getContract({ abi: proofMeshTokenAbi, address: c.token, client }),
    stake: getContract({ abi: stakeRegistryAbi, address: c.stakeRegistry, client }),
    models: getContract({ abi: modelRegistryAbi, address: c.modelRegistry, client }),
    market: getContract({ abi: jobMarketAbi, address: c.jobMarket, client }),
  };
  const wait = (hash: Hex) => publicClient.waitForTransactionReceipt({ hash });
  return {
    rpcUrl,
    port,
    dir,
    deploymentsDir,
    chainId,
    deployment,
    publicClient,
    deployer,
    wallet,
    contracts,
    wait,
    async fundEth(to: Address, ether = "10") {
      await wait(await deployer.sendTransaction({ to, value: parseEther(ether) }));
    },
    async mint(to: Address, tokens: string) {
      await wait(await contracts.token.write.mint([to, parseEther(tokens)]));
    },
    async createCluster(minStakeTokens: string): Promise<number> {
      await wait(await contracts.stake.write.createCluster(["loopback", "local-1", parseEther(minStakeTokens)]));
      return contracts.stake.read.clusterCount();
    },
    async rpc(method: string, params: unknown[] = []) {
      return publicClient.request({ method: method as never, params: params as never });
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            child.kill("SIGKILL");
            resolve();
          }, 3_000);
          child.once("exit", () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** In-process CLI runner capturing stdout/stderr lines. */
export async function runCli(argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string; json: Record<string, unknown> | undefined }> {
  const { run: runNode } = await import("./cli/node-commands.ts");
  const out: string[] = [];
  const err: string[] = [];
  const code = await runNode({ argv, io: { out: (l) => out.push(l), err: (l) => err.push(l) }, env });
  let json: Record<string, unknown> | undefined;
  if (argv.includes("--json") && out.length > 0) {
    try {
      json = JSON.parse(out[out.length - 1]) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
  }
  return { code, out: out.join("\n"), err: err.join("\n"), json };
}
