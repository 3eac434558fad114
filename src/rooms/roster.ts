import { sameMember, type RosterDiff } from "../protocol/member";
import type { Member } from "../protocol/presence";

/**
 * The roster model: what a scope's watchers are told, as pure functions over members.
 * A diff says how the roster moved from what watchers last saw to what it is now.
 */

/** A PresenceObject's push: what this scope should hold for one user (null: not a member). */
export interface MemberPush {
  user: string;
  member: Member | null;
  /** Rises with each of the user's pushes; an older one than the room holds is dropped. */
  rev: number;
  /** Where the member sorts when their `lastActive` is hidden (their real activity). */
  rank?: number;
  /** Everyone the user blocked, when it changed since the room was last told (absent: unchanged). */
  blocks?: string[];
}

/**
 * A member's object's answer to a room's sweep: what the room should hold for them (a null member:
 * let them go), or null when a push is on its way and the room should wait for it.
 */
export type SweepAnswer = Pick<MemberPush, "member" | "rev" | "rank"> | null;

/** One user's move since watchers last saw them. */
export interface MemberMove {
  user: string;
  before: Member | null;
  after: Member | null;
}

/** The net effect of each user's moves; a user appears at most once, so their changes never reorder. */
export function diffOf(moves: Iterable<MemberMove>): RosterDiff {
  const diff: RosterDiff = { joins: [], updates: [], leaves: [] };
  for (const { user, before, after } of moves) {
    if (after === null) {
      if (before !== null) diff.leaves.push(user);
    } else if (before === null) {
      diff.joins.push(after);
    } else if (!sameMember(before, after)) {
      diff.updates.push(after);
    }
  }
  return diff;
}

/** How long a room keeps a member it has not heard about: three missed lease renewals. */
export function memberTtlMs(leaseMs: number): number {
  return 3 * leaseMs;
}
