import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildTopology, DEFAULT_SIM_CONFIG, runSim, type SimConfig } from "./sim-routing.ts";

const small: SimConfig = { ...DEFAULT_SIM_CONFIG, clusters: 2, nodesPerCluster: 16, targetReplicas: 5, durationMs: 4_000, deathAtMs: 1_500, bruteForceEvery: 50 };

describe("sim-routing (small)", () => {
  const topology = buildTopology({ config: small });
  const faults = { slow: true, dying: true };
  test("deterministic, no leaks, every request answered or failed, DP matches brute force", () => {
    const a = runSim({ config: small, topology, strategy: "router", faults });
    const b = runSim({ config: small, topology, strategy: "router", faults });
    assert.deepEqual({ ...a, wallMs: 0 }, { ...b, wallMs: 0 });
    assert.deepEqual(a.leaks, { inFlight: 0, unaccounted: 0 });
    assert.equal(a.bruteForce!.mismatches, 0);
    assert.ok(a.bruteForce!.checks > 0);
    assert.ok(a.chosenOverOptimum!.max <= 1.05 + 1e-9);
    assert.ok(a.deathDetection && a.deathDetection.afterLastHeartbeatMs <= 1500);
    assert.equal(a.clientFailures, 0);
  });
  test("the router beats round-robin and random on p99 with a slow node", () => {
    const router = runSim({ config: small, topology, strategy: "router", faults });
    for (const strategy of ["round-robin", "random"] as const) {
      const r = runSim({ config: small, topology, strategy, faults });
      assert.deepEqual(r.leaks, { inFlight: 0, unaccounted: 0 });
      assert.ok(router.p99Ms < r.p99Ms, `${strategy}: ${r.p99Ms} vs router ${router.p99Ms}`);
    }
  });
});
