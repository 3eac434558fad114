import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { nowMs, within } from "../clock.ts";
import { repoRoot } from "../paths.ts";
import { findUserWorkerPort } from "./direct.ts";
import { freePort } from "../../scripts/freePort.ts";
import { stopGroup, trackGroup } from "./processes.ts";
import { WakeCounter } from "./wakes.ts";

export type Route = "direct" | "proxy";

export interface WranglerServer {
  /** Where clients go: `http://127.0.0.1:<port>` of the user worker (direct) or of wrangler's proxy. */
  httpUrl: string;
  /** The same as `ws://`. */
  wsUrl: string;
  /** Which of the two `httpUrl` is (direct falls back to proxy when the worker's port cannot be found). */
  route: Route;
  /** wrangler dev's own address (`--port`), always through its proxy. */
  proxyUrl: string;
  /** The fresh `--persist-to` directory of this instance (Durable Object SQLite lives under it). */
  persistDir: string;
  vars: Record<string, string>;
  wakes: WakeCounter;
  /** How long `wrangler dev` took to print "Ready on". */
  startMs: number;
  /** Lines that say the dev server reloaded (a source file changed under it): results are then suspect. */
  reloads: string[];
  /** The last lines of output, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

export interface WranglerOptions {
  /** Extra `--var KEY:VALUE`; LOG_WAKES and DEV_TOKENS are always on. */
  vars?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Keep the persistence directory after stopping (for inspection). */
  keepState?: boolean;
  /** "direct": clients skip wrangler's proxy and talk to the user worker's workerd (bench/server/direct.ts). */
  route?: Route;
  /** Where the worker's wrangler.toml is (a bench/server/snapshot.ts copy); the repository by default. */
  cwd?: string;
  /** A bundled script to run as is (`wrangler dev <script> --no-bundle`), relative to `cwd`. */
  script?: string;
}

const TAIL_LINES = 40;

/**
 * Starts `wrangler dev` (the repo's own wrangler, under this Node) on a free 127.0.0.1 port with a
 * fresh persistence directory, and counts wake lines from its stdout. It runs as its own process
 * group so stopping it also stops workerd.
 */
export async function startWrangler(options: WranglerOptions = {}): Promise<WranglerServer> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const persistDir = await mkdtemp(join(tmpdir(), "presence-bench-"));
  const vars = { LOG_WAKES: "true", DEV_TOKENS: "true", ...options.vars };
  const args = [
    join(repoRoot, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    ...(options.script ? [options.script, "--no-bundle"] : []),
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persistDir,
    "--show-interactive-dev-session=false",
    ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
  ];
  const started = nowMs();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.cwd ?? repoRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  });
  trackGroup(child);
  const wakes = new WakeCounter();
  const lines: string[] = [];
  const reloads: string[] = [];
  let ready: (() => void) | null = null;
  const readySeen = new Promise<void>((resolve) => (ready = resolve));
  const onLine = (line: string) => {
    wakes.feed(line);
    // The tail is for diagnosis: leave out the thousands of wake lines and successful upgrades.
    if (line.includes('{"wake"') || line.includes("101 Switching Protocols")) return;
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
    if (/Ready on/.test(line)) ready?.();
    if (/reload/i.test(line) && !/live-reload/i.test(line)) reloads.push(line.trim());
  };
  if (child.stdout) createInterface({ input: child.stdout }).on("line", onLine);
  if (child.stderr) createInterface({ input: child.stderr }).on("line", (line) => {
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
  });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code, signal) => reject(new Error(`wrangler dev exited early (code ${code}, signal ${signal})`))),
  );
  exited.catch(() => {});
  const tail = () => lines.join("\n");
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopGroup(child);
    if (!options.keepState) await rm(persistDir, { recursive: true, force: true });
  };
  try {
    await within(Promise.race([readySeen, exited]), options.readyTimeoutMs ?? 90_000, "wrangler dev to print 'Ready on'");
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- wrangler output ---\n${tail()}`);
  }
  const startMs = nowMs() - started;
  const directPort = options.route === "direct" && child.pid !== undefined ? await findUserWorkerPort(child.pid) : null;
  const clientPort = directPort ?? port;
  return {
    httpUrl: `http://127.0.0.1:${clientPort}`,
    wsUrl: `ws://127.0.0.1:${clientPort}`,
    route: directPort === null ? "proxy" : "direct",
    proxyUrl: `http://127.0.0.1:${port}`,
    persistDir,
    vars,
    wakes,
    startMs,
    reloads,
    tail,
    stop,
  };
}
