/**
 * The forgery that a known delta allows (SECURITY.md item 10), as an attacker would run it.
 *
 * snarkjs sets gamma to the G2 generator, so whoever knows the scalar delta (delta_2 = delta·G2)
 * proves ANY public signals with
 *     A = alpha_1,  B = beta_2,  C = -delta^-1 · vk_x,   vk_x = IC_0 + Σ s_i·IC_{i+1}
 * since e(A, B) = e(alpha, beta) · e(vk_x, gamma) · e(C, delta) then holds for every s.
 *
 * Delta is the product of every phase-2 contribution's private key. A beacon's key is public
 * (derived from its hash, as snarkjs does); a secret contribution's is not. The attacker takes
 * the product of what it can derive, i.e. the real delta when every contribution is a beacon
 * (a beacon-only key), and a wrong one as soon as one secret contribution was made.
 * Used by the tests only: it is the attack that every key ProofMesh makes must defeat.
 */
import { createHash } from "node:crypto";
import { bn254 } from "@noble/curves/bn254.js";
import type { SnarkjsG1, SnarkjsG2, SnarkjsGroth16Proof, SnarkjsGroth16VerificationKey } from "../verify/noble.ts";
import type { ZkeyTranscript } from "./zkey-contributions.ts";

const R = bn254.fields.Fr.ORDER;
const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;

/** What a public transcript gives away: the product of the beacons' keys, and how many keys are secret. */
export function publicDeltaOf({ transcript }: { transcript: ZkeyTranscript }): { delta: bigint; secretContributions: number } {
  let delta = 1n;
  let secret = 0;
  for (const c of transcript.contributions) {
    if (c.type === 1) delta = (delta * beaconPrivateKey({ beaconHash: c.beaconHash!, iterationsExp: c.iterationsExp! })) % R;
    else secret += 1;
  }
  return { delta, secretContributions: secret };
}

/** True when `delta`·G2 is the key's delta_2, i.e. the attacker really holds the trapdoor. */
export function isDeltaOf({ vkey, delta }: { vkey: SnarkjsGroth16VerificationKey; delta: bigint }): boolean {
  return G2.BASE.multiply(delta).equals(g2(vkey.vk_delta_2));
}

/** A proof of `publicSignals` built from the vkey and a claimed delta, without any witness. */
export function forgeProof({ vkey, delta, publicSignals }: { vkey: SnarkjsGroth16VerificationKey; delta: bigint; publicSignals: readonly (string | bigint)[] }): SnarkjsGroth16Proof {
  let vkx = g1(vkey.IC[0]);
  for (const [i, s] of publicSignals.entries()) {
    const v = BigInt(s) % R;
    if (v !== 0n) vkx = vkx.add(g1(vkey.IC[i + 1]).multiply(v));
  }
  const c = vkx.multiply(bn254.fields.Fr.inv(delta % R)).negate();
  return { pi_a: toG1(g1(vkey.vk_alpha_1)), pi_b: vkey.vk_beta_2, pi_c: toG1(c), protocol: "groth16", curve: "bn128" };
}

/** snarkjs's beacon key: 2^exp iterated sha256 of the beacon, seeding ffjavascript's ChaCha, first Fr drawn (as ffjavascript reads it). */
export function beaconPrivateKey({ beaconHash, iterationsExp }: { beaconHash: string; iterationsExp: number }): bigint {
  let h: Buffer = Buffer.from(beaconHash, "hex");
  const n = 2 ** iterationsExp;
  for (let i = 0; i < n; i++) h = createHash("sha256").update(h).digest();
  const seed = Array.from({ length: 8 }, (_, i) => h.readUInt32BE(4 * i));
  const rng = new ChaCha(seed);
  const mask = (1n << BigInt(R.toString(2).length)) - 1n;
  for (;;) {
    let v = 0n;
    for (let i = 0; i < 4; i++) v += rng.nextU64() << BigInt(64 * i);
    v &= mask;
    // ffjavascript returns v's bytes as the field element's internal (Montgomery) form: the key is v·2^-256.
    if (v < R) return (v * bn254.fields.Fr.inv((1n << 256n) % R)) % R;
  }
}

class ChaCha {
  private state: number[];
  private buff: number[] = new Array(16);
  private idx = 16;
  constructor(seed: number[]) {
    this.state = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, ...seed, 0, 0, 0, 0];
  }
  nextU32(): number {
    if (this.idx === 16) this.update();
    return this.buff[this.idx++];
  }
  nextU64(): bigint {
    const hi = BigInt(this.nextU32());
    return hi * 0x100000000n + BigInt(this.nextU32());
  }
  private update() {
    const st = this.state.slice();
    const qr = (a: number, b: number, c: number, d: number) => {
      st[a] = (st[a] + st[b]) >>> 0; st[d] = rotl(st[d] ^ st[a], 16);
      st[c] = (st[c] + st[d]) >>> 0; st[b] = rotl(st[b] ^ st[c], 12);
      st[a] = (st[a] + st[b]) >>> 0; st[d] = rotl(st[d] ^ st[a], 8);
      st[c] = (st[c] + st[d]) >>> 0; st[b] = rotl(st[b] ^ st[c], 7);
    };
    for (let i = 0; i < 10; i++) {
      qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15);
      qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14);
    }
    for (let i = 0; i < 16; i++) this.buff[i] = (st[i] + this.state[i]) >>> 0;
    this.idx = 0;
    for (let i = 12; i < 16; i++) {
      this.state[i] = (this.state[i] + 1) >>> 0;
      if (this.state[i] !== 0) break;
    }
  }
}
const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;

const g1 = (p: SnarkjsG1) => G1.fromAffine({ x: BigInt(p[0]), y: BigInt(p[1]) });
const g2 = (p: SnarkjsG2) => {
  const F2 = bn254.fields.Fp2;
  return G2.fromAffine({ x: F2.create({ c0: BigInt(p[0][0]), c1: BigInt(p[0][1]) }), y: F2.create({ c0: BigInt(p[1][0]), c1: BigInt(p[1][1]) }) });
};
const toG1 = (p: InstanceType<typeof G1>): SnarkjsG1 => {
  const a = p.toAffine();
  return [a.x.toString(), a.y.toString(), "1"];
};
