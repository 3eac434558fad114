import type { Identity } from "../protocol/claims";
import { CloseCode } from "../protocol/constants";
import type { DeviceFrame, DeviceServerFrame } from "../protocol/frames";
import { memberOf } from "../protocol/member";
import type { Member, PresenceView } from "../protocol/presence";
import type { Privacy, UpdateMeRequest } from "../protocol/rest";
import { inRosters, rosterShowsActivity } from "../visibility/rule";
import { endFocusOf, focusDevice, focusedBy, receiveFocus, releaseGoneDevices, type FocusNotice, type FocusState } from "./focus";
import { newRecord, sameRecord, type Shown, type UserRecord } from "./record";
import { connectScopes, nextScopeLapse, scopesNow, settleScopes, type DeviceScopes } from "./deviceScopes";
import { heardFrom, isRestDevice, liveDevices } from "./restDevices";
import { nextVisible, type VisibleChange } from "./visibleStatus";
import { ONE_SHARD_EACH, roomOf, type ShardCounts } from "../rooms/shards";
import { carriesBlocks, dueRoomSyncs, markSent, nextRoomSyncAt, planRoomSyncs, scopesOf, sweptByGlobal } from "./roomSync";
import {
  chooseStatus,
  expireGrace,
  lapseChoice,
  lastActiveOf,
  nextStatusChangeAt,
  publicView,
  selfView,
  withCloak,
  type DeviceState,
  type LiveDevice,
  type Timers,
  type UserState,
} from "./status";

/**
 * The one transition of a user's presence: given what is stored, the devices whose sockets are
 * open, one event and the time, it says what to store, what to send to the user's devices, what
 * to push to rooms, whom to tell about focus and when to wake up next. It knows no runtime.
 */

/** `lastActive` is saved at most this often while devices are merely active (a lost update costs at most this). */
export const LAST_ACTIVE_SAVE_MS = 60_000;

/** The frames that change presence (subscriptions are the object's own business, not the user's state). */
export type StateFrame = Exclude<DeviceFrame, { type: "subscribe" | "unsubscribe" | "ack" | "read" | "typing" }>;

export type PresenceEvent =
  /** A device socket was accepted (it is among the live devices); `replaced` are its earlier sockets, just closed. */
  | { type: "connect"; identity: Identity; device: string; replaced: DeviceState[] }
  /** A valid frame from a live device. */
  | { type: "frame"; device: string; frame: StateFrame }
  /** A status chosen over REST. */
  | { type: "choose"; identity: Identity; change: UpdateMeRequest }
  /**
   * A REST device's heartbeat, with the token it came with (expiring at `expiresAt`); `active`: the
   * user is active on it; `replaced`: sockets of the same device id, just closed.
   */
  | { type: "heartbeat"; identity: Identity; device: string; expiresAt: number; active: boolean; replaced: DeviceState[] }
  /** A REST device ends at once (its heartbeats stop), as a socket's close. */
  | { type: "restLeave"; device: string }
  /** A device socket closed or failed; it is no longer live. */
  | { type: "leave"; device: DeviceState }
  /** The alarm: time-driven changes are due. */
  | { type: "alarm" }
  /** The user's `global` shard sweeps: devices silent or expired are closed, as at an alarm. */
  | { type: "sweep" }
  /** Someone reads the user's presence. */
  | { type: "read" }
  /** The service signs the user out everywhere (or bans them): every device closes, older tokens are refused. */
  | { type: "disconnect" }
  /** Another user's device gained or lost focus on this user. */
  | { type: "focus"; from: string; device: string; active: boolean; at: number }
  /** The user's privacy settings changed. */
  | { type: "privacy"; privacy: Privacy }
  /** The user blocked `blocked` (and maybe unblocked others): rosters learn the new list, their focus ends. */
  | { type: "blocks"; blocked: readonly string[] }
  /** The user's contacts changed. */
  | { type: "contacts" };

