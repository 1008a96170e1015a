/**
 * Seeded generators and the shared runner for the HTTP fuzz tests (coordinator/fuzz.test.ts,
 * node/daemon/fuzz.test.ts). Not a test file.
 *
 * Every random choice comes from one seeded PRNG (coordinator/routing/rng.ts), so a failure is
 * reproduced by re-running with the printed seed: `PROOFMESH_FUZZ_SEED=<seed> node --test <file>`.
 *
 * A case is one HTTP request that MUST be rejected: the runner checks a 4xx status, a JSON
 * ApiError body `{ statusCode, code, error, message }` with a stable code (never INTERNAL), a
 * specific message, and the case's own expected codes / message pattern. Bodies are built from
 * a JS value with {@link raw} splices for what JSON.stringify cannot produce (NaN, Infinity,
 * 1e999, 0x10, deeply nested text, duplicated keys, ...).
 */
import assert from "node:assert/strict";
import { readEnv } from "../../config/env.ts";
import { createRng } from "../../coordinator/routing/rng.ts";

// ------------------------------------------------------------------------------------ seed, PRNG

/** The fuzz seed: PROOFMESH_FUZZ_SEED when set (decimal), else `fallback` (fixed, so CI is deterministic). */
export function fuzzSeed(fallback: number): number {
  const v = readEnv().PROOFMESH_FUZZ_SEED;
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`PROOFMESH_FUZZ_SEED must be an integer in [0, 2^32), got ${JSON.stringify(v)}`);
  return n;
}

export type Fuzz = ReturnType<typeof createFuzz>;

export function createFuzz(seed: number) {
  const next = createRng({ seed });
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
  const chance = (p: number) => next() < p;
  const fromAlphabet = (n: number, alphabet: string) => {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[int(0, alphabet.length - 1)];
    return s;
  };
  const hex = (nibbles: number) => fromAlphabet(nibbles, "0123456789abcdef");
  /** A random decimal string of exactly `digits` digits (canonical: no leading zero). */
  const decimal = (digits: number) => (digits <= 1 ? String(int(0, 9)) : String(int(1, 9)) + fromAlphabet(digits - 1, "0123456789"));
  const bigBelow = (limit: bigint) => {
    let v = 0n;
    for (let i = 0; i < 9; i++) v = (v << 32n) | BigInt(int(0, 0xffffffff));
    return v % limit;
  };
  const bytes = (n: number) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = int(0, 255);
    return b;
  };
  /** Printable ASCII plus a few troublemakers (quotes, backslash, NUL, controls, non-BMP). */
  const nastyString = (n: number) => {
    const parts = ["a", "Z", "0", "9", " ", '"', "\\", "/", "\u0000", "\n", "\t", "\u007f", "é", "ß", "\u202e", "\ud83d\ude00", "\ud800", "%", "&", "=", "?", "#", "{", "}", "[", "]", ","];
    let s = "";
    for (let i = 0; i < n; i++) s += pick(parts);
    return s;
  };
  /** {@link nastyString} that is never a canonical integer ("9" → "9~"): safe where an integer / decimal is valid. */
  const nastyNonInteger = (n: number) => {
    const str = nastyString(n);
    return /^(0|-?[1-9][0-9]*)$/.test(str) ? `${str}~` : str;
  };
  /** A random JSON value (no guarantee of anything). */
  const jsonValue = (depth = 0): unknown => {
    const k = int(0, depth > 3 ? 5 : 7);
    switch (k) {
      case 0:
        return null;
      case 1:
        return chance(0.5);
      case 2:
        return pick([0, -1, 1, 255, 256, 1.5, -0.5, 2 ** 53, -(2 ** 53), 1e308, -1e308, int(-1e9, 1e9)]);
      case 3:
        return nastyString(int(0, 12));
      case 4:
        return pick(["", "0", "1", "0x", `0x${hex(40)}`, `0x${hex(64)}`, `0x${hex(130)}`, decimal(int(1, 80))]);
      case 5:
        return int(0, 1e6);
      case 6:
        return Array.from({ length: int(0, 4) }, () => jsonValue(depth + 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = 0, n = int(0, 4); i < n; i++) o[pick(["a", "request", "input", "signature", "stage", "route", "x", nastyString(3)])] = jsonValue(depth + 1);
        return o;
      }
    }
  };
  return { seed, next, int, pick, chance, fromAlphabet, hex, decimal, bigBelow, bytes, nastyString, nastyNonInteger, jsonValue };
}

