/**
 * Turns a viem contract error (custom Solidity error of the ProofMesh contracts, OpenZeppelin
 * ERC20 errors) into a specific, actionable NodeError.
 */
import { BaseError, ContractFunctionRevertedError, formatUnits, InsufficientFundsError } from "viem";
import { NodeError } from "../errors.ts";

export type DecodedRevert = { errorName: string; args: readonly unknown[] };

/** The decoded custom error of a reverted call, if any. */
export function decodeRevert(err: unknown): DecodedRevert | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  const data = reverted?.data;
  if (!data?.errorName) return undefined;
  return { errorName: data.errorName, args: (data.args ?? []) as readonly unknown[] };
}

const fmt = (v: unknown) => `${formatUnits(BigInt(v as bigint), 18)} PMT`;

/** A NodeError with a specific message for `err` (a failed write or simulation of `label`). */
export function toNodeError(err: unknown, label: string): NodeError {
  if (err instanceof NodeError) return err;
  if (err instanceof BaseError && err.walk((e) => e instanceof InsufficientFundsError)) {
    return new NodeError("INSUFFICIENT_GAS_FUNDS", `${label}: the operator account has not enough native currency to pay for gas`, {
      cause: err,
      details: "fund the operator address (shown by `proofmesh node status`) with ETH on this chain",
    });
  }
  const d = decodeRevert(err);
  if (!d) {
    const msg = err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err);
    if (/fetch failed|ECONNREFUSED|HTTP request failed|timed out|socket/i.test(msg)) {
      return new NodeError("RPC_UNREACHABLE", `${label}: RPC request failed: ${msg}`, { cause: err });
    }
    return new NodeError("CONTRACT_ERROR", `${label} failed: ${msg}`, { cause: err });
  }
  const a = d.args;
  const m = (code: ConstructorParameters<typeof NodeError>[0], msg: string, details?: string) =>
    new NodeError(code, `${label}: ${msg}`, { cause: err, ...(details ? { details } : {}) });
  switch (d.errorName) {
    case "StakeRegistry_AlreadyRegistered":
      return m("ALREADY_REGISTERED", `operator ${String(a[0])} is already registered as node ${String(a[1])}`, "one node per operator: use `proofmesh node status`, or init a new node home");
    case "StakeRegistry_NotRegistered":
      return m("NOT_REGISTERED", `operator ${String(a[0])} has no node on chain`, "run `proofmesh node register --endpoint <url> --cluster <id> --memory-bytes <n> --models <ids>` first");
    case "StakeRegistry_UnknownCluster":
      return m("UNKNOWN_CLUSTER", `cluster ${String(a[0])} does not exist`, "list clusters with the coordinator or ask the network owner for a cluster id");
    case "StakeRegistry_ClusterInactive":
      return m("CLUSTER_INACTIVE", `cluster ${String(a[0])} is deactivated`);
    case "StakeRegistry_AlreadyInCluster":
      return m("ALREADY_IN_CLUSTER", `node ${String(a[0])} is already in cluster ${String(a[1])}`, "run `proofmesh node leave` first");
    case "StakeRegistry_NotInCluster":
      return m("NOT_IN_CLUSTER", `node ${String(a[0])} is not in a cluster`);
    case "StakeRegistry_StakeLocked":
      return m("STAKE_LOCKED", `node ${String(a[0])} is assigned to ${String(a[1])} open job stage(s); stake and membership are locked`, "wait until its stages are proven or the jobs expire");
    case "StakeRegistry_AmountExceedsStake":
      return m("AMOUNT_EXCEEDS_STAKE", `amount ${fmt(a[1])} exceeds the active stake ${fmt(a[2])} of node ${String(a[0])}`);
    case "StakeRegistry_NothingUnbonding":
      return m("NOTHING_UNBONDING", `node ${String(a[0])} has nothing unbonding`, "run `proofmesh node unbond <amount>` first");
    case "StakeRegistry_UnbondingNotFinished":
      return m("UNBONDING_NOT_FINISHED", `unbonding of node ${String(a[0])} ends at ${new Date(Number(a[1]) * 1000).toISOString()}`, "withdraw after that time");
    case "StakeRegistry_ZeroAmount":
    case "JobMarket_ZeroAmount":
      return m("INVALID_ARGUMENT", "amount must be greater than 0");
    case "StakeRegistry_EndpointTooLong":
      return m("INVALID_ARGUMENT", `--endpoint is ${String(a[0])} bytes, at most ${String(a[1])}`);
    case "StakeRegistry_TooManyModels":
      return m("INVALID_ARGUMENT", `--models has ${String(a[0])} ids, at most ${String(a[1])}`);
    case "ERC20InsufficientBalance":
      return m("INSUFFICIENT_BALANCE", `token balance of ${String(a[0])} is ${fmt(a[1])}, ${fmt(a[2])} needed`);
    case "ERC20InsufficientAllowance":
      return m("INSUFFICIENT_ALLOWANCE", `allowance for ${String(a[0])} is ${fmt(a[1])}, ${fmt(a[2])} needed`);
    case "JobMarket_InsufficientBalance":
      return m("INSUFFICIENT_BALANCE", `JobMarket balance of ${String(a[0])} is ${fmt(a[1])}, ${fmt(a[2])} needed`);
    default:
      return m("CONTRACT_ERROR", `reverted with ${d.errorName}(${a.map(String).join(", ")})`);
  }
}
