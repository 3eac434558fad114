import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./paths.ts";

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  wrangler: string;
  workerd: string;
  /** `ulimit -n` of the bench (wrangler and workerd inherit it). */
  openFilesLimit: string;
  loadAverageAtStart: number[];
  /** Filled in when the run ends: a busy machine (other jobs) shows here. */
  loadAverageAtEnd?: number[];
  git: { commit: string; dirty: boolean };
}

function packageVersion(require: NodeJS.Require, name: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: repoRoot, encoding: "utf8", timeout: 10_000 });
  return result.status === 0 ? result.stdout.trim() : "";
}

export function describeMachine(): MachineInfo {
  const fromRepo = createRequire(join(repoRoot, "package.json"));
  let workerd = "unknown";
  try {
    // wrangler may bring its own workerd; that is the one `wrangler dev` runs.
    workerd = packageVersion(createRequire(fromRepo.resolve("wrangler/package.json")), "workerd");
  } catch {
    workerd = packageVersion(fromRepo, "workerd");
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${process.platform} ${release()}`,
    node: process.version,
    wrangler: packageVersion(fromRepo, "wrangler"),
    workerd,
    openFilesLimit: run("sh", ["-c", "ulimit -n"]) || "unknown",
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
    git: { commit: run("git", ["rev-parse", "--short", "HEAD"]) || "unknown", dirty: run("git", ["status", "--porcelain", "--", "src", "wrangler.toml"]) !== "" },
  };
}
