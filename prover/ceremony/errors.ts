import { ProverError } from "../errors.ts";

/** Base class of the ceremony's errors: a short message, details and the cause when there is one. */
export class CeremonyError extends ProverError {
  override name = "CeremonyError";
  readonly details: string | undefined;
  constructor(message: string, options?: { details?: string; cause?: unknown }) {
    super(message, options);
    this.details = options?.details;
  }
}

/** The file is not a zkey, or its phase-2 section cannot be read. */
export class ZkeyFormatError extends CeremonyError {
  override name = "ZkeyFormatError";
}

/** A zkey does not verify (`zkey verify` from the initial zkey, or against r1cs + ptau). */
export class ZkeyVerificationError extends CeremonyError {
  override name = "ZkeyVerificationError";
}

/** A ceremony record does not match the keys, the signatures or the beacon it describes. */
export class TranscriptMismatchError extends CeremonyError {
  override name = "TranscriptMismatchError";
}
