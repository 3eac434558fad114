import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError } from "../../errors";
import { ErrorBody } from "../../protocol/errors";
import { MAX_RELATIONS, Privacy, PrivacyChange, RelationsChange, RelationsList, UserParam } from "../../protocol/rest";
import type { AppEnv } from "../appEnv";
import { requireService, userClaims } from "../caller";
import { validationHook } from "../validation";

/**
 * A user's privacy settings, contacts and blocks: their own at `/v1/<setting>/me`, anyone's for a
 * service caller at `/v1/users/{user}/<setting>`. All of it lives in the user's PresenceObject.
 */

const errorContent = { "application/json": { schema: ErrorBody } };
const errors = {
  400: { description: "Invalid body or user id, or more than 5,000 users in the list", content: errorContent },
  401: { description: "Missing, invalid or expired token", content: errorContent },
  403: { description: "A service key at `/me`, or a user's token at `/v1/users/...`", content: errorContent },
};
const security = [{ bearer: [] }];
const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });

const relationSummaries = {
  contacts: "the users they share their presence with (adding someone never lets the user see them)",
  blocks: "the users they blocked (who then see them as an unknown user everywhere)",
} as const;

/** The routes of one setting for one kind of caller: `me` (users) or `user` (service callers). */
function settingRoutes(who: "me" | "user") {
  const base = who === "me" ? "/v1" : "/v1/users/{user}";
  const path = (setting: string) => (who === "me" ? `${base}/${setting}/me` : `${base}/${setting}`);
  const whose = who === "me" ? "The caller's" : "A user's (service keys only)";
  const params = who === "me" ? {} : { params: UserParam };
  const privacy = ["get", "put"].map((method) =>
    createRoute({
      method: method as "get" | "put",
      path: path("privacy"),
      summary: `${whose} privacy: who sees them, and who sees when they were last active`,
      security,
      request: { ...params, ...(method === "put" ? { body: { required: true, ...json(PrivacyChange) } } : {}) },
      responses: { 200: { description: "The settings", ...json(Privacy) }, ...errors },
    }),
  );
  const relations = (["contacts", "blocks"] as const).flatMap((kind) =>
    ["get", "put"].map((method) => ({
      kind,
      route: createRoute({
        method: method as "get" | "put",
        path: path(kind),
        summary: `${whose} ${kind}: ${relationSummaries[kind]}${method === "put" ? "; adds and removes up to 100 users each" : ""}`,
        security,
        request: { ...params, ...(method === "put" ? { body: { required: true, ...json(RelationsChange) } } : {}) },
        responses: { 200: { description: `The ${kind}`, ...json(RelationsList) }, ...errors },
      }),
    })),
  );
  return { privacy, relations };
}

/** Whose settings the call is about: the caller's own (`me`), or, for a service caller, the user named. */
function subjectOf(c: Context<AppEnv>, who: "me" | "user"): string {
  if (who === "me") return userClaims(c).sub;
  requireService(c);
  return c.req.param("user") ?? "";
}

/** The body of a PUT, validated by the route's schema (a GET has none). */
async function bodyOf<T>(c: Context<AppEnv>): Promise<T | null> {
  return c.req.method === "PUT" ? ((c.req as unknown as { valid(target: "json"): T }).valid("json")) : null;
}

export const settingsRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

for (const who of ["me", "user"] as const) {
  const { privacy, relations } = settingRoutes(who);
  for (const route of privacy) {
    settingsRoutes.openapi(route, async (c) => {
      const user = subjectOf(c, who);
      return c.json(await c.env.PRESENCE.getByName(user).privacy(await bodyOf<z.infer<typeof PrivacyChange>>(c)), 200);
    });
  }
  for (const { kind, route } of relations) {
    settingsRoutes.openapi(route, async (c) => {
      const user = subjectOf(c, who);
      const change = await bodyOf<RelationsChange>(c);
      if (change?.add.includes(user)) throw new ApiError(400, "invalid_request", `add: a user cannot add themself to their own ${kind}`);
      const result = await c.env.PRESENCE.getByName(user).relation(kind, change);
      if (!result.ok) throw new ApiError(400, "too_many_relations", `${kind}: at most ${MAX_RELATIONS} users`);
      return c.json({ users: result.users }, 200);
    });
  }
}
