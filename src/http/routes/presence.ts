import { ApiRoutes, defineRoute } from "../apiRoutes";
import { PresenceView } from "../../protocol/presence";
import { BatchQuery, BatchRequest, BatchResponse, HeartbeatLeaveQuery, HeartbeatRequest, HeartbeatResponse, UpdateMeRequest, UserParam } from "../../protocol/rest";
import { UserHistory, UserHistoryQuery } from "../../protocol/history";
import type { AppEnv } from "../appEnv";
import type { Context } from "hono";
import { identityOf } from "../../protocol/claims";
import { userClaims, viewerOf } from "../caller";
import { bearerSecurity, bodyErrors, errorResponse, rateLimited, restErrors } from "../openapiResponses";
import { ConditionalHeaders, conditionalGet, notModified, taggedHeaders } from "../etag";
import { readConfig } from "../../config";
import { ApiError } from "../../errors";
import { MAX_DEVICES } from "../../presence/deviceSockets";
import { DEFAULT_REST_DEVICE, heartbeatIntervalMs } from "../../presence/restDevices";

const errors = { 400: errorResponse("Invalid request (`invalid_request`)"), ...restErrors };
/** Only a user has a presence of their own: `me` (and so `PUT /v1/presence/me`) is refused to a service key. */
const notForService = { 403: errorResponse("A service key naming `me` (`forbidden`): it has no presence of its own") };
const security = bearerSecurity;
const tags = ["presence"];

const getPresence = defineRoute({
  method: "get",
  path: "/v1/presence/{user}",
  operationId: "getPresence",
  tags,
  summary: "One user's presence as the caller may see it (`me` is the caller, who also sees their own invisible status); a user the caller may not see looks like an unknown user",
  description: "Tagged for polling: send the `ETag` back in `If-None-Match` and an unchanged answer is a 304 with no body.",
  security,
  middleware: [conditionalGet] as const,
  request: { params: UserParam, headers: ConditionalHeaders },
  responses: {
    200: { description: "The presence", ...taggedHeaders, content: { "application/json": { schema: PresenceView } } },
    ...notModified,
    ...errors,
    ...notForService,
  },
});

const batchPresence = defineRoute({
  method: "post",
  path: "/v1/presence/batch",
  operationId: "getPresenceBatch",
  tags,
  summary: "The presence of 1 to 100 users",
  security,
  request: { body: { required: true, content: { "application/json": { schema: BatchRequest } } } },
  responses: { 200: { description: "Presence by user", content: { "application/json": { schema: BatchResponse } } }, ...errors, ...bodyErrors },
});

const pollPresence = defineRoute({
  method: "get",
  path: "/v1/presence",
  operationId: "pollPresenceBatch",
  tags,
  summary: "The presence of 1 to 100 users (`?users=a,b,c`): the batch read as a conditional GET",
  description: "Answers as `POST /v1/presence/batch` does, tagged for polling: send the `ETag` back in `If-None-Match` and an unchanged answer is a 304 with no body.",
  security,
  middleware: [conditionalGet] as const,
  request: { query: BatchQuery, headers: ConditionalHeaders },
  responses: { 200: { description: "Presence by user", ...taggedHeaders, content: { "application/json": { schema: BatchResponse } } }, ...notModified, ...errors },
});

const updateMe = defineRoute({
  method: "put",
  path: "/v1/presence/me",
  operationId: "updateMyPresence",
  tags,
  summary: "Set the caller's status (`auto` clears a manual one) and text (`\"\"` clears it), until a time at most 7 days ahead when given",
  security,
  request: { body: { required: true, content: { "application/json": { schema: UpdateMeRequest } } } },
  responses: { 200: { description: "The caller's presence", content: { "application/json": { schema: PresenceView } } }, ...errors, ...notForService, ...bodyErrors },
});

const beatErrors = {
  401: errorResponse("Missing, invalid, expired or revoked token (`missing_token`, `invalid_token`, `expired_token`, `revoked_token`)"),
  429: { ...rateLimited[429], description: "The user has the most devices connected already (`too_many_devices`), or too many requests from this caller (`rate_limited`; retry after `Retry-After` seconds)" },
};

