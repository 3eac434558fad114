import { OpenAPIHono, createRoute } from "@hono/zod-openapi";
import { PresenceView } from "../../protocol/presence";
import { BatchRequest, BatchResponse, UpdateMeRequest, UserParam } from "../../protocol/rest";
import { UserHistory, UserHistoryQuery } from "../../protocol/history";
import type { AppEnv } from "../appEnv";
import type { Context } from "hono";
import { identityOf } from "../../protocol/claims";
import { userClaims, viewerOf } from "../caller";
import { validationHook } from "../validation";
import { bearerSecurity, bodyErrors, errorResponse, restErrors } from "../openapiResponses";

const errors = { 400: errorResponse("Invalid request (`invalid_request`)"), ...restErrors };
/** Only a user has a presence of their own: `me` (and so `PUT /v1/presence/me`) is refused to a service key. */
const notForService = { 403: errorResponse("A service key naming `me` (`forbidden`): it has no presence of its own") };
const security = bearerSecurity;
const tags = ["presence"];

const getPresence = createRoute({
  method: "get",
  path: "/v1/presence/{user}",
  operationId: "getPresence",
  tags,
  summary: "One user's presence as the caller may see it (`me` is the caller, who also sees their own invisible status); a user the caller may not see looks like an unknown user",
  security,
  request: { params: UserParam },
  responses: { 200: { description: "The presence", content: { "application/json": { schema: PresenceView } } }, ...errors, ...notForService },
});

const batchPresence = createRoute({
  method: "post",
  path: "/v1/presence/batch",
  operationId: "getPresenceBatch",
  tags,
  summary: "The presence of 1 to 100 users",
  security,
  request: { body: { required: true, content: { "application/json": { schema: BatchRequest } } } },
  responses: { 200: { description: "Presence by user", content: { "application/json": { schema: BatchResponse } } }, ...errors, ...bodyErrors },
});

const updateMe = createRoute({
  method: "put",
  path: "/v1/presence/me",
  operationId: "updateMyPresence",
  tags,
  summary: "Set the caller's status (`auto` clears a manual one) and text (`\"\"` clears it), until a time at most 7 days ahead when given",
  security,
  request: { body: { required: true, content: { "application/json": { schema: UpdateMeRequest } } } },
  responses: { 200: { description: "The caller's presence", content: { "application/json": { schema: PresenceView } } }, ...errors, ...notForService, ...bodyErrors },
});

const userHistory = createRoute({
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

export const presenceRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(batchPresence, async (c) => {
    const { users } = c.req.valid("json");
    const unique = [...new Set(users)];
    const views = await Promise.all(unique.map((user) => presenceOf(c, user)));
    return c.json({ presence: Object.fromEntries(views.map((view) => [view.user, view])) }, 200);
  })
  .openapi(updateMe, async (c) => {
    const claims = userClaims(c);
    return c.json(await c.env.PRESENCE.getByName(claims.sub).choose(identityOf(claims), c.req.valid("json")), 200);
  })
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
