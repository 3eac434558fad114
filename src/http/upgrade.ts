import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./appEnv";
import { ApiError } from "../errors";

/** Socket routes answer only WebSocket upgrades; a plain request learns so with a 426. */
export const upgradeOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "this route only accepts WebSocket upgrades");
  }
  await next();
});
