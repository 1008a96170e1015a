/**
 * npm run model:check [-- --model <id> ...]
 * Reproducibility check: retrains every shipped model in memory from its seed and
 * fails unless the weights hash equals the one in prover/models/<id>/float.json
 * (which must also match the layers stored in that file).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { loadMnist } from "../data/mnist.ts";
import { floatModelUrl, MODEL_CONFIGS, MODEL_IDS, parseFloatModel, trainMlp, type ModelId } from "./train.ts";

const logger = pino({ name: "model:check" });

export class ModelCheckError extends Error {
  override name = "ModelCheckError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export async function main({ args }: { args: string[] }): Promise<void> {
  const { values } = parseArgs({ args, options: { model: { type: "string", multiple: true } } });
  const ids = (values.model ?? [...MODEL_IDS]) as ModelId[];
  for (const id of ids) if (!MODEL_IDS.includes(id)) throw new ModelCheckError(`unknown model ${id}; known: ${MODEL_IDS.join(", ")}`);
  const { train, test } = loadMnist();
  const failures: string[] = [];
  for (const id of ids) {
    const shipped = parseFloatModel(await readFile(floatModelUrl(id), "utf8"));
    const config = MODEL_CONFIGS[id];
    try {
      assert.equal(shipped.seed, config.seed);
      assert.deepStrictEqual(shipped.hyperparameters, config.hyperparameters);
    } catch (cause) {
      failures.push(id);
      logger.error({ model: id, err: cause }, "shipped seed/hyperparameters differ from MODEL_CONFIGS");
      continue;
    }
    const started = performance.now();
    const retrained = trainMlp({ config, train, test, logger, evaluateEveryEpoch: false });
    const seconds = (performance.now() - started) / 1000;
    const ok = retrained.weightsSha256 === shipped.weightsSha256;
    if (!ok) failures.push(id);
    logger[ok ? "info" : "error"](
      { model: id, shipped: shipped.weightsSha256, retrained: retrained.weightsSha256, testAccuracy: retrained.testAccuracy, seconds },
      ok ? "reproduced bit for bit" : "NOT reproducible: weights hash differs",
    );
  }
  if (failures.length > 0) throw new ModelCheckError(`not reproducible: ${failures.join(", ")}`);
}

main({ args: process.argv.slice(2) }).catch((error: unknown) => {
  logger.error({ err: error }, "model:check failed");
  process.exitCode = 1;
});
