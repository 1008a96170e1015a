/**
 * The coordinator's libp2p identity, kept in a file so that its peer id survives restarts: nodes
 * are given the coordinator's multiaddr, peer id included (`node serve --peer /ip4/…/p2p/<id>`),
 * and a dial to that address only succeeds if the peer there has that id. With a fresh key per
 * start, a restarted coordinator would never hear a heartbeat again (nodes keep redialling the
 * old id), and would route on placement guesses instead of what the nodes serve.
 *
 * The file is the key's protobuf encoding (@libp2p/crypto), mode 0600; it is not part of the
 * index database (deleting the database to rebuild it from the chain keeps the identity).
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { ConfigError } from "./errors.ts";

/** Reads the key in `file`, or creates one there (Ed25519). */
export async function loadOrCreateGossipKey({ file }: { file: string }): Promise<PrivateKey> {
  if (existsSync(file)) {
    try {
      return privateKeyFromProtobuf(readFileSync(file));
    } catch (cause) {
      throw new ConfigError(`gossip key file ${file} is not a libp2p private key (delete it to create a new identity)`, { cause });
    }
  }
  const key = await generateKeyPair("Ed25519");
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, privateKeyToProtobuf(key), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return key;
}
