// Typed SDK errors in the viem style: a short message, optional details, and the cause.

export type ProofMeshErrorOptions = { cause?: unknown; details?: string };

/** Base class of every error the SDK throws on purpose. */
export class ProofMeshSdkError extends Error {
  override name = "ProofMeshSdkError";
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(shortMessage: string, { cause, details }: ProofMeshErrorOptions = {}) {
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, cause === undefined ? undefined : { cause });
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

/** The coordinator answered with an ApiError body (`{ statusCode, code, error, message }`). */
export class ProofMeshApiError extends ProofMeshSdkError {
  override name = "ProofMeshApiError";
  /** HTTP status code. */
  readonly statusCode: number;
  /** Stable machine-readable code from the API, e.g. "BAD_SIGNATURE"; "HTTP_<status>" when the body was not an ApiError. */
  readonly code: string;
  constructor(shortMessage: string, options: ProofMeshErrorOptions & { statusCode: number; code: string }) {
    super(shortMessage, options);
    this.statusCode = options.statusCode;
    this.code = options.code;
  }
}

/** The coordinator could not be reached (network error, timeout). */
export class ProofMeshHttpError extends ProofMeshSdkError {
  override name = "ProofMeshHttpError";
}

/** A coordinator response did not match the schema the SDK expects. */
export class ProofMeshResponseError extends ProofMeshSdkError {
  override name = "ProofMeshResponseError";
  /** JSON pointer of the offending value ("" = whole body). */
  readonly path: string;
  constructor(shortMessage: string, options: ProofMeshErrorOptions & { path?: string }) {
    super(shortMessage, options);
    this.path = options.path ?? "";
  }
}

/** Bad arguments given to an SDK function (caught before anything is sent). */
export class InvalidParameterError extends ProofMeshSdkError {
  override name = "InvalidParameterError";
}

/** Wallet token balance or JobMarket deposit too small for what was asked. */
export class InsufficientBalanceError extends ProofMeshSdkError {
  override name = "InsufficientBalanceError";
  readonly required: bigint;
  readonly available: bigint;
  constructor(shortMessage: string, options: ProofMeshErrorOptions & { required: bigint; available: bigint }) {
    super(shortMessage, options);
    this.required = options.required;
    this.available = options.available;
  }
}

/** A deployment file is missing or malformed, or does not match the connected chain. */
export class DeploymentError extends ProofMeshSdkError {
  override name = "DeploymentError";
}

/** A job reached a terminal state other than the one waited for (expired, failed, cancelled). */
export class JobFailedError extends ProofMeshSdkError {
  override name = "JobFailedError";
  readonly jobId: bigint;
  readonly status: string;
  constructor(shortMessage: string, options: ProofMeshErrorOptions & { jobId: bigint; status: string }) {
    super(shortMessage, options);
    this.jobId = options.jobId;
    this.status = options.status;
  }
}

/** Waiting for a job timed out. */
export class JobTimeoutError extends ProofMeshSdkError {
  override name = "JobTimeoutError";
  readonly jobId: bigint;
  constructor(shortMessage: string, options: ProofMeshErrorOptions & { jobId: bigint }) {
    super(shortMessage, options);
    this.jobId = options.jobId;
  }
}

/** The chain disagrees with the coordinator (e.g. settled result differs from the answer). */
export class ChainMismatchError extends ProofMeshSdkError {
  override name = "ChainMismatchError";
}

/** An image file could not be decoded into a 28×28 grayscale input. */
export class ImageDecodeError extends ProofMeshSdkError {
  override name = "ImageDecodeError";
}

/** Bytes fetched by content hash (a zkey, a vkey) hash to something else. */
export class ArtifactHashMismatchError extends ProofMeshSdkError {
  override name = "ArtifactHashMismatchError";
  readonly expected: string;
  readonly actual: string;
  constructor(shortMessage: string, options: ProofMeshErrorOptions & { expected: string; actual: string }) {
    super(shortMessage, options);
    this.expected = options.expected;
    this.actual = options.actual;
  }
}

/** A ceremony (coordinator ceremony API) is not in the state an operation needs. */
export class CeremonyStateError extends ProofMeshSdkError {
  override name = "CeremonyStateError";
}
