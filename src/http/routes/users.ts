import { OpenAPIHono, createRoute } from "@hono/zod-openapi";
import { ErrorBody } from "../../protocol/errors";
import { UserParam } from "../../protocol/rest";
import type { AppEnv } from "../appEnv";
import { requireService } from "../caller";
import { validationHook } from "../validation";

const errorContent = { "application/json": { schema: ErrorBody } };
const errors = {
  400: { description: "Invalid user id", content: errorContent },
  401: { description: "Missing or invalid service key", content: errorContent },
  403: { description: "Not a service key", content: errorContent },
};
const security = [{ bearer: [] }];

const disconnect = createRoute({
  method: "post",
  path: "/v1/users/{user}/disconnect",
  summary: "Sign a user out everywhere (service keys only): every device closes with 4004, tokens issued before now are refused",
  security,
  request: { params: UserParam },
  responses: { 204: { description: "Disconnected" }, ...errors },
});

const erase = createRoute({
  method: "delete",
  path: "/v1/users/{user}",
  summary: "Erase everything stored about a user (service keys only): devices close with 4004, the user leaves every roster",
  security,
  request: { params: UserParam },
  responses: { 204: { description: "Erased" }, ...errors },
});

export const userRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(disconnect, async (c) => {
    requireService(c);
    await c.env.PRESENCE.getByName(c.req.valid("param").user).disconnect();
    return c.body(null, 204);
  })
  .openapi(erase, async (c) => {
    requireService(c);
    await c.env.PRESENCE.getByName(c.req.valid("param").user).erase();
    return c.body(null, 204);
  });
