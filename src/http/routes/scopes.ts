import { ApiRoutes, defineRoute } from "../apiRoutes";
import type { Context } from "hono";
import type { ScopeId } from "../../protocol/ids";
import { Counts, MembersPage, MembersQuery, ScopeCount, ScopeParam, WatchQuery } from "../../protocol/rest";
import { decodeCursor } from "../../rooms/cursor";
import { watchUpgrade } from "../../sockets/internalUpgrade";
import type { AppEnv } from "../appEnv";
import { ApiError } from "../../errors";
import { authorizeScope } from "../caller";
import { readConfig } from "../../config";
import { hubsFor, shardCount } from "../../rooms/shards";
import { countScope, historyOf, membersOf } from "../scopeReads";
import { ScopeHistory, ScopeHistoryQuery } from "../../protocol/history";
import { ConditionalHeaders, conditionalGet, notModified, taggedHeaders } from "../etag";
import { bearerSecurity, errorContent, errorResponse, internalError, methodNotAllowed, restErrors, socketSecurity, unauthorized } from "../openapiResponses";

const invalid = { 400: errorResponse("Invalid scope or query (`invalid_request`)") };
const forbidden = { 403: errorResponse("The caller may not read this scope (`forbidden_scope`: not theirs, or `global` when GLOBAL_VISIBILITY is `counts`)") };
const errors = { ...invalid, ...restErrors, ...forbidden };
const security = bearerSecurity;
const tags = ["scopes"];

const members = defineRoute({
  method: "get",
  path: "/v1/scopes/{scope}/members",
  operationId: "listScopeMembers",
  tags,
  summary: "A scope's visible members, newest activity first, a page at a time",
  description: "Tagged for polling: send the `ETag` back in `If-None-Match` and an unchanged page is a 304 with no body.",
  security,
  middleware: [conditionalGet] as const,
  request: { params: ScopeParam, query: MembersQuery, headers: ConditionalHeaders },
  responses: { 200: { description: "A page of members", ...taggedHeaders, content: { "application/json": { schema: MembersPage } } }, ...notModified, ...errors },
});

const count = defineRoute({
  method: "get",
  path: "/v1/scopes/{scope}/count",
  operationId: "countScopeMembers",
  tags,
  summary: "How many members a scope has, by status",
  description: "Tagged for polling: send the `ETag` back in `If-None-Match` and unchanged counts are a 304 with no body.",
  security,
  middleware: [conditionalGet] as const,
  request: { params: ScopeParam, headers: ConditionalHeaders },
  responses: { 200: { description: "The counts", ...taggedHeaders, content: { "application/json": { schema: ScopeCount } } }, ...notModified, ...errors },
});

const counts = defineRoute({
  method: "get",
  path: "/v1/counts",
  operationId: "countMyScopes",
  tags,
  summary: "Member totals of the caller's own scopes",
  security,
  responses: { 200: { description: "Totals", content: { "application/json": { schema: Counts } } }, ...restErrors },
});

const watch = defineRoute({
  method: "get",
  path: "/v1/scopes/{scope}/watch",
  operationId: "watchScope",
  tags: ["sockets", "scopes"],
  summary: "Open a watch socket (WebSocket upgrade): a `sync`, then a `diff` per change",
  description: "The token goes in `Authorization: Bearer` or, from a browser (which cannot set headers on a WebSocket), in `?token=`; socket upgrades are not rate limited.",
  security: socketSecurity,
  request: { params: ScopeParam, query: WatchQuery },
  responses: {
    101: { description: "Switching to the WebSocket protocol" },
    ...invalid,
    ...unauthorized(),
    403: {
      description: "The caller may not read this scope (`forbidden_scope`), or a page of a foreign origin opened the socket (`forbidden_origin`)",
      content: errorContent,
    },
    ...methodNotAllowed,
    426: { description: "Not a WebSocket upgrade (`upgrade_required`)", content: errorContent },
    503: { description: "The scope (every hub of a sharded scope) has the most watchers already (`too_many_watchers`)", content: errorContent },
    ...internalError,
  },
});

