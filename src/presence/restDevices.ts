import type { Identity } from "../protocol/claims";
import type { PresenceView } from "../protocol/presence";
import type { DeviceState, LiveDevice } from "./status";

/**
 * Devices kept online by REST heartbeats (where WebSockets are blocked): they have no socket, so they
 * live in the user's record, each with when it was last heard. Pure functions over that list; the
 * transition treats them as live devices like any socket's, and their alarm expires them.
 */

/** A REST heartbeat as the route hands it to the user's object. */
export interface RestBeat {
  identity: Identity;
  device: string;
  /** When the heartbeat's token expires (epoch ms): the device lives no longer without another. */
  expiresAt: number;
  /** When that token was issued (epoch s), to refuse tokens older than a sign-out everywhere. */
  issuedAt: number | null;
  /** The user is active on the device (as an `activity` frame). */
  active: boolean;
  /** The device ends now (as a socket's close), instead of living on. */
  leave: boolean;
}

/** The user's own presence after a heartbeat, or why it was refused. */
export type BeatAnswer = { ok: true; presence: PresenceView } | { ok: false; code: "too_many_devices" | "revoked_token" };

/** The device id a heartbeat that names none keeps online. */
export const DEFAULT_REST_DEVICE = "rest";

export function isRestDevice(device: DeviceState): boolean {
  return device.type === "rest";
}

/** The user's live devices: their open sockets, then their REST devices (a socket replaces a REST device of the same id). */
export function liveDevices(sockets: readonly LiveDevice[], rest: readonly LiveDevice[]): LiveDevice[] {
  const held = new Set(sockets.map((device) => device.id));
  return [...sockets, ...rest.filter((device) => !held.has(device.id))];
}

/** A REST device heard from now (`held`: as it was; absent: new), active now when `active` or new; it lives on to `expiresAt` at most (its token's). */
export function heardFrom(held: LiveDevice | undefined, id: string, expiresAt: number, active: boolean, now: number): LiveDevice {
  return {
    id,
    type: "rest",
    connectedAt: held?.connectedAt ?? now,
    lastActive: active || held === undefined ? now : held.lastActive,
    expiresAt,
    lastHeard: now,
  };
}

/** How often a REST device should send its heartbeat: twice per `OFFLINE_AFTER_MS`, as socket pings. */
export function heartbeatIntervalMs(offlineAfterMs: number): number {
  return Math.floor(offlineAfterMs / 2);
}
