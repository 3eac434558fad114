import type { Config } from "../config";
import type { Env } from "../env";
import { sameMember } from "../protocol/member";
import { ScopeHistory } from "../history/scopeHistory";
import type { HistoryPoint, HistoryStep } from "../history/scopePoints";
import { errorName, logEvent } from "../observability/log";
import { metric } from "../observability/metrics";
import type { ScopeId } from "../protocol/ids";
import type { MemberStatus } from "../protocol/presence";
import type { MembersPage, ScopeCount, ScopeStats } from "../protocol/rest";
import { OneAlarm } from "../storage/alarm";
import { RoomBlocks } from "./blocks";
import { encodeCursor, type MembersCursor } from "./cursor";
import { DiffFanout } from "./fanout";
import { memberTtlMs, type MemberPush } from "./roster";
import { askMembers, NEXT_SLICE_MS, settleAnswer, SWEEP_SLICE } from "./sweep";
import { ScopeIndex } from "./scopeIndex";
import { isHub, roomsOf, scopeOfRoom } from "./shards";
import { ShardFeed } from "./hubFeed";
import { HubCopy } from "./hubCopy";
import { RoomStore, type RankedMember, type RosterPosition } from "./store";
import { WatchSockets } from "./watchSockets";

/** How long a departed user's last `rev` is kept, to drop late or retried pushes older than it. */
const DEPARTED_MEMORY_MS = 24 * 60 * 60 * 1000;

/**
 * What a RoomObject does with pushes and reads, apart from the runtime's entry points: hold the
 * roster, fan diffs out to watchers, record the counts' history, and keep the one alarm (sweeps,
 * departed users, silent watchers, history pruning).
 */
export class Room {
  readonly store: RoomStore;
  readonly blocks: RoomBlocks;
  readonly watchers: WatchSockets;
  readonly fanout: DiffFanout;
  readonly alarmClock: OneAlarm;
  readonly history: ScopeHistory;
  /** The service's directory; only the `global` room keeps one. */
  readonly index: ScopeIndex;
  /** Members by status, once counted in this wake-up. */
  private totals: Record<MemberStatus, number> | null = null;
  /** A shard's feed to the watch hubs that follow it; null in an object that is not a shard. */
  private readonly feed: ShardFeed | null;
  /** A watch hub's copy of its scope's shards; null in a roster's own object. */
  readonly copy: HubCopy | null;
  /** Where a `global` shard's sweep goes on (the last member asked), and when it began; a lost place only starts the sweep again. */
  private sweepCursor: string | null = null;
  private sweepStartedAt = 0;

  /** The scope this object holds (all of its roster, or one shard of it). */
  readonly scope: ScopeId;

  constructor(
    ctx: DurableObjectState,
    private readonly env: Env,
    private readonly config: Config,
    /** The object's own name: the scope's, a shard's (`<scope>#<i>/<n>`) or a watch hub's (`<scope>#hub<k>`). */
    readonly name: string,
  ) {
    const scope = scopeOfRoom(name) as ScopeId;
    this.scope = scope;
    this.store = new RoomStore(ctx.storage.sql);
    this.blocks = new RoomBlocks(ctx.storage.sql);
    this.watchers = new WatchSockets(ctx, config.offlineAfterMs);
    this.alarmClock = new OneAlarm(ctx.storage);
    this.history = new ScopeHistory(ctx.storage.sql);
    this.index = new ScopeIndex(ctx.storage.sql);
    const holding = (user: string) => this.store.held(user)?.member ?? null;
    const totals = () => (this.totals ??= this.store.counts(new Set()));
    this.fanout = new DiffFanout(scope, this.store, this.watchers, holding, this.blocks, totals, (sockets) => metric(env, "fanout", { scope }, sockets));
    const hub = isHub(name);
    this.feed = name !== scope && !hub ? new ShardFeed(env, name, this.store) : null;
    this.copy = hub ? new HubCopy(env, name, roomsOf(scope, config.scopeShards), this.store, (push) => this.apply(push)) : null;
  }

