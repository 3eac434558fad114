import { ApiRoutes, defineRoute } from "../apiRoutes";
import { createMiddleware } from "hono/factory";
import { sign } from "hono/jwt";
import { readConfig } from "../../config";
import { DevTokenRequest, DevTokenResponse } from "../../protocol/rest";
import type { AppEnv } from "../appEnv";
import { ApiError } from "../../errors";
import { bodyErrors, errorResponse, internalError, methodNotAllowed, publicSecurity } from "../openapiResponses";

const devTokensOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!readConfig(c.env).devTokens) throw new ApiError(404, "dev_tokens_disabled", "dev tokens are disabled here");
  await next();
});

const mintToken = defineRoute({
  method: "post",
  path: "/v1/dev/token",
  middleware: [devTokensOnly] as const,
  operationId: "mintDevToken",
  tags: ["dev"],
  summary: "Mint a token for local development (only when DEV_TOKENS is \"true\")",
  security: publicSecurity,
  request: { body: { required: true, content: { "application/json": { schema: DevTokenRequest } } } },
  responses: {
    200: { description: "A signed token", content: { "application/json": { schema: DevTokenResponse } } },
    400: errorResponse("Invalid claims (`invalid_request`)"),
    404: errorResponse("Dev tokens are disabled (`dev_tokens_disabled`)"),
    ...methodNotAllowed,
    ...bodyErrors,
    ...internalError,
  },
});

export const devRoutes = new ApiRoutes().openapi(mintToken, async (c) => {
  const { ttl, sub, org, zone, name } = c.req.valid("json");
  const { issuer, audience, claims } = readConfig(c.env).tokens;
  const iat = Math.floor(Date.now() / 1000);
  const payload = {
    sub,
    iat,
    exp: iat + ttl,
    ...(issuer === undefined ? {} : { iss: issuer }),
    ...(audience[0] === undefined ? {} : { aud: audience[0] }),
    ...(org === undefined ? {} : { [claims.org]: org }),
    ...(zone === undefined ? {} : { [claims.zone]: zone }),
    ...(name === undefined ? {} : { [claims.name]: name }),
  };
  return c.json({ token: await sign(payload, c.env.JWT_SECRET, "HS256"), expiresAt: payload.exp * 1000 }, 200);
});
