import { isEmptyDiff, sameMember } from "../protocol/member";
import type { Member } from "../protocol/presence";
import type { DiffFrame, SyncFrame } from "../protocol/frames";
import type { ScopeId } from "../protocol/ids";
import { sendFrame, sendText } from "../sockets/frames";
import { diffOf } from "./roster";

/** Changes arriving within this long of the last diff wait and go out together as the next one. */
export const COALESCE_MS = 10;

/** Where the fan-out keeps its one room-wide diff count across evictions. */
export interface SeqStore {
  seq(): number;
  setSeq(seq: number): void;
}

/** What the fan-out asks about who watches: the viewer behind a socket, and whom blocks hide from them. */
export interface WatcherSight {
  viewerOf(ws: WebSocket): string;
  hiddenFrom(viewer: string): ReadonlySet<string>;
  /** The viewers any of `members` blocked. */
  viewersBlockedBy(members: Iterable<string>): ReadonlySet<string>;
}

/** A roster frame without the members a viewer may not see (a leave of one they never saw included). */
function withoutHidden<T extends { members?: Member[]; joins?: Member[]; updates?: Member[]; leaves?: string[] }>(frame: T, hidden: ReadonlySet<string>): T {
  const keep = (member: Member) => !hidden.has(member.user);
  return {
    ...frame,
    ...(frame.members ? { members: frame.members.filter(keep) } : {}),
    ...(frame.joins ? { joins: frame.joins.filter(keep) } : {}),
    ...(frame.updates ? { updates: frame.updates.filter(keep) } : {}),
    ...(frame.leaves ? { leaves: frame.leaves.filter((user) => !hidden.has(user)) } : {}),
  };
}

/**
 * A room's diffs to its watchers. One room-wide `seq`: a `sync` carries the current one and every
 * diff the next, so each diff is serialized once for every socket (and once more for each viewer a
 * moved member blocked). The first change after a quiet period goes out at once; changes within
 * `COALESCE_MS` of a diff go out together as net moves.
 */
export class DiffFanout {
  /** Users moved since the last diff, with what watchers saw of them before. */
  private readonly pending = new Map<string, Member | null>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly scope: ScopeId,
    private readonly store: SeqStore,
    private readonly watchers: () => WebSocket[],
    private readonly holding: (user: string) => Member | null,
    private readonly sight: WatcherSight,
  ) {}

  /** Notes one user's move; sends it now after a quiet period, or with the next diff in a burst. */
  moved(user: string, before: Member | null, after: Member | null): void {
    if (!this.pending.has(user)) {
      if (sameMember(before, after)) return;
      this.pending.set(user, before);
    }
    const wait = this.lastFlushAt + COALESCE_MS - Date.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  /** The frame that starts a new watcher: the roster now as `viewer` may see it, after any pending diff went out. */
  sync(members: Member[], viewer: string): SyncFrame {
    this.flush();
    return withoutHidden({ type: "sync", scope: this.scope, seq: this.store.seq(), members }, this.sight.hiddenFrom(viewer));
  }

  /** Starts `viewers`' watchers afresh (what a member's blocks hide from them changed). */
  resync(viewers: ReadonlySet<string>, members: () => Member[]): void {
    if (viewers.size === 0) return;
    const affected = this.watchers().filter((ws) => viewers.has(this.sight.viewerOf(ws)));
    if (affected.length === 0) return;
    const all = members();
    for (const ws of affected) sendFrame(ws, this.sync(all, this.sight.viewerOf(ws)));
  }

  private flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const diff = diffOf([...this.pending].map(([user, before]) => ({ user, before, after: this.holding(user) })));
    this.pending.clear();
    this.lastFlushAt = Date.now();
    const watchers = this.watchers();
    if (isEmptyDiff(diff) || watchers.length === 0) return;
    const seq = this.store.seq() + 1;
    this.store.setSeq(seq);
    const frame: DiffFrame = { type: "diff", scope: this.scope, seq, ...diff };
    const text = JSON.stringify(frame);
    const blocked = this.sight.viewersBlockedBy([...diff.joins.map((member) => member.user), ...diff.updates.map((member) => member.user), ...diff.leaves]);
    for (const ws of watchers) {
      const viewer = blocked.size === 0 ? "" : this.sight.viewerOf(ws);
      if (blocked.has(viewer)) sendFrame(ws, withoutHidden(frame, this.sight.hiddenFrom(viewer)));
      else sendText(ws, text);
    }
  }
}