  /** Takes a user's push (or a sweep's answer, or a shard's change for a hub); an older `rev` than held is dropped, and so is a repeat of what is held (no row written). */
  async apply(push: MemberPush): Promise<void> {
    const held = this.store.held(push.user);
    if (held && push.rev < held.rev) return;
    const now = Date.now();
    const sightChanged = push.blocks === undefined ? new Set<string>() : this.blocks.replace(push.user, push.blocks);
    const repeat = held !== null && push.rev === held.rev && sameMember(held.member, push.member);
    if (!repeat) {
      this.countTotals();
      this.store.hold(push.user, push.member, push.rev, now, push.rank ?? push.member?.lastActive ?? null);
      this.moveTotals(held?.member?.status ?? null, push.member?.status ?? null, now);
      this.fanout.moved(push.user, held?.member ?? null, push.member);
      this.feed?.moved(push);
    }
    this.fanout.resync(sightChanged, () => this.store.all());
    if (repeat || this.copy) return;
    if (!this.store.indexed()) await this.markIndexed(true);
    await this.alarmClock.noLaterThan(now + (push.member ? this.sweepEveryMs() : DEPARTED_MEMORY_MS));
  }

  /** A watch hub follows this shard from now on: every member, with their blocks, for the hub's copy. */
  follow(hub: string): MemberPush[] {
    this.store.addHub(hub);
    return this.store.memberPushes().map((push) => ({ ...push, blocks: this.blocks.of(push.user) }));
  }

  /** A shard's batch of changes, for a hub's copy; false when the hub has no watchers (the shard then stops sending). */
  async take(pushes: readonly MemberPush[]): Promise<boolean> {
    if (this.copy === null) return false;
    if (this.watchers.all().length === 0) {
      this.copy.unfollowed();
      return false;
    }
    await this.copy.ready();
    for (const push of pushes) await this.apply(push);
    return true;
  }

  /** Before a watcher's sync: a hub's copy follows its shards (once per wake-up), and re-follows each lease while watched. */
  async beforeSync(): Promise<void> {
    if (this.copy === null) return;
    await this.copy.ready();
    await this.alarmClock.noLaterThan(Date.now() + this.config.leaseMs);
  }

  /** A page of members as `viewer` (a user id, "" for a service caller) may see them; null when the cursor names no member they may see now. */
  members(limit: number, cursor: MembersCursor | null, viewer: string): MembersPage | null {
    const page = this.store.page(limit + 1, cursor, this.blocks.hiddenFrom(viewer));
    if (page === null) return null;
    const last = page.at(limit - 1);
    return { scope: this.scope, members: page.slice(0, limit), next: page.length > limit && last ? encodeCursor({ user: last.user }) : null };
  }

  /** Where `user` sorts, when `viewer` may see them here (a cursor of a sharded scope). */
  positionOf(user: string, viewer: string): RosterPosition | null {
    return this.store.position(user, this.blocks.hiddenFrom(viewer));
  }

  /** Up to `limit` members `viewer` may see after `after`, with their ranks, for a merge over shards. */
  membersAfter(limit: number, after: RosterPosition | null, viewer: string): RankedMember[] {
    return this.store.ranked(limit, after, this.blocks.hiddenFrom(viewer));
  }

  /** How many members `viewer` (a user id, "" for a service caller) may see, by status. */
  count(viewer: string): ScopeCount {
    const counts = this.store.counts(this.blocks.hiddenFrom(viewer));
    return { scope: this.scope, ...counts, total: counts.online + counts.away + counts.busy };
  }

  historyPoints(from: number, to: number, step: HistoryStep): HistoryPoint[] {
    return this.history.points(from, to, step);
  }

