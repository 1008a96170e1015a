/**
 * Minimal reader/writer for circom's binary witness (.wtns) held in memory, so tests
 * can tamper with individual witness entries and re-check the R1CS constraints.
 * Layout: "wtns" u32 version u32 nSections, then sections (u32 type, u64 size, data);
 * section 1 = (u32 n8, q: n8 bytes LE, u32 nWitness), section 2 = nWitness values of n8 bytes LE.
 */
import { readFileSync } from "node:fs";

export interface MemFile {
  type: "mem";
  data: Uint8Array;
}

function section2(data: Uint8Array): { offset: number; n8: number; count: number } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (String.fromCharCode(...data.subarray(0, 4)) !== "wtns") throw new Error("not a wtns file");
  const nSections = view.getUint32(8, true);
  let p = 12;
  let n8 = 0;
  let count = 0;
  for (let s = 0; s < nSections; s++) {
    const type = view.getUint32(p, true);
    const size = Number(view.getBigUint64(p + 4, true));
    const start = p + 12;
    if (type === 1) {
      n8 = view.getUint32(start, true);
      count = view.getUint32(start + 4 + n8, true);
    }
    if (type === 2) return { offset: start, n8, count };
    p = start + size;
  }
  throw new Error("wtns has no witness section");
}

export function readWitnessValue(file: MemFile, index: number): bigint {
  const { offset, n8, count } = section2(file.data);
  if (index < 0 || index >= count) throw new RangeError(`witness index ${index} out of range`);
  let v = 0n;
  for (let b = n8 - 1; b >= 0; b--) v = (v << 8n) | BigInt(file.data[offset + index * n8 + b]);
  return v;
}

/** A copy of the witness with entry `index` replaced by `value` (reduced mod nothing: pass a value < q). */
export function withWitnessValue(file: MemFile, index: number, value: bigint): MemFile {
  const data = new Uint8Array(file.data);
  const { offset, n8, count } = section2(data);
  if (index < 0 || index >= count) throw new RangeError(`witness index ${index} out of range`);
  let v = value;
  for (let b = 0; b < n8; b++) {
    data[offset + index * n8 + b] = Number(v & 0xffn);
    v >>= 8n;
  }
  return { type: "mem", data };
}

/** circom .sym: "labelId,witnessIndex,componentId,name" per line; witnessIndex −1 when optimised away. */
export function readSymbols(symPath: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of readFileSync(symPath, "utf8").split("\n")) {
    if (!line) continue;
    const [, w, , name] = line.split(",");
    map.set(name, Number(w));
  }
  return map;
}
