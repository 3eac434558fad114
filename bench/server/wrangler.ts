/**
 * `--runtime wrangler`: the frozen bundle under `wrangler dev` (the repo's own wrangler, under this
 * Node) on a free 127.0.0.1 port, as its own process group so stopping it also stops workerd.
 * Its trace collector is off (X_LOCAL_OBSERVABILITY=false); miniflare's entry worker still runs in
 * front of the user worker, even on the direct route.
 */
import { spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { nowMs, within } from "../clock.ts";
import { repoRoot } from "../paths.ts";
import { findUserWorkerPort, workerdPids } from "./direct.ts";
import { freePort } from "../../scripts/freePort.ts";
import { stopGroup, trackGroup } from "./processes.ts";
import { withRateLimits } from "./rateLimits.ts";
import { exitOf, followOutput, freshPersistDir, processCpuMs, processOpenFiles, type BenchServer, type ServerOptions } from "./server.ts";

export async function startWrangler(options: ServerOptions): Promise<BenchServer> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const persistDir = await freshPersistDir();
  const vars = { LOG_WAKES: "true", DEV_TOKENS: "true", ...options.vars };
  // Lifted rate limits: a copy of wrangler.toml beside it (so .dev.vars is still found), given with --config.
  const config = options.rateLimits ? join(options.cwd, `wrangler.${basename(persistDir)}.toml`) : null;
  if (config && options.rateLimits) await writeFile(config, withRateLimits(await readFile(join(options.cwd, "wrangler.toml"), "utf8"), options.rateLimits));
  const args = [
    join(repoRoot, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    options.script,
    "--no-bundle",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persistDir,
    "--show-interactive-dev-session=false",
    ...(config ? ["--config", config] : []),
    ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
  ];
  const started = nowMs();
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", X_LOCAL_OBSERVABILITY: "false", NO_COLOR: "1" },
  });
  trackGroup(child);
  const reloads: string[] = [];
  let ready: (() => void) | null = null;
  const readySeen = new Promise<void>((resolve) => (ready = resolve));
  const { wakes, calls, tail } = followOutput(child, (line) => {
    if (/Ready on/.test(line)) ready?.();
    if (/reload/i.test(line) && !/live-reload/i.test(line)) reloads.push(line.trim());
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopGroup(child);
    if (config) await rm(config, { force: true });
    if (!options.keepState) await rm(persistDir, { recursive: true, force: true });
  };
  try {
    await within(Promise.race([readySeen, exitOf(child, "wrangler dev")]), 90_000, "wrangler dev to print 'Ready on'");
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${tail()}`);
  }
  const startMs = nowMs() - started;
  const group = child.pid ?? 0;
  const directPort = options.route === "direct" ? await findUserWorkerPort(group) : null;
  const clientPort = directPort ?? port;
  const pids = process.platform === "linux" ? workerdPids(group, false) : [];
  return {
    runtime: "wrangler",
    httpUrl: `http://127.0.0.1:${clientPort}`,
    wsUrl: `ws://127.0.0.1:${clientPort}`,
    route: directPort === null ? "proxy" : "direct",
    describe: `wrangler dev ready in ${(startMs / 1000).toFixed(1)} s (http://127.0.0.1:${port}; clients ${directPort === null ? "through the proxy" : `direct to the worker at http://127.0.0.1:${directPort}`})`,
    persistDir,
    wakes,
    calls,
    reloads,
    cpuMs: () => processCpuMs(pids),
    openFiles: () => processOpenFiles(pids),
    tail,
    stop,
  };
}
