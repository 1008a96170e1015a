import * as snarkjs from "snarkjs";
import type { pino } from "pino";
import { snarkLogger } from "../build/setup-shard.ts";
import { CeremonyError } from "./errors.ts";

/** 2^10 hash iterations, as snarkjs's documentation and most public ceremonies use. */
export const BEACON_ITERATIONS_EXP = 10;

export type ApplyBeaconParameters = {
  inPath: string;
  outPath: string;
  /** the beacon: a block hash (0x + 64 hex) that did not exist when the ceremony started */
  beaconHash: `0x${string}`;
  iterationsExp?: number;
  log: pino.Logger;
};

/** The ceremony's last step: a public, unpredictable beacon contribution (`zkey beacon`). */
export async function applyBeacon({ inPath, outPath, beaconHash, iterationsExp = BEACON_ITERATIONS_EXP, log }: ApplyBeaconParameters): Promise<{ contributionHash: string }> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(beaconHash)) throw new CeremonyError(`beacon must be a 32-byte hex block hash, got ${beaconHash}`);
  const hash = (await snarkjs.zKey.beacon(inPath, outPath, "beacon", beaconHash.slice(2), iterationsExp, snarkLogger(log))) as Uint8Array | undefined;
  if (!hash) throw new CeremonyError(`zkey beacon failed on ${inPath}`);
  return { contributionHash: Buffer.from(hash).toString("hex") };
}
