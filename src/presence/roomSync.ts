import type { Identity } from "../protocol/claims";
import type { ScopeId } from "../protocol/ids";
import type { Member } from "../protocol/presence";
import type { RoomSync } from "./store";

/**
 * Keeping each scope's roster in step with this user: pure planning over the `room_sync` rows.
 * Only the newest wanted state per scope is kept, so retries send the latest, never a stale one.
 */

export function scopesOf(identity: Identity): ScopeId[] {
  return [
    "global",
    ...(identity.org === undefined ? [] : [`org:${identity.org}`]),
    ...(identity.zone === undefined ? [] : [`zone:${identity.zone}`]),
  ];
}

/**
 * How stale a roster's `lastActive` may be: activity alone re-pushes a member at most this often,
 * so a busy typist does not turn into a stream of roster diffs.
 */
export const ROSTER_ACTIVITY_RESOLUTION_MS = 60_000;

function sameMember(held: Member | null, want: Member | null): boolean {
  if (held === null || want === null) return held === want;
  const { lastActive: heldActive, ...heldRest } = held;
  const { lastActive: wantActive, ...wantRest } = want;
  return JSON.stringify(heldRest) === JSON.stringify(wantRest) && Math.abs(wantActive - heldActive) < ROSTER_ACTIVITY_RESOLUTION_MS;
}

export interface RoomWant {
  scope: string;
  member: Member | null;
  rev: number;
}

/** What each scope should now hold: `member` for the user's scopes, nothing for scopes they left. */
export function planRoomSyncs(syncs: readonly RoomSync[], scopes: readonly string[], member: Member | null, rev: number) {
  const held = new Map(syncs.map((sync) => [sync.scope, sync.member]));
  const wanted = new Map<string, Member | null>(scopes.map((scope) => [scope, member]));
  for (const sync of syncs) if (!wanted.has(sync.scope)) wanted.set(sync.scope, null);
  const wants: RoomWant[] = [];
  let nextRev = rev;
  for (const [scope, want] of wanted) {
    if (sameMember(held.get(scope) ?? null, want)) continue;
    nextRev += 1;
    wants.push({ scope, member: want, rev: nextRev });
  }
  return { wants, rev: nextRev };
}

/** Pushes that are due: undelivered ones whose retry time came, and renewals of a visible user's lease. */
export function dueRoomSyncs(syncs: readonly RoomSync[], now: number, renewEveryMs: number): RoomSync[] {
  return syncs.filter((sync) => (sync.delivered ? sync.member !== null && sync.renewedAt + renewEveryMs <= now : sync.nextTry <= now));
}

export function nextRoomSyncAt(syncs: readonly RoomSync[], renewEveryMs: number): number | null {
  const times = syncs.flatMap((sync) =>
    sync.delivered ? (sync.member === null ? [] : [sync.renewedAt + renewEveryMs]) : [sync.nextTry],
  );
  return times.length ? Math.min(...times) : null;
}

/** Exponential backoff with jitter (half to all of the step), capped at a minute. */
export function retryDelayMs(attempts: number, random: number): number {
  return Math.round(Math.min(60_000, 1_000 * 2 ** Math.min(attempts, 6)) * (0.5 + random / 2));
}
