/**
 * Independent Groth16 verifier for snarkjs (bn128 / BN254) proofs, built on @noble/curves.
 *
 * Nothing from snarkjs / ffjavascript / wasmcurves is used on the verification path: parsing,
 * field / curve / subgroup checks and the pairing product are all done here with noble's
 * audited pure-JS bn254 implementation. It is a second opinion next to `snarkjs.groth16.verify`
 * and next to the on-chain (EIP-197 precompile) verifier.
 *
 * Input conventions (snarkjs JSON, verified empirically against snarkjs 0.7.6):
 * - every number is a canonical decimal string;
 * - G1 points are `[x, y, "1"]` (affine, written as projective with z = 1);
 *   the point at infinity is `["0", "1", "0"]`;
 * - G2 points are `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]` with Fp2 = c0 + c1·u
 *   (JSON lists the real part first — the Solidity verifier swaps to [c1, c0] for the EVM
 *   precompile, the JSON does not); infinity is `[["0","0"], ["1","0"], ["0","0"]]`.
 *   Any other z (non-normalized projective / Jacobian coordinates) is rejected as malformed.
 *
 * Outcome contract:
 * - a cryptographically invalid proof (bad pairing, point not on curve / not in the subgroup /
 *   at infinity, coordinate ≥ p, public signal ≥ r) returns `{ valid: false, code, reason }`;
 * - malformed input (wrong shapes or types, non-canonical decimal strings, wrong protocol /
 *   curve, nPublic ≠ IC.length − 1, publicSignals.length ≠ nPublic) throws
 *   {@link NobleVerifyInputError};
 * - an invalid verification key (any vkey point off-curve, outside the subgroup, at infinity,
 *   or with a coordinate ≥ p) also throws {@link NobleVerifyInputError}: the vkey is trusted
 *   configuration, so a bad one is a deployment bug, not a bad proof.
 *
 * @module
 */
import { bn254 } from "@noble/curves/bn254.js";

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** A snarkjs G1 point: `[x, y, z]` decimal strings (z is "1", or the triple is `["0","1","0"]`). */
export type SnarkjsG1 = readonly [string, string, string];
/** A snarkjs Fp2 element `[c0, c1]` meaning c0 + c1·u. */
export type SnarkjsFp2 = readonly [string, string];
/** A snarkjs G2 point: `[x, y, z]` of Fp2 elements (z is `["1","0"]` for finite points). */
export type SnarkjsG2 = readonly [SnarkjsFp2, SnarkjsFp2, SnarkjsFp2];

/** snarkjs `verification_key.json` for Groth16 (extra keys such as `vk_alphabeta_12` are ignored). */
export type SnarkjsGroth16VerificationKey = {
  readonly protocol: "groth16";
  readonly curve: "bn128";
  readonly nPublic: number;
  readonly vk_alpha_1: SnarkjsG1;
  readonly vk_beta_2: SnarkjsG2;
  readonly vk_gamma_2: SnarkjsG2;
  readonly vk_delta_2: SnarkjsG2;
  readonly IC: readonly SnarkjsG1[];
};

/** snarkjs Groth16 proof object (`protocol` / `curve` are optional but checked if present). */
export type SnarkjsGroth16Proof = {
  readonly pi_a: SnarkjsG1;
  readonly pi_b: SnarkjsG2;
  readonly pi_c: SnarkjsG1;
  readonly protocol?: "groth16";
  readonly curve?: "bn128";
};

export type VerifyGroth16NobleParameters = {
  /** snarkjs verification key (trusted configuration). */
  vkey: SnarkjsGroth16VerificationKey;
  /** snarkjs proof (untrusted). */
  proof: SnarkjsGroth16Proof;
  /** Public signals as canonical decimal strings, in snarkjs order (outputs, then public inputs). */
  publicSignals: readonly string[];
};

