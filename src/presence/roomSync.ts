import type { Identity } from "../protocol/claims";
import type { ScopeId } from "../protocol/ids";
import { sameMember } from "../protocol/member";
import type { Member } from "../protocol/presence";
import type { SweepAnswer } from "../rooms/roster";
import type { RoomSync } from "./record";

/**
 * Keeping each scope's roster in step with this user: pure planning over the user's room syncs.
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

/** One user's changes reach a room at most this often; the newest state always follows within it. */
export const PUSH_INTERVAL_MS = 1_000;

/** Besides the member: where they sort when their activity is hidden, and which version of their blocks goes along. */
export interface RosterExtras {
  rank?: number;
  blocksRev?: number;
}

const rankOf = (member: Member, extras: RosterExtras) => extras.rank ?? member.lastActive ?? 0;
/** A member with only whether `lastActive` is shown, not its value. */
const withoutActivity = (member: Member): Member => ({ ...member, lastActive: member.lastActive === null ? null : 0 });

/** Whether a room holding `held` needs `want`: anything but a small move of activity does, and so does a move to another shard. */
function needsPush(held: RoomSync | undefined, want: Member | null, extras: RosterExtras, room: string): boolean {
  const member = held?.member ?? null;
  if (member === null || want === null) return member !== want;
  if ((held?.room ?? held?.scope) !== room) return true;
  const moved = Math.abs(rankOf(want, extras) - rankOf(member, held ?? {})) >= ROSTER_ACTIVITY_RESOLUTION_MS;
  return moved || !sameMember(withoutActivity(member), withoutActivity(want)) || held?.blocksRev !== extras.blocksRev;
}

/**
 * What each scope should now hold: `member` in the user's scopes, nothing in scopes they left.
 * A join waits `joinDelayMs`, so that in a connect storm every device is greeted before rosters fill.
 */
export function planRoomSyncs(
  syncs: readonly RoomSync[],
  scopes: readonly string[],
  member: Member | null,
  rev: number,
  now: number,
  joinDelayMs = 0,
  extras: RosterExtras = {},
  roomFor: (scope: string) => string = (scope) => scope,
) {
  const wanted = new Map<string, Member | null>(scopes.map((scope) => [scope, member]));
  for (const sync of syncs) if (!wanted.has(sync.scope)) wanted.set(sync.scope, null);
  let nextRev = rev;
  const planned: RoomSync[] = [];
  for (const [scope, want] of wanted) {
    const held = syncs.find((sync) => sync.scope === scope);
    const heldRoom = held?.room ?? scope;
    // A removal goes where the user is held; anything else to the user's shard now.
    const room = want === null ? heldRoom : roomFor(scope);
    if (!needsPush(held, want, extras, room)) {
      if (held) planned.push(held);
      continue;
    }
    nextRev += 1;
    const pushedAt = held?.pushedAt ?? 0;
    const joins = want !== null && (held?.member ?? null) === null;
    // A change never overtakes one still waiting (a delayed join, a backed-off retry): it replaces it, no sooner.
    const waiting = held && !held.delivered ? held.nextTry : 0;
    // New blocks go at once: the rule already hides the blocker everywhere else.
    const newBlocks = want !== null && held?.member != null && held.blocksRev !== extras.blocksRev;
    const nextTry = newBlocks ? now : Math.max(now + (joins ? joinDelayMs : 0), pushedAt + PUSH_INTERVAL_MS, waiting);
    const blocksSent = held?.blocksSent === undefined ? {} : { blocksSent: held.blocksSent };
    const moved = held?.member != null && heldRoom !== room ? { leaveFrom: heldRoom } : held?.leaveFrom === undefined ? {} : { leaveFrom: held.leaveFrom };
    const where = room === scope ? {} : { room };
    planned.push({ scope, member: want, rev: nextRev, delivered: false, attempts: 0, nextTry, pushedAt, ...(want === null ? {} : extras), ...blocksSent, ...where, ...moved });
  }
  return { rooms: planned, rev: nextRev };
}

/**
 * Pushes that are due: unsent ones whose time came, and the one repeat of a removal a period after
 * it was sent (in case the first was lost). A delivered membership is never pushed again unchanged:
 * rooms ask for it instead (`sweepAnswer`).
 */
