/** `status`: the node as the chain, its own daemon and the coordinator see it. */
import { existsSync } from "node:fs";
import { formatUnits } from "viem";
import { openStore } from "../../daemon/store.ts";
import { parseCommandArgs } from "../args.ts";
import { loadChainContext, resolveCoordinatorUrl, type Env } from "../context.ts";
import { formatToken, type Output } from "../output.ts";

type Probe = { reachable: boolean; status?: number; body?: unknown; error?: string };

async function probe(url: string, timeoutMs = 2_000): Promise<Probe> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep text */
    }
    return { reachable: true, status: res.status, body };
  } catch (err) {
    return { reachable: false, error: (err as Error).message };
  }
}

export async function statusCommand(parameters: { argv: string[]; env: Env; out: Output }): Promise<number> {
  const { argv, env, out } = parameters;
  const { values } = parseCommandArgs({ command: "status", argv, options: {}, maxPositionals: 0 });
  const ctx = await loadChainContext({ values, env, command: "status" });
  const { token, stake, market } = ctx.contracts;
  const op = ctx.operator;
  const [nodeId, gasWei, tokenBalance, earnings, openJobs, block] = await Promise.all([
    stake.read.nodeIdOf([op]),
    ctx.chain.publicClient.getBalance({ address: op }),
    token.read.balanceOf([op]),
    market.read.balanceOf([op]),
    market.read.openJobsOf([op]),
    ctx.chain.publicClient.getBlock(),
  ]);
  const node = nodeId === 0 ? undefined : await stake.read.getNode([nodeId]);
  const cluster = node && node.clusterId !== 0 ? await stake.read.getCluster([node.clusterId]) : undefined;
  const eligible = node !== undefined && cluster !== undefined && cluster.active && node.stake >= cluster.minStake && node.unbonding === 0n;
  const signerMatches = node === undefined || node.signer.toLowerCase() === ctx.keys.signer.address.toLowerCase();

  const local = existsSync(ctx.paths.db)
    ? (() => {
        const store = openStore({ path: ctx.paths.db });
        try {
          return { counts: store.counts(), open: store.listOpen().map((r) => ({ jobId: r.jobId, stage: r.stage, status: r.status, lastError: r.lastError })) };
        } finally {
          store.close();
        }
      })()
    : undefined;

  const endpoint = node?.endpoint ?? ctx.file.endpoint;
  const daemon = endpoint ? await probe(`${endpoint}/v1/health`) : undefined;
  const coordinatorUrl = resolveCoordinatorUrl({ values, env, file: ctx.file });
  let coordinator: (Probe & { url: string; node?: Probe }) | undefined;
  if (coordinatorUrl) {
    const health = await probe(`${coordinatorUrl}/v1/health`);
    coordinator = { url: coordinatorUrl, ...health };
    if (health.reachable && nodeId !== 0) coordinator.node = await probe(`${coordinatorUrl}/v1/explorer/nodes/${nodeId}`);
  }

  const data = {
    chainId: ctx.chain.chainId,
    rpcUrl: ctx.chain.rpcUrl,
    blockNumber: block.number,
    operator: op,
    signer: ctx.keys.signer.address,
    signerMatchesChain: signerMatches,
    gasBalanceWei: gasWei,
    tokenBalance,
    registered: node !== undefined,
    nodeId,
    node: node
      ? {
          endpoint: node.endpoint,
          clusterId: node.clusterId,
          memoryBytes: node.memoryBytes,
          stake: node.stake,
          unbonding: node.unbonding,
          unbondEnd: node.unbondEnd,
          withdrawable: node.unbonding > 0n && block.timestamp >= BigInt(node.unbondEnd),
          modelIds: node.modelIds,
        }
      : null,
    cluster: cluster ? { id: cluster.id, label: cluster.label, region: cluster.region, minStake: cluster.minStake, active: cluster.active, members: cluster.members.length } : null,
    eligible,
    openJobStages: openJobs,
    earnings,
    local: local ?? null,
    daemon: daemon ?? null,
    coordinator: coordinator ?? null,
  };

  const h: string[] = [];
  h.push(`chain ${ctx.chain.chainId} at ${ctx.chain.rpcUrl} (block ${block.number})`);
  h.push(`operator ${op}: ${formatUnits(gasWei, 18)} ETH for gas, ${formatToken(tokenBalance)} in wallet`);
  if (!node) {
    h.push("node: not registered (run `proofmesh node register …`)");
  } else {
    h.push(`node ${nodeId} at ${node.endpoint}, ${node.modelIds.length} model(s), ${node.memoryBytes} bytes`);
    if (!signerMatches) h.push(`  WARNING: on-chain signer ${node.signer} is not this home's signer ${ctx.keys.signer.address}`);
    h.push(`  stake ${formatToken(node.stake)}; unbonding ${formatToken(node.unbonding)}${node.unbonding > 0n ? ` until ${new Date(Number(node.unbondEnd) * 1000).toISOString()}${data.node!.withdrawable ? " (withdrawable now)" : ""}` : ""}`);
    h.push(
      cluster
        ? `  cluster ${cluster.id} (${cluster.label}, ${cluster.region}): minimum ${formatToken(cluster.minStake)}, ${cluster.members.length} member(s); ${eligible ? "eligible for jobs" : "NOT eligible for jobs (stake below minimum, unbonding, or cluster inactive)"}`
        : "  cluster: none (run `proofmesh node join <clusterId>`)",
    );
  }
  h.push(`assignments: ${openJobs} open job stage(s) on chain`);
  h.push(`earnings: ${formatToken(earnings)} credited in the JobMarket (\`withdraw --earnings\`)`);
  if (local) h.push(`local proofs: ${Object.entries(local.counts).map(([k, v]) => `${v} ${k}`).join(", ")}`);
  h.push(`daemon: ${daemon === undefined ? "no endpoint" : daemon.reachable ? `up (${endpoint}/v1/health → ${daemon.status})` : `unreachable at ${endpoint}`}`);
  h.push(
    `coordinator: ${coordinator === undefined ? "not configured (--coordinator / PROOFMESH_COORDINATOR_URL)" : coordinator.reachable ? `reachable at ${coordinator.url}${coordinator.node ? `; node view: HTTP ${coordinator.node.status ?? "-"}` : ""}` : `unreachable at ${coordinator.url}`}`,
  );
  out.result(data, h);
  return 0;
}
