import * as z from "zod";
import { ApiRoutes, defineRoute } from "../apiRoutes";
import type { Context } from "hono";
import { ApiError } from "../../errors";
import type { RelationKind } from "../../presence/relations";
import { MAX_RELATIONS, Privacy, PrivacyChange, RelationsChange, RelationsList, UserParam } from "../../protocol/rest";
import type { AppEnv } from "../appEnv";
import { requireService, userClaims } from "../caller";
import { bearerSecurity, bodyErrors, errorResponse, restErrors } from "../openapiResponses";

/**
 * A user's privacy settings, contacts and blocks: their own at `/v1/<setting>/me`, anyone's for a
 * service caller at `/v1/users/{user}/<setting>`. All of it lives in the user's PresenceObject.
 */

type Who = "me" | "user";

const errors = {
  400: errorResponse("Invalid body or user id (`invalid_request`), or more than 5,000 users in the list (`too_many_relations`)"),
  ...restErrors,
  403: errorResponse("A service key at `/me`, or a user's token at `/v1/users/...` (`forbidden`)"),
};
const security = bearerSecurity;
const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });

/** `privacy` is a setting; contacts and blocks are the user's relations to others. */
const tagOf: Record<"privacy" | RelationKind, string> = { privacy: "settings", contacts: "relations", blocks: "relations" };

/** `getMyPrivacy`, `updateUserContacts`, ...: unique per route, camelCase. */
function operationIdOf(verb: "get" | "update", who: Who, setting: "privacy" | RelationKind): string {
  return `${verb}${who === "me" ? "My" : "User"}${setting[0]?.toUpperCase() ?? ""}${setting.slice(1)}`;
}

const about: Record<"privacy" | RelationKind, string> = {
  privacy: "privacy: who sees them, and who sees when they were last active",
  contacts: "contacts: the users they share their presence with (adding someone never lets the user see them)",
  blocks: "blocks: the users they blocked (who then see them as an unknown user everywhere)",
};

/** One setting's GET and PUT routes for one kind of caller: users (`me`) or service callers (`user`). */
function routesOf<T extends z.ZodType, B extends z.ZodType>(who: Who, setting: "privacy" | RelationKind, answer: T, body: B) {
  const path = who === "me" ? `/v1/${setting}/me` : `/v1/users/{user}/${setting}`;
  const summary = `${who === "me" ? "The caller's" : "A user's (service keys only)"} ${about[setting]}`;
  const request = { params: who === "me" ? z.object({}) : UserParam };
  const responses = { 200: { description: "The setting", ...json(answer) }, ...errors };
  const tags = who === "me" ? [tagOf[setting]] : [tagOf[setting], "users"];
  return {
    get: defineRoute({ method: "get", path, operationId: operationIdOf("get", who, setting), tags, summary, security, request, responses }),
    put: defineRoute({
      method: "put",
      path,
      operationId: operationIdOf("update", who, setting),
      tags,
      summary: `${summary}; changes it`,
      security,
      request: { ...request, body: { required: true, ...json(body) } },
      responses: { ...responses, ...bodyErrors },
    }),
  };
}

/** Whose settings the call is about: the caller's own (`me`), or, for a service caller, the user named. */
function presenceOf(c: Context<AppEnv>, who: Who) {
  if (who === "me") return c.env.PRESENCE.getByName(userClaims(c).sub);
  requireService(c);
  return c.env.PRESENCE.getByName(c.req.param("user") ?? "");
}

async function relation(c: Context<AppEnv>, who: Who, kind: RelationKind, change: RelationsChange | null) {
  const presence = presenceOf(c, who);
  const user = who === "me" ? userClaims(c).sub : (c.req.param("user") ?? "");
  if (change?.add.includes(user)) throw new ApiError(400, "invalid_request", `add: a user cannot add themself to their own ${kind}`);
  const result = await presence.relation(kind, change);
  if (!result.ok) throw new ApiError(400, "too_many_relations", `${kind}: at most ${MAX_RELATIONS} users`);
  return c.json({ users: result.users }, 200);
}

export const settingsRoutes = new ApiRoutes();

for (const who of ["me", "user"] as const) {
  const privacy = routesOf(who, "privacy", Privacy, PrivacyChange);
  settingsRoutes.openapi(privacy.get, async (c) => c.json(await presenceOf(c, who).privacy(null), 200));
  settingsRoutes.openapi(privacy.put, async (c) => c.json(await presenceOf(c, who).privacy(c.req.valid("json")), 200));
  for (const kind of ["contacts", "blocks"] as const) {
    const routes = routesOf(who, kind, RelationsList, RelationsChange);
    settingsRoutes.openapi(routes.get, (c) => relation(c, who, kind, null));
    settingsRoutes.openapi(routes.put, (c) => relation(c, who, kind, c.req.valid("json")));
  }
}
