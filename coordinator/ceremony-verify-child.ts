/**
 * Child process of coordinator/ceremony-verify.ts: runs `zkey verify` (prover/ceremony/verify-zkey.ts
 * `verifyZkeyFromInit`) on the zkeys it is sent, one after the other, answers, and exits. snarkjs's
 * CPU-bound work and its thread pool live and die with this process, never in the coordinator's.
 *
 * Request  (IPC): { items: [{ initialZkeyPath, ptauPath, zkeyPath }] }
 * Answer   (IPC): { ok: true, ms: number[] } | { ok: false, index, name, message }
 */
import { pino } from "pino";
import { verifyZkeyFromInit } from "../prover/ceremony/verify-zkey.ts";

type Item = { initialZkeyPath: string; ptauPath: string; zkeyPath: string };

const log = pino({ level: "silent" });

process.once("message", async (msg: { items: Item[] }) => {
  const ms: number[] = [];
  let answer: Record<string, unknown>;
  let index = 0;
  try {
    for (; index < msg.items.length; index++) ms.push((await verifyZkeyFromInit({ ...msg.items[index], log })).ms);
    answer = { ok: true, ms };
  } catch (err) {
    const e = err as { name?: string; message?: string };
    answer = { ok: false, index, name: e.name ?? "Error", message: e.message ?? String(err) };
  }
  process.send!(answer, () => process.exit(0));
});
