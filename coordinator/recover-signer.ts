/**
 * The signer of an EIP-712 `JobRequest` (domain "ProofMesh JobMarket" v1), as `JobMarket` recovers
 * it on chain: digest = keccak256(0x1901 ‖ domainSeparator ‖ structHash), then ECDSA public-key
 * recovery on secp256k1.
 *
 * Why not viem's `recoverTypedDataAddress`: it re-derives and re-validates the domain and types on
 * every call and recovers with @noble/curves in JavaScript, ≈ 1.7 ms of CPU per submission on this
 * machine, on the fast path of every job. Here the domain separator is cached per (chainId,
 * JobMarket), the struct is encoded directly (fixed layout, no ABI walk), and recovery runs in
 * libsecp256k1 compiled to WebAssembly (node/wire/recover-address.ts), ≈ 0.3 ms. `recover-signer.test.ts`
 * cross-checks both digest and signer against viem on random requests and keys.
 *
 * The contract's rules are enforced here too: v ∈ {27, 28} and low s (s ≤ n/2: no malleable twin).
 */
import { keccak256, stringToBytes, type Address, type Hex } from "viem";
import type { JobRequest } from "../deploy/jobs.ts";
import { recoverAddress, RecoverAddressError } from "../node/wire/recover-address.ts";

export class RecoverSignerError extends Error {
  override name = "RecoverSignerError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type JobRequestDigestParameters = { chainId: number; jobMarket: Address; request: JobRequest };
export type RecoverJobRequestSignerParameters = JobRequestDigestParameters & { signature: Hex };

const enc = (s: string) => keccak256(stringToBytes(s), "bytes");
const DOMAIN_TYPEHASH = enc("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
const JOB_REQUEST_TYPEHASH = enc("JobRequest(address dApp,bytes32 modelId,uint256 inputCommitment,uint128 maxFee,uint64 deadline,uint64 nonce,uint32 clusterId)");
const NAME_HASH = enc("ProofMesh JobMarket");
const VERSION_HASH = enc("1");

/** Writes `v` as a 32-byte big-endian word at `offset` (v must be < 2^256). */
function word(out: Uint8Array, offset: number, v: bigint): void {
  for (let i = 31; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

const separators = new Map<string, Uint8Array>();
function domainSeparator(chainId: number, jobMarket: Address): Uint8Array {
  const key = `${chainId}:${jobMarket.toLowerCase()}`;
  let sep = separators.get(key);
  if (!sep) {
    const buf = new Uint8Array(32 * 5);
    buf.set(DOMAIN_TYPEHASH, 0);
    buf.set(NAME_HASH, 32);
    buf.set(VERSION_HASH, 64);
    word(buf, 96, BigInt(chainId));
    word(buf, 128, BigInt(jobMarket));
    sep = keccak256(buf, "bytes");
    if (separators.size > 64) separators.clear();
    separators.set(key, sep);
  }
  return sep;
}

/** The EIP-712 digest the dApp signs (equal to viem's `hashTypedData` of the request). */
export function jobRequestDigest({ chainId, jobMarket, request: r }: JobRequestDigestParameters): Uint8Array {
  const struct = new Uint8Array(32 * 8);
  struct.set(JOB_REQUEST_TYPEHASH, 0);
  word(struct, 32, BigInt(r.dApp));
  word(struct, 64, BigInt(r.modelId));
  word(struct, 96, r.inputCommitment);
  word(struct, 128, r.maxFee);
  word(struct, 160, r.deadline);
  word(struct, 192, r.nonce);
  word(struct, 224, BigInt(r.clusterId));
  const msg = new Uint8Array(2 + 64);
  msg[0] = 0x19;
  msg[1] = 0x01;
  msg.set(domainSeparator(chainId, jobMarket), 2);
  msg.set(keccak256(struct, "bytes"), 34);
  return keccak256(msg, "bytes");
}

/** The address whose key made `signature` (65 bytes r ‖ s ‖ v, v ∈ {27, 28}, low s) over the request's digest. */
export function recoverJobRequestSigner(parameters: RecoverJobRequestSignerParameters): Address {
  try {
    return recoverAddress({ digest: jobRequestDigest(parameters), signature: parameters.signature });
  } catch (cause) {
    if (cause instanceof RecoverAddressError) throw new RecoverSignerError(cause.message, { cause: cause.cause });
    throw cause;
  }
}
