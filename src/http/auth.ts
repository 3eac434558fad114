import { verify } from "hono/jwt";
import { JwtTokenExpired } from "hono/utils/jwt/types";
import { createMiddleware } from "hono/factory";
import { TokenClaims } from "../protocol/claims";
import { describeIssues } from "../protocol/validation";
import type { AppEnv } from "./appEnv";
import { ApiError } from "../errors";

/** Verifies an HS256 token and its claims; every failure is a 401 with its own code. */
export async function authenticate(token: string | undefined, secret: string): Promise<TokenClaims> {
  if (!token) throw new ApiError(401, "missing_token", "a bearer token is required");
  let payload: unknown;
  try {
    payload = await verify(token, secret, "HS256");
  } catch (error) {
    if (error instanceof JwtTokenExpired) throw new ApiError(401, "expired_token", "the token has expired");
    throw new ApiError(401, "invalid_token", "the token is malformed or its signature does not match");
  }
  const claims = TokenClaims.safeParse(payload);
  if (!claims.success) throw new ApiError(401, "invalid_token", `token claims: ${describeIssues(claims.error)}`);
  return claims.data;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** REST callers send `Authorization: Bearer`; sockets may use `?token=` since browsers cannot set headers. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
  const token = bearerToken(c.req.header("authorization")) ?? (upgrade ? c.req.query("token") : undefined);
  c.set("claims", await authenticate(token, c.env.JWT_SECRET));
  await next();
});
