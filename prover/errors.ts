/** Base class of the prover's typed errors: a short message, the cause when there is one. */
export class ProverError extends Error {
  override name = "ProverError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The activations, shard or binding given to the prover are not valid for the shard. */
export class ShardInputError extends ProverError {
  override name = "ShardInputError";
}

/** The shard's artefacts are missing or do not match the manifest (run `npm run build:circuits`). */
export class ShardArtifactError extends ProverError {
  override name = "ShardArtifactError";
}