export interface TransitionInput {
  user: string;
  record: UserRecord | null;
  /** The devices whose sockets are open (REST devices come from the record). */
  live: readonly LiveDevice[];
  event: PresenceEvent;
  now: number;
  timers: Timers;
  /** How scopes are sharded (default: one object each). */
  shards?: ShardCounts;
}

/** A frame for one device of the user, or (device null) for every live one. */
export interface DeviceMessage {
  device: string | null;
  frame: DeviceServerFrame;
}

export interface RoomPush {
  scope: string;
  /** The object that holds the user in this scope (the scope's own, or a shard). */
  room: string;
  /** A shard the user moved out of, told they left. */
  leaveFrom?: string;
  member: Member | null;
  rev: number;
  /** Where the member sorts when their activity is hidden. */
  rank?: number;
  /** The push carries the user's whole list of blocks (the room has an older one). */
  withBlocks?: boolean;
}

export interface Step {
  /** The record after the event; null only for a user who never connected. */
  record: UserRecord | null;
  /** Whether `record` differs from what was loaded, so it must be saved. */
  changed: boolean;
  messages: DeviceMessage[];
  closes: { device: string; code: number; reason: string }[];
  pushes: RoomPush[];
  notices: FocusNotice[];
  /** The user's presence as they see it, and as everyone else does. */
  own: PresenceView;
  others: PresenceView;
  /** How the status everyone else sees moved, if it did. */
  change: VisibleChange | null;
  alarmAt: number | null;
}

/** Who the user is, for an event that makes a record for a user who never connected (null: one that does not). */
function identityOf(user: string, event: PresenceEvent): Identity | null {
  if (event.type === "disconnect" || event.type === "privacy" || event.type === "blocks") return { sub: user };
  return event.type === "connect" || event.type === "choose" || event.type === "heartbeat" ? event.identity : null;
}

function showOf(own: PresenceView): Shown {
  return { status: own.status, text: own.text, devices: own.devices.map(({ id, type }) => ({ id, type })) };
}

function sameShown(a: Shown | null, b: Shown): boolean {
  if (a === null || a.status !== b.status || a.text !== b.text || a.devices.length !== b.devices.length) return false;
  return a.devices.every((device, index) => device.id === b.devices[index]?.id && device.type === b.devices[index]?.type);
}