const history = defineRoute({
  method: "get",
  path: "/v1/scopes/{scope}/history",
  operationId: "getScopeHistory",
  tags,
  summary: "A scope's members by status over time (kept 7 days): per step, the most in any minute of it; same access as `count`",
  security,
  request: { params: ScopeParam, query: ScopeHistoryQuery },
  responses: { 200: { description: "The points, oldest first", content: { "application/json": { schema: ScopeHistory } } }, ...errors },
});


/** Who reads a roster, as a room knows viewers: a user's id, or "" for a service caller (whom no member blocks). */
function viewerId(c: Context<AppEnv>): string {
  const caller = c.get("caller");
  return caller.kind === "user" ? caller.claims.sub : "";
}

export const scopeRoutes = new ApiRoutes()
  .openapi(members, async (c) => {
    const { scope } = c.req.valid("param");
    const { limit, cursor } = c.req.valid("query");
    authorizeScope(c, scope, "members");
    const after = cursor === undefined ? null : decodeCursor(cursor);
    if (cursor !== undefined && after === null) throw new ApiError(400, "invalid_request", "cursor: not a cursor this service made");
    const page = await membersOf(c.env, readConfig(c.env), scope, limit, after, viewerId(c));
    if (page === null) throw new ApiError(400, "invalid_request", "cursor: the member it names is no longer in the roster; start again from the first page");
    return c.json(page, 200);
  })
  .openapi(count, async (c) => {
    const { scope } = c.req.valid("param");
    authorizeScope(c, scope, "count");
    return c.json(await countScope(c.env, readConfig(c.env), scope, viewerId(c)), 200);
  })
  .openapi(history, async (c) => {
    const { scope } = c.req.valid("param");
    const { from, to, step } = c.req.valid("query");
    authorizeScope(c, scope, "count");
    return c.json({ scope, step, points: await historyOf(c.env, readConfig(c.env), scope, from, to, step) }, 200);
  })
  .openapi(counts, async (c) => {
    const caller = c.get("caller");
    const claims: { org?: string; zone?: string } = caller.kind === "user" ? caller.claims : {};
    const totalOf = async (scope: ScopeId | null) => (scope === null ? null : (await countScope(c.env, readConfig(c.env), scope, viewerId(c))).total);
    const [global, org, zone] = await Promise.all([
      totalOf("global"),
      totalOf(claims.org === undefined ? null : `org:${claims.org}`),
      totalOf(claims.zone === undefined ? null : `zone:${claims.zone}`),
    ]);
    return c.json({ global: global ?? 0, org, zone }, 200);
  })
  .openapi(watch, async (c) => {
    const { scope } = c.req.valid("param");
    const countsOnly = c.req.valid("query").members === "false";
    authorizeScope(c, scope, countsOnly ? "count" : "members");
    const caller = c.get("caller");
    // A service key does not expire: its watch lives until the key is rotated out and the socket closed.
    const who = caller.kind === "user" ? { sub: caller.claims.sub, expiresAt: caller.claims.exp * 1000 } : { sub: "", expiresAt: Number.MAX_SAFE_INTEGER };
    const context = countsOnly ? { ...who, countsOnly } : who;
    const config = readConfig(c.env);
    if (shardCount(scope, config.scopeShards) === 1) return c.env.ROOMS.getByName(scope).fetch(watchUpgrade(context));
    // A sharded scope is watched through its hubs: the viewer's own first, the next while one is full.
    let response: Response | null = null;
    for (const hub of hubsFor(scope, who.sub, config.watchHubs)) {
      response = await c.env.ROOMS.getByName(hub).fetch(watchUpgrade(context));
      if (response.status !== 503) return response;
    }
    return response as Response;
  });
