import assert from "node:assert/strict";
import { test } from "node:test";
import { hashTypedData, recoverTypedDataAddress, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { jobMarketDomain, jobRequestTypes, type JobRequest } from "../deploy/jobs.ts";
import { jobRequestDigest, recoverJobRequestSigner, RecoverSignerError } from "./recover-signer.ts";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const rnd = (bits: number) => {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(bits / 8)));
  return BigInt(toHex(bytes)) & ((1n << BigInt(bits)) - 1n);
};
const randomRequest = (dApp: Address): JobRequest => ({
  dApp,
  modelId: toHex(crypto.getRandomValues(new Uint8Array(32))),
  inputCommitment: rnd(253),
  maxFee: rnd(128),
  deadline: rnd(64),
  nonce: rnd(64),
  clusterId: Number(rnd(32)),
});
const market = privateKeyToAccount(generatePrivateKey()).address;
const typed = (request: JobRequest, chainId = 31337) => ({ domain: jobMarketDomain({ chainId, jobMarket: market }), types: jobRequestTypes, primaryType: "JobRequest" as const, message: request });
const withWord = (sig: Hex, offset: number, v: bigint) => `${sig.slice(0, 2 + offset * 2)}${v.toString(16).padStart(64, "0")}${sig.slice(2 + offset * 2 + 64)}` as Hex;

test("bad signatures: wrong length, v not 27/28, r or s = 0 or >= n, r not an x-coordinate — a RecoverSignerError each", async () => {
  const account = privateKeyToAccount(generatePrivateKey());
  const request = randomRequest(account.address);
  const sig = await account.signTypedData(typed(request));
  const p = { chainId: 31337, jobMarket: market, request };
  const cases: [string, Hex][] = [
    ["64 bytes", sig.slice(0, 130) as Hex],
    ["not hex", `0x${"zz".repeat(65)}` as Hex],
    ["v = 29", `${sig.slice(0, 130)}1d` as Hex],
    ["v = 0", `${sig.slice(0, 130)}00` as Hex],
    ["r = 0", withWord(sig, 0, 0n)],
    ["s = 0", withWord(sig, 32, 0n)],
    ["r = n", withWord(sig, 0, N)],
    ["s = n", withWord(sig, 32, N)],
    ["high s (n - 1, the malleable twin's range)", withWord(sig, 32, N - 1n)],
    ["r = 2^256 - 1", withWord(sig, 0, (1n << 256n) - 1n)],
  ];
  for (const [what, bad] of cases) assert.throws(() => recoverJobRequestSigner({ ...p, signature: bad }), RecoverSignerError, what);
  // r = 5 is not the x-coordinate of a curve point (x³ + 7 is not a square mod p): nothing to recover
  assert.throws(() => recoverJobRequestSigner({ ...p, signature: withWord(sig, 0, 5n) }), RecoverSignerError, "r = 5");
});

test("a tampered field, another chain, another JobMarket or a flipped v recovers another address", async () => {
  const account = privateKeyToAccount(generatePrivateKey());
  const request = randomRequest(account.address);
  const signature = await account.signTypedData(typed(request));
  assert.equal(recoverJobRequestSigner({ chainId: 31337, jobMarket: market, request, signature }), account.address);
  for (const [k, v] of Object.entries({ inputCommitment: request.inputCommitment ^ 1n, maxFee: request.maxFee ^ 1n, deadline: request.deadline ^ 1n, nonce: request.nonce ^ 1n, clusterId: request.clusterId ^ 1 })) {
    assert.notEqual(recoverJobRequestSigner({ chainId: 31337, jobMarket: market, request: { ...request, [k]: v }, signature }), account.address, k);
  }
  assert.notEqual(recoverJobRequestSigner({ chainId: 1, jobMarket: market, request, signature }), account.address, "chainId");
  assert.notEqual(recoverJobRequestSigner({ chainId: 31337, jobMarket: account.address, request, signature }), account.address, "jobMarket");
  const flipped = `${signature.slice(0, 130)}${signature.endsWith("1b") ? "1c" : "1b"}` as Hex;
  assert.notEqual(recoverJobRequestSigner({ chainId: 31337, jobMarket: market, request, signature: flipped }), account.address, "v");
});

test("digest and signer equal viem's hashTypedData / recoverTypedDataAddress on 100 random requests and keys", async () => {
  for (let i = 0; i < 100; i++) {
    const account = privateKeyToAccount(generatePrivateKey());
    const chainId = i % 2 === 0 ? 31337 : Number(rnd(31)) + 1;
    const request = randomRequest(i % 3 === 0 ? account.address : privateKeyToAccount(generatePrivateKey()).address);
    const t = typed(request, chainId);
    assert.equal(toHex(jobRequestDigest({ chainId, jobMarket: market, request })), hashTypedData(t), `digest ${i}`);
    const signature = await account.signTypedData(t);
    const ours = recoverJobRequestSigner({ chainId, jobMarket: market, request, signature });
    assert.equal(ours, account.address, `signer ${i}`);
    assert.equal(ours, await recoverTypedDataAddress({ ...t, signature }), `viem ${i}`);
  }
});
