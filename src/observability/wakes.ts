import type { Config } from "../config";
import type { StorageCost, StorageMeter } from "./meter";

export type ObjectKind = "presence" | "room";


/**
 * One JSON line per event an object handles (`{"wake":"room","event":"apply"}`), when LOG_WAKES is on,
 * with what its storage cost since the object's previous line (`rowsRead`, `rowsWritten`, `alarmsSet`).
 * Heartbeats answered by auto-response never run object code, so they never show up here.
 */
export function logWake(config: Config, object: ObjectKind, event: string, cost: StorageCost = {}, meter: StorageMeter | null = null): void {
  if (config.logWakes) console.log(JSON.stringify({ wake: object, event, ...cost, ...meter?.take() }));
}
