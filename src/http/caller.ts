import type { Context } from "hono";
import { ApiError } from "../errors";
import type { TokenClaims } from "../protocol/claims";
import type { ScopeId } from "../protocol/ids";
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

/** A user reads `global` and only their own org's and zone's scopes; a service caller reads any. */
export function authorizeScope(caller: Caller, scope: ScopeId): void {
  if (caller.kind === "service") return;
  const [kind, id] = scope.split(":");
  const { org, zone } = caller.claims;
  const allowed = kind === "global" || (kind === "org" && id === org) || (kind === "zone" && id === zone);
  if (!allowed) throw new ApiError(403, "forbidden_scope", `this token may not read ${scope}`);
}