// ------------------------------------------------------------------------------------ raw JSON splices

/** A piece of raw JSON text spliced into an encoded body where a value would go. */
export class Raw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}
export const raw = (text: string) => new Raw(text);

/** JSON.stringify with {@link Raw} values spliced in verbatim. */
export function encodeBody(value: unknown): string {
  const splices: string[] = [];
  const text: string | undefined = JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Raw) {
      splices.push(v.text);
      return `\u0000RAW${splices.length - 1}\u0000`;
    }
    return v;
  });
  if (value instanceof Raw) return value.text;
  if (text === undefined) return "";
  return text.replace(/"\\u0000RAW(\d+)\\u0000"/g, (_m, i: string) => splices[Number(i)]);
}

export type JsonPath = readonly (string | number)[];

/** A deep copy of `base` with `path` set to `value` (or deleted when `value` is DELETE). */
export const DELETE = Symbol("delete");
export function withPath(base: unknown, path: JsonPath, value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === DELETE) {
    if (Array.isArray(o) && typeof last === "number") o.splice(last, 1);
    else delete o[last];
  } else o[last] = value;
  return copy;
}
export const pathText = (p: JsonPath) => p.join(".");

/** `[[[[…]]]]` nested `depth` times (text: building it as a value would overflow JSON.stringify). */
export const deepArrayText = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
export const deepObjectText = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);

// ------------------------------------------------------------------------------------ value catalogs

/** Values of the wrong JSON type for a field of `kind`. */
export function wrongTypes(kind: "string" | "integer" | "array" | "object"): unknown[] {
  const common: unknown[] = [null, true, false, {}, { a: 1 }, [], [1], [[]]];
  const strings = ["", "1", "0", "abc", "null", "[]", "{}", "0x"];
  const numbers = [0, 1, -1, 1.5, 1e308, -1e308, 2 ** 64];
  switch (kind) {
    case "string":
      return [...common, ...numbers, raw("1e999"), raw("-0")];
    case "integer":
      return [...common, ...strings, "255", "1.0"];
    case "array":
      return [null, true, 0, 1, "", "1,2,3", "[1,2]", {}, { 0: 1, length: 1 }];
    case "object":
      return [null, true, 0, 1, "", "{}", [], [{}]];
  }
}

/** Integers JSON can carry but a field with range [min, max] must refuse, plus non-integers and raw oddities. */
export function badIntegers(f: Fuzz, min: number, max: number): unknown[] {
  const out: unknown[] = [
    min - 1,
    max + 1,
    min - 1e6,
    max + 1e6,
    min + 0.5,
    max - 0.5,
    min + 1e-9,
    2 ** 53 + 2,
    -(2 ** 53) - 2,
    1e21,
    1e308,
    -1e308,
    raw("NaN"),
    raw("Infinity"),
    raw("-Infinity"),
    raw("1e999"),
    raw("-1e999"),
    raw("0x10"),
    raw("01"),
    raw("+1"),
    raw(".5"),
    raw("1."),
    raw("--1"),
    raw("1e"),
    raw("- 1"),
    raw("１"),
    String(min),
    String(max),
    `${min}`,
    [min],
    { value: min },
  ];
  for (let i = 0; i < 4; i++) out.push(min + f.int(1, 999) / 1000 + (f.chance(0.5) ? 0 : f.int(0, 10))); // fractional
  for (let i = 0; i < 3; i++) out.push(max + f.int(1, 1e9)); // above
  for (let i = 0; i < 3; i++) out.push(min - f.int(1, 1e9)); // below
  return out.filter((v) => !(typeof v === "number" && Number.isInteger(v) && v >= min && v <= max));
}

