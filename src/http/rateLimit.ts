import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors";
import type { AppEnv } from "./appEnv";

/** The REST_LIMIT binding's period (wrangler.toml), which is how long a refused caller should wait. */
export const REST_LIMIT_PERIOD_S = 10;

/** Limits REST calls per caller with the Workers Rate Limiting binding; socket upgrades are not counted. */
export const restRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    const caller = c.get("caller");
    const key = caller.kind === "service" ? "service" : `user:${caller.claims.sub}`;
    const { success } = await c.env.REST_LIMIT.limit({ key });
    if (!success) {
      c.header("Retry-After", String(REST_LIMIT_PERIOD_S));
      throw new ApiError(429, "rate_limited", `too many requests; retry in ${REST_LIMIT_PERIOD_S} s`);
    }
  }
  await next();
});