export function transition(input: TransitionInput): Step {
  const { user, event, now, timers } = input;
  const loaded = input.record;
  const identity = identityOf(user, event);
  const fresh = loaded ?? (identity ? newRecord(identity) : null);
  const start = fresh && { ...fresh, state: lapseChoice(fresh.state, now) };
  if (start === null) {
    const unknown = selfView(user, expireGrace(newRecord({ sub: user }).state, [], now, timers), [], now, timers);
    return { record: null, changed: false, messages: [], closes: [], pushes: [], notices: [], own: unknown, others: unknown, change: null, alarmAt: null };
  }

  const applied = applyEvent(start, { ...input, live: liveDevices(input.live, start.restDevices) });
  let { state, focus } = applied;
  const { devices, messages, closes, notices } = applied;

  // Devices shown as connected that are no longer live left now (a close, an expiry) or vanished
  // unseen (an unclean stop): the latter count as gone at the last activity stored.
  const liveIds = new Set(devices.map((device) => device.id));
  const departed = (start.shown?.devices ?? []).filter((device) => !liveIds.has(device.id));
  if (departed.length > 0 && devices.length === 0 && state.leftAt === null) {
    const seenLeaving = event.type === "leave" || event.type === "restLeave" || closes.length > 0;
    state = { ...state, leftAt: seenLeaving ? now : (state.lastActive ?? now) };
  }
  const released = releaseGoneDevices(focus, liveIds);
  focus = released.focus;
  notices.push(...released.notices);

  const active = event.type === "frame" || (event.type === "heartbeat" && event.active);
  state = event.type === "connect" ? mergeLastActive(state, devices) : keepLastActive(state, devices, active);
  const graced = expireGrace(state, devices, now, timers);
  const own = selfView(user, graced, devices, now, timers);
  state = withCloak(graced, start.shown?.status ?? "offline", own.status, devices, now);
  if (own.status === "invisible") {
    // An invisible user's focus would tell partners they are online: it ends (partners told of it hear so), and none starts.
    const told = (entry: { device: string; partner: string }) => start.focus.outgoing.some((held) => held.device === entry.device && held.partner === entry.partner);
    const ended = focus.outgoing.filter(told).map(({ device, partner }) => ({ partner, device, active: false }));
    notices.splice(0, notices.length, ...notices.filter((notice) => !notice.active), ...ended);
    focus = { ...focus, outgoing: [] };
  }
  const shown = showOf(own);
  const greeted = event.type === "connect" ? event.device : null;
  if (!sameShown(start.shown, shown)) {
    // A REST device has no socket to write to: it reads its presence in the heartbeat's answer.
    for (const device of devices) if (device.id !== greeted && !isRestDevice(device)) messages.push({ device: device.id, frame: { type: "presence", presence: own } });
  }
  if (greeted !== null) {
    messages.push({ device: greeted, frame: { type: "hello", user, device: greeted, presence: own } });
    for (const from of focusedBy(focus)) messages.push({ device: greeted, frame: { type: "focus", user: from, active: true } });
  }

  const deviceScopes = settleScopes(applied.deviceScopes, liveIds, now, timers.disconnectGraceMs);
  const { privacy, blocksRev } = applied;
  const showActivity = rosterShowsActivity(privacy);
  const member = inRosters(privacy) ? memberOf(own, applied.identity.name, showActivity) : null;
  const extras = { ...(showActivity ? {} : { rank: own.lastActive ?? 0 }), ...(blocksRev > 0 ? { blocksRev } : {}) };
  const shards = input.shards ?? ONE_SHARD_EACH;
  const plan = planRoomSyncs(start.rooms, scopesNow(deviceScopes), member, start.rev, now, timers.joinPushDelayMs, extras, (scope) => roomOf(scope, user, shards));
  const due = dueRoomSyncs(plan.rooms, now, timers.leaseMs);
  const rooms = markSent(plan.rooms, due, now);
  const others = publicView(own, state.cloak);
  const { visible, change } = nextVisible(start.visible, others, now);
  const record: UserRecord = { identity: applied.identity, state, shown, rev: plan.rev, rooms, focus, deviceScopes, revokedBefore: applied.revokedBefore, privacy, blocksRev, visible, restDevices: devices.filter(isRestDevice) };
  const pushes = due.map((sync) => ({ scope: sync.scope, room: sync.room ?? sync.scope, ...(sync.leaveFrom === undefined ? {} : { leaveFrom: sync.leaveFrom }), member: sync.member, rev: sync.rev, ...(sync.rank === undefined ? {} : { rank: sync.rank }), ...(carriesBlocks(sync) ? { withBlocks: true } : {}) }));
  return {
    record,
    changed: !sameRecord(loaded, record),
    messages,
    closes,
    pushes,
    notices,
    own,
    others,
    change,
    alarmAt: nextAlarmAt(record, devices, now, timers),
  };
}

interface Applied {
  identity: Identity;
  revokedBefore: number | null;
  privacy: Privacy;
  blocksRev: number;
  deviceScopes: UserRecord["deviceScopes"];
  state: UserState;
  focus: FocusState;
  /** The live devices after the event (an alarm drops the silent ones). */
  devices: readonly LiveDevice[];
  messages: DeviceMessage[];
  closes: Step["closes"];
  notices: FocusNotice[];
}

