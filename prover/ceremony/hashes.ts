import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** sha256 of bytes or a string, lowercase hex without 0x: how every key and record names a file. */
export const sha256Hex = (data: Uint8Array | string): string => createHash("sha256").update(data).digest("hex");

/** sha256 of a file's bytes (zkeys, vkeys, ptau), lowercase hex without 0x. */
export const sha256File = (path: string): string => sha256Hex(readFileSync(path));

/** A hash as the off-chain records write it: lowercase hex without 0x (the chain's bytes32 has one). */
export const bareHex = (h: string): string => h.replace(/^0x/, "").toLowerCase();
