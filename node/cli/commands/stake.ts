/** `stake`, `unbond`, `withdraw`, `faucet`: the operator's token and stake movements. */
import { formatUnits } from "viem";
import { sendTx, type SentTx } from "../../chain/send-tx.ts";
import { NodeError } from "../../errors.ts";
import { parseCommandArgs, parseTokenAmount } from "../args.ts";
import { loadChainContext, type ChainContext, type Env } from "../context.ts";
import { formatToken, type Output } from "../output.ts";

type CommandParameters = { argv: string[]; env: Env; out: Output };

async function requireNode(ctx: ChainContext, command: string): Promise<number> {
  const nodeId = await ctx.contracts.stake.read.nodeIdOf([ctx.operator]);
  if (nodeId === 0) {
    throw new NodeError("NOT_REGISTERED", `${command}: operator ${ctx.operator} has no node on chain`, {
      details: "the StakeRegistry stakes per node: run `proofmesh node register --endpoint <url> --cluster <id> --memory-bytes <n> --models <ids>` first",
    });
  }
  return nodeId;
}

async function requireGas(ctx: ChainContext, command: string): Promise<void> {
  const wei = await ctx.chain.publicClient.getBalance({ address: ctx.operator });
  if (wei === 0n) {
    throw new NodeError("INSUFFICIENT_GAS_FUNDS", `${command}: operator ${ctx.operator} has no native currency to pay for gas`, {
      details: "send some ETH to the operator address on this chain",
    });
  }
}

function tx(ctx: ChainContext, out: Output) {
  const wallet = ctx.chain.walletClient!;
  return { publicClient: ctx.chain.publicClient, walletClient: wallet, onProgress: out.progress };
}

export const STAKE_OPTIONS = { "no-approve": { type: "boolean" }, "allow-below-minimum": { type: "boolean" } } as const;

/** `stake <amount>`: balance, allowance and cluster-minimum checks, approve if needed, stake. */
export async function stakeCommand({ argv, env, out }: CommandParameters): Promise<number> {
  const { values, positionals } = parseCommandArgs({ command: "stake", argv, options: STAKE_OPTIONS, maxPositionals: 1 });
  const amount = parseTokenAmount(positionals[0], "stake: <amount>");
  const ctx = await loadChainContext({ values, env, command: "stake" });
  const nodeId = await requireNode(ctx, "stake");
  await requireGas(ctx, "stake");
  const { token, stake } = ctx.contracts;
  const [balance, allowance, node] = await Promise.all([
    token.read.balanceOf([ctx.operator]),
    token.read.allowance([ctx.operator, stake.address]),
    stake.read.getNode([nodeId]),
  ]);
  if (balance < amount) {
    throw new NodeError("INSUFFICIENT_BALANCE", `stake: token balance of ${ctx.operator} is ${formatToken(balance)}; staking ${formatToken(amount)} needs ${formatToken(amount - balance)} more`, {
      details: "transfer PMT to the operator address (on a local chain with the faucet: `proofmesh node faucet <amount>`)",
    });
  }
  if (node.clusterId !== 0 && values["allow-below-minimum"] !== true) {
    const cluster = await stake.read.getCluster([node.clusterId]);
    if (node.stake + amount < cluster.minStake) {
      throw new NodeError(
        "STAKE_BELOW_MINIMUM",
        `stake: node ${nodeId} would have ${formatToken(node.stake + amount)} staked, below cluster ${node.clusterId}'s minimum ${formatToken(cluster.minStake)}; stake at least ${formatUnits(cluster.minStake - node.stake, 18)}`,
        { details: "an under-staked node is never assigned jobs (pass --allow-below-minimum to stake anyway)" },
      );
    }
  }
  const txs: SentTx[] = [];
  if (allowance < amount) {
    if (values["no-approve"] === true) {
      throw new NodeError("INSUFFICIENT_ALLOWANCE", `stake: StakeRegistry allowance is ${formatToken(allowance)}, ${formatToken(amount)} needed (${formatToken(amount - allowance)} more)`, {
        details: `approve ${stake.address} for at least ${formatUnits(amount, 18)} PMT, or run without --no-approve`,
      });
    }
    out.info(`approving ${formatToken(amount)} for the StakeRegistry (allowance ${formatToken(allowance)})`);
    txs.push(await sendTx({ ...tx(ctx, out), address: token.address, abi: token.abi, functionName: "approve", args: [stake.address, amount], label: "approve" }));
  }
  out.info(`staking ${formatToken(amount)} on node ${nodeId}`);
  txs.push(await sendTx({ ...tx(ctx, out), address: stake.address, abi: stake.abi, functionName: "stake", args: [amount], label: "stake" }));
  const after = await stake.read.getNode([nodeId]);
  out.result({ nodeId, amount, stake: after.stake, txs }, [`staked ${formatToken(amount)}: node ${nodeId} stake is now ${formatToken(after.stake)}`]);
  return 0;
}