/** Why a proof was rejected. */
export type NobleVerifyFailureCode =
  | "PUBLIC_SIGNAL_NOT_IN_FIELD"
  | "COORDINATE_NOT_IN_FIELD"
  | "POINT_AT_INFINITY"
  | "POINT_NOT_ON_CURVE"
  | "POINT_NOT_IN_SUBGROUP"
  | "PAIRING_CHECK_FAILED";

export type VerifyGroth16NobleReturnType =
  | { valid: true }
  | { valid: false; code: NobleVerifyFailureCode; reason: string };

/** Thrown for malformed input or an invalid verification key — never for an invalid proof. */
export class NobleVerifyInputError extends Error {
  override name = "NobleVerifyInputError";
  /** Where in the arguments the problem is, e.g. `vkey.IC[2]` or `publicSignals[0]`. */
  readonly path: string;
  constructor(message: string, options: { path: string; cause?: unknown }) {
    super(`${options.path}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.path = options.path;
  }
}

// ---------------------------------------------------------------------------------------------
// Curve constants (cross-checked against noble's at module load)
// ---------------------------------------------------------------------------------------------

const { Fp, Fp2, Fp12 } = bn254.fields;
const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
type G1Point = InstanceType<typeof G1>;
type G2Point = InstanceType<typeof G2>;
type Fp2Element = ReturnType<typeof Fp2.fromBigTuple>;

/** Base field modulus p (EIP-196). */
export const BN254_P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** Scalar field modulus r = group order (EIP-196); public signals must be < r. */
export const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** G1: y² = x³ + 3. */
const B1 = 3n;
/** G2 (D-type twist over Fp2 = Fp[u]/(u² + 1)): y² = x³ + 3/(9 + u). */
const B2 = Fp2.div(Fp2.fromBigTuple([3n, 0n]), Fp2.fromBigTuple([9n, 1n]));

if (Fp.ORDER !== BN254_P || bn254.fields.Fr.ORDER !== BN254_R || !Fp2.eql(B2, G2.CURVE().b)) {
  throw new Error("@noble/curves bn254 parameters do not match EIP-196/197"); // unreachable unless noble changes
}

/** Canonical unsigned decimal: no sign, no leading zeros, no whitespace, no exponent. */
const DECIMAL = /^(0|[1-9][0-9]*)$/;
/** p and r have 77 digits; anything longer is certainly ≥ p, so we never BigInt-parse huge strings. */
const MAX_DIGITS = 77;

// ---------------------------------------------------------------------------------------------
// Main entry point
// ---------------------------------------------------------------------------------------------

/**
 * Verifies a snarkjs Groth16 proof over BN254 with @noble/curves.
 *
 * Checks, in order:
 * 1. shapes, `protocol === "groth16"`, `curve === "bn128"`, `IC.length === nPublic + 1`,
 *    `publicSignals.length === nPublic`, every number a canonical decimal string (else throws);
 * 2. the verification key: coordinates < p, points on curve, G2 points in the order-r subgroup,
 *    no point at infinity (else throws — see module doc);
 * 3. every public signal < r (no silent reduction mod r: `s` and `s + r` would otherwise be
 *    two different encodings accepted for the same statement);
 * 4. proof points A, C ∈ G1 and B ∈ G2: coordinates < p (no silent reduction mod p — snarkjs
 *    does reduce, so it accepts `x + p`), on curve, not infinity, B in the order-r subgroup via
 *    noble's `isTorsionFree` (ψ(B) = [6x²]B, the EIP-197 order check);
 * 5. vk_x = IC₀ + Σ sᵢ·ICᵢ₊₁, then one multi-pairing with a single final exponentiation:
 *    e(−A, B) · e(α, β) · e(vk_x, γ) · e(C, δ) = 1 — i.e. e(A,B) = e(α,β)·e(vk_x,γ)·e(C,δ).
 *    Equivalent to `bn254.pairingBatch(...)` over the four pairs; vkey-only work (validation,
 *    G2 line coefficients for γ and δ, the Miller value of e(α, β)) is cached per distinct
 *    vkey content, which makes repeat verifications ~2.4× faster.
 *
 * Groth16 proofs are malleable (anyone can re-randomize a valid proof into a different valid
 * one for the same statement), so callers must never key replay protection on proof bytes.
 *
 * @returns `{ valid: true }` or `{ valid: false, code, reason }`.
 * @throws {NobleVerifyInputError} on malformed input or an invalid verification key.
 *
 * @example
 * const res = verifyGroth16Noble({ vkey, proof, publicSignals });
 * if (!res.valid) console.log(res.code, res.reason);
 */
export function verifyGroth16Noble(parameters: VerifyGroth16NobleParameters): VerifyGroth16NobleReturnType {
  const { vkey, proof, publicSignals } = parameters ?? ({} as VerifyGroth16NobleParameters);

  // 1. Shapes (throws). Parse everything before any cryptographic decision so that malformed
  //    input is always reported as such, independent of check order.
  const vk = parseVerificationKey(vkey);
  const signals = parsePublicSignals(publicSignals, vk.nPublic);
  const raw = parseProof(proof);

  // 2. Verification key validity (throws), cached by content.
  const prepared = prepareVerificationKey(vk);

  // 3. Public signals in the scalar field.
  for (let i = 0; i < signals.length; i++) {
    const s = signals[i];
    if (s === undefined || s >= BN254_R)
      return fail("PUBLIC_SIGNAL_NOT_IN_FIELD", `publicSignals[${i}] is not in the scalar field (>= r)`);
  }

  // 4. Proof points.
  const a = toG1(raw.a, "proof.pi_a");
  if (!a.ok) return a.failure;
  const b = toG2(raw.b, "proof.pi_b");
  if (!b.ok) return b.failure;
  const c = toG1(raw.c, "proof.pi_c");
  if (!c.ok) return c.failure;

  // 5. vk_x = IC0 + Σ s_i·IC_{i+1} (multiplyUnsafe is fine: all scalars are public; accepts 0).
  const { ic } = prepared;
  let vkX = ic[0];
  for (let i = 0; i < signals.length; i++) vkX = vkX.add(ic[i + 1].multiplyUnsafe(signals[i] as bigint));

  // 6. e(−A, B) · e(α, β) · e(vk_x, γ) · e(C, δ) = 1, as one multi-Miller loop (shared squarings)
  //    times the cached Miller value of e(α, β), then ONE final exponentiation. This is exactly
  //    what `bn254.pairingBatch` computes (Miller values multiply; FE is a homomorphism), minus
  //    recomputing the vkey-only parts; the tests cross-check it against snarkjs.
  const negA = a.point.negate().toAffine();
  const cAff = c.point.toAffine();
  const pairs: MillerInput = [
    [bn254.utils.calcPairingPrecomputes(b.point), negA.x, negA.y],
    [prepared.deltaLines, cAff.x, cAff.y],
  ];
  // e(O, γ) = 1, so dropping the term is exact (noble's pairing API refuses infinity inputs).
  // vk_x = O needs public signals that cancel IC0: negligible for honest keys, but legal.
  if (!vkX.is0()) {
    const x = vkX.toAffine();
    pairs.push([prepared.gammaLines, x.x, x.y]);
  }
  // millerLoopBatch(pairs) returns the raw Miller value (its public type has no final-exp flag).
  const miller = Fp12.mul(bn254.millerLoopBatch(pairs), prepared.alphaBetaMiller);
  if (!Fp12.eql(Fp12.finalExponentiate(miller), Fp12.ONE)) {
    return fail("PAIRING_CHECK_FAILED", "pairing check failed: e(A,B) != e(alpha,beta)·e(vk_x,gamma)·e(C,delta)");
  }
  return { valid: true };
}

// ---------------------------------------------------------------------------------------------
// Verification-key preparation (validated once per distinct key content)
// ---------------------------------------------------------------------------------------------

type MillerInput = Parameters<typeof bn254.millerLoopBatch>[0];
type G2Lines = MillerInput[number][0];
type ParsedVerificationKey = ReturnType<typeof parseVerificationKey>;
type PreparedVerificationKey = {
  readonly ic: readonly G1Point[];
  readonly gammaLines: G2Lines;
  readonly deltaLines: G2Lines;
  /** Miller loop value of e(α, β), before final exponentiation. */
  readonly alphaBetaMiller: ReturnType<typeof Fp12.mul>;
};

/**
 * Validated vkeys, keyed by the canonical decimal content of every point (not by object
 * identity), so a caller mutating a vkey object can never hit a stale entry. Only keys that
 * passed every check are stored. Small and FIFO-bounded: a node verifies for a handful of circuits.
 */
const preparedCache = new Map<string, PreparedVerificationKey>();
const PREPARED_CACHE_MAX = 32;

function prepareVerificationKey(vk: ParsedVerificationKey): PreparedVerificationKey {
  const cacheKey = JSON.stringify([vk.alpha, vk.beta, vk.gamma, vk.delta, vk.ic], (_k, v) =>
    typeof v === "bigint" ? v.toString() : v
  );
  const hit = preparedCache.get(cacheKey);
  if (hit) return hit;

  const alpha = vkeyG1(vk.alpha, "vkey.vk_alpha_1");
  const beta = vkeyG2(vk.beta, "vkey.vk_beta_2");
  const gamma = vkeyG2(vk.gamma, "vkey.vk_gamma_2");
  const delta = vkeyG2(vk.delta, "vkey.vk_delta_2");
  const ic = vk.ic.map((p, i) => vkeyG1(p, `vkey.IC[${i}]`));
  const alphaAff = alpha.toAffine();
  const prepared: PreparedVerificationKey = Object.freeze({
    ic: Object.freeze(ic),
    gammaLines: bn254.utils.calcPairingPrecomputes(gamma),
    deltaLines: bn254.utils.calcPairingPrecomputes(delta),
    alphaBetaMiller: bn254.millerLoopBatch([[bn254.utils.calcPairingPrecomputes(beta), alphaAff.x, alphaAff.y]]),
  });
  if (preparedCache.size >= PREPARED_CACHE_MAX) preparedCache.delete(preparedCache.keys().next().value as string);
  preparedCache.set(cacheKey, prepared);
  return prepared;
}

// ---------------------------------------------------------------------------------------------
// Parsing (shape errors throw)
// ---------------------------------------------------------------------------------------------

/** A decimal that is well-formed but may be ≥ p; `undefined` value means "more than 77 digits". */
type Num = bigint | undefined;
type RawG1 = { x: Num; y: Num; inf: boolean };
type RawG2 = { x: [Num, Num]; y: [Num, Num]; inf: boolean };

type Failure = Extract<VerifyGroth16NobleReturnType, { valid: false }>;

function fail(code: NobleVerifyFailureCode, reason: string): Failure {
  return { valid: false, code, reason };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseDecimal(v: unknown, path: string): Num {
  if (typeof v !== "string" || !DECIMAL.test(v)) {
    throw new NobleVerifyInputError("expected a canonical decimal string", { path, cause: v });
  }
  return v.length > MAX_DIGITS ? undefined : BigInt(v);
}

function parseTuple(v: unknown, length: number, path: string): unknown[] {
  if (!Array.isArray(v) || v.length !== length) {
    throw new NobleVerifyInputError(`expected an array of length ${length}`, { path, cause: v });
  }
  return v;
}

function parseG1(v: unknown, path: string): RawG1 {
  const [x, y, z] = parseTuple(v, 3, path).map((e, i) => parseDecimal(e, `${path}[${i}]`));
  if (z === 1n) return { x, y, inf: false };
  if (z === 0n && x === 0n && y === 1n) return { x, y, inf: true };
  throw new NobleVerifyInputError('expected normalized coordinates [x, y, "1"] (or infinity ["0","1","0"])', { path, cause: v });
}

function parseFp2(v: unknown, path: string): [Num, Num] {
  const [c0, c1] = parseTuple(v, 2, path).map((e, i) => parseDecimal(e, `${path}[${i}]`));
  return [c0, c1];
}

function parseG2(v: unknown, path: string): RawG2 {
  const [xv, yv, zv] = parseTuple(v, 3, path);
  const x = parseFp2(xv, `${path}[0]`);
  const y = parseFp2(yv, `${path}[1]`);
  const z = parseFp2(zv, `${path}[2]`);
  if (z[0] === 1n && z[1] === 0n) return { x, y, inf: false };
  const zero = (e: [Num, Num]) => e[0] === 0n && e[1] === 0n;
  if (zero(z) && zero(x) && y[0] === 1n && y[1] === 0n) return { x, y, inf: true };
  throw new NobleVerifyInputError('expected normalized coordinates [x, y, ["1","0"]] (or infinity)', { path, cause: v });
}

function parseVerificationKey(vkey: unknown) {
  if (!isObject(vkey)) throw new NobleVerifyInputError("expected a snarkjs verification key object", { path: "vkey", cause: vkey });
  if (vkey.protocol !== "groth16") throw new NobleVerifyInputError('expected protocol "groth16"', { path: "vkey.protocol", cause: vkey.protocol });
  if (vkey.curve !== "bn128") throw new NobleVerifyInputError('expected curve "bn128"', { path: "vkey.curve", cause: vkey.curve });
  const nPublic = vkey.nPublic;
  if (typeof nPublic !== "number" || !Number.isSafeInteger(nPublic) || nPublic < 0) {
    throw new NobleVerifyInputError("expected a non-negative integer", { path: "vkey.nPublic", cause: nPublic });
  }
  if (!Array.isArray(vkey.IC) || vkey.IC.length !== nPublic + 1) {
    throw new NobleVerifyInputError(`expected an array of nPublic + 1 = ${nPublic + 1} points`, { path: "vkey.IC", cause: vkey.IC });
  }
  return {
    nPublic,
    alpha: parseG1(vkey.vk_alpha_1, "vkey.vk_alpha_1"),
    beta: parseG2(vkey.vk_beta_2, "vkey.vk_beta_2"),
    gamma: parseG2(vkey.vk_gamma_2, "vkey.vk_gamma_2"),
    delta: parseG2(vkey.vk_delta_2, "vkey.vk_delta_2"),
    ic: vkey.IC.map((p: unknown, i: number) => parseG1(p, `vkey.IC[${i}]`)),
  };
}

function parsePublicSignals(publicSignals: unknown, nPublic: number): Num[] {
  if (!Array.isArray(publicSignals)) {
    throw new NobleVerifyInputError("expected an array of decimal strings", { path: "publicSignals", cause: publicSignals });
  }
  if (publicSignals.length !== nPublic) {
    throw new NobleVerifyInputError(`expected ${nPublic} signals (vkey.nPublic), got ${publicSignals.length}`, { path: "publicSignals" });
  }
  return publicSignals.map((s, i) => parseDecimal(s, `publicSignals[${i}]`));
}

function parseProof(proof: unknown) {
  if (!isObject(proof)) throw new NobleVerifyInputError("expected a snarkjs proof object", { path: "proof", cause: proof });
  if (proof.protocol !== undefined && proof.protocol !== "groth16") {
    throw new NobleVerifyInputError('expected protocol "groth16"', { path: "proof.protocol", cause: proof.protocol });
  }
  if (proof.curve !== undefined && proof.curve !== "bn128") {
    throw new NobleVerifyInputError('expected curve "bn128"', { path: "proof.curve", cause: proof.curve });
  }
  return {
    a: parseG1(proof.pi_a, "proof.pi_a"),
    b: parseG2(proof.pi_b, "proof.pi_b"),
    c: parseG1(proof.pi_c, "proof.pi_c"),
  };
}

// ---------------------------------------------------------------------------------------------
// Point validation (cryptographic failures are values, not exceptions)
// ---------------------------------------------------------------------------------------------

type Checked<P> = { ok: true; point: P } | { ok: false; failure: Failure };

const inFp = (n: Num): n is bigint => n !== undefined && n < BN254_P;

/**
 * Turns a parsed G1 point into a noble point, checking (in this order) infinity, coordinates
 * < p, and y² = x³ + 3. G1 has cofactor 1, so on-curve implies membership in the order-r group;
 * `assertValidity()` re-checks both (noble caches the success on the frozen point).
 */
function toG1(p: RawG1, path: string): Checked<G1Point> {
  if (p.inf) return { ok: false, failure: fail("POINT_AT_INFINITY", `${path} is the point at infinity`) };
  const { x, y } = p;
  if (!inFp(x) || !inFp(y)) return { ok: false, failure: fail("COORDINATE_NOT_IN_FIELD", `${path} has a coordinate not in the base field (>= p)`) };
  // Own equation check before noble: fromAffine() would silently map (0, 0) to infinity.
  if (!Fp.eql(Fp.sqr(y), Fp.add(Fp.mul(Fp.sqr(x), x), B1))) {
    return { ok: false, failure: fail("POINT_NOT_ON_CURVE", `${path} is not on the curve y^2 = x^3 + 3`) };
  }
  const point = G1.fromAffine({ x, y });
  try {
    point.assertValidity();
  } catch (cause) {
    return { ok: false, failure: fail("POINT_NOT_ON_CURVE", `${path} rejected by noble: ${(cause as Error).message}`) };
  }
  return { ok: true, point };
}

/**
 * Turns a parsed G2 point into a noble point: infinity, all four Fp coordinates < p, on the twist
 * y² = x³ + 3/(9+u), and in the order-r subgroup. The twist has a large cofactor, so on-curve is
 * NOT enough: noble's `isTorsionFree` for bn254 G2 tests ψ(P) = [6x²]P (x = BN seed), the fast
 * membership test equivalent to [r]P = O (cross-checked against [r]P = O in the tests).
 * Together these are exactly noble's `assertValidity()` for G2; we do not call it as well,
 * because that would run the (~4 ms) subgroup check a second time. Note noble's pairing
 * internals used below (`calcPairingPrecomputes`) do NOT validate points themselves.
 */
function toG2(p: RawG2, path: string): Checked<G2Point> {
  if (p.inf) return { ok: false, failure: fail("POINT_AT_INFINITY", `${path} is the point at infinity`) };
  const [x0, x1] = p.x;
  const [y0, y1] = p.y;
  if (!inFp(x0) || !inFp(x1) || !inFp(y0) || !inFp(y1)) {
    return { ok: false, failure: fail("COORDINATE_NOT_IN_FIELD", `${path} has a coordinate not in the base field (>= p)`) };
  }
  const x: Fp2Element = Fp2.fromBigTuple([x0, x1]); // snarkjs JSON is [c0, c1] = c0 + c1·u
  const y: Fp2Element = Fp2.fromBigTuple([y0, y1]);
  if (!Fp2.eql(Fp2.sqr(y), Fp2.add(Fp2.mul(Fp2.sqr(x), x), B2))) {
    return { ok: false, failure: fail("POINT_NOT_ON_CURVE", `${path} is not on the twist curve y^2 = x^3 + 3/(9+u)`) };
  }
  const point = G2.fromAffine({ x, y });
  if (!point.isTorsionFree()) {
    return { ok: false, failure: fail("POINT_NOT_IN_SUBGROUP", `${path} is on the twist but not in the order-r subgroup`) };
  }
  return { ok: true, point };
}

function vkeyG1(p: RawG1, path: string): G1Point {
  const r = toG1(p, path);
  if (!r.ok) throw new NobleVerifyInputError(`invalid verification key point (${r.failure.code})`, { path, cause: r.failure.reason });
  return r.point;
}

function vkeyG2(p: RawG2, path: string): G2Point {
  const r = toG2(p, path);
  if (!r.ok) throw new NobleVerifyInputError(`invalid verification key point (${r.failure.code})`, { path, cause: r.failure.reason });
  return r.point;
}
