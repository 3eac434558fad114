import type { Member, PresenceView } from "./presence";

/**
 * The roster member model, shared by PresenceObject (what to push), RoomObject (what changed) and
 * the client SDK (what a diff moved). Type-only imports keep it free of zod at run time.
 */

/** Whether two members show the same thing; null is "not a member". */
export function sameMember(a: Member | null, b: Member | null): boolean {
  if (a === null || b === null) return a === b;
  return a.user === b.user && a.status === b.status && a.text === b.text && a.lastActive === b.lastActive && a.name === b.name;
}

/**
 * The roster entry for a user as others see them, or null when they are offline or invisible;
 * `showActivity` false keeps their `lastActive` out of it.
 */
export function memberOf(view: PresenceView, name: string | undefined, showActivity = true): Member | null {
  if (view.status === "offline" || view.status === "invisible") return null;
  return {
    user: view.user,
    status: view.status,
    text: view.text,
    lastActive: showActivity ? (view.lastActive ?? 0) : null,
    ...(name === undefined ? {} : { name }),
  };
}

/** How a roster moved: whole members that joined or changed, and the ids of those who left. */
export interface RosterDiff {
  joins: Member[];
  updates: Member[];
  leaves: string[];
}

export function isEmptyDiff(diff: RosterDiff): boolean {
  return diff.joins.length + diff.updates.length + diff.leaves.length === 0;
}