  /** This object's totals and the watch sockets it holds, for operators (a shard's share of its scope). */
  stats(): ScopeStats {
    return { ...this.count(""), watchers: this.watchers.all().length };
  }

  /** Sweeps members (no ghosts), closes silent watchers, prunes. */
  async alarm(): Promise<void> {
    this.alarmClock.fired();
    this.watchers.forget();
    const now = Date.now();
    for (const ws of this.watchers.all()) {
      const expiry = this.watchers.expiry(ws);
      if (expiry.at <= now) ws.close(expiry.code, expiry.reason);
    }
    const nextSweepAt = this.copy ? await this.copy.refresh(this.watchers.all().length > 0, now + this.config.leaseMs) : await this.sweep(now);
    this.store.forgetDepartedBefore(now - DEPARTED_MEMORY_MS);
    this.blocks.prune();
    if (this.store.indexed() && this.store.holdsNoOne()) await this.markIndexed(false);
    const oldestDeparted = this.store.oldestDepartedAt();
    await this.alarmClock.set([...this.watchers.expiries(), nextSweepAt, oldestDeparted === null ? null : oldestDeparted + DEPARTED_MEMORY_MS, this.history.prune(now)]);
  }

  /** A `global` shard asks every member each `SWEEP_MS`; other rooms ask members unheard for three leases, every three leases (a steady member: twice an hour). */
  private sweepEveryMs(): number {
    return this.scope === "global" ? this.config.sweepMs : memberTtlMs(this.config.leaseMs);
  }

  /**
   * Asks members' objects what this room should hold for them, a slice at a time (see `sweep.ts`),
   * and takes the answers; returns when the next sweep (or slice) is due, null with no members.
   */
  private async sweep(now: number): Promise<number | null> {
    const everyone = this.scope === "global";
    if (everyone && this.sweepCursor === null) this.sweepStartedAt = now;
    const users = everyone ? this.store.presentAfter(this.sweepCursor, SWEEP_SLICE) : this.store.silentSince(now - memberTtlMs(this.config.leaseMs), SWEEP_SLICE);
    for (const [user, answer] of await askMembers(this.env, this.name, users)) {
      const held = this.store.held(user);
      const push = held && settleAnswer(user, { rev: held.rev, present: held.member !== null }, answer);
      if (push) await this.apply(push);
    }
    if (users.length === SWEEP_SLICE) {
      this.sweepCursor = everyone ? (users.at(-1) ?? null) : null;
      return Date.now() + NEXT_SLICE_MS;
    }
    this.sweepCursor = null;
    if (!this.store.holdsMembers()) return null;
    return everyone ? Math.max(this.sweepStartedAt + this.config.sweepMs, Date.now() + NEXT_SLICE_MS) : now + this.sweepEveryMs();
  }

  /**
   * Keeps the members' totals by status as they move (counted from storage once per wake-up, not on
   * every push: a scan of a large roster per join would grow with its size) and records them in the history.
   */
  private moveTotals(from: MemberStatus | null, to: MemberStatus | null, now: number): void {
    if (from === to || this.totals === null) return;
    if (from) this.totals[from] -= 1;
    if (to) this.totals[to] += 1;
    if (this.copy === null) this.history.record(this.totals, now);
  }

  /** Counts the members by status, once per wake-up, before the first move is applied. */
  private countTotals(): void {
    this.totals ??= this.store.counts(new Set());
  }

  /** Tells the `global` room's directory that this scope holds someone, or no one any more (once, however many pushes arrive meanwhile). */
  private async markIndexed(active: boolean): Promise<void> {
    this.store.setIndexed(active);
    try {
      if (this.name === "global") this.index.mark(this.name, active);
      else await this.env.ROOMS.getByName("global").indexScope(this.name, active);
    } catch (error) {
      this.store.setIndexed(!active);
      logEvent("push_failed", { scope: this.name, what: "scope index", code: errorName(error) });
    }
  }
}
