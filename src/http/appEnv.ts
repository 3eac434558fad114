import type { Env } from "../env";
import type { TokenClaims } from "../protocol/claims";

/** Who calls: a signed-in user (their token's claims), or an application's backend with a service key. */
export type Caller = { kind: "user"; claims: TokenClaims } | { kind: "service" };

/** Hono's typing for this app: the bindings, and the caller that `requireAuth` sets. */
export interface AppEnv {
  Bindings: Env;
  Variables: { caller: Caller };
}
