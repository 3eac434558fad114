import { ApiRoutes, defineRoute } from "../apiRoutes";
import { identityOf } from "../../protocol/claims";
import { ConnectQuery } from "../../protocol/rest";
import type { ConnectContext } from "../../presence/deviceSockets";
import { internalUpgrade } from "../../sockets/internalUpgrade";
import { ApiError } from "../../errors";
import { userClaims } from "../caller";
import { errorContent, internalError, methodNotAllowed, socketSecurity } from "../openapiResponses";

const connect = defineRoute({
  method: "get",
  path: "/v1/connect",
  operationId: "connectDevice",
  tags: ["sockets"],
  summary: "Open a device socket (WebSocket upgrade); see docs/PROTOCOL.md for its frames",
  description: "The token goes in `Authorization: Bearer` or, from a browser (which cannot set headers on a WebSocket), in `?token=`; socket upgrades are not rate limited.",
  security: socketSecurity,
  request: { query: ConnectQuery },
  responses: {
    101: { description: "Switching to the WebSocket protocol" },
    400: { description: "Invalid device or type (`invalid_request`)", content: errorContent },
    401: { description: "Missing, invalid, expired or revoked token (`missing_token`, `invalid_token`, `expired_token`, `revoked_token`)", content: errorContent },
    403: { description: "A service key (`forbidden`: it cannot open device sockets), or a page of a foreign origin (`forbidden_origin`)", content: errorContent },
    ...methodNotAllowed,
    426: { description: "Not a WebSocket upgrade (`upgrade_required`)", content: errorContent },
    429: { description: "The user has the most devices connected already (`too_many_devices`)", content: errorContent },
    ...internalError,
    503: { description: "The connection was not admitted in time (`unavailable`; rare, e.g. during a deploy); connect again", content: errorContent },
  },
});

export const connectRoutes = new ApiRoutes().openapi(connect, async (c) => {
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
