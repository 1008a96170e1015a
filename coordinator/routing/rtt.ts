import { DEFAULT_MISSING_RTT_MS, type ClientRtt, type NodeId, type RttMatrix } from "./types.ts";

export type LookupRttParameters = {
  rtt: RttMatrix;
  fromNodeId: NodeId;
  toNodeId: NodeId;
  /** Used when neither direction is measured (default `DEFAULT_MISSING_RTT_MS`). */
  defaultRttMs?: number;
};
export type LookupRttReturnType = number;

const usable = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v) && v >= 0;

/**
 * RTT (ms) between two nodes: 0 for the same node; the mean of both directions when both are
 * measured; the one measured direction when only one is (links are symmetric-ish); otherwise
 * `defaultRttMs`. Negative / non-finite entries count as missing.
 */
export function lookupRtt({ rtt, fromNodeId, toNodeId, defaultRttMs = DEFAULT_MISSING_RTT_MS }: LookupRttParameters): LookupRttReturnType {
  if (fromNodeId === toNodeId) return 0;
  const ab = rtt.get(fromNodeId)?.get(toNodeId);
  const ba = rtt.get(toNodeId)?.get(fromNodeId);
  if (usable(ab)) return usable(ba) ? (ab + ba) / 2 : ab;
  if (usable(ba)) return ba;
  return defaultRttMs;
}

/** The coordinator's RTT (ms) to a node, `defaultRttMs` when unmeasured. */
export function lookupClientRtt({ clientRttMs, nodeId, defaultRttMs = DEFAULT_MISSING_RTT_MS }: { clientRttMs: ClientRtt; nodeId: NodeId; defaultRttMs?: number }): number {
  const v = clientRttMs.get(nodeId);
  return usable(v) ? v : defaultRttMs;
}
