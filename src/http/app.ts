import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { Context } from "hono";
import type { ErrorCode } from "../protocol/errors";
import type { AppEnv } from "./appEnv";
import { requireAuth } from "./auth";
import { ApiError, errorBody } from "../errors";
import { refused } from "../observability/refusals";
import { errorName, logEvent } from "../observability/log";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { asyncApiRoutes } from "./routes/asyncapi";
import { connectRoutes } from "./routes/connect";
import { devRoutes } from "./routes/dev";
import { messageRoutes } from "./routes/messages";
import { healthRoutes, statsRoutes } from "./routes/operations";
import { presenceRoutes } from "./routes/presence";
import { scopeRoutes } from "./routes/scopes";
import { settingsRoutes } from "./routes/settings";
import { userRoutes } from "./routes/users";
import { restCors, socketOrigin } from "./origins";
import { restRateLimit } from "./rateLimit";
import { upgradeOnly } from "./upgrade";

/** The largest JSON body a route reads; larger ones are refused before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

const codeByStatus: Partial<Record<number, ErrorCode>> = {
  400: "invalid_request",
  401: "invalid_token",
  404: "not_found",
  405: "method_not_allowed",
  415: "unsupported_media_type",
};

/** Who called, for a log line: a user id, "service", or nothing before authentication. */
function callerId(c: Context<AppEnv>): string | undefined {
  const caller = c.get("caller") as AppEnv["Variables"]["caller"] | undefined;
  return caller === undefined ? undefined : caller.kind === "service" ? "service" : caller.claims.sub;
}

function patternOf(path: string): RegExp {
  return new RegExp(`^${path.replace(/:[^/]+/g, "[^/]+")}$`);
}

/** A path that exists with other methods gets a 405 naming them; anything else a 404. */
function noRoute(app: OpenAPIHono<AppEnv>) {
  return (c: Context<AppEnv>) => {
    const allowed = [
      ...new Set(app.routes.filter((route) => route.method !== "ALL" && patternOf(route.path).test(c.req.path)).map((route) => route.method)),
    ];
    if (allowed.length > 0) {
      c.header("Allow", allowed.join(", "));
      return c.json(errorBody("method_not_allowed", `${c.req.method} is not allowed here; use ${allowed.join(" or ")}`), 405);
    }
    return c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404);
  };
}

/**
 * The OpenAPI document's top level, served at `/v1/openapi.json` (and written by scripts/export-openapi.mjs
 * for `npm run lint:api`); the paths come from the routes' `createRoute` definitions.
 */
export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Edge presence",
    version: "1.0.0",
    description: "Who is online, on which devices; sockets are described in docs/PROTOCOL.md.",
    // The package is private and the repository has no LICENSE file: proprietary, named by an SPDX
    // `LicenseRef-` (the form SPDX gives licenses of one's own) rather than an invented URL.
    license: { name: "Proprietary: all rights reserved", identifier: "LicenseRef-Proprietary" },
  },
  servers: [
    { url: "http://localhost:8787", description: "`npm run dev` (local workerd)" },
    {
      url: "https://{host}",
      description: "A deployment: the worker's workers.dev address or a custom domain",
      variables: { host: { default: "edge-presence.your-subdomain.workers.dev", description: "Where the worker is deployed" } },
    },
  ],
  tags: [
    { name: "presence", description: "Users' presence: one, many, the caller's own, and time online per day" },
    { name: "scopes", description: "Rosters of a scope (`global`, `org:...`, `zone:...`): members, counts and history" },
    { name: "messages", description: "Messages between users, live to a connected receiver or stored in their inbox" },
    { name: "settings", description: "A user's privacy: who sees them, and who sees when they were last active" },
    { name: "relations", description: "A user's contacts and blocks" },
    { name: "users", description: "Acting on any user (service keys only)" },
    { name: "operations", description: "Health and figures for whoever runs the service" },
    { name: "sockets", description: "WebSocket upgrades: device sockets and scope watches (frames in docs/PROTOCOL.md)" },
    { name: "dev", description: "Local development only (DEV_TOKENS)" },
  ],
};

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A user's JWT; the routes for services take a service key (SERVICE_KEYS) the same way, as `Authorization: Bearer <key>`",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "queryToken", {
    type: "apiKey",
    in: "query",
    name: "token",
    description: "Socket upgrades only: the bearer token in `?token=`, for browsers, which cannot set headers on a WebSocket",
  });
  app.doc31("/v1/openapi.json", OPENAPI_DOCUMENT);
  app.route("/", asyncApiRoutes);

  app.use("/v1/*", restCors);
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, "payload_too_large", `bodies are limited to ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  app.route("/", devRoutes);
  app.route("/", healthRoutes);
  app.use("/v1/connect", upgradeOnly, socketOrigin);
  app.use("/v1/scopes/:scope/watch", upgradeOnly, socketOrigin);
  app.use("/v1/*", requireAuth, restRateLimit);
  app.route("/", connectRoutes);
  app.route("/", presenceRoutes);
  app.route("/", scopeRoutes);
  app.route("/", userRoutes);
  app.route("/", settingsRoutes);
  app.route("/", messageRoutes);
  app.route("/", statsRoutes);

  app.notFound(noRoute(app));
  app.onError((error, c) => {
    const where = { what: `${c.req.method} ${c.req.path}`, user: callerId(c) };
    if (error instanceof ApiError) return c.json(errorBody(refused(c.env, error, where).code, error.message), error.status);
    if (error instanceof HTTPException && error.status < 500) {
      const refusal = refused(c.env, new ApiError(error.status as ContentfulStatusCode, codeByStatus[error.status] ?? "invalid_request", error.message), where);
      return c.json(errorBody(refusal.code, refusal.message), refusal.status);
    }
    logEvent("internal_error", { ...where, code: errorName(error), detail: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    return c.json(errorBody("internal", "something went wrong on our side"), 500);
  });
  return app;
}
