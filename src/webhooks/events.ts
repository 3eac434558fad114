import type { VisibleChange, VisibleStatus } from "../presence/visibleStatus";

/** What a webhook receiver gets for each change of a user's visible status (docs/WEBHOOKS.md). */
export interface PresenceChangedEvent {
  /** Unique per event, the same on every retry: receivers deduplicate by it. */
  id: string;
  type: "presence.changed";
  user: string;
  status: VisibleStatus;
  previous: VisibleStatus;
  /** When the change happened (epoch ms). */
  at: number;
  /** Rises with each event of the user: an event with a lower `rev` than one already handled is stale. */
  rev: number;
  /** When the user was last seen (epoch ms); only on a change to offline. */
  lastSeen?: number | null;
}

/** The body of one POST. */
export interface WebhookBatch {
  events: PresenceChangedEvent[];
}

export function presenceChanged(user: string, change: VisibleChange, id: string): PresenceChangedEvent {
  const { status, previous, at, rev } = change;
  return { id, type: "presence.changed", user, status, previous, at, rev, ...(status === "offline" ? { lastSeen: change.lastSeen } : {}) };
}

/** Events in the order they happened, ties by `rev`: one user's are in `rev` order (their `at` never falls as their `rev` rises). */
export function inOrder(events: readonly PresenceChangedEvent[]): PresenceChangedEvent[] {
  return [...events].sort((a, b) => a.at - b.at || a.rev - b.rev);
}
