import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { readConfig } from "../config";
import { ApiError } from "../errors";
import type { AppEnv } from "./appEnv";

function allows(allowed: readonly string[], origin: string): boolean {
  return allowed.includes("*") || allowed.includes(origin);
}

/** CORS for REST: preflights answered (no token needed), and only allowed origins echoed back. */
export const restCors = createMiddleware<AppEnv>((c, next) =>
  cors({
    origin: (origin) => (allows(readConfig(c.env).allowedOrigins, origin) ? origin : null),
    allowMethods: ["GET", "POST", "PUT", "DELETE"],
    allowHeaders: ["authorization", "content-type", "if-none-match"],
    maxAge: 600,
  })(c, next),
);

/**
 * Socket upgrades from a page of another origin are refused unless that origin is allowed
 * (cross-site WebSocket hijacking); requests without `Origin` (servers, native apps) pass.
 */
export const socketOrigin = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header("origin");
  const own = new URL(c.req.url).origin;
  if (origin !== undefined && origin !== own && !allows(readConfig(c.env).allowedOrigins, origin)) {
    throw new ApiError(403, "forbidden_origin", `sockets may not be opened from ${origin}`);
  }
  await next();
});
