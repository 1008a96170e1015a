import { randomBytes } from "node:crypto";

/**
 * A random uint64 nonce. JobMarket allows one open job per dApp lane `nonce % 256`, so for many
 * concurrent jobs prefer sequential nonces (see createProofMeshClient's `nextNonce`).
 */
export function randomNonce(): bigint {
  return randomBytes(8).readBigUInt64BE();
}
