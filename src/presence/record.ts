import type { Identity } from "../protocol/claims";
import type { PresenceDeviceType } from "../protocol/ids";
import type { Member, Status } from "../protocol/presence";
import type { Privacy } from "../protocol/rest";
import { DEFAULT_PRIVACY } from "../visibility/rule";
import type { DeviceScopes } from "./deviceScopes";
import { NO_FOCUS, type FocusState } from "./focus";
import { EMPTY_USER_STATE, type LiveDevice, type UserState } from "./status";
import { NEVER_SEEN, type Visible } from "./visibleStatus";

/** What the user's own devices were last shown; `devices` also says which devices were connected then. */
export interface Shown {
  status: Status;
  text: string | null;
  devices: { id: string; type: PresenceDeviceType }[];
}

/** What one scope's roster should hold for this user, and whether the room has it. */
export interface RoomSync {
  scope: string;
  member: Member | null;
  rev: number;
  delivered: boolean;
  attempts: number;
  /** When an undelivered push may go out: now, after a failure's backoff, or after the push interval. */
  nextTry: number;
  /** When the room last confirmed a push (0: never); lease renewals count from here. */
  pushedAt: number;
  /** Where the member sorts when the roster hides their `lastActive` (their real activity); absent when shown. */
  rank?: number;
  /** Which version of the user's blocks the room should hold (absent: the user never blocked anyone). */
  blocksRev?: number;
  /** Which version of the user's blocks was last sent to the room (they are sent only when it differs). */
  blocksSent?: number;
  /** The object (a shard of the scope) that holds the user; absent: the scope's own. */
  room?: string;
  /** A shard the user moved out of (the scope was re-sharded): told they left with the next push. */
  leaveFrom?: string;
}

/** Everything a PresenceObject keeps about its user: loaded once and saved at most once per event. */
export interface UserRecord {
  identity: Identity;
  state: UserState;
  shown: Shown | null;
  /** Rises with every change pushed to rooms, so a room can drop stale or repeated pushes. */
  rev: number;
  rooms: RoomSync[];
  focus: FocusState;
  /** The scopes each device's token named: the user's rosters are their union. */
  deviceScopes: DeviceScopes[];
  /** Device connections with tokens issued before this (epoch s) are refused: a sign-out everywhere, a ban. */
  revokedBefore: number | null;
  privacy: Privacy;
  /** Rises with every change to the user's blocks, so each roster learns the newest list. */
  blocksRev: number;
  /** The status everyone else sees, since when, and its `rev` (webhook events, online time). */
  visible: Visible;
  /** Devices kept online by REST heartbeats (they have no socket to hold them), each with when it was last heard. */
  restDevices: LiveDevice[];
}

export function newRecord(identity: Identity): UserRecord {
  return { identity, state: EMPTY_USER_STATE, shown: null, rev: 0, rooms: [], focus: NO_FOCUS, deviceScopes: [], revokedBefore: null, privacy: DEFAULT_PRIVACY, blocksRev: 0, visible: NEVER_SEEN, restDevices: [] };
}

/** Whether a device connection with a token issued at `issuedAt` (epoch s; null: unknown) was revoked. */
export function isRevoked(record: UserRecord | null, issuedAt: number | null): boolean {
  const before = record?.revokedBefore ?? null;
  return before !== null && (issuedAt === null || issuedAt < before);
}

/** Structural equality of plain data (records hold only strings, numbers, booleans, nulls, arrays and objects). */
function samePlain(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => samePlain((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** Whether saving `next` would change what storage holds. */
export function sameRecord(a: UserRecord | null, b: UserRecord | null): boolean {
  return samePlain(a, b);
}
