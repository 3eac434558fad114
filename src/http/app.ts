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
import type { ApiRoutes } from "./apiRoutes";
import { Hono } from "hono";

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
function noRoute(app: Hono<AppEnv>) {
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
 * Every documented route, in the OpenAPI document's order: the public ones (before authentication),
 * then the rest. src/http/openapiDocument.ts builds the document from their `operations`.
 */
export const PUBLIC_ROUTES: readonly ApiRoutes[] = [devRoutes, healthRoutes];
export const AUTHENTICATED_ROUTES: readonly ApiRoutes[] = [connectRoutes, presenceRoutes, scopeRoutes, userRoutes, settingsRoutes, messageRoutes, statsRoutes];

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
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
  for (const routes of PUBLIC_ROUTES) app.route("/", routes);
  app.use("/v1/connect", upgradeOnly, socketOrigin);
  app.use("/v1/scopes/:scope/watch", upgradeOnly, socketOrigin);
  app.use("/v1/*", requireAuth, restRateLimit);
  for (const routes of AUTHENTICATED_ROUTES) app.route("/", routes);

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
