import type { Config } from "../config";
import type { Env } from "../env";
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
import { ScopeIndex } from "./scopeIndex";
import { scopeOfRoom } from "./shards";
import { RoomStore, type RankedMember, type RosterPosition } from "./store";
import { WatchSockets } from "./watchSockets";

/** How long a departed user's last `rev` is kept, to drop late or retried pushes older than it. */
const DEPARTED_MEMORY_MS = 24 * 60 * 60 * 1000;

/**
 * What a RoomObject does with pushes and reads, apart from the runtime's entry points: hold the
 * roster, fan diffs out to watchers, record the counts' history, and keep the one alarm (leases,
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

  /** The scope this object holds (all of its roster, or one shard of it). */
  readonly scope: ScopeId;

  constructor(
    ctx: DurableObjectState,
    private readonly env: Env,
    private readonly config: Config,
    /** The object's own name: the scope's, or a shard's (`<scope>#<i>/<n>`). */
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
  }

  /** Takes a user's push; an older `rev` than held is dropped, the same one only renews the lease. */
  async apply(push: MemberPush): Promise<void> {
    const held = this.store.held(push.user);
    if (held && push.rev < held.rev) return;
    const now = Date.now();
    this.countTotals();
    this.store.hold(push.user, push.member, push.rev, now, push.rank ?? push.member?.lastActive ?? null);
    const sightChanged = push.blocks === undefined ? new Set<string>() : this.blocks.replace(push.user, push.blocks);
    this.moveTotals(held?.member?.status ?? null, push.member?.status ?? null, now);
    this.fanout.moved(push.user, held?.member ?? null, push.member);
    this.fanout.resync(sightChanged, () => this.store.all());
    if (!this.store.indexed()) await this.markIndexed(true);
    await this.alarmClock.noLaterThan(now + (push.member ? memberTtlMs(this.config.leaseMs) : DEPARTED_MEMORY_MS));
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

  /** Evicts members whose PresenceObject stopped renewing their lease (no ghosts), closes silent watchers, prunes. */
  async alarm(): Promise<void> {
    this.alarmClock.fired();
    this.watchers.forget();
    const now = Date.now();
    for (const ws of this.watchers.all()) {
      const expiry = this.watchers.expiry(ws);
      if (expiry.at <= now) ws.close(expiry.code, expiry.reason);
    }
    const silent = this.store.silentSince(now - memberTtlMs(this.config.leaseMs));
    if (silent.length > 0) this.countTotals();
    for (const user of silent) {
      const held = this.store.held(user);
      if (!held) continue;
      this.store.hold(user, null, held.rev, now, null);
      this.moveTotals(held.member?.status ?? null, null, now);
      this.fanout.moved(user, held.member, null);
    }
    this.store.forgetDepartedBefore(now - DEPARTED_MEMORY_MS);
    this.blocks.prune();
    if (this.store.indexed() && this.store.holdsNoOne()) await this.markIndexed(false);
    await this.scheduleAlarm(this.history.prune(now));
  }

  /** The alarm's exact time, found by scanning watchers: done only when the alarm runs. */
  private async scheduleAlarm(pruneAt: number | null): Promise<void> {
    const oldestHeard = this.store.oldestHeardAt();
    const oldestDeparted = this.store.oldestDepartedAt();
    await this.alarmClock.set([
      ...this.watchers.expiries(),
      oldestHeard === null ? null : oldestHeard + memberTtlMs(this.config.leaseMs),
      oldestDeparted === null ? null : oldestDeparted + DEPARTED_MEMORY_MS,
      pruneAt,
    ]);
  }

  /**
   * Keeps the members' totals by status as they move (counted from storage once per wake-up, not on
   * every push: a scan of a large roster per join would grow with its size) and records them in the history.
   */
  private moveTotals(from: MemberStatus | null, to: MemberStatus | null, now: number): void {
    if (from === to || this.totals === null) return;
    if (from) this.totals[from] -= 1;
    if (to) this.totals[to] += 1;
    this.history.record(this.totals, now);
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
