/**
 * The frozen bundle on the bare workerd binary that wrangler ships, configured from wrangler.toml
 * as production configures the worker: its [vars] (plus the secrets of .dev.vars, LOG_WAKES and
 * DEV_TOKENS on, the scenario's vars), its Durable Object bindings (SQLite-backed), its rate
 * limits (emulated as miniflare does; a scenario may lift some, see rateLimits.ts) and its compatibility date and flags. No wrangler dev, miniflare entry worker or trace collector in
 * front of the worker: what is measured is the worker on workerd. Static assets are not served.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { nowMs, within } from "../clock.ts";
import { repoRoot } from "../paths.ts";
import { devVars, localSecret } from "../tokens.ts";
import { stopGroup, trackGroup } from "./processes.ts";
import { declaredRateLimits, effectiveRateLimits } from "./rateLimits.ts";
import { tracingEntry } from "./objectCalls.ts";
import { exitOf, followOutput, freshPersistDir, processCpuMs, processOpenFiles, type BenchServer, type ServerOptions } from "./server.ts";
import { parseToml } from "./toml.ts";

/** Tables of wrangler.toml this runtime sets up, or that do not concern it; any other (a new binding) must be added here. */
const HANDLED = new Set([
  ...["", "vars", "durable_objects.bindings", "ratelimits", "migrations", "assets", "observability", "placement", "limits", "triggers", "dev", "build"],
  ...["queues.producers", "queues.consumers", "analytics_engine_datasets"],
]);

/**
 * Queue producers and Analytics Engine datasets as bindings that accept and drop what they are
 * given: no consumer runs here (webhooks are off unless a scenario sets WEBHOOK_URL), and data
 * points cost the worker only the call, as in production.
 */
const SINK_MODULE = `export default () => ({ async send() {}, async sendBatch() {}, writeDataPoint() {} });`;

/**
 * The Rate Limiting binding as miniflare emulates it: fixed windows of `period` seconds aligned to
 * the clock, `limit` calls per key in each (kept in the worker's isolate; there is one).
 */
const RATE_LIMIT_MODULE = `const windows = new Map();
export default ({ limit, period }) => ({
  async limit({ key = "" } = {}) {
    const epoch = Math.floor(Date.now() / (period * 1000)), window = windows.get(key);
    const count = window?.epoch === epoch ? window.count : 0;
    if (count >= limit) return { success: false };
    windows.set(key, { epoch, count: count + 1 });
    return { success: true };
  },
});`;

function workerdBinary(): string {
  const fromRepo = createRequire(join(repoRoot, "package.json"));
  return (createRequire(fromRepo.resolve("wrangler/package.json"))("workerd") as { default: string }).default;
}

