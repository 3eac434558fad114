import type { PresenceView } from "../protocol/presence";
import { LazySchema } from "../storage/schema";
import type { Viewer } from "../visibility/rule";
import { subscriberPushes } from "./subscriberViews";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS subscribers (
  viewer TEXT PRIMARY KEY,
  scopes TEXT NOT NULL,
  since INTEGER NOT NULL
);
`;

/**
 * How many users may follow one user by subscription; past it, the longest-standing one is dropped.
 * One change calls each of them, well within the 10,000 subrequests a paid invocation may make.
 */
export const MAX_SUBSCRIBERS = 5_000;

/** Changes within this long of the last push wait and go out together (as room diffs do). */
export const SUBSCRIBER_COALESCE_MS = 10;

export type UserViewer = Viewer & { kind: "user" };

/** Tells the subscriber's object that `user`'s presence, as the subscriber sees it, moved; false when no device of theirs follows any more. */
export type Deliver = (viewer: string, view: PresenceView) => Promise<boolean>;

/**
 * The users who follow this user by subscription (one row each, whatever their number of devices),
 * and the pushes to them: each is told only what the visibility rule lets them see, and only when it
 * moved. A subscriber that is gone (or whose object fails) is dropped, never retried forever.
 */
export class Subscribers {
  private readonly schema: LazySchema;
  private cached: Map<string, UserViewer> | null = null;
  /** What each subscriber was last told, while the object lives. */
  private readonly sent = new Map<string, PresenceView>();
  private viewOf: ((viewer: UserViewer) => PresenceView) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastPushAt = Number.NEGATIVE_INFINITY;
  /** Calls to subscribers' objects since this object started, for the wake log and the bench. */
  readonly counts = { pushes: 0 };

  constructor(
    private readonly sql: SqlStorage,
    private readonly deliver: Deliver,
  ) {
    this.schema = new LazySchema(sql, "subscribers", SCHEMA);
  }

  count(): number {
    return this.all().size;
  }

  private all(): Map<string, UserViewer> {
    if (this.cached) return this.cached;
    const rows = this.schema.exists() ? this.sql.exec<{ viewer: string; scopes: string }>("SELECT viewer, scopes FROM subscribers ORDER BY since").toArray() : [];
    this.cached = new Map(rows.map((row) => [row.viewer, { kind: "user", user: row.viewer, scopes: JSON.parse(row.scopes) as string[] }]));
    return this.cached;
  }

  /** `viewer` follows from now on, having just been told `view`; nothing is written when they already did, with the same scopes. */
  add(viewer: UserViewer, view: PresenceView, now: number): void {
    const all = this.all();
    this.sent.set(viewer.user, view);
    const held = all.get(viewer.user);
    if (held && JSON.stringify(held.scopes) === JSON.stringify(viewer.scopes)) return;
    this.schema.ensure();
    if (!held && all.size >= MAX_SUBSCRIBERS) {
      const [oldest] = all.keys();
      if (oldest !== undefined) this.drop(oldest);
    }
    this.sql.exec("INSERT OR REPLACE INTO subscribers (viewer, scopes, since) VALUES (?, ?, ?)", viewer.user, JSON.stringify(viewer.scopes), now);
    all.delete(viewer.user);
    all.set(viewer.user, viewer);
  }

  private drop(viewer: string): void {
    this.sql.exec("DELETE FROM subscribers WHERE viewer = ?", viewer);
    this.all().delete(viewer);
    this.sent.delete(viewer);
  }

  /**
   * The user's presence may have moved: tells each subscriber their view if it is news to them, at
   * once after a quiet moment, else with the next push (`viewOf` is the newest way to see the user).
   */
  async changed(viewOf: (viewer: UserViewer) => PresenceView): Promise<void> {
    this.viewOf = viewOf;
    if (this.all().size === 0) return;
    const wait = this.lastPushAt + SUBSCRIBER_COALESCE_MS - Date.now();
    if (wait <= 0) await this.push();
    else this.timer ??= setTimeout(() => void this.push(), wait);
  }

  private async push(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.lastPushAt = Date.now();
    const viewOf = this.viewOf;
    const all = this.all();
    if (viewOf === null) return;
    const pushes = subscriberPushes([...all.keys()], this.sent, (user) => viewOf(all.get(user) as UserViewer));
    for (const { viewer, view } of pushes) this.sent.set(viewer, view);
    this.counts.pushes += pushes.length;
    const kept = await Promise.all(pushes.map(({ viewer, view }) => this.deliver(viewer, view).catch(() => false)));
    pushes.forEach(({ viewer }, index) => {
      if (!kept[index]) this.drop(viewer);
    });
  }

  erase(): void {
    this.sql.exec("DROP TABLE IF EXISTS subscribers");
    this.schema.forget();
    this.cached = new Map();
    this.sent.clear();
  }
}