/** What the event itself changes, before the rules every event shares. */
function applyEvent(record: UserRecord, input: TransitionInput): Applied {
  const { event, live, now, timers } = input;
  const { identity, revokedBefore, deviceScopes, state, focus, privacy, blocksRev } = record;
  const base: Applied = { identity, revokedBefore, deviceScopes, state, focus, privacy, blocksRev, devices: live, messages: [], closes: [], notices: [] };
  switch (event.type) {
    case "connect": {
      const released = focusDevice(record.focus, event.device, null);
      // A REST device of the same id is replaced by the socket, as an earlier socket would be.
      const replacedRest = record.restDevices.filter((device) => device.id === event.device);
      const state = { ...mergeLastActive(record.state, [...event.replaced, ...replacedRest]), leftAt: null };
      const deviceScopes = connectScopes(record.deviceScopes, event.device, scopesOf(event.identity));
      return { ...base, identity: event.identity, deviceScopes, state, focus: released.focus, notices: released.notices };
    }
    case "choose":
      // A REST call never changes membership: the identity stays the one the devices connected with.
      return { ...base, state: chooseStatus(record.state, event.change.status, event.change.text, event.change.until) };
    case "leave":
      return { ...base, state: mergeLastActive(record.state, [event.device]) };
    case "heartbeat":
      return heartbeat(record, base, event, now);
    case "restLeave": {
      const leaving = live.filter((device) => device.id === event.device && isRestDevice(device));
      return { ...base, state: mergeLastActive(record.state, leaving), devices: live.filter((device) => !leaving.includes(device)) };
    }
    case "alarm":
    case "sweep": {
      const expired = live.filter((device) => tokenExpired(device, now));
      const silent = live.filter((device) => !expired.includes(device) && silentFor(device, now, timers));
      return {
        ...base,
        state: mergeLastActive(record.state, [...expired, ...silent]),
        devices: live.filter((device) => !silent.includes(device) && !expired.includes(device)),
        closes: [
          ...expired.map((device) => ({ device: device.id, code: CloseCode.tokenExpired, reason: "token expired" })),
          ...silent.map((device) => ({ device: device.id, code: CloseCode.heartbeatTimeout, reason: "no heartbeat" })),
        ],
      };
    }
    case "focus": {
      const received = receiveFocus(record.focus, event.from, event.device, event.active, event.at, now);
      const messages = received.changed ? [{ device: null, frame: { type: "focus", user: event.from, active: event.active } } satisfies DeviceMessage] : [];
      return { ...base, focus: received.focus, messages };
    }
    case "frame":
      return applyFrame(record, base, event.device, event.frame);
    case "read":
      return base;
    case "privacy":
      return { ...base, privacy: event.privacy, notices: reannounced(record.focus) };
    case "contacts":
      return { ...base, notices: reannounced(record.focus) };
    case "blocks": {
      const ended = endFocusOf(record.focus, event.blocked);
      const messages = ended.users.map((user) => ({ device: null, frame: { type: "focus", user, active: false } }) satisfies DeviceMessage);
      return { ...base, blocksRev: blocksRev + 1, focus: ended.focus, messages, notices: reannounced(record.focus) };
    }
    case "disconnect":
      return {
        ...base,
        state: mergeLastActive(record.state, live),
        devices: [],
        closes: live.map((device) => ({ device: device.id, code: CloseCode.disconnected, reason: "disconnected by the service" })),
        revokedBefore: Math.floor(now / 1000),
      };
  }
}

/**
 * A REST device heard from: it is live until `OFFLINE_AFTER_MS` after this. Its first heartbeat (or
 * one whose token names other scopes) connects it as a socket's connect would: the token's identity
 * and scopes are the device's from then on.
 */
function heartbeat(record: UserRecord, base: Applied, event: Extract<PresenceEvent, { type: "heartbeat" }>, now: number): Applied {
  const held = base.devices.find((device) => device.id === event.device && isRestDevice(device));
  const device = heardFrom(held, event.device, event.expiresAt, event.active, now);
  // In place, so the order devices are shown in stays put from one heartbeat to the next.
  const devices = held === undefined ? [...base.devices.filter((live) => live.id !== event.device), device] : base.devices.map((live) => (live === held ? device : live));
  const state = { ...mergeLastActive(record.state, event.replaced), leftAt: null };
  const scopes = scopesOf(event.identity);
  if (held !== undefined && holdsScopes(record.deviceScopes, event.device, scopes)) return { ...base, state, devices };
  return { ...base, identity: event.identity, deviceScopes: connectScopes(record.deviceScopes, event.device, scopes), state, devices };
}

