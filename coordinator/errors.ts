/**
 * Coordinator errors, viem style: a short message, the cause when there is one.
 * `ApiProblem` carries an HTTP status and a STABLE machine-readable `code` (the ApiError body of
 * node/wire/messages.ts); every 4xx the API returns is one of `ApiErrorCodes`.
 */
export class CoordinatorError extends Error {
  override name = "CoordinatorError";
  readonly shortMessage: string;
  constructor(shortMessage: string, options?: { cause?: unknown }) {
    super(shortMessage, options);
    this.shortMessage = shortMessage;
  }
}

export class ConfigError extends CoordinatorError {
  override name = "ConfigError";
}

export class DeploymentNotFoundError extends CoordinatorError {
  override name = "DeploymentNotFoundError";
}

export class IndexerError extends CoordinatorError {
  override name = "IndexerError";
}

export class PipelineError extends CoordinatorError {
  override name = "PipelineError";
}

/** Stable error codes of the coordinator API, with their HTTP status. */
export const ApiErrorCodes = {
  INVALID_REQUEST: 400,
  MALFORMED_TENSOR: 400,
  BAD_SIGNATURE: 401,
  COMMITMENT_MISMATCH: 400,
  DEADLINE_EXPIRED: 400,
  DEADLINE_TOO_FAR: 400,
  MAX_FEE_TOO_LOW: 400,
  INSUFFICIENT_DEPOSIT: 402,
  UNKNOWN_MODEL: 404,
  UNKNOWN_CLUSTER: 404,
  UNKNOWN_JOB: 404,
  UNKNOWN_NODE: 404,
  UNKNOWN_SHARD: 404,
  UNKNOWN_ARTIFACT: 404,
  NOT_FOUND: 404,
  // ceremony API (coordinator/ceremonies.ts) and on-chain keys (key-index.ts)
  UNKNOWN_CEREMONY: 404,
  KEY_UNAVAILABLE: 404,
  BEACON_NOT_IN_FUTURE: 400,
  BEACON_PASSED: 409,
  DUPLICATE_CONTRIBUTOR: 400,
  ZKEY_INVALID: 400,
  TRANSCRIPT_MISMATCH: 400,
  CONTRIBUTION_HASH_MISMATCH: 400,
  DIGEST_MISMATCH: 400,
  ARTIFACT_NOT_ON_CHAIN: 403,
  MODEL_REGISTERED: 409,
  CEREMONY_EXISTS: 409,
  CEREMONY_CLOSED: 409,
  NOT_YOUR_TURN: 409,
  ALREADY_CONTRIBUTED: 409,
  UPLOAD_MISSING: 409,
  MODEL_INACTIVE: 409,
  CLUSTER_INACTIVE: 409,
  NONCE_USED: 409,
  LANE_BUSY: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  NO_ROUTE: 503,
  PIPELINE_UNAVAILABLE: 503,
  CHAIN_UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
  CEREMONY_UNAVAILABLE: 503,
} as const;
export type ApiErrorCode = keyof typeof ApiErrorCodes;

/** An error the API turns into `{ statusCode, code, error, message }`. */
export class ApiProblem extends CoordinatorError {
  override name = "ApiProblem";
  readonly code: ApiErrorCode;
  readonly statusCode: number;
  constructor(code: ApiErrorCode, shortMessage: string, options?: { cause?: unknown }) {
    super(shortMessage, options);
    this.code = code;
    this.statusCode = ApiErrorCodes[code];
  }
}
