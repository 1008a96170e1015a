/**
 * The coordinator's phase-2 ceremony service (.proofmesh/CEREMONY-DESIGN.md, "Coordinator
 * ceremony API"): the model owner opens a ceremony with a list of contributors; each in turn
 * downloads the current zkeys, contributes with secret entropy, uploads the new zkeys and posts a
 * signed contribution; the coordinator checks every zkey (`zkey verify` from the initial zkey and
 * its transcript) before it becomes current. Turns have deadlines: a contributor past its
 * deadline is skipped and the next one's turn starts at that deadline.
 *
 * State (SQLite, LOCAL tables of db.ts; the zkeys in the blob store): the ceremony as started,
 * its accepted contributions, the current zkey per shard and the pending uploads of a turn.
 * Everything else (whose turn it is, who was skipped, deadlines, "ready" / "failed") is DERIVED
 * from that state and the clock each time the ceremony is read or written (`deriveTurns`), so a
 * restart or a clock jump never leaves a stale status behind.
 *
 * Every refusal is an ApiProblem with a stable code and changes nothing: checks run first, the
 * blob of an upload is only renamed into the store once its transcript checks out, and a
 * contribution is committed in one transaction after every shard verified. Verifications run one
 * at a time, in a child process (ceremony-verify.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { getAddress, isAddress, recoverTypedDataAddress, type Address, type Hex } from "viem";
import { ceremonyStartTypedData, ceremonyUploadTypedData, recoverContributor, transcriptHashOf, type ContributionRecord } from "../prover/ceremony/record.ts";
import { readZkeyTranscript, type ZkeyTranscript } from "../prover/ceremony/zkey-contributions.ts";
import { PTAU_PATH } from "../prover/paths.ts";
import type { ManifestIndex } from "./artifacts.ts";
import { BlobHashMismatchError, type BlobStore } from "./blob-store.ts";
import type { CeremonyChainReader } from "./ceremony-chain.ts";
import { createMutex, VerifierUnavailableError, type ZkeyVerifier } from "./ceremony-verify.ts";
import { prepared, transaction, type Db } from "./db.ts";
import { ApiProblem } from "./errors.ts";
import type { KeyIndex } from "./key-index.ts";

export type CeremonyStatus = "contributing" | "ready" | "failed" | "registered";
export type ContributorStatus = "done" | "skipped" | "current" | "waiting";

/** Longest contributor list of one ceremony. */
export const MAX_CONTRIBUTORS = 256;
/** Turn length bounds (ms). */
export const MIN_CONTRIBUTOR_TIMEOUT_MS = 1_000;
export const MAX_CONTRIBUTOR_TIMEOUT_MS = 30 * 24 * 3_600_000;

const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

type CeremonyRow = {
  id: number;
  model: string;
  model_id: string;
  ptau_sha256: string;
  beacon_block: number;
  contributor_timeout_ms: number;
  contributors: string;
  start_signature: string;
  started_at_ms: number;
};
type ShardRow = { shard: number; initial_zkey_sha256: string; initial_zkey_bytes: number; zkey_sha256: string };
type ContributionRow = { idx: number; operator: string; name: string; shard_hashes: string; zkeys: string; transcript_hash: string; signature: string; at_ms: number; verify_ms: number | null };
type UploadRow = { idx: number; shard: number; operator: string; sha256: string; bytes: number; at_ms: number };

export type ContributorTurn = { address: Address; status: ContributorStatus; turnStartedAtMs: number | null; deadlineMs: number | null; finishedAtMs: number | null };

export type DerivedTurns = {
  status: "contributing" | "ready" | "failed";
  contributors: ContributorTurn[];
  /** the contributor whose turn it is (status "contributing" only), with the index its contribution will have */
  current: { position: number; address: Address; index: number; turnStartedAtMs: number; deadlineMs: number } | null;
  /** when the last turn ended (status "ready" / "failed") */
  endedAtMs: number | null;
};

/**
 * Whose turn it is at `now`: contributors in order, each turn `timeoutMs` long from the end of
 * the previous one (its contribution's time, or its deadline when it was skipped).
 */
