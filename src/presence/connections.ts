import type { Env } from "../env";
import { roomOf, type ShardCounts } from "../rooms/shards";
import { logEvent } from "../observability/log";
import { metric } from "../observability/metrics";
import type { PresenceEvent, Step } from "./transition";

/**
 * One log line and one data point per device socket opened, and per socket the service closes (with
 * the close code); closes by clients are logged where the runtime reports them (`DeviceFrames.left`).
 */
export function logConnections(env: Pick<Env, "METRICS">, user: string, event: PresenceEvent, closes: Step["closes"]): void {
  if (event.type === "connect") {
    logEvent("connect", { user, device: event.device });
    metric(env, "connection_opened", { code: "device" });
  }
  for (const close of closes) {
    logEvent("disconnect", { user, device: close.device, code: close.code, what: close.reason });
    metric(env, "connection_closed", { code: "device" });
  }
}

/**
 * Tells the user's `global` shard (the `global` room when it is whole) how many devices the user
 * holds now, for `/v1/stats`, which sums the shards: spread like the roster, no one object takes
 * every connect and disconnect.
 */
export async function tallyDevices(env: Pick<Env, "ROOMS">, user: string, devices: number, shards: ShardCounts): Promise<void> {
  try {
    await env.ROOMS.getByName(roomOf("global", user, shards)).tallyDevices(user, devices);
  } catch {
    logEvent("push_failed", { user, what: "device tally" });
  }
}
