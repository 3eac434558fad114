import type { Config } from "../config";

export type ObjectKind = "presence" | "room";

/** Storage an event cost: record loads and saves (PresenceObject), or rows read and written. */
export type StorageCost = Record<string, number>;

/**
 * One JSON line per event an object handles (`{"wake":"room","event":"apply"}`), when LOG_WAKES is on.
 * Heartbeats answered by auto-response never run object code, so they never show up here.
 */
export function logWake(config: Config, object: ObjectKind, event: string, cost: StorageCost = {}): void {
  if (config.logWakes) console.log(JSON.stringify({ wake: object, event, ...cost }));
}
