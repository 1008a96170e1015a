import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, openSync, readSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { PTAU_PATH } from "../paths.ts";
import { DEVELOPMENT_PTAU_SHA256, HERMEZ_PTAU, identifyPtau } from "./public-ptau.ts";

const dir = mkdtempSync(join(tmpdir(), "ptau-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("which powers of tau a build trusts", () => {
  test("the shipped file is named the development ceremony (its sha256 as committed)", async () => {
    const id = await identifyPtau({ path: PTAU_PATH });
    assert.equal(id.source, "proofmesh-development");
    assert.equal(id.sha256, DEVELOPMENT_PTAU_SHA256);
    assert.match(id.trust, /not for real value/);
  });

  test("one byte changed: no longer the development file, and no public ceremony either", async () => {
    const copy = join(dir, "tampered.ptau");
    copyFileSync(PTAU_PATH, copy);
    const fd = openSync(copy, "r+");
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, 4096);
    b[0] ^= 1;
    writeSync(fd, b, 0, 1, 4096);
    closeSync(fd);
    const id = await identifyPtau({ path: copy });
    assert.equal(id.source, "unknown");
    assert.notEqual(id.sha256, DEVELOPMENT_PTAU_SHA256);
  });

  test("the published Hermez table is whole: powers 8..27, one 512-bit hash each", () => {
    assert.deepEqual(HERMEZ_PTAU.map((x) => x.power), Array.from({ length: 20 }, (_, i) => i + 8));
    for (const x of HERMEZ_PTAU) assert.match(x.blake2b, /^[0-9a-f]{128}$/);
  });
});