const heartbeat = defineRoute({
  method: "post",
  path: "/v1/presence/me/heartbeat",
  operationId: "sendHeartbeat",
  tags,
  summary: "Keep the caller's REST device online (where WebSockets are blocked) until OFFLINE_AFTER_MS after this; `active` counts as activity, `leave` ends it",
  description: "The body is optional: none keeps the device `rest` online without activity. A device of type `rest` joins the caller's rosters as a socket device does.",
  security,
  request: { body: { required: false, content: { "application/json": { schema: HeartbeatRequest } } } },
  responses: {
    200: { description: "The caller's presence, and when the next heartbeat is due", content: { "application/json": { schema: HeartbeatResponse } } },
    ...errors,
    ...beatErrors,
    ...notForService,
    ...bodyErrors,
  },
});

const endHeartbeat = defineRoute({
  method: "delete",
  path: "/v1/presence/me/heartbeat",
  operationId: "endHeartbeat",
  tags,
  summary: "End the caller's REST device now, as a socket's close (the grace window applies)",
  security,
  request: { query: HeartbeatLeaveQuery },
  responses: {
    200: { description: "The caller's presence", content: { "application/json": { schema: HeartbeatResponse } } },
    ...errors,
    ...notForService,
  },
});

const userHistory = defineRoute({
  method: "get",
  path: "/v1/presence/{user}/history",
  operationId: "getPresenceHistory",
  tags,
  summary: "A user's time online, away and busy per UTC day, for the last 1 to 90 days; empty for a user the caller may not see (or whose last-seen is hidden from them)",
  security,
  request: { params: UserParam, query: UserHistoryQuery },
  responses: { 200: { description: "Days with any time", content: { "application/json": { schema: UserHistory } } }, ...errors, ...notForService },
});

/** What the caller may see of `user`, by the visibility rule: someone they may not see looks like an unknown user. */
function presenceOf(c: Context<AppEnv>, user: string): Promise<PresenceView> {
  return c.env.PRESENCE.getByName(user).presenceFor(viewerOf(c));
}

/** A REST device's heartbeat, or its end, as the caller's object answers it (a refusal is thrown as the one error shape). */
async function beat(c: Context<AppEnv>, device: string, active: boolean, leave: boolean) {
  const claims = userClaims(c);
  const context = { identity: identityOf(claims), device, expiresAt: claims.exp * 1000, issuedAt: claims.iat ?? null, active, leave };
  const answer = await c.env.PRESENCE.getByName(claims.sub).heartbeat(context);
  if (answer.ok) return { presence: answer.presence, heartbeatMs: leave ? 0 : heartbeatIntervalMs(readConfig(c.env).offlineAfterMs) };
  if (answer.code === "revoked_token") throw new ApiError(401, "revoked_token", "the user was signed out everywhere after this token was issued: get a new one");
  throw new ApiError(429, "too_many_devices", `at most ${MAX_DEVICES} devices may be connected at once`);
}

/** Each named user's presence as the caller may see them, by user (a repeated id once). */
async function presenceByUser(c: Context<AppEnv>, users: readonly string[]) {
  const views = await Promise.all([...new Set(users)].map((user) => presenceOf(c, user)));
  return { presence: Object.fromEntries(views.map((view) => [view.user, view])) };
}

export const presenceRoutes = new ApiRoutes()
  .openapi(batchPresence, async (c) => c.json(await presenceByUser(c, c.req.valid("json").users), 200))
  .openapi(pollPresence, async (c) => c.json(await presenceByUser(c, c.req.valid("query").users.split(",")), 200))
  .openapi(updateMe, async (c) => {
    const claims = userClaims(c);
    return c.json(await c.env.PRESENCE.getByName(claims.sub).choose(identityOf(claims), c.req.valid("json")), 200);
  })
  .openapi(heartbeat, async (c) => {
    const { device = DEFAULT_REST_DEVICE, active = false, leave = false } = c.req.valid("json");
    return c.json(await beat(c, device, active, leave), 200);
  })
  .openapi(endHeartbeat, async (c) => c.json(await beat(c, c.req.valid("query").device ?? DEFAULT_REST_DEVICE, false, true), 200))
  .openapi(userHistory, async (c) => {
    const param = c.req.valid("param").user;
    const user = param === "me" ? userClaims(c).sub : param;
    const days = await c.env.PRESENCE.getByName(user).onlineDays(viewerOf(c), c.req.valid("query").days);
    return c.json({ user, days }, 200);
  })
  .openapi(getPresence, async (c) => {
    const { user } = c.req.valid("param");
    return c.json(await presenceOf(c, user === "me" ? userClaims(c).sub : user), 200);
  });
