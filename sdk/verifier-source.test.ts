/**
 * The verifier rendered from a vkey (what `proofmesh audit <jobId>` compiles) is byte for byte the
 * one prover/ceremony/export-keys.ts exports from the zkey (what the finalizer deploys), and the
 * runtime-code comparison tells "same code" from "same code, other solc metadata" from "other code".
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";

import { pino } from "pino";

import { compileVerifier } from "../deploy/compile-verifier.ts";
import { exportKeys } from "../prover/ceremony/export-keys.ts";
import { getModelManifest } from "../prover/manifest.ts";
import { DEFAULT_MODEL_ID, verifierContractName } from "../prover/models/config.ts";
import { ROOT } from "../prover/paths.ts";
import { releaseProverThreads } from "../prover/release.ts";
import { compareRuntimeCode, verifierSourceFromVkey } from "./verifier-source.ts";

const log = pino({ level: "silent" });

describe("verifierSourceFromVkey / compareRuntimeCode", { timeout: 120_000 }, () => {
  after(() => releaseProverThreads());
  const shard = getModelManifest({ modelId: DEFAULT_MODEL_ID }).shards.at(-1)!;
  const contract = verifierContractName({ modelId: DEFAULT_MODEL_ID, shard: shard.index });

  it("renders exactly export-keys.ts's verifier of the same key", async () => {
    const keys = await exportKeys({ zkeyPath: path.join(ROOT, shard.zkey.path), contract, modelId: DEFAULT_MODEL_ID, shard: shard.index, log });
    const fromVkey = verifierSourceFromVkey({ vkey: JSON.parse(keys.vkeyJson) as Record<string, unknown>, contract, modelId: DEFAULT_MODEL_ID, shard: shard.index });
    assert.equal(fromVkey, keys.verifierSource);
    // and the committed development verifier is that same file
    assert.equal(fromVkey, readFileSync(path.join(ROOT, shard.verifier.path), "utf8"));
  });

  it("refuses a key that is not Groth16", () => {
    assert.throws(() => verifierSourceFromVkey({ vkey: { protocol: "plonk" }, contract, modelId: DEFAULT_MODEL_ID, shard: 1 }), /not groth16/);
  });

  it("compares runtime code: exact, apart from the metadata, different", () => {
    const vkey = JSON.parse(readFileSync(path.join(ROOT, shard.vkey.path), "utf8")) as Record<string, unknown>;
    const source = verifierSourceFromVkey({ vkey, contract, modelId: DEFAULT_MODEL_ID, shard: shard.index });
    const a = compileVerifier({ source, contract }).deployedBytecode;
    const b = compileVerifier({ source: `${source}\n// another file, same code\n`, contract }).deployedBytecode;
    assert.notEqual(a, b, "the metadata hash covers the source text");
    assert.equal(compareRuntimeCode({ onChain: a, compiled: a }), "exact");
    assert.equal(compareRuntimeCode({ onChain: a.toUpperCase().replace("0X", "0x"), compiled: a }), "exact");
    assert.equal(compareRuntimeCode({ onChain: b, compiled: a }), "metadata");
    const other = getModelManifest({ modelId: DEFAULT_MODEL_ID }).shards[0]!;
    const c = compileVerifier({ source: readFileSync(path.join(ROOT, other.verifier.path), "utf8"), contract: other.verifier.contract }).deployedBytecode;
    assert.equal(compareRuntimeCode({ onChain: c, compiled: a }), "different");
    assert.equal(compareRuntimeCode({ onChain: "0x", compiled: a }), "different");
    assert.equal(compareRuntimeCode({ onChain: "0x", compiled: "0x" }), "different");
    // the same code with its metadata cut off, or another tail that is not solc metadata, is not accepted
    const n = parseInt(a.slice(-4), 16);
    assert.equal(compareRuntimeCode({ onChain: a.slice(0, a.length - 4 - 2 * n), compiled: a }), "different");
    assert.equal(compareRuntimeCode({ onChain: `${a.slice(0, a.length - 4 - 2 * n)}00${a.slice(a.length - 2 - 2 * n)}`, compiled: a }), "different");
  });
});
