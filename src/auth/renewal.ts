import type { TokenConfig } from "../config";
import { ApiError } from "../errors";
import { verifyToken } from "./tokens";

export type Renewal = { ok: true; expiresAt: number } | { ok: false; message: string };

/**
 * A `token` frame on an open socket: the new token must verify, name the same user and expire
 * later than the one the socket lives on; then the socket lives on to the new `exp`.
 */
export async function renewal(token: string, secret: string | undefined, config: TokenConfig, sub: string, expiresAt: number): Promise<Renewal> {
  try {
    const claims = await verifyToken(token, secret, config);
    if (claims.sub !== sub) return { ok: false, message: "the token names another user" };
    if (claims.exp * 1000 <= expiresAt) return { ok: false, message: "the token does not expire later than the current one" };
    return { ok: true, expiresAt: claims.exp * 1000 };
  } catch (error) {
    return { ok: false, message: error instanceof ApiError ? error.message : "the token could not be verified" };
  }
}