/** Strings that are NOT a canonical unsigned decimal (`^(0|[1-9][0-9]{0,77})$`). */
export function badDecimals(f: Fuzz): unknown[] {
  return [
    "",
    " ",
    "-1",
    "-0",
    "+1",
    "01",
    "00",
    "007",
    "1.0",
    "1.",
    ".1",
    "1e3",
    "1E3",
    " 1",
    "1 ",
    "1\n",
    "\t1",
    "0x1",
    "0b1",
    "1_000",
    "1,000",
    "١٢٣",
    "１２３",
    "NaN",
    "Infinity",
    "null",
    "true",
    "1n",
    "\u00001",
    "1\u0000",
    f.decimal(79),
    f.decimal(f.int(80, 300)),
    "9".repeat(5000),
    `${f.decimal(10)}a`,
    `a${f.decimal(10)}`,
    f.nastyNonInteger(f.int(1, 20)),
    1,
    0,
    12345,
    raw("1e999"),
  ];
}

/** Strings that are not `0x` + `nibbles` hex digits. */
export function badHex(f: Fuzz, nibbles: number): string[] {
  const good = f.hex(nibbles);
  return [
    "",
    "0x",
    good,
    `0X${good}`,
    `x${good}`,
    `0x${good.slice(1)}`,
    `0x${good}0`,
    `0x${good.slice(2)}`,
    `0x${good}00`,
    `0x${good.slice(0, -1)}g`,
    `0x${good.slice(0, -1)}G`,
    `0x${good.slice(0, -1)} `,
    ` 0x${good}`,
    `0x${good}\n`,
    `0x${good.slice(0, -1)}\u0000`,
    `0x${good.slice(0, -1)}é`,
    `0x${good.slice(0, -2)}\ud83d\ude00`,
    `0x-${good.slice(1)}`,
    `0x${"0".repeat(nibbles * 2)}`,
    `0x${f.hex(f.int(1, nibbles - 1))}`,
    `0x${f.hex(f.int(nibbles + 1, nibbles * 4))}`,
    `0x${"a".repeat(200_000)}`,
    f.nastyString(nibbles + 2),
  ];
}

/** Path segments for URL params that no route may accept as an id / hash (the route decides 400 vs 404). */
export function oddSegments(f: Fuzz): string[] {
  return [
    "%00",
    "%ZZ",
    "%",
    "%2",
    "%E0%A4%A",
    "%C0%AF",
    "%FF%FE",
    "%ED%A0%80",
    "%2F",
    "%2e%2e",
    "..",
    "...",
    "%20",
    "+",
    "-",
    "-1",
    "~",
    "%25",
    "%u0031",
    "%F0%9F%98%80",
    "%EF%BC%91",
    "a".repeat(101),
    "1".repeat(101),
    "f".repeat(5000),
    encodeSegment(f.nastyNonInteger(f.int(1, 30))),
    encodeSegment(f.nastyNonInteger(f.int(1, 30))),
    encodeSegment(f.nastyNonInteger(f.int(1, 30))),
  ];
}

// ------------------------------------------------------------------------------------ cases, runner

export type InjectOptions = { method: string; url: string; headers?: Record<string, string>; payload?: string | Buffer };
export type InjectResponse = { statusCode: number; headers: Record<string, unknown>; body: string };
export type Injector = (o: InjectOptions) => Promise<InjectResponse>;

export type FuzzCase = InjectOptions & {
  /** e.g. "POST /v1/jobs request.maxFee = \"01\"" */
  name: string;
  /** allowed error codes (default: any stable code) */
  codes?: readonly string[];
  /** the message must match (specific: names the field, the limit, ...) */
  message?: RegExp;
};

export type CaseFailure = { index: number; name: string; reason: string; status: number; body: string };

const STABLE_CODE = /^[A-Z][A-Z0-9_]*$/;
const GENERIC = /^(internal error|error|bad request|invalid|unknown error)$/i;

