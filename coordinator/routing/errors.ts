/** Base class of the routing package's typed errors: a short message, the cause when there is one. */
export class RoutingError extends Error {
  override name = "RoutingError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An argument is malformed (empty pipeline, negative time, unknown pinned node...). */
export class InvalidRoutingInputError extends RoutingError {
  override name = "InvalidRoutingInputError";
}

/** No eligible (non-dead, serving, in-cluster, not excluded) node exists for a pipeline stage. */
export class NoRouteError extends RoutingError {
  override name = "NoRouteError";
  readonly stageIndex: number;
  constructor(stageIndex: number, options?: { cause?: unknown }) {
    super(`no eligible node for stage ${stageIndex}`, options);
    this.stageIndex = stageIndex;
  }
}
