import { ApiRoutes, defineRoute } from "../apiRoutes";
import { UserParam } from "../../protocol/rest";
import { requireService } from "../caller";
import { bearerSecurity, errorResponse, payloadTooLarge, restErrors, unauthorized } from "../openapiResponses";

/** Neither route reads a body, but the body limit still refuses one over 16 KiB. */
const errors = {
  400: errorResponse("Invalid user id (`invalid_request`)"),
  ...restErrors,
  ...unauthorized("Missing or invalid service key (`missing_token`, `invalid_token`)"),
  403: errorResponse("Not a service key (`forbidden`)"),
  ...payloadTooLarge,
};
const security = bearerSecurity;
const tags = ["users"];

const disconnect = defineRoute({
  method: "post",
  path: "/v1/users/{user}/disconnect",
  operationId: "disconnectUser",
  tags,
  summary: "Sign a user out everywhere (service keys only): every device closes with 4004, tokens issued before now are refused",
  security,
  request: { params: UserParam },
  responses: { 204: { description: "Disconnected" }, ...errors },
});

const erase = defineRoute({
  method: "delete",
  path: "/v1/users/{user}",
  operationId: "eraseUser",
  tags,
  summary: "Erase everything stored about a user (service keys only): devices close with 4004, the user leaves every roster",
  security,
  request: { params: UserParam },
  responses: { 204: { description: "Erased" }, ...errors },
});

export const userRoutes = new ApiRoutes()
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
