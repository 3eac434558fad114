import type { Context } from "hono";
import { readConfig } from "../config";
import { ApiError } from "../errors";
import type { TokenClaims } from "../protocol/claims";
import type { ScopeId } from "../protocol/ids";
import { scopesOf } from "../presence/roomSync";
import { readableScopes, type Viewer } from "../visibility/rule";
import type { AppEnv, Caller } from "./appEnv";

/** The calling user's claims; a service caller has no presence of its own and is refused (403). */
export function userClaims(c: Context<AppEnv>): TokenClaims {
  const caller = c.get("caller");
  if (caller.kind === "service") throw new ApiError(403, "forbidden", "service keys cannot act as a user; use a user's token");
  return caller.claims;
}

/** Only service callers pass (the admin routes). */
export function requireService(c: Context<AppEnv>): void {
  if (c.get("caller").kind !== "service") throw new ApiError(403, "forbidden", "this route needs a service key");
}

/** The scopes a user's token lets them read. */
function readableOf(c: Context<AppEnv>, claims: TokenClaims): string[] {
  return readableScopes(scopesOf(claims), readConfig(c.env).globalVisibility);
}

/** Who the visibility rule is asked about: a service caller, or the user with the scopes their token may read. */
export function viewerOf(c: Context<AppEnv>): Viewer {
  const caller = c.get("caller");
  return caller.kind === "service" ? { kind: "service" } : { kind: "user", user: caller.claims.sub, scopes: readableOf(c, caller.claims) };
}

/**
 * A user reads the members of their own org's and zone's scopes, and of `global` when
 * `GLOBAL_VISIBILITY` is `everyone`; `counts` (any visibility) may also read the count of `global`.
 * A service caller reads any scope.
 */
export function authorizeScope(c: Context<AppEnv>, scope: ScopeId, read: "members" | "count"): void {
  const caller: Caller = c.get("caller");
  if (caller.kind === "service" || (read === "count" && scope === "global")) return;
  if (!readableOf(c, caller.claims).includes(scope)) {
    throw new ApiError(403, "forbidden_scope", `this token may not read ${scope}`);
  }
}
