import { logEvent } from "../observability/log";
import type { PresenceView } from "../protocol/presence";
import { LazySchema } from "../storage/schema";
import type { Viewer } from "../visibility/rule";
import { isUnknown, subscriberPushes, type Follower } from "./subscriberViews";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS subscribers (
  viewer TEXT PRIMARY KEY,
  scopes TEXT NOT NULL,
  since INTEGER NOT NULL,
  told_unknown INTEGER
);
`;

/** Columns added after the table's first release (a row from before knows nothing of what its subscriber was told). */
const ADDED_COLUMNS = ["told_unknown INTEGER"];

/** A subscriber as stored: their viewer (with the scopes they follow with) and what their row says they were told. */
interface Held {
  viewer: UserViewer;
  toldUnknown: boolean;
}

/**
 * How many users may follow one user by subscription; past it, the longest-standing one is dropped.
 * One change calls each of them, well within the 10,000 subrequests a paid invocation may make.
 */
export const MAX_SUBSCRIBERS = 5_000;

/** Changes within this long of the last push wait and go out together (as room diffs do). */
export const SUBSCRIBER_COALESCE_MS = 10;

export type UserViewer = Viewer & { kind: "user" };

/** A view of the user, stamped with when their object made it, so a follower can drop one overtaken by a newer. */
export interface StampedView {
  view: PresenceView;
  at: number;
}

/**
 * Tells the subscriber's object that `user`'s presence, as the subscriber sees it, moved. It answers
 * with the scopes its user may read now (they change as the user's devices come and go), or null
 * when no device of theirs follows any more.
 */
export type Deliver = (viewer: string, stamped: StampedView) => Promise<UserViewer | null>;

/** A follower whose object failed this many pushes in a row is dropped (never retried forever). */
export const MAX_FAILED_PUSHES = 3;

/**
 * The users who follow this user by subscription (one row each, whatever their number of devices),
 * and the pushes to them: each is told only what the visibility rule lets them see, only when it
 * moved, and in order (one push after another). A follower that is gone is dropped.
 */
export class Subscribers {
  private readonly schema: LazySchema;
  private cached: Map<string, Held> | null = null;
  /** What each subscriber was last told, while the object lives. */
  private readonly sent = new Map<string, PresenceView>();
  private readonly failures = new Map<string, number>();
  private viewOf: ((viewer: UserViewer) => PresenceView) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastPushAt = Number.NEGATIVE_INFINITY;
  private pushing: Promise<void> = Promise.resolve();
  /** Calls to subscribers' objects since this object started, for the wake log and the bench. */
  readonly counts = { pushes: 0 };

  constructor(
    private readonly sql: SqlStorage,
    private readonly user: string,
    private readonly deliver: Deliver,
  ) {
    this.schema = new LazySchema(sql, "subscribers", SCHEMA, ADDED_COLUMNS);
  }

  count(): number {
    return this.all().size;
  }

  private all(): Map<string, Held> {
    if (this.cached) return this.cached;
    // A row from before `told_unknown` (NULL) counts as told "unknown": a hidden user then stays silent,
    // and a visible one differs from "unknown", so their next change still goes out.
    type Row = { viewer: string; scopes: string; told_unknown: number | null };
    const rows = this.schema.exists() ? this.sql.exec<Row>("SELECT viewer, scopes, told_unknown FROM subscribers ORDER BY since").toArray() : [];
    this.cached = new Map(rows.map((row) => [row.viewer, { viewer: { kind: "user", user: row.viewer, scopes: JSON.parse(row.scopes) as string[] }, toldUnknown: row.told_unknown !== 0 }]));
    return this.cached;
  }

  /**
   * `viewer` follows from now on, having just been told `view`, whether or not the user ever
   * connected (a subscription made before their first connection hears of it); nothing is written
   * when they already did, with the same scopes, told the same.
   */
  add(viewer: UserViewer, view: PresenceView, now: number): void {
    this.sent.set(viewer.user, view);
    this.store(viewer, isUnknown(view), now);
  }

  /** Keeps `viewer`'s row up to date; answers whether their scopes changed (a new follower's included). */
  private store(viewer: UserViewer, toldUnknown: boolean, now: number): boolean {
    const all = this.all();
    const held = all.get(viewer.user);
    const rescoped = !held || JSON.stringify(held.viewer.scopes) !== JSON.stringify(viewer.scopes);
    if (!rescoped && held.toldUnknown === toldUnknown) return false;
    this.schema.ensure();
    if (!held && all.size >= MAX_SUBSCRIBERS) {
      const [oldest] = all.keys();
      if (oldest !== undefined) this.drop(oldest);
    }
    // A follower held already keeps their `since`: they stay as long-standing as they were.
    this.sql.exec(
      "INSERT INTO subscribers (viewer, scopes, since, told_unknown) VALUES (?, ?, ?, ?) ON CONFLICT (viewer) DO UPDATE SET scopes = excluded.scopes, told_unknown = excluded.told_unknown",
      viewer.user,
      JSON.stringify(viewer.scopes),
      now,
      toldUnknown ? 1 : 0,
    );
    if (!held) all.delete(viewer.user);
    all.set(viewer.user, { viewer, toldUnknown });
    return rescoped;
  }

  private drop(viewer: string): void {
    this.sql.exec("DELETE FROM subscribers WHERE viewer = ?", viewer);
    this.all().delete(viewer);
    this.sent.delete(viewer);
    this.failures.delete(viewer);
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

  /** One push at a time, so a follower never gets an older view after a newer one. */
  private push(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.lastPushAt = Date.now();
    this.pushing = this.pushing.then(() => this.pushNow());
    return this.pushing;
  }

  private async pushNow(): Promise<void> {
    const viewOf = this.viewOf;
    const all = this.all();
    if (viewOf === null) return;
    const at = Date.now();
    const followers: Follower[] = [...all.values()].map(({ viewer, toldUnknown }) => ({ viewer: viewer.user, toldUnknown }));
    const pushes = subscriberPushes(followers, this.sent, (user) => viewOf((all.get(user) as Held).viewer));
    for (const { viewer, view } of pushes) this.sent.set(viewer, view);
    this.counts.pushes += pushes.length;
    const answers = await Promise.all(pushes.map(({ viewer, view }) => this.deliver(viewer, { view, at }).catch(() => undefined)));
    let rescoped = false;
    pushes.forEach(({ viewer, view }, index) => {
      const answer = answers[index];
      if (answer === null) return this.drop(viewer);
      if (answer === undefined) return this.failed(viewer);
      this.failures.delete(viewer);
      // Only a view the follower surely got is stored as what they were told.
      rescoped = this.store(answer, isUnknown(view), at) || rescoped;
    });
    // A follower whose scopes changed may now see more or less: they get the view for their new scopes.
    if (rescoped) await this.pushNow();
  }

  /** A push that threw (the follower's object failed): retried with the next change, dropped after a few. */
  private failed(viewer: string): void {
    const failures = (this.failures.get(viewer) ?? 0) + 1;
    logEvent("push_failed", { user: this.user, to: viewer, what: "subscription push", attempts: failures });
    if (failures >= MAX_FAILED_PUSHES) return this.drop(viewer);
    this.failures.set(viewer, failures);
    this.sent.delete(viewer);
  }

  erase(): void {
    this.sql.exec("DROP TABLE IF EXISTS subscribers");
    this.schema.forget();
    this.cached = new Map();
    this.sent.clear();
  }
}
