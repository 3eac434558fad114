import type { MemberStatus, PresenceView, Status } from "../protocol/presence";

/**
 * The user's status as anyone allowed to see them sees it (invisible is offline), tracked across
 * events: each change is a webhook event and closes an interval of the user's online time.
 */

export type VisibleStatus = MemberStatus | "offline";

export interface Visible {
  status: VisibleStatus;
  /** When the status began (epoch ms; 0: before the user was first seen). */
  since: number;
  /** Rises with each change, across erasures too: at least the change's time in ms. */
  rev: number;
}

/** One change of the visible status. */
export interface VisibleChange {
  status: VisibleStatus;
  previous: VisibleStatus;
  /** When the previous status began, and when this one did. */
  since: number;
  at: number;
  rev: number;
  /** When the user was last seen, for a change to offline. */
  lastSeen: number | null;
}

/** A status as everyone else sees it. */
export function visibleOf(status: Status): VisibleStatus {
  return status === "invisible" ? "offline" : status;
}

/** A user never seen before. */
export const NEVER_SEEN: Visible = { status: "offline", since: 0, rev: 0 };

/** What erasing a user shows: one still online, away or busy goes offline at once (null: already offline). */
export function erasedChange(held: Visible, now: number): VisibleChange | null {
  if (held.status === "offline") return null;
  return { status: "offline", previous: held.status, since: held.since, at: now, rev: Math.max(held.rev + 1, now), lastSeen: now };
}

/**
 * The visible status after an event, from what everyone else now sees (`others`): a change when it
 * moved (a reconnect within the grace window never shows as one, since the status holds through it).
 */
export function nextVisible(held: Visible, others: PresenceView, now: number): { visible: Visible; change: VisibleChange | null } {
  const status = visibleOf(others.status);
  if (status === held.status) return { visible: held, change: null };
  const rev = Math.max(held.rev + 1, now);
  const lastSeen = status === "offline" ? others.lastSeen : null;
  return { visible: { status, since: now, rev }, change: { status, previous: held.status, since: held.since, at: now, rev, lastSeen } };
}
