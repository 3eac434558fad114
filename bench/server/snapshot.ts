/**
 * A frozen copy of the worker for the whole bench run. `wrangler dev` rebuilds and resets every
 * object (closing every socket) when a source file changes; src/ may be edited while a long bench
 * runs, so wrangler runs from a temporary copy of what the worker needs, with node_modules linked.
 * Every scenario of a run thus measures the same code, identified by a digest of src/.
 */
import { createHash } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { repoRoot } from "../paths.ts";

/** What wrangler dev reads from the repository (missing optional entries are skipped). */
const ENTRIES = ["src", "public", "wrangler.toml", "wrangler.jsonc", "wrangler.json", ".dev.vars", "package.json", "tsconfig.json"];

export interface WorkerSnapshot {
  dir: string;
  /** sha256 of every file under src/ (paths and contents), first 12 hex digits. */
  srcDigest: string;
  remove(): Promise<void>;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
}

export async function snapshotWorker(): Promise<WorkerSnapshot> {
  const dir = await mkdtemp(join(tmpdir(), "presence-bench-worker-"));
  try {
    for (const entry of ENTRIES) {
      const source = join(repoRoot, entry);
      if (existsSync(source)) await cp(source, join(dir, entry), { recursive: true });
    }
    await symlink(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
    const hash = createHash("sha256");
    for (const file of await filesUnder(join(dir, "src"))) {
      hash.update(relative(dir, file));
      hash.update(await readFile(file));
    }
    return { dir, srcDigest: hash.digest("hex").slice(0, 12), remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
