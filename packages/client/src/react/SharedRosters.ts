import { watch, type ConnectionState, type Member, type RosterCounts, type RosterWatch, type ScopeId, type WatchOptions } from "../index.js";
import { KeyedListeners } from "./KeyedListeners.js";

/** What `useRoster` returns: a scope's members and counts, and the state of its watch socket. */
export interface RosterSnapshot {
  /** The members as last known: between a drop and the next sync, the ones shown before it. */
  members: Member[];
  /** The members by status, and all of them. */
  counts: RosterCounts;
  /** The watch socket's state: between a drop and the next `open`, `members` may be stale. */
  state: ConnectionState;
}

/** Before a watch exists (the provider's first render, or a server render). */
export const NO_ROSTER: RosterSnapshot = { members: [], counts: { online: 0, away: 0, busy: 0, total: 0 }, state: "connecting" };

interface SharedRoster {
  watch: RosterWatch;
  snapshot: RosterSnapshot;
  users: number;
}

/**
 * One watch per scope, shared by every hook reading that scope: opened by the first, closed when the
 * last lets go. The close waits a microtask, so a scope let go and taken again in one commit (a
 * component replacing another that read it, or StrictMode running effects twice) keeps its socket
 * and its roster.
 */
export class SharedRosters {
  private readonly rosters = new Map<ScopeId, SharedRoster>();
  private readonly listeners = new KeyedListeners<ScopeId>();

  constructor(private readonly options: WatchOptions | undefined) {}

  /** Holds `scope`'s watch open until the returned function is called; `listener` hears every change. */
  open(scope: ScopeId, listener: () => void): () => void {
    const roster = this.rosters.get(scope) ?? this.start(scope);
    roster.users += 1;
    const remove = this.listeners.add(scope, listener);
    return () => {
      remove();
      roster.users -= 1;
      queueMicrotask(() => {
        if (roster.users > 0 || this.rosters.get(scope) !== roster) return;
        this.rosters.delete(scope);
        roster.watch.close();
      });
    };
  }

  snapshotOf(scope: ScopeId): RosterSnapshot {
    return this.rosters.get(scope)?.snapshot ?? NO_ROSTER;
  }

  private start(scope: ScopeId): SharedRoster {
    if (!this.options) throw new Error("useRoster needs the PresenceProvider's `watch` options when the provider is given a ready client");
    const roster: SharedRoster = { watch: watch(scope, this.options), snapshot: NO_ROSTER, users: 0 };
    const update = () => {
      roster.snapshot = { members: roster.watch.members, counts: roster.watch.counts, state: roster.watch.state };
      this.listeners.notify(scope);
    };
    roster.watch.on("change", update);
    roster.watch.on("state", update);
    this.rosters.set(scope, roster);
    return roster;
  }
}
