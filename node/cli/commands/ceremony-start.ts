/**
 * `proofmesh model ceremony start <model>`: the model owner (ModelRegistry owner) opens a model's
 * trusted-setup ceremony on the coordinator: who contributes, in which order, how long each has,
 * and the beacon block (a block that does not exist yet, whose hash finishes the keys).
 */
import type { Address } from "viem";
import { ceremonyStartTypedData } from "../../../prover/ceremony/record.ts";
import { startCeremony } from "../../../sdk/ceremony-api.ts";
import { NodeError } from "../../errors.ts";
import { parseCommandArgs, parseDuration, parsePrivateKeyFlag, parseUint } from "../args.ts";
import { assertModelOwner, coordinatorCall, loadOwnerContext, modelIdOf, parseContributors, requireCoordinator, resolveManifestModel, seconds, type OwnerContext } from "../ceremony.ts";
import type { Env } from "../context.ts";
import type { Output } from "../output.ts";

export const CEREMONY_START_OPTIONS = {
  contributors: { type: "string" },
  clusters: { type: "string" },
  "contributor-timeout": { type: "string" },
  "beacon-delay-blocks": { type: "string" },
  "operator-key": { type: "string" },
} as const;

export const DEFAULT_CONTRIBUTOR_TIMEOUT_MS = 120_000;
/** ≈ 12 minutes of 12-second blocks: past the contributions; a development chain that mines on demand is mined to it by `finalize` */
export const DEFAULT_BEACON_DELAY_BLOCKS = 60;

/**
 * The default contributors: operators staked (≥ the minimum, not unbonding) in the active clusters
 * that will serve the model (`clusterIds`; default every active cluster), by node id. Not "the nodes
 * that list the model": a node can list a model only once it is registered, i.e. after its ceremony.
 */
export async function clusterOperators(ctx: Pick<OwnerContext, "contracts">, clusterIds: readonly number[] | undefined): Promise<Address[]> {
  const { stake } = ctx.contracts;
  const count = await stake.read.nodeCount();
  const nodes = await Promise.all(Array.from({ length: count }, (_, i) => stake.read.getNode([i + 1])));
  const clusters = new Map<number, Awaited<ReturnType<typeof stake.read.getCluster>>>();
  const out: Address[] = [];
  for (const n of nodes) {
    if (n.clusterId === 0 || (clusterIds && !clusterIds.includes(n.clusterId))) continue;
    let c = clusters.get(n.clusterId);
    if (!c) {
      c = await stake.read.getCluster([n.clusterId]);
      clusters.set(n.clusterId, c);
    }
    if (c.active && n.stake > 0n && n.stake >= c.minStake && n.unbonding === 0n && !out.includes(n.operator)) out.push(n.operator);
  }
  return out;
}

function parseClusterIds(raw: string, command: string): number[] {
  const ids = raw.split(",").map((x) => x.trim());
  if (ids.length === 0 || ids.some((x) => !/^[1-9]\d{0,9}$/.test(x))) throw new NodeError("INVALID_ARGUMENT", `${command}: --clusters must be cluster ids (positive integers) separated by commas, got "${raw}"`);
  return [...new Set(ids.map(Number))];
}

