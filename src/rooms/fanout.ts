import { isEmptyDiff, sameMember } from "../protocol/member";
import type { Member, MemberStatus } from "../protocol/presence";
import type { CountsDiffFrame, CountsSyncFrame, DiffFrame, RosterCounts, SyncFrame } from "../protocol/frames";
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

/** The watch sockets, with the viewer behind each and how many diffs were left out for it. */
export interface Watchers {
  all(): WebSocket[];
  /** The sockets that watch the counts only. */
  countsOnly(): Set<WebSocket>;
  viewerOf(ws: WebSocket): string;
  skippedOf(ws: WebSocket): number;
  setSkipped(ws: WebSocket, skipped: number): void;
}

/** Whom members' blocks hide from each viewer. */
export interface BlockIndex {
  hasAny(): boolean;
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
 * diff the next, so each diff is serialized once for every socket. A viewer never sees a member who
 * blocked them: their diff leaves that member out, and one left empty is not sent at all (an empty
 * frame would tell them someone hidden moved); such a socket's `seq` then runs behind the room's by
 * the diffs it skipped, so it still rises by one per frame. The first change after a quiet period
 * goes out at once; changes within `COALESCE_MS` of a diff go out together as net moves.
 */
export class DiffFanout {
  /** Users moved since the last diff, with what watchers saw of them before. */
  private readonly pending = new Map<string, Member | null>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  /** The sockets that skipped diffs, and how many; read from their attachments once per wake, only in a room with blocks. */
  private skipped: Map<WebSocket, number> | null = null;

  constructor(
    private readonly scope: ScopeId,
    private readonly store: SeqStore,
    private readonly watchers: Watchers,
    private readonly holding: (user: string) => Member | null,
    private readonly blocks: BlockIndex,
    /** The members now by status, all of them (a counts-only watcher's figures leave out whom their blocks hide). */
    private readonly totals: () => Readonly<Record<MemberStatus, number>>,
    /** Told how many sockets each diff went to (a metric). */
    private readonly sent: (sockets: number) => void = () => {},
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
    return withoutHidden({ type: "sync", scope: this.scope, seq: this.store.seq(), members }, this.blocks.hiddenFrom(viewer));
  }

  /** The first frame of a counts-only watcher, after any pending diff went out. */
  countsSync(viewer: string): CountsSyncFrame {
    this.flush();
    return { type: "sync", scope: this.scope, seq: this.store.seq(), counts: this.countsFor(viewer) };
  }

  /** The members `viewer` may see, by status. */
  private countsFor(viewer: string): RosterCounts {
    const counts = { ...this.totals() };
    if (this.blocks.hasAny()) {
      for (const user of this.blocks.hiddenFrom(viewer)) {
        const member = this.holding(user);
        if (member) counts[member.status] -= 1;
      }
    }
    return { ...counts, total: counts.online + counts.away + counts.busy };
  }

  /** Starts `viewers`' watchers afresh (what a member's blocks hide from them changed); their seq is the room's again. */
  resync(viewers: ReadonlySet<string>, members: () => Member[]): void {
    if (viewers.size === 0) return;
    const affected = this.watchers.all().filter((ws) => viewers.has(this.watchers.viewerOf(ws)));
    if (affected.length === 0) return;
    const all = members();
    const countsOnly = this.watchers.countsOnly();
    for (const ws of affected) {
      const viewer = this.watchers.viewerOf(ws);
      sendFrame(ws, countsOnly.has(ws) ? this.countsSync(viewer) : this.sync(all, viewer));
      this.skip(ws, 0);
    }
  }

  private skips(): Map<WebSocket, number> {
    if (this.skipped) return this.skipped;
    this.skipped = new Map();
    if (this.blocks.hasAny() || this.watchers.countsOnly().size > 0) {
      for (const ws of this.watchers.all()) {
        const skipped = this.watchers.skippedOf(ws);
        if (skipped > 0) this.skipped.set(ws, skipped);
      }
    }
    return this.skipped;
  }

  private skip(ws: WebSocket, skipped: number): void {
    const skips = this.skips();
    if ((skips.get(ws) ?? 0) === skipped) return;
    if (skipped === 0) skips.delete(ws);
    else skips.set(ws, skipped);
    this.watchers.setSkipped(ws, skipped);
  }

  private flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const moves = [...this.pending].map(([user, before]) => ({ user, before, after: this.holding(user) }));
    const diff = diffOf(moves);
    this.pending.clear();
    this.lastFlushAt = Date.now();
    const watchers = this.watchers.all();
    if (isEmptyDiff(diff) || watchers.length === 0) return;
    const seq = this.store.seq() + 1;
    this.store.setSeq(seq);
    const frame: DiffFrame = { type: "diff", scope: this.scope, seq, ...diff };
    const text = JSON.stringify(frame);
    const blocked = this.blocks.viewersBlockedBy([...diff.joins.map((member) => member.user), ...diff.updates.map((member) => member.user), ...diff.leaves]);
    const skips = this.skips();
    const countsOnly = this.watchers.countsOnly();
    // Counts-only watchers hear of a change only when it moved a count they see (a status, a join, a leave).
    const recounted = moves.filter(({ before, after }) => before?.status !== after?.status).map(({ user }) => user);
    for (const ws of watchers) {
      const skipped = skips.get(ws) ?? 0;
      const viewer = blocked.size === 0 && countsOnly.size === 0 ? "" : this.watchers.viewerOf(ws);
      if (countsOnly.has(ws)) {
        const hidden = this.blocks.hasAny() ? this.blocks.hiddenFrom(viewer) : new Set<string>();
        if (recounted.some((user) => !hidden.has(user))) sendFrame(ws, { type: "diff", scope: this.scope, seq: seq - skipped, counts: this.countsFor(viewer) } satisfies CountsDiffFrame);
        else this.skip(ws, skipped + 1);
      } else if (blocked.has(viewer)) {
        const own = withoutHidden(frame, this.blocks.hiddenFrom(viewer));
        if (isEmptyDiff(own)) this.skip(ws, skipped + 1);
        else sendFrame(ws, { ...own, seq: seq - skipped });
      } else if (skipped > 0) {
        sendFrame(ws, { ...frame, seq: seq - skipped });
      } else {
        sendText(ws, text);
      }
    }
    this.sent(watchers.length);
  }
}
