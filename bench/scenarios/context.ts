import type { BenchOptions } from "../args.ts";
import type { ClientPool } from "../clients/pool.ts";
import type { BenchServer, ServerOptions } from "../server/server.ts";
import { startWorkerd } from "../server/workerd.ts";
import { startWrangler } from "../server/wrangler.ts";

/** What every scenario gets from bench/run.ts. */
export interface BenchContext {
  options: BenchOptions;
  secret: string;
  pool: ClientPool;
  /** Things a reader of the results must know (failures, reloads, shortened phases). */
  warnings: string[];
  /** The frozen build of the worker every scenario's server runs (bench/server/snapshot.ts). */
  worker: { dir: string; script: string };
  /** Which routes clients actually took (see --route). */
  routes: Set<string>;
  log(message: string): void;
}

/** Timers every scenario's server runs with (the production defaults, stated so results say them). */
export const SERVER_VARS = {
  AWAY_AFTER_MS: "300000",
  OFFLINE_AFTER_MS: "60000",
  DISCONNECT_GRACE_MS: "5000",
};

/** How often long-lived bench sockets send a heartbeat, as the client SDK does (below OFFLINE_AFTER_MS / 2). */
export const KEEPALIVE_MS = 25_000;

/**
 * Runs `fn` against a fresh server of the chosen runtime (fresh storage, so scenarios never see
 * each other's objects or wake lines), and always stops it. `rateLimits` lifts wrangler.toml's
 * limits on this server only, for a figure they would cap; `traceObjects` (bare workerd only) logs
 * every call by object; `vars` adds to the timers.
 */
export async function withServer<T>(
  context: BenchContext,
  label: string,
  fn: (server: BenchServer) => Promise<T>,
  { rateLimits, traceObjects, vars }: Pick<ServerOptions, "rateLimits" | "traceObjects" | "vars"> = {},
): Promise<T> {
  const { options, worker } = context;
  const start = options.runtime === "wrangler" ? startWrangler : startWorkerd;
  const shards: Record<string, string> = options.scopeShards ? { SCOPE_SHARDS: options.scopeShards } : {};
  const server = await start({ vars: { ...SERVER_VARS, ...shards, ...vars }, keepState: options.keepState, route: options.route, cwd: worker.dir, script: worker.script, rateLimits, traceObjects });
  context.log(`  ${server.describe}${options.keepState ? `; state in ${server.persistDir}` : ""}`);
  context.routes.add(server.route);
  if (server.route !== options.route) context.warnings.push(`${label}: the user worker's port was not found; clients went through wrangler's proxy`);
  try {
    return await fn(server);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n--- last lines of the server ---\n${server.tail()}`);
  } finally {
    if (server.reloads.length > 0) context.warnings.push(`${label}: wrangler dev reloaded during the run (${server.reloads[0]}); figures are suspect`);
    await context.pool.closeAllSockets().catch((error: unknown) => context.warnings.push(`${label}: closing sockets failed: ${String(error)}`));
    await server.stop();
  }
}
