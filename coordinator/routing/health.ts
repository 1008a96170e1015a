/**
 * Node health state machine, pure (no timers: every function takes `nowMs`).
 *
 * Inputs: heartbeats (gossip, every `heartbeatIntervalMs`), active probe results and request
 * outcomes. States and transitions (defaults in `DEFAULT_HEALTH_CONFIG`):
 *
 *   alive   → suspect  silence ≥ suspectAfterMs (600 ms ≈ 2 missed beats + jitter),
 *                      or ≥ failuresToSuspect (1) consecutive failed probes/requests
 *   alive/suspect → dead  silence ≥ deadAfterMs (1200 ms ≈ 4–5 missed beats),
 *                      or ≥ failuresToDead (2) consecutive failures,
 *                      or silent ≥ suspectAfterMs AND one failure (a failed probe accelerates)
 *   suspect → alive    a fresh heartbeat with no outstanding failure, or a successful probe/request
 *   dead    → alive    sticky: only after ≥ recoveryHeartbeats (2) heartbeats received while dead
 *                      AND no outstanding failure (a successful probe/request clears failures),
 *                      so a flapping node is not re-admitted on one lucky beat.
 *
 * Detection bound: a node killed right after a heartbeat at t is dead for every `healthAt`
 * evaluated at ≥ t + deadAfterMs = t + 1.2 s (< 1.5 s budget, leaving 300 ms for gossip delay
 * and the evaluation cadence); with one failed request/probe it is dead as early as t + 600 ms.
 * Suspect nodes stay routable with a penalty (`route.ts`), dead nodes are never routed to.
 */
import { InvalidRoutingInputError } from "./errors.ts";
import type { HealthState } from "./types.ts";

export type HealthConfig = {
  /** How often nodes gossip a heartbeat (informative; the thresholds below are what matter). */
  heartbeatIntervalMs: number;
  suspectAfterMs: number;
  deadAfterMs: number;
  failuresToSuspect: number;
  failuresToDead: number;
  recoveryHeartbeats: number;
};

export const DEFAULT_HEALTH_CONFIG: HealthConfig = {
  heartbeatIntervalMs: 250,
  suspectAfterMs: 600,
  deadAfterMs: 1200,
  failuresToSuspect: 1,
  failuresToDead: 2,
  recoveryHeartbeats: 2,
};

export type HealthRecord = {
  /** State as of `atMs` (use `healthAt` for the state at a later instant). */
  readonly state: HealthState;
  readonly lastHeartbeatMs: number;
  /** Consecutive failed probes/requests since the last success. */
  readonly consecutiveFailures: number;
  /** Heartbeats received since the node was last marked dead. */
  readonly heartbeatsWhileDead: number;
  /** When `state` last changed. */
  readonly sinceMs: number;
  readonly atMs: number;
};

export type HealthEvent =
  | { readonly kind: "heartbeat" }
  | { readonly kind: "probe-ok" | "request-ok" }
  | { readonly kind: "probe-failed" | "request-failed" | "request-timeout" };

function checkConfig(c: HealthConfig) {
  if (!(c.heartbeatIntervalMs > 0 && c.suspectAfterMs > c.heartbeatIntervalMs && c.deadAfterMs > c.suspectAfterMs))
    throw new InvalidRoutingInputError("health timings must satisfy 0 < heartbeat < suspect < dead");
  if (!(c.failuresToSuspect >= 1 && c.failuresToDead >= c.failuresToSuspect && c.recoveryHeartbeats >= 1))
    throw new InvalidRoutingInputError("health counts must be ≥ 1 and ordered");
}

export type CreateHealthParameters = { nowMs: number };
/** A newly registered node: alive, as if it had just sent a heartbeat. */
export function createHealth({ nowMs }: CreateHealthParameters): HealthRecord {
  return { state: "alive", lastHeartbeatMs: nowMs, consecutiveFailures: 0, heartbeatsWhileDead: 0, sinceMs: nowMs, atMs: nowMs };
}

export type HealthAtParameters = { record: HealthRecord; nowMs: number; config?: HealthConfig };
export type HealthAtReturnType = HealthState;

/** The node's state at `nowMs` given everything observed so far (dead is sticky). */
export function healthAt({ record, nowMs, config = DEFAULT_HEALTH_CONFIG }: HealthAtParameters): HealthAtReturnType {
  checkConfig(config);
  return evaluate(record, nowMs, config);
}

function evaluate(r: HealthRecord, nowMs: number, c: HealthConfig): HealthState {
  if (r.state === "dead") return r.heartbeatsWhileDead >= c.recoveryHeartbeats && r.consecutiveFailures === 0 ? "alive" : "dead";
  const silenceMs = nowMs - r.lastHeartbeatMs;
  const f = r.consecutiveFailures;
  if (silenceMs >= c.deadAfterMs || f >= c.failuresToDead || (silenceMs >= c.suspectAfterMs && f >= 1)) return "dead";
  if (silenceMs >= c.suspectAfterMs || f >= c.failuresToSuspect) return "suspect";
  return "alive";
}

function withState(r: HealthRecord, state: HealthState, nowMs: number): HealthRecord {
  if (state === r.state) return { ...r, atMs: nowMs };
  return { ...r, state, sinceMs: nowMs, atMs: nowMs, heartbeatsWhileDead: state === "dead" ? 0 : r.heartbeatsWhileDead };
}

export type ObserveHealthParameters = {
  record: HealthRecord;
  /** What was observed at `nowMs`; `undefined` just advances the clock (a tick). */
  event?: HealthEvent;
  nowMs: number;
  config?: HealthConfig;
};
export type ObserveHealthReturnType = HealthRecord;

/**
 * Folds one observation made at `nowMs` into the record and returns the new record (the
 * input is not modified). The state is first advanced to `nowMs` (so a heartbeat that ends a
 * long silence still finds the node dead, and must earn its way back).
 */
export function observeHealth({ record, event, nowMs, config = DEFAULT_HEALTH_CONFIG }: ObserveHealthParameters): ObserveHealthReturnType {
  checkConfig(config);
  if (nowMs < record.atMs) nowMs = record.atMs; // late-delivered observations count as now
  let r = withState(record, evaluate(record, nowMs, config), nowMs);
  if (event === undefined) return r;
  switch (event.kind) {
    case "heartbeat":
      r = { ...r, lastHeartbeatMs: nowMs, heartbeatsWhileDead: r.state === "dead" ? r.heartbeatsWhileDead + 1 : 0 };
      break;
    case "probe-ok":
    case "request-ok":
      r = { ...r, consecutiveFailures: 0 };
      break;
    default:
      r = { ...r, consecutiveFailures: r.consecutiveFailures + 1 };
  }
  return withState(r, evaluate(r, nowMs, config), nowMs);
}
