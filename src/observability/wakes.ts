import type { Config } from "../config";

export type ObjectKind = "presence" | "room";

/**
 * One JSON line per event an object handles (`{"wake":"room","event":"apply"}`), when LOG_WAKES is on.
 * Heartbeats answered by auto-response never run object code, so they never show up here.
 */
export function logWake(config: Config, object: ObjectKind, event: string): void {
  if (config.logWakes) console.log(JSON.stringify({ wake: object, event }));
}
