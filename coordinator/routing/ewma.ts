/**
 * Time-decayed estimators, pure (the caller passes `nowMs`):
 *
 * - `updateEwma` / `readEwma`: exponentially weighted moving average whose weights halve every
 *   `halfLifeMs` of elapsed time. Kept as a decayed weighted sum and a decayed total weight,
 *   so a burst of samples at the same instant counts equally, the first real sample is not
 *   biased towards the prior more than `priorWeight` says, and irregular sampling is handled.
 *   estimate = Σ wᵢ·xᵢ / Σ wᵢ with wᵢ = 2^(−(now − tᵢ)/halfLifeMs).
 *
 * - `addPenalty` / `readPenalty`: an error/timeout penalty (ms) that decays with its own half-life:
 *   penalty(now) = penalty(t₀)·2^(−(now − t₀)/halfLifeMs), each error adding `errorPenaltyMs`,
 *   each timeout `timeoutPenaltyMs`, capped at `maxPenaltyMs`. Routing adds it to the node's
 *   stage cost, so a failing node is avoided even when it answers fast.
 */
import { InvalidRoutingInputError } from "./errors.ts";

export type EwmaState = {
  /** Decayed Σ wᵢ·xᵢ as of `atMs`. */
  readonly weightedSum: number;
  /** Decayed Σ wᵢ as of `atMs`. */
  readonly weight: number;
  readonly atMs: number;
};

const decay = (elapsedMs: number, halfLifeMs: number) => (elapsedMs <= 0 ? 1 : Math.pow(2, -elapsedMs / halfLifeMs));

function checkHalfLife(halfLifeMs: number) {
  if (!(halfLifeMs > 0) || !Number.isFinite(halfLifeMs)) throw new InvalidRoutingInputError("halfLifeMs must be > 0");
}

export type CreateEwmaParameters = {
  /** Prior estimate (e.g. a benchmark's compute time). */
  priorValue: number;
  /** How many samples the prior is worth (default 1). */
  priorWeight?: number;
  nowMs: number;
};
/** A new estimator holding only the prior. */
export function createEwma({ priorValue, priorWeight = 1, nowMs }: CreateEwmaParameters): EwmaState {
  if (!Number.isFinite(priorValue) || !(priorWeight > 0)) throw new InvalidRoutingInputError("bad ewma prior");
  return { weightedSum: priorValue * priorWeight, weight: priorWeight, atMs: nowMs };
}

export type UpdateEwmaParameters = {
  ewma: EwmaState;
  /** The new sample (e.g. a measured compute time in ms). */
  value: number;
  nowMs: number;
  halfLifeMs: number;
};
export type UpdateEwmaReturnType = EwmaState;
/** Folds one sample observed at `nowMs` into the estimator (samples older than `atMs` count as now). */
export function updateEwma({ ewma, value, nowMs, halfLifeMs }: UpdateEwmaParameters): UpdateEwmaReturnType {
  checkHalfLife(halfLifeMs);
  if (!Number.isFinite(value)) throw new InvalidRoutingInputError("ewma sample must be finite");
  const atMs = Math.max(nowMs, ewma.atMs);
  const d = decay(atMs - ewma.atMs, halfLifeMs);
  return { weightedSum: ewma.weightedSum * d + value, weight: ewma.weight * d + 1, atMs };
}

/** The current estimate (decay cancels in the ratio, so no `nowMs` is needed). */
export function readEwma({ ewma }: { ewma: EwmaState }): number {
  return ewma.weightedSum / ewma.weight;
}

export type PenaltyConfig = {
  /** Added on a failed request (error answer, refused connection). */
  errorPenaltyMs: number;
  /** Added on a timed-out request: worse than an error, it also cost the client the wait. */
  timeoutPenaltyMs: number;
  /** Time for the penalty to halve. */
  halfLifeMs: number;
  /** Upper bound, so a node can come back after the cause is gone. */
  maxPenaltyMs: number;
};

/** Defaults: a timeout costs about as much as a couple of slow stages and is mostly forgotten in ~10 s. */
export const DEFAULT_PENALTY_CONFIG: PenaltyConfig = { errorPenaltyMs: 100, timeoutPenaltyMs: 250, halfLifeMs: 3000, maxPenaltyMs: 2000 };

export type PenaltyState = { readonly penaltyMs: number; readonly atMs: number };

export const ZERO_PENALTY: PenaltyState = { penaltyMs: 0, atMs: 0 };

export type AddPenaltyParameters = {
  penalty: PenaltyState;
  kind: "error" | "timeout";
  nowMs: number;
  config?: PenaltyConfig;
};
/** Decays the penalty to `nowMs` then adds the error's or timeout's amount (capped). */
export function addPenalty({ penalty, kind, nowMs, config = DEFAULT_PENALTY_CONFIG }: AddPenaltyParameters): PenaltyState {
  const current = readPenalty({ penalty, nowMs, halfLifeMs: config.halfLifeMs });
  const add = kind === "timeout" ? config.timeoutPenaltyMs : config.errorPenaltyMs;
  return { penaltyMs: Math.min(config.maxPenaltyMs, current + add), atMs: Math.max(nowMs, penalty.atMs) };
}

/** The penalty (ms) as of `nowMs`. */
export function readPenalty({ penalty, nowMs, halfLifeMs = DEFAULT_PENALTY_CONFIG.halfLifeMs }: { penalty: PenaltyState; nowMs: number; halfLifeMs?: number }): number {
  checkHalfLife(halfLifeMs);
  return penalty.penaltyMs * decay(nowMs - penalty.atMs, halfLifeMs);
}