export async function startWorkerd(options: ServerOptions): Promise<BenchServer> {
  const toml = readFileSync(join(options.cwd, "wrangler.toml"), "utf8");
  const tables = parseToml(toml);
  const top = tables[0]?.keys ?? {};
  const str = (value: unknown) => (typeof value === "string" ? value : "");
  const vars: Record<string, string> = {};
  for (const table of tables.filter((t) => t.name === "vars")) for (const [key, value] of Object.entries(table.keys)) vars[key] = str(value);
  // The secrets wrangler dev would read from .dev.vars; the bench signs tokens with localSecret().
  Object.assign(vars, devVars(options.cwd), { JWT_SECRET: localSecret(), LOG_WAKES: "true", DEV_TOKENS: "true" }, options.vars);
  const unknown = tables.find((t) => !HANDLED.has(t.name) && !t.name.startsWith("env."));
  if (unknown) throw new Error(`wrangler.toml: [${unknown.name}] is not set up by bench/server/workerd.ts; add it there, or use --runtime wrangler`);
  const objects = tables.filter((t) => t.name === "durable_objects.bindings").map((t) => ({ name: str(t.keys.name), className: str(t.keys.class_name) }));
  const sinks = tables.filter((t) => t.name === "queues.producers" || t.name === "analytics_engine_datasets").map((t) => str(t.keys.binding));
  const limits = Object.entries(effectiveRateLimits(declaredRateLimits(toml), options.rateLimits)).map(([name, simple]) => ({ name, simple }));
  const flags = Array.isArray(top.compatibility_flags) ? top.compatibility_flags : [];
  const q = (value: string) => JSON.stringify(value);
  // Behind the tracing entry, the bundle is imported by it as "index.js" and the entry is the main module.
  const entry = options.traceObjects ? `(name = "bench-entry.js", esModule = ${q(tracingEntry("index.js", objects.map((o) => o.className)))}), ` : "";

  const persistDir = await freshPersistDir();
  await mkdir(join(persistDir, "v3", "do"), { recursive: true });
  // miniflare's layout (v3/do/<script>-<Class>/<id>.sqlite), so bench/storage/inspect.ts reads both runtimes alike.
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker), (name = "disk", disk = (path = ${q(join(persistDir, "v3", "do"))}, writable = true))],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
  extensions = [(modules = [(name = "bench:ratelimit", internal = true, esModule = ${q(RATE_LIMIT_MODULE)}), (name = "bench:sink", internal = true, esModule = ${q(SINK_MODULE)})])],
);
const worker :Workerd.Worker = (
  modules = [${entry}(name = "index.js", esModule = embed ${q(options.script)})],
  compatibilityDate = ${q(str(top.compatibility_date))},
  compatibilityFlags = [${flags.map(q).join(", ")}],
  bindings = [${[
    ...Object.entries(vars).map(([name, value]) => `(name = ${q(name)}, text = ${q(value)})`),
    ...objects.map((o) => `(name = ${q(o.name)}, durableObjectNamespace = ${q(o.className)})`),
    ...sinks.map((name) => `(name = ${q(name)}, wrapped = (moduleName = "bench:sink"))`),
    ...limits.map((l) => `(name = ${q(l.name)}, wrapped = (moduleName = "bench:ratelimit", innerBindings = [(name = "limit", json = "${l.simple.limit}"), (name = "period", json = "${l.simple.period}")]))`),
  ].join(", ")}],
  durableObjectNamespaces = [${objects.map((o) => `(className = ${q(o.className)}, uniqueKey = ${q(`${str(top.name)}-${o.className}`)}, enableSql = true)`).join(", ")}],
  durableObjectStorage = (localDisk = "disk"),
);
`;
  const configFile = join(options.cwd, `${basename(persistDir)}.capnp`);
  await writeFile(configFile, config);

  const started = nowMs();
  // --control-fd: workerd reports the port it bound (address :0) on fd 3 once it listens.
  const child = spawn(workerdBinary(), ["serve", configFile, "--experimental", "--control-fd=3"], { cwd: options.cwd, detached: true, stdio: ["ignore", "pipe", "pipe", "pipe"] });
  trackGroup(child);
  const { wakes, calls, tail } = followOutput(child);
  const listening = new Promise<number>((resolve) =>
    createInterface({ input: child.stdio[3] as Readable }).on("line", (line) => {
      const event = line.startsWith("{") ? (JSON.parse(line) as { event?: string; socket?: string; port?: number }) : {};
      if (event.event === "listen" && event.socket === "http" && event.port) resolve(event.port);
    }),
  );
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopGroup(child);
    await rm(configFile, { force: true });
    if (!options.keepState) await rm(persistDir, { recursive: true, force: true });
  };
  let port: number;
  try {
    port = await within(Promise.race([listening, exitOf(child, "workerd")]), 30_000, "workerd to listen");
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- workerd output ---\n${tail()}`);
  }
  const httpUrl = `http://127.0.0.1:${port}`;
  return {
    runtime: "workerd",
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}`,
    route: "direct",
    describe: `workerd ready in ${((nowMs() - started) / 1000).toFixed(1)} s at ${httpUrl}`,
    persistDir,
    wakes,
    calls,
    reloads: [],
    cpuMs: () => processCpuMs(child.pid === undefined ? [] : [child.pid]),
    openFiles: () => processOpenFiles(child.pid === undefined ? [] : [child.pid]),
    tail,
    stop,
  };
}
