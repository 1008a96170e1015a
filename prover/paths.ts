import { join, resolve } from "node:path";

/** Repository root (this file lives in prover/). */
export const ROOT = resolve(import.meta.dirname, "..");

export const PTAU_PATH = join(ROOT, "circuits/ptau/pot14_final.ptau");
export const MANIFEST_PATH = join(ROOT, "prover/models/manifest.json");

export const modelDir = (modelId: string) => join(ROOT, "prover/models", modelId);
export const floatModelPath = (modelId: string) => join(modelDir(modelId), "float.json");
export const intModelPath = (modelId: string) => join(modelDir(modelId), "int.json");
export const onnxPath = (modelId: string, shard: number) => join(modelDir(modelId), `shard${shard}.onnx`);
export const circomPath = (modelId: string, shard: number) => join(ROOT, "circuits/generated", modelId, `shard${shard}.circom`);
export const buildDir = (modelId: string, shard: number) => join(ROOT, "circuits/build", modelId, `shard${shard}`);
export const vkeyPath = (modelId: string, shard: number) => join(ROOT, "circuits/keys", modelId, `shard${shard}.vkey.json`);
export const verifierPath = (contractName: string) => join(ROOT, "contracts/verifiers", `${contractName}.sol`);
/** The repository's development phase-2 ceremony (committed, like the powers of tau): contributed zkeys + record. */
export const devCeremonyDir = (modelId: string) => join(ROOT, "circuits/ceremony", modelId);
export const devCeremonyZkeyPath = (modelId: string, shard: number) => join(devCeremonyDir(modelId), `shard${shard}.zkey`);
export const devCeremonyRecordPath = (modelId: string) => join(devCeremonyDir(modelId), "record.json");
