import type { PresenceDeviceType } from "../protocol/ids";
import type { ChosenStatus, PresenceView, Status } from "../protocol/presence";

/**
 * The status model: pure functions from a user's stored state, their devices and the time to
 * what they and others see. Nothing here knows about sockets or storage.
 */

export type ManualStatus = "away" | "busy" | "invisible";

export interface Timers {
  awayAfterMs: number;
  offlineAfterMs: number;
  /** How long after a removal is pushed to a room it is pushed once more (in case the first was lost). */
  leaseMs: number;
  disconnectGraceMs: number;
  /** How long a user who comes online waits before joining rosters (the greeting goes first). */
  joinPushDelayMs: number;
}

/** One connected device, as kept in its socket's attachment. */
export interface DeviceState {
  id: string;
  type: PresenceDeviceType;
  connectedAt: number;
  lastActive: number;
  /** When the token the socket lives on expires (epoch ms); a `token` frame moves it. */
  expiresAt: number;
}

/** A device whose socket is open, with when it was last heard from (its last frame or ping). */
export interface LiveDevice extends DeviceState {
  lastHeard: number;
}

/** What others see of an invisible user: frozen at the moment they went invisible. */
export interface Cloak {
  lastActive: number | null;
  lastSeen: number;
}

/** A user's own presence state, as kept in storage. */
export interface UserState {
  manual: ManualStatus | null;
  text: string | null;
  lastActive: number | null;
  lastSeen: number | null;
  /** When the last device left; the user keeps their status until `leftAt + disconnectGraceMs`. */
  leftAt: number | null;
  cloak: Cloak | null;
  /** When the chosen status and text lapse (epoch ms): the status goes back to automatic, the text clears. */
  until: number | null;
}

export const EMPTY_USER_STATE: UserState = {
  manual: null,
  text: null,
  lastActive: null,
  lastSeen: null,
  leftAt: null,
  cloak: null,
  until: null,
};

export function lastActiveOf(state: UserState, devices: readonly DeviceState[]): number | null {
  return devices.reduce<number | null>((latest, device) => Math.max(latest ?? 0, device.lastActive), state.lastActive);
}

function inGrace(state: UserState, now: number, timers: Timers): boolean {
  return state.leftAt !== null && now < state.leftAt + timers.disconnectGraceMs;
}

/** Whether the user counts as present: a device is connected, or the last one left within the grace window. */
export function isPresent(state: UserState, devices: readonly DeviceState[], now: number, timers: Timers): boolean {
  return devices.length > 0 || inGrace(state, now, timers);
}

/** The status the user sees of themself. */
export function statusOf(state: UserState, devices: readonly DeviceState[], now: number, timers: Timers): Status {
  if (!isPresent(state, devices, now, timers)) return "offline";
  if (state.manual) return state.manual;
  const lastActive = lastActiveOf(state, devices) ?? 0;
  return now - lastActive < timers.awayAfterMs ? "online" : "away";
}

export function selfView(user: string, state: UserState, devices: readonly DeviceState[], now: number, timers: Timers): PresenceView {
  return {
    user,
    status: statusOf(state, devices, now, timers),
    text: state.text,
    lastActive: lastActiveOf(state, devices),
    lastSeen: state.lastSeen,
    devices: devices.map((device) => ({
      id: device.id,
      type: device.type,
      idle: now - device.lastActive >= timers.awayAfterMs,
    })),
  };
}

/** What anyone else sees: an invisible user looks exactly like an offline one. */
export function publicView(own: PresenceView, cloak: Cloak | null): PresenceView {
  if (own.status === "invisible") {
    return { ...own, status: "offline", text: null, lastActive: cloak?.lastActive ?? null, lastSeen: cloak?.lastSeen ?? null, devices: [] };
  }
  if (own.status === "offline") return { ...own, text: null, devices: [] };
  return own;
}

/**
 * Applies a chosen status and optional text (`""` clears it); `online` and `auto` both clear a manual
 * status. Every choice sets when it lapses: `until`, or never when left out.
 */
export function chooseStatus(state: UserState, status: ChosenStatus | undefined, text: string | undefined, until?: number): UserState {
  const manual = status === undefined ? state.manual : status === "online" || status === "auto" ? null : status;
  const nextText = text === undefined ? state.text : text === "" ? null : text;
  return { ...state, manual, text: nextText, until: until ?? null };
}

/** A choice whose `until` has passed lapses: back to automatic, no text. */
export function lapseChoice(state: UserState, now: number): UserState {
  return state.until !== null && state.until <= now ? { ...state, manual: null, text: null, until: null } : state;
}

/**
 * Keeps the cloak in step with the status: on entering invisible, others' view freezes as if the
 * user went offline right then (or stays as it was, when they were offline already).
 */
export function withCloak(state: UserState, previous: Status, current: Status, devices: readonly DeviceState[], now: number): UserState {
  if (current !== "invisible") return state.cloak ? { ...state, cloak: null } : state;
  if (state.cloak) return state;
  const cloak =
    previous === "offline"
      ? { lastActive: state.lastActive, lastSeen: state.lastSeen ?? now }
      : { lastActive: lastActiveOf(state, devices), lastSeen: now };
  return { ...state, cloak };
}

/**
 * Ends an expired grace window: the user goes offline, seen last when their last device left
 * (or, for an invisible user, as others already saw them).
 */
export function expireGrace(state: UserState, devices: readonly DeviceState[], now: number, timers: Timers): UserState {
  if (state.leftAt === null || devices.length > 0 || inGrace(state, now, timers)) return state;
  if (state.cloak) return { ...state, lastActive: state.cloak.lastActive, lastSeen: state.cloak.lastSeen, leftAt: null };
  return { ...state, lastSeen: state.leftAt, leftAt: null };
}

/** When a device was last heard from: its last ping, its last frame, or its connection. */
export function lastHeardOf(device: DeviceState, lastPing: number | null): number {
  return Math.max(device.connectedAt, device.lastActive, lastPing ?? 0);
}

/** The next moment the status changes by itself with no event: away after idle, offline after grace, or a choice lapsing. */
export function nextStatusChangeAt(state: UserState, devices: readonly DeviceState[], now: number, timers: Timers): number | null {
  if (!isPresent(state, devices, now, timers)) return null;
  const candidates: number[] = [];
  if (devices.length === 0 && state.leftAt !== null) candidates.push(state.leftAt + timers.disconnectGraceMs);
  if (state.until !== null) candidates.push(state.until);
  const lastActive = lastActiveOf(state, devices);
  if (!state.manual && lastActive !== null && now - lastActive < timers.awayAfterMs) candidates.push(lastActive + timers.awayAfterMs);
  return candidates.length ? Math.min(...candidates) : null;
}