export async function ceremonyStartCommand({ argv, env, out }: { argv: string[]; env: Env; out: Output }): Promise<number> {
  const command = "ceremony start";
  const { values, positionals } = parseCommandArgs({ command, argv, options: CEREMONY_START_OPTIONS, maxPositionals: 1, group: "model" });
  const model = resolveManifestModel(positionals[0], command);
  const given = values.contributors !== undefined ? parseContributors(values.contributors as string, command) : undefined;
  const contributorTimeoutMs =
    values["contributor-timeout"] !== undefined ? parseDuration(values["contributor-timeout"] as string, `${command}: --contributor-timeout`, { minMs: 1_000, maxMs: 86_400_000 }) : DEFAULT_CONTRIBUTOR_TIMEOUT_MS;
  const delay = values["beacon-delay-blocks"] !== undefined ? Number(parseUint(values["beacon-delay-blocks"] as string, `${command}: --beacon-delay-blocks`, 100_000n)) : DEFAULT_BEACON_DELAY_BLOCKS;
  if (delay === 0) throw new NodeError("INVALID_ARGUMENT", `${command}: --beacon-delay-blocks must be at least 1 (the beacon block must not exist when the ceremony starts)`);
  if (values["operator-key"] !== undefined) parsePrivateKeyFlag(values["operator-key"] as string, `${command}: --operator-key`);

  const ctx = await loadOwnerContext({ values, env, command });
  const coordinatorUrl = requireCoordinator({ values, env, file: ctx.file, command });
  await assertModelOwner(ctx, command);
  const modelId = modelIdOf(model);
  const info = await ctx.contracts.models.read.modelInfo([modelId]);
  if (info.index !== 0) {
    throw new NodeError("ALREADY_REGISTERED", `${command}: model ${model.id} is already registered in the ModelRegistry (index ${info.index}): its keys are final`, {
      details: "`proofmesh audit model` checks them; a new ceremony needs a new model id",
    });
  }
  const clusterIds = values.clusters !== undefined ? parseClusterIds(values.clusters as string, command) : undefined;
  const contributors = given ?? (await clusterOperators(ctx, clusterIds));
  if (contributors.length === 0) {
    throw new NodeError("NO_CONTRIBUTORS", `${command}: no operator is staked in ${clusterIds ? `cluster(s) ${clusterIds.join(", ")}` : "an active cluster"}: nobody to contribute`, {
      details: "pass --contributors 0x…,0x… (operator addresses)",
    });
  }
  const { publicClient } = ctx.chain;
  const head = Number(await publicClient.getBlockNumber());
  const beaconBlock = head + delay;
  const signature = await ctx.account.signTypedData(ceremonyStartTypedData({ modelId, contributors, contributorTimeoutMs, beaconBlock }));
  await coordinatorCall("POST /v1/ceremonies", () => startCeremony({ coordinatorUrl, model: model.id, contributors, contributorTimeoutMs, beaconBlock, signature }));

  // how long until the beacon block, from the last blocks' pace (a chain that mines on demand has none:
  // `finalize` mines up to the beacon block there)
  const onDemand = await publicClient.request({ method: "hardhat_getAutomine" as never, params: [] as never }).then(
    (x) => x === true,
    () => false,
  );
  let blockSeconds: number | undefined;
  if (head >= 2 && !onDemand) {
    const back = Math.min(10, head - 1);
    const [now, then] = await Promise.all([publicClient.getBlock({ blockNumber: BigInt(head) }), publicClient.getBlock({ blockNumber: BigInt(head - back) })]);
    const dt = Number(now.timestamp - then.timestamp) / back;
    if (dt >= 0.5) blockSeconds = dt;
  }
  const worstMs = contributors.length * contributorTimeoutMs;
  const etaMs = blockSeconds !== undefined ? delay * blockSeconds * 1000 : undefined;
  if (etaMs !== undefined && worstMs > etaMs) {
    out.warn(`block ${beaconBlock} is ≈ ${seconds(etaMs)} away, ${contributors.length} contributor(s) × ${seconds(contributorTimeoutMs)} may take ${seconds(worstMs)}: the beacon could be known before the last contribution (raise --beacon-delay-blocks)`);
  }
  out.result(
    { model: model.id, modelId, coordinator: coordinatorUrl, contributors, contributorTimeoutMs, beaconBlock, currentBlock: head, beaconDelayBlocks: delay, minesOnDemand: onDemand, ...(blockSeconds !== undefined ? { blockSeconds } : {}) },
    [
      `ceremony of ${model.id} started on ${coordinatorUrl}`,
      `  contributors, in turn (${contributors.length}${given ? "" : `: the staked operators of ${clusterIds ? `cluster(s) ${clusterIds.join(", ")}` : "every active cluster"}`}):`,
      ...contributors.map((a, i) => `    ${i + 1}. ${a}`),
      `  contributor timeout: ${seconds(contributorTimeoutMs)} each (a contributor who has not contributed by then is skipped)`,
      `  beacon: the hash of block ${beaconBlock} (now ${head}, ${delay} block(s) ahead${etaMs !== undefined ? `, ≈ ${seconds(etaMs)}` : onDemand ? "; this chain mines on demand: finalize mines up to it" : ""})`,
      `next: each contributor runs \`proofmesh node ceremony contribute ${model.id}\`, then \`proofmesh model ceremony finalize ${model.id}\``,
    ],
  );
  return 0;
}