/** `unbond <amount>`: moves active stake into unbonding (restarts the unbonding timer). */
export async function unbondCommand({ argv, env, out }: CommandParameters): Promise<number> {
  const { values, positionals } = parseCommandArgs({ command: "unbond", argv, options: {}, maxPositionals: 1 });
  const amount = parseTokenAmount(positionals[0], "unbond: <amount>");
  const ctx = await loadChainContext({ values, env, command: "unbond" });
  const nodeId = await requireNode(ctx, "unbond");
  const { stake } = ctx.contracts;
  const node = await stake.read.getNode([nodeId]);
  if (amount > node.stake) {
    throw new NodeError("AMOUNT_EXCEEDS_STAKE", `unbond: ${formatToken(amount)} exceeds node ${nodeId}'s active stake ${formatToken(node.stake)}`);
  }
  if (node.openJobs > 0n) {
    throw new NodeError("STAKE_LOCKED", `unbond: node ${nodeId} is assigned to ${node.openJobs} open job stage(s); its stake is locked`, {
      details: "wait until they are proven or expired",
    });
  }
  await requireGas(ctx, "unbond");
  const sent = await sendTx({ ...tx(ctx, out), address: stake.address, abi: stake.abi, functionName: "requestUnbonding", args: [amount], label: "requestUnbonding" });
  const after = await stake.read.getNode([nodeId]);
  const end = new Date(Number(after.unbondEnd) * 1000).toISOString();
  out.result({ nodeId, amount, stake: after.stake, unbonding: after.unbonding, unbondEnd: after.unbondEnd, txs: [sent] }, [
    `unbonding ${formatToken(after.unbonding)} (stake left ${formatToken(after.stake)}); withdrawable after ${end}`,
    "note: unbonding stake stays slashable, and a node with stake in unbonding is not assigned new jobs",
  ]);
  return 0;
}

export const WITHDRAW_OPTIONS = { earnings: { type: "boolean" }, amount: { type: "string" } } as const;

/** `withdraw`: unbonded stake (default) or, with --earnings, the JobMarket credits. */
export async function withdrawCommand({ argv, env, out }: CommandParameters): Promise<number> {
  const { values } = parseCommandArgs({ command: "withdraw", argv, options: WITHDRAW_OPTIONS, maxPositionals: 0 });
  if (values.amount !== undefined && values.earnings !== true) {
    throw new NodeError("INVALID_ARGUMENT", "withdraw: --amount only applies with --earnings (unbonded stake is withdrawn in full)");
  }
  const requested = values.amount !== undefined ? parseTokenAmount(values.amount as string, "withdraw: --amount") : undefined;
  const ctx = await loadChainContext({ values, env, command: "withdraw" });
  const { stake, market } = ctx.contracts;
  if (values.earnings === true) {
    const credit = await market.read.balanceOf([ctx.operator]);
    const amount = requested ?? credit;
    if (credit === 0n) throw new NodeError("NOTHING_TO_WITHDRAW", `withdraw: operator ${ctx.operator} has no JobMarket earnings`);
    if (amount > credit) throw new NodeError("INSUFFICIENT_BALANCE", `withdraw: --amount ${formatToken(amount)} exceeds the earnings ${formatToken(credit)}`);
    await requireGas(ctx, "withdraw");
    const sent = await sendTx({ ...tx(ctx, out), address: market.address, abi: market.abi, functionName: "withdraw", args: [amount], label: "JobMarket.withdraw" });
    out.result({ kind: "earnings", amount, txs: [sent] }, [`withdrew ${formatToken(amount)} of earnings to ${ctx.operator}`]);
    return 0;
  }
  const nodeId = await requireNode(ctx, "withdraw");
  const node = await stake.read.getNode([nodeId]);
  if (node.unbonding === 0n) {
    throw new NodeError("NOTHING_UNBONDING", `withdraw: node ${nodeId} has nothing unbonding`, { details: "run `proofmesh node unbond <amount>` first (or `withdraw --earnings` for job earnings)" });
  }
  const block = await ctx.chain.publicClient.getBlock();
  if (block.timestamp < BigInt(node.unbondEnd)) {
    const left = BigInt(node.unbondEnd) - block.timestamp;
    throw new NodeError(
      "UNBONDING_NOT_FINISHED",
      `withdraw: unbonding of ${formatToken(node.unbonding)} ends at ${new Date(Number(node.unbondEnd) * 1000).toISOString()} (in ${left} s of chain time)`,
      { details: "withdraw after the unbonding period" },
    );
  }
  await requireGas(ctx, "withdraw");
  const sent = await sendTx({ ...tx(ctx, out), address: stake.address, abi: stake.abi, functionName: "withdraw", args: [], label: "StakeRegistry.withdraw" });
  out.result({ kind: "stake", nodeId, amount: node.unbonding, txs: [sent] }, [`withdrew ${formatToken(node.unbonding)} of unbonded stake to ${ctx.operator}`]);
  return 0;
}

/** `faucet <amount>`: mints demo tokens to the operator (local chains deployed with the faucet on). */
export async function faucetCommand({ argv, env, out }: CommandParameters): Promise<number> {
  const { values, positionals } = parseCommandArgs({ command: "faucet", argv, options: {}, maxPositionals: 1 });
  const amount = parseTokenAmount(positionals[0], "faucet: <amount>");
  const ctx = await loadChainContext({ values, env, command: "faucet" });
  await requireGas(ctx, "faucet");
  const { token } = ctx.contracts;
  const sent = await sendTx({ ...tx(ctx, out), address: token.address, abi: token.abi, functionName: "faucet", args: [amount], label: "faucet" });
  const balance = await token.read.balanceOf([ctx.operator]);
  out.result({ amount, balance, txs: [sent] }, [`minted ${formatToken(amount)}; balance ${formatToken(balance)}`]);
  return 0;
}

