import type { TokenClaims } from "../protocol/claims";
import type { ScopeId } from "../protocol/ids";
import { ApiError } from "../errors";

/** A caller reads `global`, and only its own org's and zone's scopes. */
export function authorizeScope(claims: TokenClaims, scope: ScopeId): void {
  const [kind, id] = scope.split(":");
  const allowed = kind === "global" || (kind === "org" && id === claims.org) || (kind === "zone" && id === claims.zone);
  if (!allowed) throw new ApiError(403, "forbidden_scope", `this token may not read ${scope}`);
}
