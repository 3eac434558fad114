import { sameMember, type DiffFrame, type SyncFrame, type RosterDiff, type Member, type MemberStatus } from "./protocol.js";

/**
 * A watched scope's roster as pure data: what a `sync` starts, what each `diff` moves, and when a
 * frame cannot be applied because one was missed. Nothing here knows about sockets.
 */

export interface Roster {
  /** The `seq` of the last frame applied; the next diff must carry `seq + 1`. */
  seq: number;
  members: ReadonlyMap<string, Member>;
}

/** What applying a frame to a roster gives: the next roster and what moved, or the missed frame. */
export type RosterStep =
  /** `change`: how the frame moved the roster; for a `sync`, how it differs from what was shown before. */
  | { ok: true; roster: Roster; change: RosterDiff }
  /** The frame does not follow the last one applied: a frame was missed, so only a fresh `sync` helps. */
  | { ok: false; expectedSeq: number | null; seq: number };

/** A roster's members by status, and all of them. */
export interface RosterCounts {
  online: number;
  away: number;
  busy: number;
  total: number;
}

/** Adds the joins, replaces the updates (whole members) and removes the leaves; the input is left alone. */
export function applyDiff(roster: Roster, diff: Pick<DiffFrame, "seq" | "joins" | "updates" | "leaves">): RosterStep {
  if (diff.seq !== roster.seq + 1) return { ok: false, expectedSeq: roster.seq + 1, seq: diff.seq };
  const members = new Map(roster.members);
  for (const member of [...diff.joins, ...diff.updates]) members.set(member.user, member);
  for (const user of diff.leaves) members.delete(user);
  return { ok: true, roster: { seq: diff.seq, members }, change: { joins: diff.joins, updates: diff.updates, leaves: diff.leaves } };
}

/** A `sync` always applies; a `diff` only right after the frame before it (and never before any `sync`). */
export function applyFrame(roster: Roster | null, frame: SyncFrame | DiffFrame): RosterStep {
  if (frame.type === "sync") {
    const members = new Map(frame.members.map((member) => [member.user, member]));
    return { ok: true, roster: { seq: frame.seq, members }, change: changeBetween(roster?.members ?? new Map(), members) };
  }
  if (roster === null) return { ok: false, expectedSeq: null, seq: frame.seq };
  return applyDiff(roster, frame);
}

/** What moved from `before` to `after`, so a resync can be shown like any diff. */
function changeBetween(before: ReadonlyMap<string, Member>, after: ReadonlyMap<string, Member>): RosterDiff {
  const change: RosterDiff = { joins: [], updates: [], leaves: [] };
  for (const [user, member] of after) {
    const previous = before.get(user);
    if (!previous) change.joins.push(member);
    else if (!sameMember(previous, member)) change.updates.push(member);
  }
  for (const user of before.keys()) if (!after.has(user)) change.leaves.push(user);
  return change;
}

/** How many of `members` are online, away and busy, and how many in all. */
export function countMembers(members: Iterable<Member>): RosterCounts {
  const counts: Record<MemberStatus, number> = { online: 0, away: 0, busy: 0 };
  let total = 0;
  for (const member of members) {
    counts[member.status] += 1;
    total += 1;
  }
  return { ...counts, total };
}
