import { OpenAPIHono, createRoute } from "@hono/zod-openapi";
import { identityOf } from "../../protocol/claims";
import { ErrorBody } from "../../protocol/errors";
import { ConnectQuery } from "../../protocol/rest";
import type { ConnectContext } from "../../presence/deviceSockets";
import { internalUpgrade } from "../../sockets/internalUpgrade";
import { ApiError } from "../../errors";
import type { AppEnv } from "../appEnv";
import { userClaims } from "../caller";
import { validationHook } from "../validation";

const errorContent = { "application/json": { schema: ErrorBody } };

const connect = createRoute({
  method: "get",
  path: "/v1/connect",
  summary: "Open a device socket (WebSocket upgrade); see docs/PROTOCOL.md for its frames",
  request: { query: ConnectQuery },
  responses: {
    101: { description: "Switching to the WebSocket protocol" },
    400: { description: "Invalid device or type", content: errorContent },
    401: { description: "Missing, invalid, expired or revoked token", content: errorContent },
    403: { description: "A service key (it cannot open device sockets), or a page of a foreign origin", content: errorContent },
    426: { description: "Not a WebSocket upgrade", content: errorContent },
    429: { description: "The user has the most devices connected already", content: errorContent },
    503: { description: "The connection was not admitted in time (rare, e.g. during a deploy); connect again", content: errorContent },
  },
});

export const connectRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(connect, async (c) => {
  const claims = userClaims(c);
  const { device, type } = c.req.valid("query");
  const context: ConnectContext = {
    identity: identityOf(claims),
    device: device ?? crypto.randomUUID(),
    type,
    expiresAt: claims.exp * 1000,
    issuedAt: claims.iat ?? null,
  };
  const presence = c.env.PRESENCE.getByName(claims.sub);
  const ticket = await presence.admit(context);
  if (ticket === null) throw new ApiError(401, "revoked_token", "the user was signed out everywhere after this token was issued: get a new one");
  return presence.fetch(internalUpgrade(ticket));
});
