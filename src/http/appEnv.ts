import type { Env } from "../env";
import type { TokenClaims } from "../protocol/claims";

/** Hono's typing for this app: the bindings, and the claims that `requireAuth` sets. */
export interface AppEnv {
  Bindings: Env;
  Variables: { claims: TokenClaims };
}
