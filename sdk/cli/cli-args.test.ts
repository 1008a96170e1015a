// Every missing or invalid argument of `proofmesh job …` and `proofmesh audit` → a non-zero exit
// and a specific message, before anything touches the network.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";

import { recordIo } from "../test-helpers.ts";
import { run as audit } from "./audit-command.ts";
import { run as job } from "./job-commands.ts";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const OK_ENV = { PROOFMESH_COORDINATOR_URL: "http://127.0.0.1:9", PROOFMESH_RPC_URL: "http://127.0.0.1:9", PROOFMESH_PRIVATE_KEY: KEY };

async function expectExit(runFn: typeof job, argv: string[], code: number, message: RegExp, env: Record<string, string> = {}) {
  const io = recordIo();
  const got = await runFn({ argv, io, env });
  assert.equal(got, code, `${argv.join(" ")} → ${io.all()}`);
  assert.match(io.errors.join("\n"), message, argv.join(" "));
}

describe("proofmesh job: argument errors", () => {
  it("no command / unknown command / help", async () => {
    await expectExit(job, [], 2, /usage: proofmesh job/);
    await expectExit(job, ["launch"], 2, /unknown command "launch" \(expected one of: submit, status, deposit\)/);
    const io = recordIo();
    assert.equal(await job({ argv: ["--help"], io, env: {} }), 0);
    assert.match(io.lines.join("\n"), /--mnist-index/);
  });

  it("submit: input", async () => {
    await expectExit(job, ["submit"], 2, /missing input: give --mnist-index <i> or --image <file>/, OK_ENV);
    await expectExit(job, ["submit", "--mnist-index", "1", "--image", "x.png"], 2, /either --mnist-index or --image, not both/, OK_ENV);
    await expectExit(job, ["submit", "--mnist-index", "abc"], 2, /invalid --mnist-index "abc": expected an integer in 0\.\.1999/, OK_ENV);
    await expectExit(job, ["submit", "--mnist-index", "2000"], 2, /invalid --mnist-index "2000"/, OK_ENV);
    await expectExit(job, ["submit", "--mnist-index", "-1"], 2, /--mnist-index/, OK_ENV);
    await expectExit(job, ["submit", "--mnist-index", "1", "--invert"], 2, /--invert only applies to --image/, OK_ENV);
    await expectExit(job, ["submit", "--image", "/nonexistent/x.png"], 2, /cannot read --image \/nonexistent\/x\.png: ENOENT/, OK_ENV);
    const bad = path.join(tmpdir(), `proofmesh-bad-${process.pid}.png`);
    writeFileSync(bad, "P5 4 4 255\n0000000000000000");
    await expectExit(job, ["submit", "--image", bad], 2, /invalid --image .*image is 4×4, expected 28×28/, OK_ENV);
    writeFileSync(bad, "hello");
    await expectExit(job, ["submit", "--image", bad], 2, /invalid --image .*unknown image format/, OK_ENV);
  });

  it("submit: endpoints, key and options", async () => {
    const base = ["submit", "--mnist-index", "0"];
    await expectExit(job, base, 2, /missing --coordinator \(or set PROOFMESH_COORDINATOR_URL\)/, { ...OK_ENV, PROOFMESH_COORDINATOR_URL: "" });
    await expectExit(job, base, 2, /missing --rpc-url \(or set PROOFMESH_RPC_URL\)/, { ...OK_ENV, PROOFMESH_RPC_URL: "" });
    await expectExit(job, base, 2, /missing --private-key \(or set PROOFMESH_PRIVATE_KEY\)/, { ...OK_ENV, PROOFMESH_PRIVATE_KEY: "" });
    await expectExit(job, [...base, "--private-key", "0x1234"], 2, /invalid --private-key: must be a 0x-prefixed 32-byte hex private key/, OK_ENV);
    await expectExit(job, base, 2, /invalid PROOFMESH_PRIVATE_KEY/, { ...OK_ENV, PROOFMESH_PRIVATE_KEY: "nope" });
    await expectExit(job, [...base, "--coordinator", "ftp://x"], 2, /invalid --coordinator "ftp:\/\/x": must be http\(s\)/, OK_ENV);
    await expectExit(job, [...base, "--coordinator", "not a url"], 2, /invalid --coordinator "not a url": not a URL/, OK_ENV);
    await expectExit(job, [...base, "--rpc-url", "localhost:8545"], 2, /invalid --rpc-url/, OK_ENV);
    await expectExit(job, [...base, "--max-fee", "lots"], 2, /invalid --max-fee "lots": expected tokens like 2\.5/, OK_ENV);
    await expectExit(job, [...base, "--deadline-seconds", "0"], 2, /invalid --deadline-seconds "0"/, OK_ENV);
    await expectExit(job, [...base, "--cluster", "0"], 2, /invalid --cluster "0": expected an integer in 1\.\./, OK_ENV);
    await expectExit(job, [...base, "--nonce", "18446744073709551616"], 2, /invalid --nonce .*uint64/, OK_ENV);
    await expectExit(job, [...base, "--wait", "forever"], 2, /invalid --wait "forever": expected answer or settled/, OK_ENV);
    await expectExit(job, [...base, "--timeout-seconds", "x"], 2, /invalid --timeout-seconds/, OK_ENV);
    await expectExit(job, [...base, "--model", " "], 2, /invalid --model: empty/, OK_ENV);
    await expectExit(job, [...base, "--bogus"], 2, /Unknown option '--bogus'/, OK_ENV);
    await expectExit(job, [...base, "--mnist-index"], 2, /--mnist-index/, OK_ENV);
    await expectExit(job, [...base, "extra"], 2, /unexpected argument "extra"/, OK_ENV);
  });

  it("submit: an unreachable chain is a runtime failure (exit 1), not a usage error", async () => {
    await expectExit(job, ["submit", "--mnist-index", "0", "--rpc-url", "http://127.0.0.1:1"], 1, /cannot reach the RPC endpoint http:\/\/127\.0\.0\.1:1/, OK_ENV);
  });

  it("status", async () => {
    await expectExit(job, ["status"], 2, /missing <jobId>/, OK_ENV);
    await expectExit(job, ["status", "12x"], 2, /invalid <jobId> "12x": expected a decimal or 0x-hex uint256/, OK_ENV);
    await expectExit(job, ["status", "1", "2"], 2, /unexpected argument "2"/, OK_ENV);
    await expectExit(job, ["status", "1"], 2, /missing --coordinator and --rpc-url: give at least one/, {});
    await expectExit(job, ["status", "1", "--coordinator", "nope"], 2, /invalid --coordinator "nope"/, {});
  });

  it("deposit", async () => {
    await expectExit(job, ["deposit"], 2, /missing --amount/, OK_ENV);
    await expectExit(job, ["deposit", "--amount", "0"], 2, /invalid --amount: must be positive/, OK_ENV);
    await expectExit(job, ["deposit", "--amount", "1.0000000000000000001"], 2, /invalid --amount/, OK_ENV);
    await expectExit(job, ["deposit", "--amount", "1"], 2, /missing --private-key/, { ...OK_ENV, PROOFMESH_PRIVATE_KEY: "" });
  });
});

