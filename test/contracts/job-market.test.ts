// End-to-end protocol tests from TypeScript (viem + node:test) against the in-process network.
// Run: node_modules/.bin/node --test test/contracts/*.test.ts   (after `npx hardhat build`)
//  or: npx hardhat test nodejs test/contracts/job-market.test.ts
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { keccak256, parseEther, stringToBytes } from "viem";
import type { Hex } from "viem";

import { bindingOf, jobIdOf, R, signJobRequest } from "../../deploy/jobs.ts";
import type { JobRequest } from "../../deploy/jobs.ts";
import { MODEL, PRICE0, PRICE1, setup } from "./fixture.ts";

type Ctx = Awaited<ReturnType<typeof setup>>;
const proof = (salt: bigint) =>
  ({
    a: [salt, 2n] as const,
    b: [
      [3n, 4n],
      [5n, 6n],
    ] as const,
    c: [7n, 8n] as const,
  }) as const;

describe("JobMarket (viem, in-process network)", () => {
  let t: Ctx;
  let snapshot: { restore: () => Promise<void> };

  before(async () => {
    t = await setup();
    snapshot = await t.networkHelpers.takeSnapshot();
  });
  after(async () => {
    await t.conn.close();
  });

  let nextNonce = 0n;
  async function request(overrides: Partial<JobRequest> = {}): Promise<JobRequest> {
    const now = await t.networkHelpers.time.latest();
    const nonce = nextNonce++;
    return {
      dApp: t.dApp.account.address,
      modelId: MODEL,
      inputCommitment: BigInt(keccak256(stringToBytes(`in${nonce}`))) % R,
      maxFee: parseEther("10"),
      deadline: BigInt(now) + 3600n,
      nonce,
      clusterId: 1,
      ...overrides,
    };
  }
  const sign = (req: JobRequest, wallet = t.dApp) =>
    signJobRequest({ walletClient: wallet, chainId: t.chainId, jobMarket: t.market.address, request: req });
  const binding = (jobId: bigint, stage: number, prover: Hex) =>
    bindingOf({ chainId: t.chainId, jobMarket: t.market.address, jobId, stage, prover });

  async function createAssigned(req?: JobRequest) {
    const r = req ?? (await request());
    await t.market.write.createAndAssign([r, await sign(r), [t.idOf(t.op1), t.idOf(t.op2)]]);
    return { req: r, jobId: jobIdOf(r) };
  }
  function submit(w: Ctx["op1"], jobId: bigint, stage: number, pub: readonly [bigint, bigint, bigint, bigint], salt = 1n) {
    const p = proof(salt);
    return t.market.write.submitStage([jobId, BigInt(stage), p.a, p.b, p.c, pub], { account: w.account });
  }

  it("settles a signed 2-stage job, pays as proven and exposes the verified result", async () => {
    await snapshot.restore();
    const before = await t.market.read.balanceOf([t.dApp.account.address]);
    const { req, jobId } = await createAssigned();
    assert.equal(await t.market.read.jobIdOf([req.dApp, req.nonce]), jobId);
    await submit(t.op1, jobId, 0, [req.inputCommitment, 111n, binding(jobId, 0, t.op1.account.address), 0n]);
    await t.viem.assertions.emitWithArgs(
      submit(t.op2, jobId, 1, [111n, 222n, binding(jobId, 1, t.op2.account.address), 42n]),
      t.market,
      "JobSettled",
      [jobId, 42n, t.deployment.params.coordinatorFee],
    );
    assert.equal(await t.market.read.resultOf([jobId]), 42n);
    assert.equal(await t.market.read.balanceOf([t.op1.account.address]), PRICE0);
    assert.equal(await t.market.read.balanceOf([t.op2.account.address]), PRICE1);
    const cost = PRICE0 + PRICE1 + t.deployment.params.coordinatorFee;
    assert.equal(await t.market.read.balanceOf([t.dApp.account.address]), before - cost);
    assert.equal(await t.market.read.bindingOf([jobId, 1n, t.op2.account.address]), binding(jobId, 1, t.op2.account.address));
    // pull payment
    await t.market.write.withdraw([PRICE0], { account: t.op1.account });
    assert.equal(await t.token.read.balanceOf([t.op1.account.address]), PRICE0);
  });

  it("viem's EIP-712 digest equals the contract's", async () => {
    const req = await request();
    const onChain = await t.market.read.hashJobRequest([req]);
    const { hashTypedData } = await import("viem");
    const { jobMarketDomain, jobRequestTypes } = await import("../../deploy/jobs.ts");
    const off = hashTypedData({ domain: jobMarketDomain({ chainId: t.chainId, jobMarket: t.market.address }), types: jobRequestTypes, primaryType: "JobRequest", message: req });
    assert.equal(onChain, off);
  });

  describe("attacks that must fail", () => {
    it("signed request replayed (same nonce)", async () => {
      await snapshot.restore();
      const req = await request();
      const sig = await sign(req);
      await t.market.write.createJobFor([req, sig]);
      await t.viem.assertions.revertWithCustomErrorWithArgs(t.market.write.createJobFor([req, sig]), t.market, "JobMarket_NonceUsed", [req.dApp, req.nonce]);
    });

    it("signed request tampered or signed by someone else", async () => {
      const req = await request();
      const sig = await sign(req);
      await t.viem.assertions.revertWithCustomErrorWithArgs(
        t.market.write.createJobFor([{ ...req, maxFee: parseEther("99") }, sig]),
        t.market,
        "JobMarket_InvalidSignature",
        [req.dApp],
      );
      await t.viem.assertions.revertWithCustomErrorWithArgs(t.market.write.createJobFor([req, await sign(req, t.op1)]), t.market, "JobMarket_InvalidSignature", [req.dApp]);
    });

    it("expired deadline (create and prove)", async () => {
      const now = BigInt(await t.networkHelpers.time.latest());
      const req = await request({ deadline: now });
      await t.viem.assertions.revertWithCustomError(t.market.write.createJobFor([req, await sign(req)]), t.market, "JobMarket_BadDeadline");
      const { req: r2, jobId } = await createAssigned();
      await t.networkHelpers.time.increaseTo(r2.deadline + 1n);
      await t.viem.assertions.revertWithCustomErrorWithArgs(
        submit(t.op1, jobId, 0, [r2.inputCommitment, 1n, binding(jobId, 0, t.op1.account.address), 0n]),
        t.market,
        "JobMarket_DeadlinePassed",
        [jobId, r2.deadline],
      );
    });

    it("proof copied by another node / bound to another prover", async () => {
      await snapshot.restore();
      const { req, jobId } = await createAssigned();
      const pub = [req.inputCommitment, 111n, binding(jobId, 0, t.op1.account.address), 0n] as const;
      await t.viem.assertions.revertWithCustomErrorWithArgs(submit(t.op2, jobId, 0, pub), t.market, "JobMarket_NotAssignedNode", [jobId, 0n, t.op2.account.address]);
      const stolen = [req.inputCommitment, 111n, binding(jobId, 0, t.op2.account.address), 0n] as const;
      await t.viem.assertions.revertWithCustomErrorWithArgs(submit(t.op1, jobId, 0, stolen), t.market, "JobMarket_BindingMismatch", [jobId, 0n, pub[2], stolen[2]]);
    });

    it("replay on another job", async () => {
      const a = await createAssigned();
      const b = await createAssigned(await request({ inputCommitment: a.req.inputCommitment }));
      const pubA = [a.req.inputCommitment, 111n, binding(a.jobId, 0, t.op1.account.address), 0n] as const;
      await submit(t.op1, a.jobId, 0, pubA);
      await t.viem.assertions.revertWithCustomError(submit(t.op1, b.jobId, 0, pubA), t.market, "JobMarket_BindingMismatch");
    });

    it("re-randomised proof on a done stage and on a settled job fails by state", async () => {
      await snapshot.restore();
      const { req, jobId } = await createAssigned();
      const pub0 = [req.inputCommitment, 111n, binding(jobId, 0, t.op1.account.address), 0n] as const;
      await submit(t.op1, jobId, 0, pub0, 1n);
      await t.viem.assertions.revertWithCustomErrorWithArgs(submit(t.op1, jobId, 0, pub0, 777n), t.market, "JobMarket_StageOutOfOrder", [jobId, 1n, 0n]);
      const pub1 = [111n, 222n, binding(jobId, 1, t.op2.account.address), 5n] as const;
      await submit(t.op2, jobId, 1, pub1, 1n);
      // settling twice: same statement, new proof bytes
      await t.viem.assertions.revertWithCustomErrorWithArgs(submit(t.op2, jobId, 1, pub1, 999n), t.market, "JobMarket_WrongStatus", [jobId, 3]);
      await t.networkHelpers.time.increase(7200);
      await t.viem.assertions.revertWithCustomErrorWithArgs(t.market.write.expire([jobId]), t.market, "JobMarket_WrongStatus", [jobId, 3]);
      assert.equal(await t.market.read.balanceOf([t.op2.account.address]), PRICE1);
    });

    it("public input >= r (each position, r and r + x)", async () => {
      await snapshot.restore();
      const { req, jobId } = await createAssigned();
      const good = [req.inputCommitment, 111n, binding(jobId, 0, t.op1.account.address), 0n] as const;
      for (let i = 0; i < 4; i++) {
        for (const bad of [R, R + good[i]!]) {
          const pub = [...good] as [bigint, bigint, bigint, bigint];
          pub[i] = bad;
          await t.viem.assertions.revertWithCustomErrorWithArgs(submit(t.op1, jobId, 0, pub), t.market, "JobMarket_PublicInputOutOfField", [BigInt(i), bad]);
        }
      }
    });

    it("stages out of order or unlinked", async () => {
      const { req, jobId } = await createAssigned();
      await t.viem.assertions.revertWithCustomErrorWithArgs(submit(t.op2, jobId, 1, [111n, 222n, binding(jobId, 1, t.op2.account.address), 1n]), t.market, "JobMarket_StageOutOfOrder", [jobId, 0n, 1n]);
      await submit(t.op1, jobId, 0, [req.inputCommitment, 111n, binding(jobId, 0, t.op1.account.address), 0n]);
      await t.viem.assertions.revertWithCustomErrorWithArgs(submit(t.op2, jobId, 1, [112n, 222n, binding(jobId, 1, t.op2.account.address), 1n]), t.market, "JobMarket_InCommitMismatch", [jobId, 1n, 111n, 112n]);
    });

    it("verifier returning false", async () => {
      await snapshot.restore();
      const { req, jobId } = await createAssigned();
      await t.v0.write.setAnswer([false]);
      await t.viem.assertions.revertWithCustomErrorWithArgs(submit(t.op1, jobId, 0, [req.inputCommitment, 111n, binding(jobId, 0, t.op1.account.address), 0n]), t.market, "JobMarket_InvalidProof", [jobId, 0n]);
    });

    it("assigning an unstaked, foreign-cluster or unbonding node", async () => {
      await snapshot.restore();
      const req = await request();
      await t.market.write.createJobFor([req, await sign(req)]);
      const jobId = jobIdOf(req);
      await t.viem.assertions.revertWithCustomError(t.market.write.assign([jobId, [t.idOf(t.op1), t.idOf(t.outsider)]]), t.stake, "StakeRegistry_InsufficientStake");
      await t.viem.assertions.revertWithCustomErrorWithArgs(t.market.write.assign([jobId, [t.idOf(t.op3), t.idOf(t.op1)]]), t.stake, "StakeRegistry_NotInCluster", [t.idOf(t.op3), 1]);
      await t.stake.write.requestUnbonding([1n], { account: t.op2.account });
      await t.viem.assertions.revertWithCustomErrorWithArgs(t.market.write.assign([jobId, [t.idOf(t.op1), t.idOf(t.op2)]]), t.stake, "StakeRegistry_NodeUnbonding", [t.idOf(t.op2), 1n]);
    });

    it("withdrawing during unbonding to dodge a slash", async () => {
      await snapshot.restore();
      const { req, jobId } = await createAssigned();
      await t.viem.assertions.revertWithCustomErrorWithArgs(t.stake.write.requestUnbonding([parseEther("200")], { account: t.op1.account }), t.stake, "StakeRegistry_StakeLocked", [t.idOf(t.op1), 1n]);
      await t.networkHelpers.time.increaseTo(req.deadline + 1n);
      await t.market.write.expire([jobId]);
      const node = await t.stake.read.getNode([t.idOf(t.op1)]);
      assert.equal(node.stake, parseEther("200") - t.deployment.params.slashAmount);
      await t.stake.write.requestUnbonding([node.stake], { account: t.op1.account });
      await t.viem.assertions.revertWithCustomError(t.stake.write.withdraw({ account: t.op1.account }), t.stake, "StakeRegistry_UnbondingNotFinished");
    });
  });
});
