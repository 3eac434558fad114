import { createMiddleware } from "hono/factory";
import { readConfig } from "../config";
import { ApiError } from "../errors";
import type { AppEnv } from "./appEnv";
import { isServiceKey } from "../auth/serviceKeys";
import { verifyToken } from "../auth/tokens";

function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** REST callers send `Authorization: Bearer`; sockets may use `?token=` since browsers cannot set headers. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
  const token = bearerToken(c.req.header("authorization")) ?? (upgrade ? c.req.query("token") : undefined);
  if (!token) throw new ApiError(401, "missing_token", "a bearer token is required");
  if (await isServiceKey(token, c.env.SERVICE_KEYS)) c.set("caller", { kind: "service" });
  else c.set("caller", { kind: "user", claims: await verifyToken(token, c.env.JWT_SECRET, readConfig(c.env).tokens) });
  await next();
});
