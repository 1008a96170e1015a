import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, relative } from "node:path";
import { ROOT } from "../paths.ts";

/**
 * Writes generated files, or in check mode compares them with what is on disk and
 * collects the differences (CI fails on any: generated files are never edited by hand).
 */
export class GeneratedFiles {
  readonly check: boolean;
  readonly mismatches: string[] = [];
  constructor(check: boolean) {
    this.check = check;
  }
  write(path: string, content: string | Uint8Array): void {
    const bytes = typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
    const same = existsSync(path) && Buffer.compare(readFileSync(path), bytes) === 0;
    if (same) return;
    if (this.check) {
      this.mismatches.push(relative(ROOT, path));
      return;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
}
