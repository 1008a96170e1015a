/**
 * The models ProofMesh ships, and where each is cut into pipeline shards.
 * A shard is a contiguous layer range [from, to).
 */
export interface ModelConfig {
  id: string;
  /** hidden layer widths; input 784, output 10 */
  hidden: number[];
  shards: [from: number, to: number][];
  /** the default pipeline model (the demo, the node and the SDK use it) */
  default: boolean;
}

export const MODELS: readonly ModelConfig[] = [
  { id: "mnist-mlp-784-64-32-10", hidden: [64, 32], shards: [[0, 1], [1, 3]], default: true },
  // The architecture public zkML benchmarks use, proven whole for comparison.
  { id: "mnist-mlp-784-56-10", hidden: [56], shards: [[0, 2]], default: false },
];

export const DEFAULT_MODEL_ID = MODELS.find((m) => m.default)!.id;

/** "mnist-mlp-784-64-32-10", 0 → "MnistMlp784x64x32x10Shard0Verifier" */
export function verifierContractName({ modelId, shard }: { modelId: string; shard: number }): string {
  let name = "";
  let prevNumeric = false;
  for (const w of modelId.split("-")) {
    const numeric = /^\d+$/.test(w);
    name += numeric ? (prevNumeric ? "x" : "") + w : w[0].toUpperCase() + w.slice(1);
    prevNumeric = numeric;
  }
  return `${name}Shard${shard}Verifier`;
}