export function dueRoomSyncs(syncs: readonly RoomSync[], now: number, repeatAfterMs: number): RoomSync[] {
  return syncs.filter((sync) => (sync.delivered ? sync.member === null && sync.pushedAt + repeatAfterMs <= now : sync.nextTry <= now));
}

/**
 * Marks the due pushes as sent now, in the same save as the change that caused them: a push that
 * then fails is put back for a retry (a second save, on failure only); one lost to a crash before it
 * went out is repaired by the room's next sweep (`sweepAnswer`), or for a removal by its one
 * repeat, after which the removal is done with.
 */
export function markSent(syncs: readonly RoomSync[], due: readonly RoomSync[], now: number): RoomSync[] {
  return syncs.flatMap((sync) => {
    if (!due.includes(sync)) return [sync];
    if (sync.member === null && sync.delivered) return [];
    const { leaveFrom: _told, ...sent } = sync;
    return [{ ...sent, delivered: true, pushedAt: now, ...(sync.blocksRev === undefined ? {} : { blocksSent: sync.blocksRev }) }];
  });
}

/** Whether a push of `sync` carries the user's blocks: the room has not been sent this version yet. */
export function carriesBlocks(sync: RoomSync): boolean {
  return sync.member !== null && sync.blocksRev !== undefined && sync.blocksRev !== sync.blocksSent;
}

export function nextRoomSyncAt(syncs: readonly RoomSync[], repeatAfterMs: number): number | null {
  const times = syncs.flatMap((sync) => (!sync.delivered ? [sync.nextTry] : sync.member === null ? [sync.pushedAt + repeatAfterMs] : []));
  return times.length ? Math.min(...times) : null;
}

/**
 * Whether the user's `global` shard holds them, so it sweeps their object every `SWEEP_MS` and the
 * object needs no alarm of its own for its devices' heartbeats.
 */
export function sweptByGlobal(syncs: readonly RoomSync[]): boolean {
  return syncs.some((sync) => sync.scope === "global" && sync.member !== null && sync.delivered);
}

/**
 * What the user's object answers the sweep of `room`: what that room should hold for the user (a
 * null member: they are not a member there, whatever the room thinks), or null while a push to it
 * is on its way.
 */
export function sweepAnswer(syncs: readonly RoomSync[], room: string, rev: number): SweepAnswer {
  const sync = syncs.find((held) => (held.room ?? held.scope) === room);
  if (sync === undefined) return { member: null, rev };
  if (!sync.delivered) return null;
  return { member: sync.member, rev: sync.rev, ...(sync.rank === undefined ? {} : { rank: sync.rank }) };
}

/** A push a room did not take. */
export interface FailedPush {
  scope: string;
  member: Member | null;
  rev: number;
  rank?: number;
}

/**
 * Puts failed pushes back as unsent, each after its backoff. A scope that has a newer want since
 * keeps it; a removal (forgotten once sent) comes back.
 */
export function afterFailedPushes(syncs: readonly RoomSync[], failed: readonly FailedPush[], now: number, random: () => number): RoomSync[] {
  const retry = ({ blocksSent: _lost, ...sync }: RoomSync): RoomSync => ({ ...sync, delivered: false, attempts: sync.attempts + 1, nextTry: now + retryDelayMs(sync.attempts, random()) });
  const kept = syncs.map((sync) => (failed.some((push) => push.scope === sync.scope && push.rev === sync.rev) ? retry(sync) : sync));
  const lostRemovals = failed.filter((push) => push.member === null && !syncs.some((sync) => sync.scope === push.scope));
  return [...kept, ...lostRemovals.map(({ scope, member, rev }) => retry({ scope, member, rev, delivered: false, attempts: 0, nextTry: now, pushedAt: now }))];
}

/** Exponential backoff with jitter (half to all of the step), capped at a minute. */
export function retryDelayMs(attempts: number, random: number): number {
  return Math.round(Math.min(60_000, 1_000 * 2 ** Math.min(attempts, 6)) * (0.5 + random / 2));
}