/** Whether `device` is connected with exactly `scopes` already. */
function holdsScopes(list: readonly DeviceScopes[], device: string, scopes: readonly string[]): boolean {
  const entry = list.find((held) => held.device === device && held.leftAt === null);
  return entry !== undefined && entry.scopes.length === scopes.length && entry.scopes.every((scope, index) => scope === scopes[index]);
}

function applyFrame(record: UserRecord, base: Applied, device: string, frame: StateFrame): Applied {
  switch (frame.type) {
    case "activity":
    case "token":
      return base;
    case "status":
      return { ...base, state: chooseStatus(record.state, frame.status, frame.text, frame.until) };
    case "blur":
    case "focus": {
      const partner = frame.type === "focus" ? frame.partner : null;
      if (partner === record.identity.sub) {
        return { ...base, messages: [{ device, frame: { type: "error", code: "invalid_frame", message: "partner: cannot focus on yourself" } }] };
      }
      const step = focusDevice(record.focus, device, partner);
      return { ...base, focus: step.focus, notices: step.notices };
    }
  }
}

/**
 * Who may see the user changed: every focus is announced again, so each partner's object asks the
 * rule anew and ends a focus the two may no longer share (a partner who still may sees no change).
 */
function reannounced(focus: FocusState): FocusNotice[] {
  return focus.outgoing.map(({ device, partner }) => ({ partner, device, active: true }));
}

function mergeLastActive(state: UserState, devices: readonly DeviceState[]): UserState {
  const latest = lastActiveOf(state, devices);
  return latest === state.lastActive ? state : { ...state, lastActive: latest };
}

/** Stores the devices' newest activity when it is a minute ahead of what is stored, so a crash loses little. */
function keepLastActive(state: UserState, devices: readonly LiveDevice[], active: boolean): UserState {
  if (!active) return state;
  const latest = lastActiveOf(state, devices);
  return latest !== null && latest - (state.lastActive ?? 0) >= LAST_ACTIVE_SAVE_MS ? { ...state, lastActive: latest } : state;
}

const tokenExpired = (device: LiveDevice, now: number) => device.expiresAt <= now;
const silentFor = (device: LiveDevice, now: number, timers: Pick<Timers, "offlineAfterMs">) => device.lastHeard + timers.offlineAfterMs <= now;

/** Whether an alarm or a sweep would close a device now: its token expired, or it has been silent for `OFFLINE_AFTER_MS`. */
export function devicesDue(devices: readonly LiveDevice[], now: number, timers: Pick<Timers, "offlineAfterMs">): boolean {
  return devices.some((device) => tokenExpired(device, now) || silentFor(device, now, timers));
}

/**
 * The one alarm: a device's token expiry, the next change of status by itself, or a room push; and
 * a socket's heartbeat expiry, unless the user's `global` shard sweeps them (the sweep checks it, so
 * an always-online user's object sets no alarm at all). A REST device's expiry always keeps the
 * alarm: it goes offline `OFFLINE_AFTER_MS` after its last heartbeat, not at the next sweep.
 * `devices` are the live devices, REST devices among them.
 */
export function nextAlarmAt(record: UserRecord, devices: readonly LiveDevice[], now: number, timers: Timers): number | null {
  const swept = sweptByGlobal(record.rooms);
  const heartbeatDue = (device: LiveDevice) => (swept && !isRestDevice(device) ? Number.POSITIVE_INFINITY : device.lastHeard + timers.offlineAfterMs);
  const times = [
    ...devices.map((device) => Math.min(heartbeatDue(device), device.expiresAt)),
    nextStatusChangeAt(record.state, devices, now, timers),
    nextRoomSyncAt(record.rooms, timers.leaseMs),
    nextScopeLapse(record.deviceScopes, timers.disconnectGraceMs),
  ].filter((time): time is number => time !== null);
  return times.length ? Math.min(...times) : null;
}
