import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidRoutingInputError } from "./errors.ts";
import { createHealth, DEFAULT_HEALTH_CONFIG, healthAt, observeHealth, type HealthRecord } from "./health.ts";
import { createRng } from "./rng.ts";

const beat = (record: HealthRecord, nowMs: number) => observeHealth({ record, event: { kind: "heartbeat" }, nowMs });

describe("health: config", () => {
  test("rejects timings out of order", () => {
    const record = createHealth({ nowMs: 0 });
    assert.throws(() => healthAt({ record, nowMs: 1, config: { ...DEFAULT_HEALTH_CONFIG, deadAfterMs: 500 } }), InvalidRoutingInputError);
    assert.throws(() => observeHealth({ record, nowMs: 1, config: { ...DEFAULT_HEALTH_CONFIG, failuresToDead: 0 } }), InvalidRoutingInputError);
  });
});

describe("health: silence", () => {
  test("regular heartbeats with ±40 ms jitter and gossip delay stay alive", () => {
    const rand = createRng({ seed: 1 });
    let r = createHealth({ nowMs: 0 });
    for (let t = 250; t < 60_000; t += 250) {
      const at = t + (rand() - 0.5) * 80 + rand() * 30;
      assert.equal(healthAt({ record: r, nowMs: at }), "alive");
      r = beat(r, at);
    }
  });
  test("a killed node is suspect at 600 ms and dead within 1.5 s of its last heartbeat (evaluated every 50 ms)", () => {
    const r = beat(createHealth({ nowMs: 9_750 }), 10_000);
    let suspectAt = -1;
    let deadAt = -1;
    for (let t = 10_000; t < 14_000; t += 50) {
      const s = healthAt({ record: r, nowMs: t });
      if (s === "suspect" && suspectAt < 0) suspectAt = t;
      if (s === "dead") {
        deadAt = t;
        break;
      }
    }
    assert.equal(suspectAt - 10_000, 600);
    assert.equal(deadAt - 10_000, 1200);
    assert.ok(deadAt - 10_000 <= 1500);
  });
  test("a suspect (silent) node recovers on its next heartbeat", () => {
    let r = beat(createHealth({ nowMs: 0 }), 0);
    r = observeHealth({ record: r, nowMs: 800 });
    assert.equal(r.state, "suspect");
    r = beat(r, 900);
    assert.equal(r.state, "alive");
  });
});

describe("health: failures accelerate", () => {
  test("one failed request → suspect, two → dead, even while heartbeating", () => {
    let r = beat(createHealth({ nowMs: 0 }), 100);
    r = observeHealth({ record: r, event: { kind: "request-failed" }, nowMs: 110 });
    assert.equal(r.state, "suspect");
    r = observeHealth({ record: r, event: { kind: "request-timeout" }, nowMs: 120 });
    assert.equal(r.state, "dead");
  });
  test("silent past the suspect threshold + one failed probe → dead before 1200 ms", () => {
    let r = beat(createHealth({ nowMs: 0 }), 0);
    r = observeHealth({ record: r, event: { kind: "probe-failed" }, nowMs: 650 });
    assert.equal(r.state, "dead");
  });
  test("a success clears a failure-caused suspicion", () => {
    let r = observeHealth({ record: createHealth({ nowMs: 0 }), event: { kind: "request-failed" }, nowMs: 10 });
    assert.equal(r.state, "suspect");
    r = beat(r, 20);
    assert.equal(r.state, "suspect", "a heartbeat alone does not clear a failed request");
    r = observeHealth({ record: r, event: { kind: "probe-ok" }, nowMs: 30 });
    assert.equal(r.state, "alive");
  });
});

describe("health: recovery from dead", () => {
  test("dead is sticky: one heartbeat is not enough, two are", () => {
    let r = observeHealth({ record: beat(createHealth({ nowMs: 0 }), 0), nowMs: 2000 });
    assert.equal(r.state, "dead");
    r = beat(r, 5000);
    assert.equal(r.state, "dead");
    assert.equal(healthAt({ record: r, nowMs: 5100 }), "dead");
    r = beat(r, 5250);
    assert.equal(r.state, "alive");
    assert.equal(healthAt({ record: r, nowMs: 5300 }), "alive");
  });
  test("a heartbeat ending a long silence finds the node dead first", () => {
    const r = beat(beat(createHealth({ nowMs: 0 }), 0), 3000); // no tick in between
    assert.equal(r.state, "dead");
  });
  test("dead by failures while heartbeating needs a successful probe", () => {
    let r = createHealth({ nowMs: 0 });
    r = observeHealth({ record: r, event: { kind: "request-failed" }, nowMs: 1 });
    r = observeHealth({ record: r, event: { kind: "request-failed" }, nowMs: 2 });
    for (let t = 250; t <= 2000; t += 250) r = beat(r, t);
    assert.equal(r.state, "dead");
    r = observeHealth({ record: r, event: { kind: "probe-ok" }, nowMs: 2010 });
    assert.equal(r.state, "alive");
  });
});
