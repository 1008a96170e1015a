import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidRoutingInputError } from "./errors.ts";
import { addPenalty, createEwma, readEwma, readPenalty, updateEwma, ZERO_PENALTY } from "./ewma.ts";

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} vs ${b}`);

describe("ewma", () => {
  test("rejects a non-positive half-life and non-finite samples", () => {
    const e = createEwma({ priorValue: 10, nowMs: 0 });
    assert.throws(() => updateEwma({ ewma: e, value: 1, nowMs: 1, halfLifeMs: 0 }), InvalidRoutingInputError);
    assert.throws(() => updateEwma({ ewma: e, value: NaN, nowMs: 1, halfLifeMs: 100 }), InvalidRoutingInputError);
    assert.throws(() => createEwma({ priorValue: 1, priorWeight: 0, nowMs: 0 }), InvalidRoutingInputError);
  });
  test("the prior counts as priorWeight samples", () => {
    const e = updateEwma({ ewma: createEwma({ priorValue: 10, nowMs: 0 }), value: 30, nowMs: 0, halfLifeMs: 1000 });
    close(readEwma({ ewma: e }), 20);
  });
  test("a sample's weight halves every halfLifeMs", () => {
    let e = createEwma({ priorValue: 0, priorWeight: 1e-12, nowMs: 0 });
    e = updateEwma({ ewma: e, value: 10, nowMs: 0, halfLifeMs: 1000 });
    e = updateEwma({ ewma: e, value: 40, nowMs: 1000, halfLifeMs: 1000 });
    close(readEwma({ ewma: e }), (10 * 0.5 + 40) / 1.5, 1e-6);
  });
  test("tracks a step change: a 10× slower node is recognised within a few samples", () => {
    let e = createEwma({ priorValue: 10, nowMs: 0 });
    for (let t = 0; t < 3; t++) e = updateEwma({ ewma: e, value: 100, nowMs: t * 20, halfLifeMs: 2000 });
    assert.ok(readEwma({ ewma: e }) > 75);
  });
  test("out-of-order samples count as now", () => {
    const e = updateEwma({ ewma: createEwma({ priorValue: 10, nowMs: 500 }), value: 20, nowMs: 100, halfLifeMs: 1000 });
    assert.equal(e.atMs, 500);
    close(readEwma({ ewma: e }), 15);
  });
});

describe("penalty", () => {
  test("adds per kind, decays by half per half-life, is capped", () => {
    const config = { errorPenaltyMs: 100, timeoutPenaltyMs: 300, halfLifeMs: 1000, maxPenaltyMs: 500 };
    let p = addPenalty({ penalty: ZERO_PENALTY, kind: "error", nowMs: 0, config });
    close(readPenalty({ penalty: p, nowMs: 0, halfLifeMs: 1000 }), 100);
    close(readPenalty({ penalty: p, nowMs: 1000, halfLifeMs: 1000 }), 50);
    p = addPenalty({ penalty: p, kind: "timeout", nowMs: 1000, config });
    close(readPenalty({ penalty: p, nowMs: 1000, halfLifeMs: 1000 }), 350);
    p = addPenalty({ penalty: p, kind: "timeout", nowMs: 1000, config });
    close(readPenalty({ penalty: p, nowMs: 1000, halfLifeMs: 1000 }), 500);
    assert.ok(readPenalty({ penalty: p, nowMs: 20_000, halfLifeMs: 1000 }) < 0.001);
  });
});
