import { readFileSync } from "node:fs";
import type { pino } from "pino";
import { loadMnist } from "../data/mnist.ts";
import { MODELS, type ModelConfig } from "../models/config.ts";
import { floatModelPath } from "../paths.ts";
import { predictFloat } from "../model/train.ts";
import { quantizeModel } from "../quant/quantize.ts";
import type { FloatLayer } from "../model/train.ts";
import { argmax, runIntLayers } from "../quant/reference.ts";
import type { IntModel } from "../quant/semantics.ts";

export interface QuantizedModel {
  config: ModelConfig;
  model: IntModel;
  activationMax: number[];
  report: {
    testDigits: number;
    floatAccuracy: number;
    intAccuracy: number;
    /** share of held-out digits on which float and integer argmax agree */
    argmaxAgreement: number;
  };
}

/** Quantizes every shipped float model (calibrated on the training split) and evaluates it on the held-out split. */
export function quantizeModels({ log }: { log: pino.Logger }): QuantizedModel[] {
  const { train, test } = loadMnist();
  return MODELS.map((config) => {
    const float = JSON.parse(readFileSync(floatModelPath(config.id), "utf8")) as { layers: FloatLayer[] };
    const { model, activationMax } = quantizeModel({ id: config.id, layers: float.layers, calibration: train.map((s) => s.pixels) });
    let floatOk = 0;
    let intOk = 0;
    let agree = 0;
    for (const s of test) {
      const f = predictFloat({ layers: float.layers, pixels: s.pixels }).label;
      const q = argmax(runIntLayers({ layers: model.layers, input: Array.from(s.pixels) }));
      if (f === s.label) floatOk++;
      if (q === s.label) intOk++;
      if (f === q) agree++;
    }
    const report = { testDigits: test.length, floatAccuracy: floatOk / test.length, intAccuracy: intOk / test.length, argmaxAgreement: agree / test.length };
    log.info({ model: config.id, ...report, shifts: model.layers.map((l) => l.shift) }, "quantized");
    return { config, model, activationMax, report };
  });
}
