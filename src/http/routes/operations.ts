import { ApiRoutes, defineRoute } from "../apiRoutes";
import { Health, Stats } from "../../protocol/operations";
import type { ScopeStats } from "../../protocol/rest";
import { readConfig, type Config } from "../../config";
import type { Env } from "../../env";
import { hubName, roomsOf, shardCount } from "../../rooms/shards";
import { VERSION } from "../../version";
import { requireService } from "../caller";
import { bearerSecurity, errorResponse, internalError, methodNotAllowed, publicSecurity, restErrors, unauthorized } from "../openapiResponses";

const health = defineRoute({
  method: "get",
  path: "/v1/health",
  operationId: "getHealth",
  tags: ["operations"],
  summary: "Whether the worker answers, and its version (no token)",
  security: publicSecurity,
  responses: { 200: { description: "Up", content: { "application/json": { schema: Health } } }, ...methodNotAllowed, ...internalError },
});

const stats = defineRoute({
  method: "get",
  path: "/v1/stats",
  operationId: "getStats",
  tags: ["operations"],
  summary: "Totals per scope and the sockets held right now (service keys only)",
  security: bearerSecurity,
  responses: {
    200: { description: "The figures", content: { "application/json": { schema: Stats } } },
    ...restErrors,
    ...unauthorized("Missing or invalid service key (`missing_token`, `invalid_token`)"),
    403: errorResponse("Not a service key (`forbidden`)"),
  },
});

/** Asked of this many scopes at a time. */
const STATS_FAN_IN = 50;

/** The directory lists rooms: a sharded scope's shards add up to its figures. */
function sumByScope(parts: readonly ScopeStats[]): ScopeStats[] {
  const scopes = new Map<string, ScopeStats>();
  for (const part of parts) {
    const held = scopes.get(part.scope);
    scopes.set(
      part.scope,
      held
        ? { ...held, online: held.online + part.online, away: held.away + part.away, busy: held.busy + part.busy, total: held.total + part.total, watchers: held.watchers + part.watchers }
        : part,
    );
  }
  return [...scopes.values()];
}

/** A sharded scope's watchers are held by its hubs (whose roster copies are not counted again). */
async function withHubWatchers(env: Env, config: Config, scopes: ScopeStats[]): Promise<ScopeStats[]> {
  return Promise.all(
    scopes.map(async (scope) => {
      if (shardCount(scope.scope, config.scopeShards) === 1) return scope;
      const hubs = await Promise.all(Array.from({ length: shardCount(scope.scope, config.watchHubs) }, (_, index) => env.ROOMS.getByName(hubName(scope.scope, index)).stats()));
      return { ...scope, watchers: scope.watchers + hubs.reduce((sum, hub) => sum + hub.watchers, 0) };
    }),
  );
}

/** `/v1/health` needs no token: it is mounted before authentication. */
export const healthRoutes = new ApiRoutes().openapi(health, (c) => c.json({ ok: true as const, version: VERSION }, 200));

export const statsRoutes = new ApiRoutes().openapi(stats, async (c) => {
  requireService(c);
  const config = readConfig(c.env);
  // The `global` room lists the scopes; each `global` shard of the sharding now tallies its users' devices.
  const shards = roomsOf("global", config.scopeShards);
  const [directory, ...tallies] = await Promise.all(["global", ...shards].map((name) => c.env.ROOMS.getByName(name).directory()));
  if (!directory) throw new Error("no directory");
  const devices = shards.includes("global") ? directory.devices : tallies.reduce((sum, tally) => sum + tally.devices, 0);
  const parts: ScopeStats[] = [];
  for (let start = 0; start < directory.scopes.length; start += STATS_FAN_IN) {
    const names = directory.scopes.slice(start, start + STATS_FAN_IN);
    parts.push(...(await Promise.all(names.map((room) => c.env.ROOMS.getByName(room).stats()))));
  }
  const scopes = await withHubWatchers(c.env, config, sumByScope(parts));
  const watchers = scopes.reduce((sum, scope) => sum + scope.watchers, 0);
  return c.json({ at: Date.now(), connections: { devices, watchers }, scopes, more: directory.more }, 200);
});
