/**
 * npm run model:train [-- --model <id> ...]
 * Trains the shipped float models (all of MODEL_IDS by default) and writes
 * prover/models/<id>/float.json. Bit-reproducible: see train.ts.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { loadMnist } from "../data/mnist.ts";
import { floatModelUrl, MODEL_CONFIGS, MODEL_IDS, serializeFloatModel, trainMlp, type ModelId } from "./train.ts";

const logger = pino({ name: "model:train" });

export async function main({ args }: { args: string[] }): Promise<void> {
  const { values } = parseArgs({ args, options: { model: { type: "string", multiple: true } } });
  const ids = (values.model ?? [...MODEL_IDS]) as ModelId[];
  for (const id of ids) if (!MODEL_IDS.includes(id)) throw new Error(`unknown model ${id}; known: ${MODEL_IDS.join(", ")}`);
  const { train, test } = loadMnist();
  for (const id of ids) {
    const started = performance.now();
    const model = trainMlp({ config: MODEL_CONFIGS[id], train, test, logger });
    const seconds = (performance.now() - started) / 1000;
    const url = floatModelUrl(id);
    await mkdir(new URL("./", url), { recursive: true });
    await writeFile(url, serializeFloatModel(model));
    logger.info(
      { model: id, trainAccuracy: model.trainAccuracy, testAccuracy: model.testAccuracy, weightsSha256: model.weightsSha256, seconds, path: fileURLToPath(url) },
      "wrote float model",
    );
  }
}

main({ args: process.argv.slice(2) }).catch((error: unknown) => {
  logger.error({ err: error }, "model:train failed");
  process.exitCode = 1;
});