/** Why `res` is not an acceptable rejection of `c` (undefined when it is). */
export function checkRejection(c: FuzzCase, res: InjectResponse): string | undefined {
  if (res.statusCode >= 500) return `5xx`;
  if (res.statusCode < 400) return `accepted (${res.statusCode}) invalid input`;
  if (c.method === "HEAD") return undefined; // no body by definition
  const ct = String(res.headers["content-type"] ?? "");
  if (!ct.startsWith("application/json")) return `content-type ${JSON.stringify(ct)} is not JSON`;
  let b: Record<string, unknown>;
  try {
    b = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    return "body is not JSON";
  }
  if (b === null || typeof b !== "object" || Array.isArray(b)) return "body is not an object";
  if (b.statusCode !== res.statusCode) return `body.statusCode ${String(b.statusCode)} != HTTP ${res.statusCode}`;
  if (typeof b.code !== "string" || !STABLE_CODE.test(b.code)) return `code ${JSON.stringify(b.code)} is not a stable code`;
  if (b.code === "INTERNAL" || b.code.startsWith("FST_")) return `code ${b.code} is not an API error code`;
  if (typeof b.error !== "string" || b.error.length === 0) return "no error text";
  if (typeof b.message !== "string" || b.message.trim().length === 0) return "empty message";
  if (GENERIC.test(b.message.trim())) return `generic message ${JSON.stringify(b.message)}`;
  if (/schema is false/.test(b.message)) return `unhelpful message ${JSON.stringify(b.message)}`;
  if (b.message.length > 2048) return `message longer than 2048 characters (${b.message.length})`;
  if (c.codes && !c.codes.includes(b.code)) return `code ${b.code} not in [${c.codes.join(", ")}]`;
  if (c.message && !c.message.test(b.message)) return `message ${JSON.stringify(b.message)} does not match ${String(c.message)}`;
  return undefined;
}

/**
 * Runs every case (sequentially, in order) and returns the failures; `onProgress` is called
 * every `every` cases (state checks that localise a failure).
 */
export async function runCases(inject: Injector, cases: readonly FuzzCase[], options: { every?: number; onProgress?: (done: number) => Promise<string | undefined> } = {}): Promise<CaseFailure[]> {
  const failures: CaseFailure[] = [];
  for (const [index, c] of cases.entries()) {
    let res: InjectResponse;
    try {
      res = await inject(c);
    } catch (err) {
      failures.push({ index, name: c.name, reason: `inject threw: ${err instanceof Error ? err.message : String(err)}`, status: 0, body: "" });
      continue;
    }
    const reason = checkRejection(c, res);
    if (reason) failures.push({ index, name: c.name, reason, status: res.statusCode, body: res.body.slice(0, 400) });
    if (options.onProgress && options.every && (index + 1) % options.every === 0) {
      const bad = await options.onProgress(index + 1);
      if (bad) failures.push({ index, name: `state check after case ${index + 1} (${c.name})`, reason: bad, status: res.statusCode, body: "" });
    }
  }
  return failures;
}

/** Fails with the seed, the count and the first failures (name, reason, status, body). */
export function assertNoFailures(label: string, seed: number, total: number, failures: readonly CaseFailure[]): void {
  if (failures.length === 0) return;
  const lines = failures.slice(0, 25).map((f) => `  #${f.index} ${f.name.slice(0, 300)}\n      → ${f.reason}; HTTP ${f.status} ${f.body}`);
  assert.fail(`${label}: ${failures.length} of ${total} fuzz cases failed (seed ${seed}; rerun with PROOFMESH_FUZZ_SEED=${seed})\n${lines.join("\n")}`);
}

/** A JSON POST case. */
export function jsonCase(name: string, url: string, body: unknown, extra: Partial<FuzzCase> = {}): FuzzCase {
  return { name, method: "POST", url, headers: { "content-type": "application/json" }, payload: encodeBody(body), ...extra };
}

