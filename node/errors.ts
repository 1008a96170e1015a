/**
 * Typed errors of the node (CLI and daemon), viem style: a short message, optional details,
 * the cause, and a stable machine-readable `code` (printed by `--json`, used as the ApiError code).
 */
export type NodeErrorCode =
  | "MISSING_ARGUMENT"
  | "INVALID_ARGUMENT"
  | "UNKNOWN_COMMAND"
  | "CONFIG_INVALID"
  | "HOME_EXISTS"
  | "HOME_MISSING"
  | "RPC_UNREACHABLE"
  | "DEPLOYMENT_NOT_FOUND"
  | "WRONG_CHAIN"
  | "STALE_DEPLOYMENT"
  | "INSUFFICIENT_BALANCE"
  | "INSUFFICIENT_GAS_FUNDS"
  | "INSUFFICIENT_ALLOWANCE"
  | "ALREADY_REGISTERED"
  | "NOT_REGISTERED"
  | "UNKNOWN_CLUSTER"
  | "CLUSTER_INACTIVE"
  | "ALREADY_IN_CLUSTER"
  | "NOT_IN_CLUSTER"
  | "STAKE_BELOW_MINIMUM"
  | "STAKE_LOCKED"
  | "AMOUNT_EXCEEDS_STAKE"
  | "NOTHING_UNBONDING"
  | "UNBONDING_NOT_FINISHED"
  | "NOTHING_TO_WITHDRAW"
  | "UNKNOWN_MODEL"
  | "WEIGHTS_MISMATCH"
  | "ARTIFACT_MISMATCH"
  | "ARTIFACT_UNAVAILABLE"
  | "TX_REVERTED"
  | "CONTRACT_ERROR"
  // trusted-setup ceremonies (proofmesh model ceremony …, proofmesh node ceremony contribute)
  | "NOT_MODEL_OWNER"
  | "NO_CONTRIBUTORS"
  | "COORDINATOR_ERROR"
  | "CEREMONY_UNAVAILABLE"
  | "NOT_A_CONTRIBUTOR"
  | "CEREMONY_INVALID"
  | "BEACON_TOO_OLD";

export type NodeErrorOptions = { cause?: unknown; details?: string; exitCode?: number };

export class NodeError extends Error {
  override name = "NodeError";
  readonly code: NodeErrorCode;
  readonly shortMessage: string;
  readonly details: string | undefined;
  /** Process exit code when this error ends a CLI command (2 = usage, 1 = everything else). */
  readonly exitCode: number;

  constructor(code: NodeErrorCode, shortMessage: string, options: NodeErrorOptions = {}) {
    super(options.details ? `${shortMessage}\n${options.details}` : shortMessage, { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.exitCode = options.exitCode ?? (code === "MISSING_ARGUMENT" || code === "INVALID_ARGUMENT" || code === "UNKNOWN_COMMAND" ? 2 : 1);
  }
}

/** A failure of the daemon's HTTP API: status code + stable code (ApiError body). */
export class NodeApiError extends Error {
  override name = "NodeApiError";
  readonly statusCode: number;
  readonly code: string;
  /** extra fields of the error body (e.g. failedCandidates) */
  readonly extra: Record<string, unknown> | undefined;
  constructor(statusCode: number, code: string, message: string, options?: { cause?: unknown; extra?: Record<string, unknown> }) {
    super(message, options);
    this.statusCode = statusCode;
    this.code = code;
    this.extra = options?.extra;
  }
}
