import { DurableObject } from "cloudflare:workers";
import { renewal } from "../auth/renewal";
import { readConfig, type Config } from "../config";
import type { Env } from "../env";
import { ApiError } from "../errors";
import type { HistoryPoint, HistoryStep } from "../history/scopePoints";
import { objectName } from "../objectName";
import { logEvent } from "../observability/log";
import { metric } from "../observability/metrics";
import { refusalResponse } from "../observability/refusals";
import { metered } from "../observability/meter";
import { logWake } from "../observability/wakes";
import { CloseCode } from "../protocol/constants";
import type { MembersPage, ScopeCount, ScopeStats } from "../protocol/rest";
import { TokenFrame, type WatchServerFrame } from "../protocol/frames";
import { answerClose, heartbeatAutoResponse, parseFrame, readJsonFrame, sendError, sendFrame } from "../sockets/frames";
import { watchContext } from "../sockets/internalUpgrade";
import type { MembersCursor } from "./cursor";
import type { RankedMember, RosterPosition } from "./store";
import { Room } from "./room";
import type { MemberPush } from "./roster";

/** How many watch sockets one scope serves. */
export const MAX_WATCHERS = 10_000;

/**
 * One scope's roster (the object is named by the scope): the runtime's entry points (watch sockets,
 * RPC from PresenceObjects and the worker, the alarm), each handed to `Room`.
 */
export class RoomObject extends DurableObject<Env> {
  private readonly config: Config = readConfig(this.env);
  private readonly storage = metered(this.ctx, this.config.logWakes);
  private readonly room = new Room(this.storage.state, this.env, this.config, objectName(this.ctx));

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(heartbeatAutoResponse());
  }

  /** Opens a watch socket; the worker has checked that the caller may watch this scope. */
  async fetch(request: Request): Promise<Response> {
    logWake(this.config, "room", "fetch", {}, this.storage.meter);
    const { watchers, fanout, store, alarmClock, scope } = this.room;
    if (!watchers.hasRoom(MAX_WATCHERS)) {
      return refusalResponse(this.env, new ApiError(503, "too_many_watchers", `this scope has ${MAX_WATCHERS} watchers already`), { scope });
    }
    // The sync is built (and any pending diff flushed to the others) before this socket joins them.
    const context = watchContext(request);
    const sync = context.countsOnly ? fanout.countsSync(context.sub) : fanout.sync(store.all(), context.sub);
    const { client, server } = watchers.accept(context, Date.now());
    sendFrame(server, sync satisfies WatchServerFrame);
    logEvent("watch", { user: context.sub, scope });
    metric(this.env, "connection_opened", { scope, code: "watch" });
    await alarmClock.noLaterThan(watchers.expiry(server).at);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Watchers are read-only: anything but the heartbeat and a fresh token is refused. */
  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    logWake(this.config, "room", "webSocketMessage", {}, this.storage.meter);
    const read = readJsonFrame(message);
    if (!read.ok && read.tooBig) return ws.close(CloseCode.messageTooBig, read.message);
    const parsed = read.ok ? parseFrame(TokenFrame, ["token"], read.value) : read;
    if (!parsed.ok) return sendError(ws, "read_only", "watch sockets only accept the heartbeat and token frames");
    const { watchers, alarmClock } = this.room;
    const { sub, expiresAt } = watchers.watcher(ws);
    const renewed = await renewal(parsed.frame.token, this.env.JWT_SECRET, this.config.tokens, sub, expiresAt);
    if (!renewed.ok) return sendError(ws, "invalid_token", renewed.message);
    watchers.renew(ws, renewed.expiresAt);
    await alarmClock.noLaterThan(renewed.expiresAt);
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    logWake(this.config, "room", "webSocketClose", {}, this.storage.meter);
    answerClose(ws);
    this.room.watchers.forget();
    logEvent("unwatch", { user: this.room.watchers.watcher(ws).sub, scope: this.room.scope, code });
    metric(this.env, "connection_closed", { scope: this.room.scope, code: "watch" });
  }

  /** Takes a user's push; an older `rev` than held is dropped, the same one only renews the lease. */
  async apply(push: MemberPush): Promise<void> {
    logWake(this.config, "room", "apply", {}, this.storage.meter);
    await this.room.apply(push);
  }

  /** A page of members as `viewer` (a user id, "" for a service caller) may see them. */
  /** Null when the cursor names no member `viewer` may see now (they left, or never were): start again. */
  async members(limit: number, cursor: MembersCursor | null, viewer: string): Promise<MembersPage | null> {
    logWake(this.config, "room", "members", {}, this.storage.meter);
    return this.room.members(limit, cursor, viewer);
  }

  /** Where `user` sorts for `viewer` in this shard; null when they may not see them here. */
  async positionOf(user: string, viewer: string): Promise<RosterPosition | null> {
    logWake(this.config, "room", "positionOf", {}, this.storage.meter);
    return this.room.positionOf(user, viewer);
  }

  /** This shard's members after `after`, with their ranks, for a page merged over a sharded scope's shards. */
  async membersAfter(limit: number, after: RosterPosition | null, viewer: string): Promise<RankedMember[]> {
    logWake(this.config, "room", "membersAfter", {}, this.storage.meter);
    return this.room.membersAfter(limit, after, viewer);
  }

  /** How many members `viewer` (a user id, "" for a service caller) may see, by status. */
  async count(viewer = ""): Promise<ScopeCount> {
    logWake(this.config, "room", "count", {}, this.storage.meter);
    return this.room.count(viewer);
  }

  /** The scope's counts by status from `from` to `to` (epoch ms), a point per `step` seconds. */
  async history(from: number, to: number, step: HistoryStep): Promise<HistoryPoint[]> {
    logWake(this.config, "room", "history", {}, this.storage.meter);
    return this.room.historyPoints(from, to, step);
  }

  /** The scope's totals and watch sockets (operators). */
  async stats(): Promise<ScopeStats> {
    logWake(this.config, "room", "stats", {}, this.storage.meter);
    return this.room.stats();
  }

  /** The `global` room's directory: `scope` holds someone now, or no one any more. */
  async indexScope(scope: string, active: boolean): Promise<void> {
    logWake(this.config, "room", "indexScope", {}, this.storage.meter);
    this.room.index.mark(scope, active);
  }

  /** The `global` room's directory: `user` holds this many device sockets now. */
  async tallyDevices(user: string, devices: number): Promise<void> {
    logWake(this.config, "room", "tallyDevices", {}, this.storage.meter);
    this.room.index.tally(user, devices);
  }

  /** The `global` room's directory: the scopes that hold anyone, and the device sockets held now. */
  async directory(): Promise<{ scopes: string[]; more: boolean; devices: number }> {
    logWake(this.config, "room", "directory", {}, this.storage.meter);
    return this.room.index.read();
  }

  async alarm(): Promise<void> {
    logWake(this.config, "room", "alarm", {}, this.storage.meter);
    await this.room.alarm();
  }
}