/** Short printable rendering of a mutation value for case names. */
export function show(v: unknown): string {
  if (v === DELETE) return "<deleted>";
  if (v instanceof Raw) return `raw(${v.text.length > 40 ? `${v.text.slice(0, 40)}…(${v.text.length})` : v.text})`;
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 60)}…(${s.length})` : s;
}

/**
 * Bodies that are not JSON, are truncated, or carry binary / invalid UTF-8 / poisoned keys.
 * `parseableFlips`: keep single-byte replacements of `valid` that are still JSON. Only sound when
 * any change of the body is invalid (a signed, committed body); elsewhere "1000" → "1.00" or a
 * changed host name may be a valid request.
 */
export function garbageBodies(f: Fuzz, valid: string, count: number, { parseableFlips = false }: { parseableFlips?: boolean } = {}): { name: string; payload: string | Buffer }[] {
  const fixed: { name: string; payload: string | Buffer }[] = [
    { name: "empty", payload: "" },
    { name: "whitespace", payload: "   \n\t " },
    { name: "null", payload: "null" },
    { name: "true", payload: "true" },
    { name: "number", payload: "1" },
    { name: "string", payload: '"x"' },
    { name: "array", payload: "[]" },
    { name: "array of body", payload: `[${valid}]` },
    { name: "{}", payload: "{}" },
    { name: "NaN", payload: "NaN" },
    { name: "single quotes", payload: "{'a':1}" },
    { name: "trailing comma", payload: valid.replace(/}$/, ",}") },
    { name: "trailing garbage", payload: `${valid}x` },
    { name: "two bodies", payload: `${valid}${valid}` },
    { name: "comment", payload: `/*c*/${valid}` },
    { name: "BOM + {}", payload: "\ufeff{}" },
    { name: "__proto__", payload: valid.replace(/^\{/, '{"__proto__":{"polluted":1},') },
    { name: "constructor.prototype", payload: valid.replace(/^\{/, '{"constructor":{"prototype":{"polluted":1}},') },
    { name: "deep array 100k", payload: deepArrayText(100_000) },
    { name: "deep object 30k", payload: deepObjectText(30_000) },
    { name: "deep array unclosed", payload: "[".repeat(100_000) },
    { name: "deep __proto__", payload: `{"__proto__":1,"a":${deepArrayText(60_000)}}` },
    { name: "invalid UTF-8", payload: Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]) },
    { name: "UTF-16LE body", payload: Buffer.from(valid, "utf16le") },
    { name: "NUL bytes", payload: Buffer.alloc(64) },
    { name: "lone surrogate key", payload: '{"\\ud800":1}' },
  ];
  const out = [...fixed];
  for (let i = 0; i < count; i++) {
    const k = f.int(0, 4);
    if (k === 0) out.push({ name: `random bytes #${i}`, payload: f.bytes(f.int(1, 2000)) });
    else if (k === 1) {
      const cut = f.int(1, valid.length - 1);
      out.push({ name: `truncated at ${cut} #${i}`, payload: valid.slice(0, cut) });
    } else if (k === 2) {
      for (;;) {
        const at = f.int(0, valid.length - 1);
        const ch = f.pick(["{", "}", "[", "]", ",", ":", '"', "\\", "\u0000", "x", "-", "."].filter((c) => c !== valid[at]));
        const payload = valid.slice(0, at) + ch + valid.slice(at + 1);
        if (!parseableFlips && isJsonText(payload)) continue;
        out.push({ name: `byte ${at} → ${JSON.stringify(ch)} #${i}`, payload });
        break;
      }
    } else if (k === 3) out.push({ name: `random text #${i}`, payload: f.nastyString(f.int(1, 300)) });
    else out.push({ name: `random JSON #${i}`, payload: JSON.stringify(f.jsonValue()) });
  }
  return out;
}

/** Would `a` and `b` arrive as the same JSON value (e.g. raw("-0") and 0, raw("1.0") and 1)? */
export function sameJson(a: unknown, b: unknown): boolean {
  const ta = encodeBody(a);
  const tb = encodeBody(b);
  if (ta === tb) return true;
  if (!isJsonText(ta) || !isJsonText(tb)) return false;
  try {
    return JSON.stringify(JSON.parse(ta)) === JSON.stringify(JSON.parse(tb));
  } catch {
    return false; // nested too deep to re-serialise: certainly not the small original
  }
}

/** Does `text` parse as JSON? */
export function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** encodeURIComponent that never throws (lone surrogates become U+FFFD). */
export function encodeSegment(v: unknown): string {
  return encodeURIComponent(String(v).replace(/\p{Surrogate}/gu, "\ufffd"));
}

/** Content types the JSON routes must refuse (415), whatever the body. */
export const BAD_CONTENT_TYPES = [
  "text/html",
  "application/xml",
  "text/xml",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  "application/jsonx",
  "application/json-seq",
  "application/jso",
  "json",
  "application",
  "*/*",
  "application/*",
  "image/png",
  "application/javascript",
  "applicationjson",
  "application/ json",
  "\u00e9/json",
];
