/**
 * ECDSA public-key recovery on secp256k1 for 32-byte digests (EIP-712 hashes), in libsecp256k1
 * compiled to WebAssembly (`tiny-secp256k1`): ≈ 0.1 ms, against ≈ 1.7 ms for viem's
 * `recoverAddress` (@noble/curves in JavaScript). Used wherever a signature is checked on a hot
 * path: the coordinator's job submissions, every node's received gossip heartbeats.
 *
 * The contract's rules are enforced: v ∈ {27, 28} and low s (s ≤ n/2: no malleable twin of a
 * signature is accepted). viem's signers produce exactly this form.
 */
import { recover } from "tiny-secp256k1";
import { getAddress, keccak256, type Address, type Hex } from "viem";

export class RecoverAddressError extends Error {
  override name = "RecoverAddressError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type RecoverAddressParameters = {
  /** the 32-byte message hash that was signed */
  digest: Uint8Array;
  /** 65 bytes r ‖ s ‖ v as hex, v ∈ {27, 28} */
  signature: Hex;
};
export type RecoverAddressReturnType = Address;

const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** The (checksummed) address whose key made `signature` over `digest`. */
export function recoverAddress({ digest, signature }: RecoverAddressParameters): RecoverAddressReturnType {
  if (digest.length !== 32) throw new RecoverAddressError(`digest must be 32 bytes, got ${digest.length}`);
  if (typeof signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new RecoverAddressError("signature must be 65 bytes of hex (r ‖ s ‖ v)");
  const sig = Buffer.from(signature.slice(2), "hex");
  const v = sig[64];
  if (v !== 27 && v !== 28) throw new RecoverAddressError(`signature is not canonical: v must be 27 or 28, got ${v}`);
  if (BigInt(`0x${signature.slice(66, 130)}`) > SECP256K1_HALF_N) throw new RecoverAddressError("signature is not canonical: s must be at most n/2 (low s)");
  let pub: Uint8Array | null;
  try {
    pub = recover(digest, sig.subarray(0, 64), (v - 27) as 0 | 1, false);
  } catch (cause) {
    throw new RecoverAddressError("signature r or s is out of range, or r is not a curve point", { cause });
  }
  if (!pub) throw new RecoverAddressError("signature does not recover a public key");
  return getAddress(`0x${keccak256(pub.subarray(1), "hex").slice(-40)}`);
}
