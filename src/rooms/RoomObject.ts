import { DurableObject } from "cloudflare:workers";
import { renewal } from "../auth/renewal";
import { readConfig, type Config } from "../config";
import type { Env } from "../env";
import { ApiError, errorResponse } from "../errors";
import { objectName } from "../objectName";
import { logWake } from "../observability/wakes";
import { CloseCode } from "../protocol/constants";
import type { ScopeId } from "../protocol/ids";
import type { MembersPage, ScopeCount } from "../protocol/rest";
import { TokenFrame, type WatchServerFrame } from "../protocol/frames";
import { answerClose, heartbeatAutoResponse, parseFrame, readJsonFrame, sendError, sendFrame } from "../sockets/frames";
import { watchContext } from "../sockets/internalUpgrade";
import { OneAlarm } from "../storage/alarm";
import { encodeCursor, type MembersCursor } from "./cursor";
import { RoomBlocks } from "./blocks";
import { DiffFanout } from "./fanout";
import { memberTtlMs, type MemberPush } from "./roster";
import { RoomStore } from "./store";
import { WatchSockets } from "./watchSockets";

/** How many watch sockets one scope serves. */
export const MAX_WATCHERS = 10_000;

/** How long a departed user's last `rev` is kept, to drop late or retried pushes older than it. */
const DEPARTED_MEMORY_MS = 24 * 60 * 60 * 1000;

/**
 * One scope's roster (the object is named by the scope): members pushed by PresenceObjects, a
 * lease alarm that evicts members nobody vouches for any more, and hibernating watch sockets that
 * get a `sync` and then `diff`s.
 */
export class RoomObject extends DurableObject<Env> {
  private readonly store: RoomStore;
  private readonly config: Config;
  private readonly fanout: DiffFanout;
  private readonly watchers: WatchSockets;
  private readonly alarmClock: OneAlarm;
  private readonly blocks: RoomBlocks;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = readConfig(env);
    this.store = new RoomStore(ctx.storage.sql);
    this.blocks = new RoomBlocks(ctx.storage.sql);
    this.watchers = new WatchSockets(ctx, this.config.offlineAfterMs);
    this.alarmClock = new OneAlarm(ctx.storage);
    this.fanout = new DiffFanout(objectName(ctx) as ScopeId, this.store, this.watchers, (user) => this.store.held(user)?.member ?? null, this.blocks);
    ctx.setWebSocketAutoResponse(heartbeatAutoResponse());
  }

  /** Opens a watch socket; the worker has checked that the caller may watch this scope. */
  async fetch(request: Request): Promise<Response> {
    logWake(this.config, "room", "fetch");
    if (!this.watchers.hasRoom(MAX_WATCHERS)) {
      return errorResponse(new ApiError(503, "too_many_watchers", `this scope has ${MAX_WATCHERS} watchers already`));
    }
    // The sync is built (and any pending diff flushed to the others) before this socket joins them.
    const context = watchContext(request);
    const sync = this.fanout.sync(this.store.all(), context.sub);
    const { client, server } = this.watchers.accept(context, Date.now());
    sendFrame(server, sync satisfies WatchServerFrame);
    await this.alarmClock.noLaterThan(this.watchers.expiry(server).at);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Watchers are read-only: anything but the heartbeat and a fresh token is refused. */
  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    logWake(this.config, "room", "webSocketMessage");
    const read = readJsonFrame(message);
    if (!read.ok && read.tooBig) return ws.close(CloseCode.messageTooBig, read.message);
    const parsed = read.ok ? parseFrame(TokenFrame, ["token"], read.value) : read;
    if (!parsed.ok) return sendError(ws, "read_only", "watch sockets only accept the heartbeat and token frames");
    const { sub, expiresAt } = this.watchers.watcher(ws);
    const renewed = await renewal(parsed.frame.token, this.env.JWT_SECRET, this.config.tokens, sub, expiresAt);
    if (!renewed.ok) return sendError(ws, "invalid_token", renewed.message);
    this.watchers.renew(ws, renewed.expiresAt);
    await this.alarmClock.noLaterThan(renewed.expiresAt);
  }

  async webSocketClose(ws: WebSocket): Promise<void> {
    logWake(this.config, "room", "webSocketClose");
    answerClose(ws);
    this.watchers.forget();
  }

  /** Takes a user's push; an older `rev` than held is dropped, the same one only renews the lease. */
  async apply(push: MemberPush): Promise<void> {
    logWake(this.config, "room", "apply");
    const held = this.store.held(push.user);
    if (held && push.rev < held.rev) return;
    const now = Date.now();
    this.store.hold(push.user, push.member, push.rev, now, push.rank ?? push.member?.lastActive ?? null);
    const sightChanged = push.blocks === undefined ? new Set<string>() : this.blocks.replace(push.user, push.blocks);
    this.fanout.moved(push.user, held?.member ?? null, push.member);
    this.fanout.resync(sightChanged, () => this.store.all());
    await this.alarmClock.noLaterThan(now + (push.member ? memberTtlMs(this.config.offlineAfterMs) : DEPARTED_MEMORY_MS));
  }

  /** A page of members as `viewer` (a user id, "" for a service caller) may see them. */
  /** Null when the cursor names no member `viewer` may see now (they left, or never were): start again. */
  async members(limit: number, cursor: MembersCursor | null, viewer: string): Promise<MembersPage | null> {
    logWake(this.config, "room", "members");
    const page = this.store.page(limit + 1, cursor, this.blocks.hiddenFrom(viewer));
    if (page === null) return null;
    const last = page.at(limit - 1);
    return { scope: objectName(this.ctx) as ScopeId, members: page.slice(0, limit), next: page.length > limit && last ? encodeCursor({ user: last.user }) : null };
  }

  /** How many members `viewer` (a user id, "" for a service caller) may see, by status. */
  async count(viewer = ""): Promise<ScopeCount> {
    logWake(this.config, "room", "count");
    const counts = this.store.counts(this.blocks.hiddenFrom(viewer));
    return { scope: objectName(this.ctx) as ScopeId, ...counts, total: counts.online + counts.away + counts.busy };
  }

  /** Evicts members whose PresenceObject stopped renewing their lease (no ghosts), and closes silent watchers. */
  async alarm(): Promise<void> {
    logWake(this.config, "room", "alarm");
    this.alarmClock.fired();
    this.watchers.forget();
    const now = Date.now();
    for (const ws of this.watchers.all()) {
      const expiry = this.watchers.expiry(ws);
      if (expiry.at <= now) ws.close(expiry.code, expiry.reason);
    }
    for (const user of this.store.silentSince(now - memberTtlMs(this.config.offlineAfterMs))) {
      const held = this.store.held(user);
      if (!held) continue;
      this.store.hold(user, null, held.rev, now, null);
      this.fanout.moved(user, held.member, null);
    }
    this.store.forgetDepartedBefore(now - DEPARTED_MEMORY_MS);
    this.blocks.prune();
    await this.scheduleAlarm();
  }

  /** The alarm's exact time, found by scanning watchers: done only when the alarm runs. */
  private async scheduleAlarm(): Promise<void> {
    const oldestHeard = this.store.oldestHeardAt();
    const oldestDeparted = this.store.oldestDepartedAt();
    await this.alarmClock.set([
      ...this.watchers.expiries(),
      oldestHeard === null ? null : oldestHeard + memberTtlMs(this.config.offlineAfterMs),
      oldestDeparted === null ? null : oldestDeparted + DEPARTED_MEMORY_MS,
    ]);
  }
}
