// Typed errors in the viem style: a short message, optional details, and the cause.

export type ErrorOptions = { cause?: unknown; details?: string };

export class ProofMeshDeployError extends Error {
  override name = "ProofMeshDeployError";
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(shortMessage: string, { cause, details }: ErrorOptions = {}) {
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, { cause });
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

export class ConfigError extends ProofMeshDeployError {
  override name = "ConfigError";
}

export class ArtifactNotFoundError extends ProofMeshDeployError {
  override name = "ArtifactNotFoundError";
}

export class TransactionRevertedError extends ProofMeshDeployError {
  override name = "TransactionRevertedError";
}

export class ManifestError extends ProofMeshDeployError {
  override name = "ManifestError";
}
