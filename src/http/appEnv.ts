import type { Env } from "../env";
import type { Caller } from "./caller";

/** Hono's typing for this app: the bindings, and the caller that `requireAuth` sets. */
export interface AppEnv {
  Bindings: Env;
  Variables: { caller: Caller };
}