describe("proofmesh audit: argument errors", () => {
  it("jobId, endpoints, options", async () => {
    await expectExit(audit, [], 2, /proofmesh audit: missing <jobId>/, OK_ENV);
    await expectExit(audit, ["0xZZ"], 2, /invalid <jobId> "0xZZ"/, OK_ENV);
    await expectExit(audit, ["1", "2"], 2, /unexpected argument "2"/, OK_ENV);
    await expectExit(audit, ["1"], 2, /missing --coordinator \(or set PROOFMESH_COORDINATOR_URL\)/, { PROOFMESH_RPC_URL: "http://127.0.0.1:9" });
    await expectExit(audit, ["1"], 2, /missing --rpc-url \(or set PROOFMESH_RPC_URL\)/, { PROOFMESH_COORDINATOR_URL: "http://127.0.0.1:9" });
    await expectExit(audit, ["1", "--rpc-url", "file:///x"], 2, /invalid --rpc-url "file:\/\/\/x"/, OK_ENV);
    await expectExit(audit, ["1", "--verbose"], 2, /Unknown option '--verbose'/, OK_ENV);
    await expectExit(audit, ["1", "--rpc-url", "http://127.0.0.1:1"], 1, /cannot reach the RPC endpoint/, OK_ENV);
    const io = recordIo();
    assert.equal(await audit({ argv: ["--help"], io, env: {} }), 0);
    assert.match(io.lines.join("\n"), /usage: proofmesh audit <jobId>/);
  });
});