export function deriveTurns({ contributors, startedAtMs, timeoutMs, contributions, now }: { contributors: readonly Address[]; startedAtMs: number; timeoutMs: number; contributions: readonly { operator: string; atMs: number }[]; now: number }): DerivedTurns {
  const doneAt = new Map(contributions.map((c) => [c.operator.toLowerCase(), c.atMs]));
  const out: ContributorTurn[] = [];
  let t = startedAtMs;
  let current: DerivedTurns["current"] = null;
  for (const [position, address] of contributors.entries()) {
    if (current) {
      out.push({ address, status: "waiting", turnStartedAtMs: null, deadlineMs: null, finishedAtMs: null });
      continue;
    }
    const deadlineMs = t + timeoutMs;
    const at = doneAt.get(address.toLowerCase());
    if (at !== undefined) {
      out.push({ address, status: "done", turnStartedAtMs: t, deadlineMs, finishedAtMs: at });
      t = at;
    } else if (now >= deadlineMs) {
      out.push({ address, status: "skipped", turnStartedAtMs: t, deadlineMs, finishedAtMs: deadlineMs });
      t = deadlineMs;
    } else {
      current = { position, address, index: contributions.length, turnStartedAtMs: t, deadlineMs };
      out.push({ address, status: "current", turnStartedAtMs: t, deadlineMs, finishedAtMs: null });
    }
  }
  if (current) return { status: "contributing", contributors: out, current, endedAtMs: null };
  return { status: contributions.length > 0 ? "ready" : "failed", contributors: out, current: null, endedAtMs: t };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export type CeremonyJson = {
  model: string;
  modelId: Hex;
  status: CeremonyStatus;
  ptauSha256: string;
  beaconBlock: number;
  contributorTimeoutMs: number;
  startedAt: string;
  startedAtMs: number;
  endedAt: string | null;
  endedAtMs: number | null;
  current: { index: number; address: Address; turnStartedAt: string; deadline: string; deadlineMs: number } | null;
  contributors: { address: Address; status: ContributorStatus; turnStartedAt: string | null; deadline: string | null; deadlineMs: number | null; finishedAt: string | null }[];
  shards: { shard: number; initialZkeySha256: string; initialZkeyBytes: number; zkeySha256: string; maxUploadBytes: number }[];
  contributions: (ContributionRecord & { at: string; zkeys: string[]; verifyMs: number | null })[];
  uploads: { index: number; shard: number; operator: Address; sha256: string; bytes: number; at: string }[];
};

export type StartCeremonyInput = { model: string; contributors: string[]; contributorTimeoutMs: number; beaconBlock: number; signature: Hex };
export type UploadInput = { model: string; index: number; shard: number; signature: Hex; body: Buffer };
export type ContributionInput = { index: number; operator: string; name: string; shards: { shard: number; zkeySha256: string; contributionHash: string }[]; signature: Hex };
export type UploadJson = { model: string; modelId: Hex; index: number; shard: number; operator: Address; sha256: string; bytes: number };

export type CeremonyService = ReturnType<typeof createCeremonyService>;

export type CreateCeremonyServiceParameters = {
  db: Db;
  log: Logger;
  manifest: ManifestIndex;
  blobs: BlobStore;
  keys: KeyIndex;
  reader: CeremonyChainReader;
  verifier: ZkeyVerifier;
  repoRoot: string;
  clock?: () => number;
  /** the powers of tau `zkey verify` checks against (default: the manifest's, else prover/paths.ts PTAU_PATH) */
  ptauPath?: string;
  /** is the model registered according to the chain index (fallback when the chain cannot be read) */
  isIndexedModel?: (modelId: string) => boolean;
};

export function createCeremonyService(p: CreateCeremonyServiceParameters) {
  const { db, manifest, blobs, keys, reader, verifier, repoRoot } = p;
  const log = p.log.child({ component: "ceremony" });
  const clock = p.clock ?? Date.now;
  const ptauPath = p.ptauPath ?? (manifest.ptau ? path.resolve(repoRoot, manifest.ptau.path) : PTAU_PATH);
  /** start and contribution commits: one at a time (verification is also serialised by the verifier) */
  const writes = createMutex();

  // ------------------------------------------------------------------ reading

  function resolveModel(model: string) {
    const isId = /^0x[0-9a-fA-F]{64}$/.test(model);
    const m = isId ? manifest.models.find((x) => x.modelId.toLowerCase() === model.toLowerCase()) : manifest.models.find((x) => x.manifest.id === model);
    if (!m) throw new ApiProblem("UNKNOWN_MODEL", `model ${model} is not in the coordinator's manifest`);
    return { model: m.manifest.id, modelId: m.modelId.toLowerCase() as Hex, manifest: m.manifest };
  }

  function latest(model: string): CeremonyRow | undefined {
    return prepared(db, "SELECT * FROM ceremonies WHERE model = ? ORDER BY id DESC LIMIT 1").get(model) as CeremonyRow | undefined;
  }

  function load(c: CeremonyRow, now: number) {
    const shards = prepared(db, "SELECT shard, initial_zkey_sha256, initial_zkey_bytes, zkey_sha256 FROM ceremony_shards WHERE ceremony_id = ? ORDER BY shard").all(c.id) as ShardRow[];
    const contributions = prepared(db, "SELECT * FROM ceremony_contributions WHERE ceremony_id = ? ORDER BY idx").all(c.id) as ContributionRow[];
    const contributors = JSON.parse(c.contributors) as Address[];
    const turns = deriveTurns({ contributors, startedAtMs: c.started_at_ms, timeoutMs: c.contributor_timeout_ms, contributions: contributions.map((x) => ({ operator: x.operator, atMs: x.at_ms })), now });
    return { c, shards, contributions, contributors, turns };
  }

  function toJson(s: ReturnType<typeof load>, registered: boolean): CeremonyJson {
    const { c, shards, contributions, turns } = s;
    // the current contributor's pending uploads (a skipped contributor's stay in the table, unused)
    const uploads = turns.current ? (prepared(db, "SELECT idx, shard, operator, sha256, bytes, at_ms FROM ceremony_uploads WHERE ceremony_id = ? AND idx = ? AND operator = ? ORDER BY shard").all(c.id, turns.current.index, turns.current.address) as UploadRow[]) : [];
    return {
      model: c.model,
      modelId: c.model_id as Hex,
      status: registered ? "registered" : turns.status,
      ptauSha256: c.ptau_sha256,
      beaconBlock: c.beacon_block,
      contributorTimeoutMs: c.contributor_timeout_ms,
      startedAt: iso(c.started_at_ms)!,
      startedAtMs: c.started_at_ms,
      endedAt: iso(turns.endedAtMs),
      endedAtMs: turns.endedAtMs,
      current: turns.current ? { index: turns.current.index, address: turns.current.address, turnStartedAt: iso(turns.current.turnStartedAtMs)!, deadline: iso(turns.current.deadlineMs)!, deadlineMs: turns.current.deadlineMs } : null,
      contributors: turns.contributors.map((t) => ({ address: t.address, status: t.status, turnStartedAt: iso(t.turnStartedAtMs), deadline: iso(t.deadlineMs), deadlineMs: t.deadlineMs, finishedAt: iso(t.finishedAtMs) })),
      shards: shards.map((r) => ({ shard: r.shard, initialZkeySha256: r.initial_zkey_sha256, initialZkeyBytes: r.initial_zkey_bytes, zkeySha256: r.zkey_sha256, maxUploadBytes: 2 * r.initial_zkey_bytes })),
      contributions: contributions.map((r) => ({
        index: r.idx,
        operator: getAddress(r.operator),
        name: r.name,
        shardHashes: JSON.parse(r.shard_hashes) as string[],
        transcriptHash: r.transcript_hash as Hex,
        signature: r.signature as Hex,
        at: iso(r.at_ms)!,
        zkeys: JSON.parse(r.zkeys) as string[],
        verifyMs: r.verify_ms,
      })),
      uploads: uploads.map((u) => ({ index: u.idx, shard: u.shard, operator: getAddress(u.operator), sha256: u.sha256, bytes: u.bytes, at: iso(u.at_ms)! })),
    };
  }

  /** registered on chain: the chain's record (cached), else the index when the chain cannot be read */
  async function isRegistered(modelId: Hex): Promise<boolean> {
    try {
      return (await keys.recordOf(modelId)) !== null;
    } catch (err) {
      log.warn({ modelId, err: err instanceof Error ? err.message : String(err) }, "ceremonyOf failed; registered status from the chain index");
      return p.isIndexedModel?.(modelId) ?? false;
    }
  }

  async function get(model: string): Promise<CeremonyJson> {
    const now = clock();
    const m = resolveModel(model);
    const c = latest(m.model);
    if (!c) throw new ApiProblem("UNKNOWN_CEREMONY", `no ceremony was started for ${m.model}`);
    return toJson(load(c, now), await isRegistered(m.modelId));
  }

  /** The coordinator's ceremony of a model (explorer), or null when it ran none. */
  async function find(modelId: string): Promise<CeremonyJson | null> {
    const m = manifest.models.find((x) => x.modelId.toLowerCase() === modelId.toLowerCase());
    if (!m) return null;
    const c = latest(m.manifest.id);
    if (!c) return null;
    return toJson(load(c, clock()), await isRegistered(m.modelId.toLowerCase() as Hex));
  }

  // ------------------------------------------------------------------ checks

  function checkSignatureForm(signature: Hex, what: string): void {
    const v = Number.parseInt(signature.slice(130, 132), 16);
    if (v !== 27 && v !== 28) throw new ApiProblem("BAD_SIGNATURE", `${what} is not canonical: v must be 27 or 28, got ${v}`);
    if (BigInt(`0x${signature.slice(66, 130)}`) > SECP256K1_HALF_N) throw new ApiProblem("BAD_SIGNATURE", `${what} is not canonical: s must be at most n/2 (low s)`);
  }

  async function recover(what: string, signature: Hex, f: () => Promise<Address>): Promise<Address> {
    checkSignatureForm(signature, what);
    try {
      return getAddress(await f());
    } catch (cause) {
      throw new ApiProblem("BAD_SIGNATURE", `${what} does not recover an address (r or s out of range)`, { cause });
    }
  }

  async function chainRead<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (cause) {
      throw new ApiProblem("CHAIN_UNAVAILABLE", `cannot read ${what} from the chain: ${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)}`, { cause });
    }
  }

  /**
   * Contributions close when the beacon block exists: its hash must be unknown to every contributor,
   * or the last one could choose its contribution knowing the beacon.
   */
  async function checkBeaconAhead(c: { beacon_block: number }) {
    const head = await chainRead("the block number", () => reader.blockNumber());
    if (head >= BigInt(c.beacon_block)) throw new ApiProblem("BEACON_PASSED", `the beacon block ${c.beacon_block} exists (the chain is at block ${head}): the ceremony takes no more contributions; finalize it`);
  }

  /** `c` must be contributing and `index` its current turn (ALREADY_CONTRIBUTED for a past index). */
  function checkTurn(s: ReturnType<typeof load>, index: number) {
    const done = s.contributions.length;
    if (index < done) throw new ApiProblem("ALREADY_CONTRIBUTED", `contribution ${index} of ${s.c.model} is already recorded (by ${getAddress(s.contributions[index].operator)})`);
    if (!s.turns.current) throw new ApiProblem("CEREMONY_CLOSED", `the ceremony of ${s.c.model} takes no more contributions (status ${s.turns.status})`);
    if (index !== s.turns.current.index) throw new ApiProblem("NOT_YOUR_TURN", `contribution ${s.turns.current.index} is the current turn of ${s.c.model}, not ${index}`);
    return s.turns.current;
  }

  function checkContributor(s: ReturnType<typeof load>, current: NonNullable<DerivedTurns["current"]>, who: Address, what: string): void {
    if (who.toLowerCase() === current.address.toLowerCase()) return;
    if (s.contributors.some((a) => a.toLowerCase() === who.toLowerCase()))
      throw new ApiProblem("NOT_YOUR_TURN", `${what} is by ${who}, but it is ${current.address}'s turn (until ${iso(current.deadlineMs)})`);
    throw new ApiProblem("BAD_SIGNATURE", `${what} recovers to ${who}, who is not a contributor of this ceremony (current: ${current.address})`);
  }

  /** The zkey at `zkeyPath` must be the current zkey plus exactly one secret (type 0) contribution. */
  async function checkExtends({ shard, currentPath, zkeyPath, contributionHash, name }: { shard: number; currentPath: string; zkeyPath: string; contributionHash?: string; name?: string }) {
    let next: ZkeyTranscript;
    try {
      next = await readZkeyTranscript({ zkeyPath });
    } catch (cause) {
      throw new ApiProblem("ZKEY_INVALID", `shard ${shard}: not a readable Groth16 zkey (${cause instanceof Error ? cause.message.replace(zkeyPath, "upload") : String(cause)})`, { cause });
    }
    const cur = await readZkeyTranscript({ zkeyPath: currentPath });
    if (next.csHash !== cur.csHash) throw new ApiProblem("TRANSCRIPT_MISMATCH", `shard ${shard}: the zkey is for another circuit (circuit hash ${next.csHash.slice(0, 16)}…, expected ${cur.csHash.slice(0, 16)}…)`);
    for (const [i, c] of cur.contributions.entries()) {
      const n = next.contributions[i];
      if (!n || n.contributionHash !== c.contributionHash || n.type !== c.type)
        throw new ApiProblem("TRANSCRIPT_MISMATCH", `shard ${shard}: the zkey rewrites the ceremony's history (contribution ${i} is ${n ? `${n.contributionHash.slice(0, 16)}…` : "missing"}, the current zkey's is ${c.contributionHash.slice(0, 16)}…)`);
    }
    const added = next.contributions.length - cur.contributions.length;
    if (added !== 1) throw new ApiProblem("TRANSCRIPT_MISMATCH", `shard ${shard}: the zkey adds ${added} contributions to the current zkey's ${cur.contributions.length}; a turn adds exactly one`);
    const last = next.contributions[next.contributions.length - 1];
    if (last.type !== 0) throw new ApiProblem("TRANSCRIPT_MISMATCH", `shard ${shard}: the new contribution is a beacon; only secret contributions are taken (the beacon is applied at registration)`);
    if (contributionHash !== undefined && last.contributionHash !== contributionHash)
      throw new ApiProblem("CONTRIBUTION_HASH_MISMATCH", `shard ${shard}: the zkey's new contribution hash is ${last.contributionHash.slice(0, 16)}…, not the posted ${contributionHash.slice(0, 16)}…`);
    if (name !== undefined && (last.name ?? "") !== name) throw new ApiProblem("TRANSCRIPT_MISMATCH", `shard ${shard}: the zkey's new contribution is named ${JSON.stringify(last.name ?? "")}, not ${JSON.stringify(name)}`);
  }

  /**
   * The zkey's section table fits in its bytes (magic "zkey", every section inside the file), so
   * that nothing reading it later allocates what a forged section size claims.
   */
  function checkZkeyLayout(bytes: Buffer, shard: number): void {
    const bad = (why: string) => new ApiProblem("ZKEY_INVALID", `shard ${shard}: not a Groth16 zkey file (${why})`);
    if (bytes.length < 12 || bytes.toString("latin1", 0, 4) !== "zkey") throw bad('no "zkey" header');
    const n = bytes.readUInt32LE(8);
    if (n === 0 || n > 64) throw bad(`${n} sections`);
    let pos = 12;
    for (let i = 0; i < n; i++) {
      if (pos + 12 > bytes.length) throw bad(`section ${i} header past the end of the file`);
      const size = bytes.readBigUInt64LE(pos + 4);
      if (BigInt(pos + 12) + size > BigInt(bytes.length)) throw bad(`section ${i} (type ${bytes.readUInt32LE(pos)}) claims ${size} bytes, past the end of the file`);
      pos += 12 + Number(size);
    }
  }

  function blobPath(sha256: string, what: string): string {
    const f = blobs.pathOf(sha256);
    if (!f) throw new ApiProblem("CEREMONY_UNAVAILABLE", `${what} (${sha256}) is missing from the coordinator's blob store`);
    return f;
  }

  // ------------------------------------------------------------------ start

  async function start(input: StartCeremonyInput): Promise<CeremonyJson> {
    const now = clock();
    const m = resolveModel(input.model);
    const contributors: Address[] = [];
    for (const [i, a] of input.contributors.entries()) {
      if (!isAddress(a, { strict: true })) throw new ApiProblem("INVALID_REQUEST", `body/contributors/${i}: ${a} is not an address (bad checksum)`);
      if (BigInt(a) === 0n) throw new ApiProblem("INVALID_REQUEST", `body/contributors/${i}: the zero address cannot contribute`);
      const addr = getAddress(a);
      if (contributors.includes(addr)) throw new ApiProblem("DUPLICATE_CONTRIBUTOR", `${addr} is listed twice (contributors ${contributors.indexOf(addr)} and ${i}): each operator contributes once`);
      contributors.push(addr);
    }
    const typed = ceremonyStartTypedData({ modelId: m.modelId, contributors, contributorTimeoutMs: input.contributorTimeoutMs, beaconBlock: input.beaconBlock });
    const signer = await recover("the CeremonyStart signature", input.signature, () => recoverTypedDataAddress({ ...typed, signature: input.signature }));
    const owner = await chainRead("ModelRegistry.owner()", () => reader.owner());
    if (signer !== owner) throw new ApiProblem("BAD_SIGNATURE", `the CeremonyStart signature recovers to ${signer}, not the ModelRegistry owner ${owner}`);
    const head = await chainRead("the block number", () => reader.blockNumber());
    if (BigInt(input.beaconBlock) <= head) throw new ApiProblem("BEACON_NOT_IN_FUTURE", `beacon block ${input.beaconBlock} is not in the future (the chain is at block ${head}): its hash must not exist when the ceremony starts`);
    if ((await chainRead(`ModelRegistry.ceremonyOf(${m.modelId})`, () => keys.recordOf(m.modelId))) !== null)
      throw new ApiProblem("MODEL_REGISTERED", `${m.model} (${m.modelId}) is already registered on chain with its ceremony record`);

    return writes.run(async () => {
      const prev = latest(m.model);
      if (prev) {
        const st = load(prev, now).turns.status;
        if (st !== "failed") throw new ApiProblem("CEREMONY_EXISTS", `a ceremony of ${m.model} is already ${st === "contributing" ? "running" : "ready for registration"} (started ${iso(prev.started_at_ms)})`);
      }
      if (!existsSync(ptauPath)) throw new ApiProblem("CEREMONY_UNAVAILABLE", `the powers of tau ${path.relative(repoRoot, ptauPath)} are missing on this coordinator`);
      const initial = m.manifest.shards.map((s) => {
        const ref = (s as { initialZkey?: { path: string; sha256?: string } }).initialZkey;
        const file = path.resolve(repoRoot, ref?.path ?? path.join("circuits", "build", m.model, `shard${s.index}`, "shard_init.zkey"));
        if (!existsSync(file)) throw new ApiProblem("CEREMONY_UNAVAILABLE", `the initial zkey of ${m.model} shard ${s.index} is not built on this coordinator (${path.relative(repoRoot, file)}: run npm run build:circuits)`);
        return { s, ref, file };
      });
      // the initial zkeys (deterministic, from r1cs + ptau) into the blob store: contributor 0 downloads them there
      const shards: { shard: number; sha256: string; bytes: number }[] = [];
      for (const { s, ref, file } of initial) {
        try {
          const put = await blobs.putFile(file, ref?.sha256 ? { expectedSha256: ref.sha256 } : {});
          shards.push({ shard: s.index, sha256: put.sha256, bytes: put.bytes });
        } catch (cause) {
          if (cause instanceof BlobHashMismatchError) throw new ApiProblem("CEREMONY_UNAVAILABLE", `the initial zkey of ${m.model} shard ${s.index} does not match the manifest's sha256 (rebuild the circuits)`, { cause });
          throw cause;
        }
      }
      const ptauSha256 = manifest.ptau?.sha256 ?? createHash("sha256").update(readFileSync(ptauPath)).digest("hex");
      transaction(db, () => {
        const r = prepared(db, "INSERT INTO ceremonies (model, model_id, ptau_sha256, beacon_block, contributor_timeout_ms, contributors, start_signature, started_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)").run(
          m.model,
          m.modelId,
          ptauSha256,
          input.beaconBlock,
          input.contributorTimeoutMs,
          JSON.stringify(contributors),
          input.signature,
          now,
        );
        const id = Number(r.lastInsertRowid);
        for (const s of shards) prepared(db, "INSERT INTO ceremony_shards (ceremony_id, shard, initial_zkey_sha256, initial_zkey_bytes, zkey_sha256) VALUES (?, ?, ?, ?, ?)").run(id, s.shard, s.sha256, s.bytes, s.sha256);
      });
      log.info({ model: m.model, contributors: contributors.length, beaconBlock: input.beaconBlock, contributorTimeoutMs: input.contributorTimeoutMs }, "ceremony started");
      return toJson(load(latest(m.model)!, clock()), false);
    });
  }

  // ------------------------------------------------------------------ upload

  /** The largest zkey upload any ceremony of the manifest can take (2 × its largest initial zkey). */
  function maxUploadBytes(): number {
    let max = 0;
    for (const m of manifest.models) {
      for (const s of m.manifest.shards) {
        const ref = (s as { initialZkey?: { path: string; bytes?: number } }).initialZkey;
        const file = path.resolve(repoRoot, ref?.path ?? path.join("circuits", "build", m.manifest.id, `shard${s.index}`, "shard_init.zkey"));
        let bytes = ref?.bytes ?? 0;
        if (!bytes && existsSync(file)) bytes = statSync(file).size;
        max = Math.max(max, 2 * bytes);
      }
    }
    return max;
  }

  async function upload(input: UploadInput): Promise<UploadJson> {
    const now = clock();
    const m = resolveModel(input.model);
    const c = latest(m.model);
    if (!c) throw new ApiProblem("UNKNOWN_CEREMONY", `no ceremony was started for ${m.model}`);
    const s = load(c, now);
    const shard = s.shards.find((x) => x.shard === input.shard);
    if (!shard) throw new ApiProblem("UNKNOWN_SHARD", `${m.model} has no shard ${input.shard} (shards 0..${s.shards.length - 1})`);
    const current = checkTurn(s, input.index);
    await checkBeaconAhead(c);
    if (input.body.length === 0) throw new ApiProblem("ZKEY_INVALID", "the body is empty: send the zkey file as application/octet-stream");
    if (input.body.length > 2 * shard.initial_zkey_bytes) throw new ApiProblem("PAYLOAD_TOO_LARGE", `a zkey of shard ${input.shard} is at most ${2 * shard.initial_zkey_bytes} bytes (2 × the initial zkey), got ${input.body.length}`);
    const sha256 = createHash("sha256").update(input.body).digest("hex");
    const typed = ceremonyUploadTypedData({ modelId: m.modelId, index: input.index, shard: input.shard, sha256 });
    const who = await recover("the CeremonyUpload signature", input.signature, () => recoverTypedDataAddress({ ...typed, signature: input.signature }));
    checkContributor(s, current, who, "the upload");
    checkZkeyLayout(input.body, input.shard);
    const currentPath = blobPath(shard.zkey_sha256, `the current zkey of shard ${input.shard}`);
    const put = await blobs.put(input.body, { check: (tmp) => checkExtends({ shard: input.shard, currentPath, zkeyPath: tmp }) });
    // the turn was checked at arrival; a contribution committed meanwhile (same index) closes it
    const again = load(c, now);
    checkTurn(again, input.index);
    prepared(db, "INSERT INTO ceremony_uploads (ceremony_id, idx, shard, operator, sha256, bytes, signature, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ceremony_id, idx, shard, operator) DO UPDATE SET sha256 = excluded.sha256, bytes = excluded.bytes, signature = excluded.signature, at_ms = excluded.at_ms").run(
      c.id,
      input.index,
      input.shard,
      who,
      put.sha256,
      put.bytes,
      input.signature,
      now,
    );
    log.info({ model: m.model, index: input.index, shard: input.shard, operator: who, sha256, bytes: put.bytes }, "ceremony zkey uploaded");
    return { model: m.model, modelId: m.modelId, index: input.index, shard: input.shard, operator: who, sha256: put.sha256, bytes: put.bytes };
  }

  // ------------------------------------------------------------------ contribution

  async function contribute(model: string, input: ContributionInput): Promise<CeremonyJson> {
    const now = clock();
    const m = resolveModel(model);
    const c = latest(m.model);
    if (!c) throw new ApiProblem("UNKNOWN_CEREMONY", `no ceremony was started for ${m.model}`);
    if (!isAddress(input.operator, { strict: true })) throw new ApiProblem("INVALID_REQUEST", `body/operator: ${input.operator} is not an address (bad checksum)`);
    const operator = getAddress(input.operator);
    const s = load(c, now);
    const current = checkTurn(s, input.index);
    await checkBeaconAhead(c);
    if (operator !== current.address) throw new ApiProblem("NOT_YOUR_TURN", `operator ${operator} is not the current contributor: it is ${current.address}'s turn (until ${iso(current.deadlineMs)})`);
    if (input.shards.length !== s.shards.length || input.shards.some((x, k) => x.shard !== k))
      throw new ApiProblem("INVALID_REQUEST", `body/shards: one entry per shard, in shard order (0..${s.shards.length - 1}), got [${input.shards.map((x) => x.shard).join(", ")}]`);
    const shardHashes = input.shards.map((x) => x.contributionHash);
    const transcriptHash = transcriptHashOf({ shardHashes });
    const signer = await recover("the Contribution signature", input.signature, () => recoverContributor({ modelId: m.modelId, index: input.index, transcriptHash, signature: input.signature }));
    if (signer !== operator) throw new ApiProblem("BAD_SIGNATURE", `the Contribution signature (over transcript ${transcriptHash}) recovers to ${signer}, not the operator ${operator}`);
    const uploads = input.shards.map((x) => {
      const u = prepared(db, "SELECT sha256 FROM ceremony_uploads WHERE ceremony_id = ? AND idx = ? AND shard = ? AND operator = ?").get(c.id, input.index, x.shard, operator) as { sha256: string } | undefined;
      if (!u || u.sha256 !== x.zkeySha256) throw new ApiProblem("UPLOAD_MISSING", `shard ${x.shard}: ${operator} uploaded ${u ? `zkey ${u.sha256}` : "no zkey"} for contribution ${input.index}, not ${x.zkeySha256} (PUT it first)`);
      return blobPath(u.sha256, `the upload of shard ${x.shard}`);
    });

    return writes.run(async () => {
      const s2 = load(c, now);
      checkTurn(s2, input.index);
      for (const [k, x] of input.shards.entries()) {
        const currentPath = blobPath(s2.shards[k].zkey_sha256, `the current zkey of shard ${k}`);
        await checkExtends({ shard: k, currentPath, zkeyPath: uploads[k], contributionHash: x.contributionHash, name: input.name });
      }
      if (!existsSync(ptauPath)) throw new ApiProblem("CEREMONY_UNAVAILABLE", `the powers of tau ${path.relative(repoRoot, ptauPath)} are missing on this coordinator`);
      const items = input.shards.map((_, k) => ({ initialZkeyPath: blobPath(s2.shards[k].initial_zkey_sha256, `the initial zkey of shard ${k}`), ptauPath, zkeyPath: uploads[k] }));
      const t0 = performance.now();
      let result;
      try {
        result = await verifier(items);
      } catch (cause) {
        if (cause instanceof VerifierUnavailableError) throw new ApiProblem("CEREMONY_UNAVAILABLE", cause.message, { cause });
        throw cause;
      }
      if (!result.ok) throw new ApiProblem("ZKEY_INVALID", `shard ${result.index}: zkey verify from the initial zkey failed (${result.message.replace(items[result.index].zkeyPath, "upload")})`);
      const verifyMs = Math.round(performance.now() - t0);
      // The turn and the beacon are checked again at commit: verification takes seconds, and a
      // contribution that lands after its deadline or after the beacon block must not count.
      await checkBeaconAhead(c);
      const committedAt = clock();
      transaction(db, () => {
        checkTurn(load(c, committedAt), input.index);
        prepared(db, "INSERT INTO ceremony_contributions (ceremony_id, idx, operator, name, shard_hashes, zkeys, transcript_hash, signature, at_ms, verify_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").run(
          c.id,
          input.index,
          operator,
          input.name,
          JSON.stringify(shardHashes),
          JSON.stringify(input.shards.map((x) => x.zkeySha256)),
          transcriptHash,
          input.signature,
          committedAt,
          verifyMs,
        );
        for (const x of input.shards) prepared(db, "UPDATE ceremony_shards SET zkey_sha256 = ? WHERE ceremony_id = ? AND shard = ?").run(x.zkeySha256, c.id, x.shard);
        prepared(db, "DELETE FROM ceremony_uploads WHERE ceremony_id = ? AND idx = ? AND operator = ?").run(c.id, input.index, operator);
      });
      log.info({ model: m.model, index: input.index, operator, transcriptHash, verifyMs }, "ceremony contribution accepted");
      return toJson(load(c, clock()), false);
    });
  }

  return { get, find, start, upload, contribute, maxUploadBytes, resolveModel };
}
