import type { PresenceObject } from "./presence/PresenceObject";
import type { RoomObject } from "./rooms/RoomObject";

/** The worker's bindings, as declared in wrangler.toml (vars are strings until `readConfig`). */
export interface Env {
  PRESENCE: DurableObjectNamespace<PresenceObject>;
  ROOMS: DurableObjectNamespace<RoomObject>;
  JWT_SECRET: string;
  AWAY_AFTER_MS: string;
  OFFLINE_AFTER_MS: string;
  DISCONNECT_GRACE_MS: string;
  DEV_TOKENS?: string;
  LOG_WAKES?: string;
}
