/**
 * SECURITY.md item 10 as an attack: the forgery of forge.ts, run by an attacker who wants a
 * stage paid for a result it never computed (the default model's last shard, result 7).
 * It must SUCCEED against a beacon-only key built here (so this test can fail) and FAIL against
 * every key the project makes: the development ceremony's keys the repository ships, and the
 * same keys finished with a chain's beacon (what deploy/ registers).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import * as snarkjs from "snarkjs";
import { getModelManifest } from "../manifest.ts";
import { DEFAULT_MODEL_ID } from "../models/config.ts";
import { ROOT } from "../paths.ts";
import { releaseProverThreads } from "../release.ts";
import { verifyGroth16Noble, type SnarkjsGroth16VerificationKey } from "../verify/noble.ts";
import { applyBeacon } from "./apply-beacon.ts";
import { exportKeys } from "./export-keys.ts";
import { forgeProof, isDeltaOf, publicDeltaOf } from "./forge.ts";
import { readZkeyTranscript } from "./zkey-contributions.ts";
import { iShardVerifierAbi } from "../../contracts/abi/index.ts";
import { compileVerifier } from "../../deploy/compile-verifier.ts";
import { toCalldata } from "../prove-shard.ts";

const log = pino({ level: "silent" });
const shard = getModelManifest({ modelId: DEFAULT_MODEL_ID }).shards.at(-1)!;
// [inCommit, outCommit, binding, result]: any values the attacker likes; result 7.
const signals = ["123456789", "987654321", "42", "7"];
let dir: string;

type Attack = { knowsDelta: boolean; secretContributions: number; snarkjs: boolean; noble: boolean };
async function attack({ zkeyPath, vkey }: { zkeyPath: string; vkey: SnarkjsGroth16VerificationKey }): Promise<Attack> {
  const { delta, secretContributions } = publicDeltaOf({ transcript: await readZkeyTranscript({ zkeyPath }) });
  const proof = forgeProof({ vkey, delta, publicSignals: signals });
  return {
    knowsDelta: isDeltaOf({ vkey, delta }),
    secretContributions,
    snarkjs: (await snarkjs.groth16.verify(vkey, signals, proof)) as boolean,
    noble: verifyGroth16Noble({ vkey, proof, publicSignals: signals }).valid,
  };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "forge-"));
  // the round-one setup: the initial zkey and a public beacon, nothing secret
  await applyBeacon({ inPath: join(ROOT, shard.initialZkey.path), outPath: join(dir, "beacon-only.zkey"), beaconHash: `0x${"5c4a1f0e9d8b7a69584736251403f2e1d0c9b8a7968574635241302f1e0d0c0b"}`, log });
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseProverThreads();
});

describe("forging a proof from a public delta", () => {
  test("succeeds against a beacon-only key (the round-one setup): snarkjs and noble accept result 7", async () => {
    const zkeyPath = join(dir, "beacon-only.zkey");
    const { vkey } = await exportKeys({ zkeyPath, contract: "BeaconOnly", modelId: DEFAULT_MODEL_ID, shard: shard.index, log });
    assert.deepEqual(await attack({ zkeyPath, vkey: vkey as never }), { knowsDelta: true, secretContributions: 0, snarkjs: true, noble: true });
  });

  test("fails against the development ceremony's key the repository ships (4 secret contributions)", async () => {
    const zkeyPath = join(ROOT, shard.zkey.path);
    const vkey = JSON.parse(readFileSync(join(ROOT, shard.vkey.path), "utf8"));
    assert.deepEqual(await attack({ zkeyPath, vkey }), { knowsDelta: false, secretContributions: 4, snarkjs: false, noble: false });
  });

  test("through a deployed Solidity verifier: the beacon-only key's accepts the forgery, the ceremony key's refuses it", async () => {
    const { network } = await import("hardhat");
    const conn = await network.create();
    try {
      const publicClient = await conn.viem.getPublicClient();
      const [wallet] = await conn.viem.getWalletClients();
      const onChain = async (zkeyPath: string, contract: string) => {
        const { vkey, verifierSource } = await exportKeys({ zkeyPath, contract, modelId: DEFAULT_MODEL_ID, shard: shard.index, log });
        const { abi, bytecode } = compileVerifier({ source: verifierSource, contract });
        const hash = await wallet.deployContract({ abi, bytecode });
        const address = (await publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
        const { delta } = publicDeltaOf({ transcript: await readZkeyTranscript({ zkeyPath }) });
        const cd = toCalldata({ proof: forgeProof({ vkey: vkey as never, delta, publicSignals: signals }) as never, publicSignals: signals });
        return publicClient.readContract({ address, abi: iShardVerifierAbi, functionName: "verifyProof", args: [cd.a, cd.b, cd.c, cd.pubSignals] });
      };
      assert.equal(await onChain(join(dir, "beacon-only.zkey"), "BeaconOnlyVerifier"), true, "a beacon-only key's verifier pays for result 7");
      assert.equal(await onChain(join(ROOT, shard.zkey.path), "CeremonyVerifier"), false);
    } finally {
      await conn.close();
    }
  });

  test("fails against the same key finished with a chain's beacon (what deploy registers)", async () => {
    const zkeyPath = join(dir, "final.zkey");
    await applyBeacon({ inPath: join(ROOT, shard.zkey.path), outPath: zkeyPath, beaconHash: `0x${"ab".repeat(32)}`, log });
    const { vkey } = await exportKeys({ zkeyPath, contract: "Final", modelId: DEFAULT_MODEL_ID, shard: shard.index, log });
    assert.deepEqual(await attack({ zkeyPath, vkey: vkey as never }), { knowsDelta: false, secretContributions: 4, snarkjs: false, noble: false });
  });
});
