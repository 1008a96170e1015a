import assert from "node:assert/strict";
import { test } from "node:test";
import { hexToBytes, keccak256, recoverAddress as viemRecoverAddress, toHex, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount, sign } from "viem/accounts";
import { recoverAddress, RecoverAddressError } from "./recover-address.ts";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const withS = (sig: Hex, s: bigint) => `${sig.slice(0, 66)}${s.toString(16).padStart(64, "0")}${sig.slice(130)}` as Hex;
const randomDigest = () => keccak256(toHex(crypto.getRandomValues(new Uint8Array(40))));

test("rejects what the contract rejects: malformed hex, v ∉ {27, 28}, high s, a digest that is not 32 bytes", async () => {
  const key = generatePrivateKey();
  const digest = randomDigest();
  const sig = await sign({ hash: digest, privateKey: key, to: "hex" });
  const d = hexToBytes(digest);
  const s = BigInt(`0x${sig.slice(66, 130)}`);
  const cases: [string, Uint8Array, Hex][] = [
    ["64 bytes", d, sig.slice(0, 130) as Hex],
    ["66 bytes", d, `${sig}00` as Hex],
    ["not hex", d, `0x${"zz".repeat(65)}` as Hex],
    ["v = 0", d, `${sig.slice(0, 130)}00` as Hex],
    ["v = 1", d, `${sig.slice(0, 130)}01` as Hex],
    ["v = 29", d, `${sig.slice(0, 130)}1d` as Hex],
    ["the high-s twin (n - s, v flipped): valid ECDSA, refused", d, `${withS(sig, N - s).slice(0, 130)}${sig.endsWith("1b") ? "1c" : "1b"}` as Hex],
    ["s = n", d, withS(sig, N)],
    ["31-byte digest", d.subarray(1), sig],
  ];
  for (const [what, digestBytes, bad] of cases) assert.throws(() => recoverAddress({ digest: digestBytes, signature: bad }), RecoverAddressError, what);
  // the same signature, untouched, recovers the key's address
  assert.equal(recoverAddress({ digest: d, signature: sig }), privateKeyToAccount(key).address);
});

test("agrees with viem's recoverAddress on 100 random keys and digests (either v)", async () => {
  const vs = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const key = generatePrivateKey();
    const digest = randomDigest();
    const signature = await sign({ hash: digest, privateKey: key, to: "hex" });
    vs.add(signature.slice(130));
    const ours = recoverAddress({ digest: hexToBytes(digest), signature });
    assert.equal(ours, await viemRecoverAddress({ hash: digest, signature }));
    assert.equal(ours, privateKeyToAccount(key).address);
  }
  assert.deepEqual([...vs].sort(), ["1b", "1c"], "both recovery ids were exercised");
});
