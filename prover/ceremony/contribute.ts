import { randomBytes } from "node:crypto";
import * as snarkjs from "snarkjs";
import { snarkLogger } from "../build/setup-shard.ts";
import type { pino } from "pino";
import { CeremonyError } from "./errors.ts";

export type ContributeParameters = {
  /** the current zkey (already verified by the caller) */
  inPath: string;
  outPath: string;
  /** recorded in the zkey (at most 64 bytes), e.g. "node 0x1234…" */
  name: string;
  log: pino.Logger;
};
export type ContributeReturnType = { contributionHash: string; ms: number };

/**
 * One phase-2 contribution with fresh entropy: 64 bytes from the OS's CSPRNG, held only in this
 * function's memory and passed to snarkjs (which mixes in 64 bytes of its own); nothing of it is
 * written anywhere. Returns the contribution hash (128 hex characters) snarkjs computed.
 */
export async function contribute({ inPath, outPath, name, log }: ContributeParameters): Promise<ContributeReturnType> {
  const t0 = performance.now();
  let entropy: string | undefined = randomBytes(64).toString("hex");
  try {
    const hash = (await snarkjs.zKey.contribute(inPath, outPath, name, entropy, snarkLogger(log))) as Uint8Array | undefined;
    if (!hash) throw new CeremonyError(`zkey contribute failed on ${inPath}`);
    return { contributionHash: Buffer.from(hash).toString("hex"), ms: performance.now() - t0 };
  } finally {
    entropy = undefined;
  }
}
