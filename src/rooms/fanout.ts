import { isEmptyDiff, sameMember } from "../protocol/member";
import type { Member } from "../protocol/presence";
import type { DiffFrame, SyncFrame } from "../protocol/frames";
import type { ScopeId } from "../protocol/ids";
import { sendText } from "../sockets/frames";
import { diffOf } from "./roster";

/** Changes arriving within this long of the last diff wait and go out together as the next one. */
export const COALESCE_MS = 10;

/** Where the fan-out keeps its one room-wide diff count across evictions. */
export interface SeqStore {
  seq(): number;
  setSeq(seq: number): void;
}

/**
 * A room's diffs to its watchers. One room-wide `seq`: a `sync` carries the current one and every
 * diff the next, so each diff is serialized once for every socket. The first change after a quiet
 * period goes out at once; changes within `COALESCE_MS` of a diff go out together as net moves.
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

  /** The frame that starts a new watcher: the roster now, after any pending diff went out. */
  sync(members: Member[]): SyncFrame {
    this.flush();
    return { type: "sync", scope: this.scope, seq: this.store.seq(), members };
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
    const text = JSON.stringify({ type: "diff", scope: this.scope, seq, ...diff } satisfies DiffFrame);
    for (const ws of watchers) sendText(ws, text);
  }
}
