/**
 * A content-addressed blob directory: `<dir>/<sha256>` holds bytes whose sha256 is the file name.
 * Beside the coordinator's database (`<db file>.blobs/`), for the ceremony's zkeys and the final
 * keys published with PUT /v1/artifacts/:sha256.
 *
 * Writes are atomic: the bytes go to `<dir>/.tmp-<random>` (fsynced), are hashed and checked,
 * then renamed to their name. A reader never sees a partial blob; a crash leaves at most a
 * `.tmp-*` file, removed on the next open. A blob is never rewritten: same name, same bytes.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";

const SHA256_RE = /^[0-9a-f]{64}$/;

export type BlobStore = {
  dir: string;
  has(sha256: string): boolean;
  /** absolute path of a held blob (undefined when not held) */
  pathOf(sha256: string): string | undefined;
  size(sha256: string): number | undefined;
  open(sha256: string): { bytes: number; stream: () => NodeJS.ReadableStream } | undefined;
  /**
   * Stores `bytes` (atomically) and returns their sha256. `check`, when given, runs on the
   * temporary file first: if it throws, nothing is stored and the error propagates.
   */
  put(bytes: Uint8Array, options?: { check?: (tmpPath: string, sha256: string) => Promise<void> }): Promise<{ sha256: string; bytes: number; created: boolean }>;
  /** Copies a file in (streamed, hashed on the way); `expectedSha256` refuses other contents. */
  putFile(file: string, options?: { expectedSha256?: string }): Promise<{ sha256: string; bytes: number; created: boolean }>;
};

export class BlobHashMismatchError extends Error {
  override name = "BlobHashMismatchError";
}

/** `<db file>.blobs` for a database on disk; a fresh temporary directory for ":memory:". */
export function blobDirFor(dbLocation: string | null | undefined): string {
  if (!dbLocation || dbLocation === ":memory:") return mkdtempSync(path.join(tmpdir(), "pm-blobs-"));
  return `${dbLocation}.blobs`;
}

export function openBlobStore({ dir }: { dir: string }): BlobStore {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.startsWith(".tmp-")) unlinkSync(path.join(dir, f));
  const valid = (sha256: string) => SHA256_RE.test(sha256);
  const file = (sha256: string) => path.join(dir, sha256);
  const tmpFile = () => path.join(dir, `.tmp-${randomBytes(8).toString("hex")}`);

  async function commit(tmp: string, sha256: string): Promise<boolean> {
    if (existsSync(file(sha256))) {
      await unlink(tmp);
      return false;
    }
    await rename(tmp, file(sha256));
    return true;
  }

  return {
    dir,
    has: (sha256) => valid(sha256) && existsSync(file(sha256)),
    pathOf: (sha256) => (valid(sha256) && existsSync(file(sha256)) ? file(sha256) : undefined),
    size(sha256) {
      if (!valid(sha256)) return undefined;
      try {
        return statSync(file(sha256)).size;
      } catch {
        return undefined;
      }
    },
    open(sha256) {
      if (!valid(sha256)) return undefined;
      let bytes: number;
      try {
        bytes = statSync(file(sha256)).size;
      } catch {
        return undefined;
      }
      return { bytes, stream: () => createReadStream(file(sha256)) };
    },
    async put(bytes, options = {}) {
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      const tmp = tmpFile();
      const fh = await open(tmp, "wx");
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await options.check?.(tmp, sha256);
        return { sha256, bytes: bytes.length, created: await commit(tmp, sha256) };
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
    },
    async putFile(src, options = {}) {
      const tmp = tmpFile();
      const hash = createHash("sha256");
      let bytes = 0;
      try {
        const out = createWriteStream(tmp, { flags: "wx" });
        await pipeline(
          createReadStream(src),
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              hash.update(chunk);
              bytes += chunk.length;
              yield chunk;
            }
          },
          out,
        );
        const fh = await open(tmp, "r+");
        await fh.sync();
        await fh.close();
        const sha256 = hash.digest("hex");
        if (options.expectedSha256 && options.expectedSha256.toLowerCase() !== sha256) throw new BlobHashMismatchError(`${src} hashes to ${sha256}, not ${options.expectedSha256}`);
        return { sha256, bytes, created: await commit(tmp, sha256) };
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
    },
  };
}
