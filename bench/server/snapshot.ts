/**
 * A frozen build of the worker for the whole bench run. `wrangler dev` rebuilds and resets every
 * object (closing every socket) when any file it bundled changes, including files under
 * node_modules; src/ may be edited and packages installed while a long bench runs. So the worker's
 * files are copied to a temporary directory and bundled there once (`wrangler deploy --dry-run
 * --outdir`), and each scenario runs dist/index.js from that copy (on bare workerd, or with
 * `wrangler dev dist/index.js --no-bundle`, which then watches nothing anyone else touches). Every
 * scenario of a run measures the same code, identified by a digest of src/. With a git ref
 * (`--src HEAD`), the tracked files come from that commit instead of the working tree (only the
 * untracked `.dev.vars` from the working tree), so a run can measure a commit while src/ is being edited.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, symlink, unlink } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { repoRoot } from "../paths.ts";

/** What wrangler dev reads from the repository (missing optional entries are skipped). */
const SCRIPT = "dist/index.js";

const ENTRIES = ["src", "packages", "public", "wrangler.toml", "wrangler.jsonc", "wrangler.json", ".dev.vars", "package.json", "tsconfig.json"];

export interface WorkerSnapshot {
  dir: string;
  /** The bundled worker, relative to `dir`: run it with `--no-bundle`. */
  script: string;
  /** sha256 of every file under src/ (paths and contents), first 12 hex digits. */
  srcDigest: string;
  /** The commit the files came from (`--src`), or null for the working tree. */
  commit: string | null;
  remove(): Promise<void>;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
}

function git(args: string[]): string {
  const result = spawnSync("git", args, { cwd: repoRoot, encoding: "utf8", timeout: 60_000, maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** The entries as `ref` has them (tracked ones only), extracted into `dir`; returns the full commit id. */
function extractCommit(ref: string, dir: string): string {
  const commit = git(["rev-parse", "--verify", `${ref}^{commit}`]);
  const tracked = ENTRIES.filter((entry) => git(["ls-tree", "--name-only", commit, "--", entry]) !== "");
  const archive = join(dir, "src.tar");
  git(["archive", "--format=tar", "-o", archive, commit, "--", ...tracked]);
  const untar = spawnSync("tar", ["-xf", archive, "-C", dir], { encoding: "utf8" });
  if (untar.status !== 0) throw new Error(`tar -xf failed: ${untar.stderr}`);
  return commit;
}

/** `ref`: a git commit to take the worker from instead of the working tree. */
export async function snapshotWorker(ref: string | null = null): Promise<WorkerSnapshot> {
  const dir = await mkdtemp(join(tmpdir(), "presence-bench-worker-"));
  try {
    const commit = ref === null ? null : extractCommit(ref, dir);
    if (commit !== null) await rm(join(dir, "src.tar"));
    for (const entry of ENTRIES) {
      const source = join(repoRoot, entry);
      if (commit !== null && existsSync(join(dir, entry))) continue;
      if (existsSync(source)) await cp(source, join(dir, entry), { recursive: true });
    }
    const modules = join(dir, "node_modules");
    await symlink(join(repoRoot, "node_modules"), modules, "dir");
    const build = spawnSync(process.execPath, [join(repoRoot, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", "dist"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    });
    await unlink(modules);
    if (build.status !== 0 || !existsSync(join(dir, SCRIPT))) {
      throw new Error(`bundling the worker failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
    }
    const hash = createHash("sha256");
    for (const file of [...(await filesUnder(join(dir, "src"))), ...(existsSync(join(dir, "packages")) ? await filesUnder(join(dir, "packages")) : [])]) {
      hash.update(relative(dir, file));
      hash.update(await readFile(file));
    }
    return { dir, script: SCRIPT, srcDigest: hash.digest("hex").slice(0, 12), commit, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
