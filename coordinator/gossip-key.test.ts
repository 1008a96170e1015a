import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { ConfigError } from "./errors.ts";
import { loadOrCreateGossipKey } from "./gossip-key.ts";

const dir = mkdtempSync(join(tmpdir(), "proofmesh-gossip-key-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the gossip key is created once (mode 0600) and reloaded: the peer id survives a restart", async () => {
  const file = join(dir, "coordinator.sqlite.gossip-key");
  const first = await loadOrCreateGossipKey({ file });
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const again = await loadOrCreateGossipKey({ file });
  assert.equal(peerIdFromPrivateKey(again).toString(), peerIdFromPrivateKey(first).toString());
  const other = await loadOrCreateGossipKey({ file: join(dir, "other.gossip-key") });
  assert.notEqual(peerIdFromPrivateKey(other).toString(), peerIdFromPrivateKey(first).toString());
});

test("a corrupt gossip key file is a ConfigError, not a silent new identity", async () => {
  const file = join(dir, "corrupt.gossip-key");
  writeFileSync(file, "not a key");
  await assert.rejects(loadOrCreateGossipKey({ file }), (e: unknown) => e instanceof ConfigError && /not a libp2p private key/.test((e as Error).message));
});
