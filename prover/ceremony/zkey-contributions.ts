/**
 * Reads the phase-2 transcript of a Groth16 zkey (section 10 of snarkjs's format: the circuit
 * hash and every contribution's public key), and computes each contribution's hash exactly as
 * snarkjs prints it (`zkey contribute` / `zkey verify`): blake2b-512 over deltaAfter, the public
 * key (g1_s, g1_sx, g2_spx, uncompressed big-endian) and the transcript. Independent of snarkjs's
 * curve code: plain bigint arithmetic, so it starts no threads.
 *
 * It does NOT check the transcript (that the contributions chain and match the key's delta):
 * `zkey verify` does (verify-zkey.ts). It only reads what was recorded.
 */
import { open } from "node:fs/promises";
import { blake2b } from "@noble/hashes/blake2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { ZkeyFormatError } from "./errors.ts";

/** BN254 base field modulus. */
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** Montgomery R^-1 mod q (R = 2^256). */
const R_INV = modPow(2n ** 256n % Q, Q - 2n, Q);

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

export type ZkeyContribution = {
  /** 0 = a contribution with secret entropy, 1 = a public beacon */
  type: 0 | 1;
  name: string | undefined;
  /** blake2b-512 hash as snarkjs prints it, 128 hex characters without 0x */
  contributionHash: string;
  /** beacon only: the beacon value (hex, no 0x) and 2^iterationsExp hash iterations */
  beaconHash?: string;
  iterationsExp?: number;
};

export type ZkeyTranscript = {
  /** blake2b-512 of the circuit (hex, no 0x): equal for every zkey of one r1cs */
  csHash: string;
  contributions: ZkeyContribution[];
};

export type ReadZkeyTranscriptParameters = { zkeyPath: string };
export type ReadZkeyTranscriptReturnType = ZkeyTranscript;

/** The circuit hash and the ordered contributions recorded in a zkey. */
export async function readZkeyTranscript({ zkeyPath }: ReadZkeyTranscriptParameters): Promise<ReadZkeyTranscriptReturnType> {
  const fh = await open(zkeyPath, "r");
  try {
    const head = Buffer.alloc(12);
    await fh.read(head, 0, 12, 0);
    if (head.toString("latin1", 0, 4) !== "zkey") throw new ZkeyFormatError(`${zkeyPath} is not a zkey file`);
    const nSections = head.readUInt32LE(8);
    let pos = 12;
    const sh = Buffer.alloc(12);
    for (let i = 0; i < nSections; i++) {
      await fh.read(sh, 0, 12, pos);
      const type = sh.readUInt32LE(0);
      const size = Number(sh.readBigUInt64LE(4));
      if (type === 10) {
        const body = Buffer.alloc(size);
        await fh.read(body, 0, size, pos + 12);
        return parseMpcParams(body, zkeyPath);
      }
      pos += 12 + size;
    }
    throw new ZkeyFormatError(`${zkeyPath} has no phase-2 section (10)`);
  } finally {
    await fh.close();
  }
}

function parseMpcParams(b: Buffer, file: string): ZkeyTranscript {
  let o = 0;
  const take = (n: number) => {
    if (o + n > b.length) throw new ZkeyFormatError(`${file}: truncated phase-2 section`);
    const s = b.subarray(o, o + n);
    o += n;
    return s;
  };
  const csHash = Buffer.from(take(64)).toString("hex");
  const n = take(4).readUInt32LE(0);
  const contributions: ZkeyContribution[] = [];
  for (let i = 0; i < n; i++) {
    // deltaAfter, g1_s, g1_sx (G1: x, y), g2_spx (G2: x.c0, x.c1, y.c0, y.c1); 32-byte LE Montgomery each
    const g1 = [take(64), take(64), take(64)];
    const g2 = take(128);
    const transcript = take(64);
    const type = take(4).readUInt32LE(0);
    const paramLength = take(4).readUInt32LE(0);
    const params = take(paramLength);
    let p = 0;
    let name: string | undefined;
    let beaconHash: string | undefined;
    let iterationsExp: number | undefined;
    while (p < params.length) {
      const t = params[p++];
      if (t === 1) {
        const len = params[p++];
        name = new TextDecoder().decode(params.subarray(p, p + len));
        p += len;
      } else if (t === 2) {
        iterationsExp = params[p++];
      } else if (t === 3) {
        const len = params[p++];
        beaconHash = Buffer.from(params.subarray(p, p + len)).toString("hex");
        p += len;
      } else throw new ZkeyFormatError(`${file}: unknown parameter ${t} in contribution ${i}`);
    }
    const h = blake2b.create({ dkLen: 64 });
    for (const pt of g1) h.update(g1Uncompressed(pt));
    h.update(g2Uncompressed(g2));
    h.update(transcript);
    if (type !== 0 && type !== 1) throw new ZkeyFormatError(`${file}: contribution ${i} has unknown type ${type}`);
    contributions.push({ type, name, contributionHash: bytesToHex(h.digest()), ...(type === 1 ? { beaconHash, iterationsExp } : {}) });
  }
  return { csHash, contributions };
}

/** 32-byte little-endian Montgomery field element → canonical value. */
function fq(lem: Uint8Array): bigint {
  let x = 0n;
  for (let i = lem.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(lem[i]);
  return (x * R_INV) % Q;
}

function be32(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

function isZero(b: Uint8Array): boolean {
  return b.every((v) => v === 0);
}

/** ffjavascript's toRprUncompressed of a G1 point: x ‖ y big-endian; the point at infinity is 0x40 ‖ 0…. */
function g1Uncompressed(lem: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  if (isZero(lem)) {
    out[0] = 0x40;
    return out;
  }
  out.set(be32(fq(lem.subarray(0, 32))), 0);
  out.set(be32(fq(lem.subarray(32, 64))), 32);
  return out;
}

/** Same for G2: x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0 big-endian (stored as x.c0, x.c1, y.c0, y.c1). */
function g2Uncompressed(lem: Uint8Array): Uint8Array {
  const out = new Uint8Array(128);
  if (isZero(lem)) {
    out[0] = 0x40;
    return out;
  }
  const c = [0, 1, 2, 3].map((i) => fq(lem.subarray(32 * i, 32 * i + 32)));
  out.set(be32(c[1]), 0);
  out.set(be32(c[0]), 32);
  out.set(be32(c[3]), 64);
  out.set(be32(c[2]), 96);
  return out;
}
