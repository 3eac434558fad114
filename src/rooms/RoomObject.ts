import { DurableObject } from "cloudflare:workers";
import { readConfig, type Config } from "../config";
import type { Env } from "../env";
import type { HistoryPoint, HistoryStep } from "../history/scopePoints";
import { objectName } from "../objectName";
import { metered } from "../observability/meter";
import { logWake } from "../observability/wakes";
import type { MembersPage, ScopeCount, ScopeStats } from "../protocol/rest";
import { answerClose, heartbeatAutoResponse } from "../sockets/frames";
import type { MembersCursor } from "./cursor";
import type { RankedMember, RosterPosition } from "./store";
import { Room } from "./room";
import type { MemberPush } from "./roster";
import { openWatch, watchClosed, watchFrame } from "./watchDoor";

/**
 * One scope's roster, one shard of it, or one watch hub of a sharded scope (the object is named so):
 * the runtime's entry points (watch sockets, RPC from PresenceObjects, shards, hubs and the worker,
 * the alarm), each handed to `Room`.
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
    return openWatch(this.room, this.env, request);
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    logWake(this.config, "room", "webSocketMessage", {}, this.storage.meter);
    await watchFrame(this.room, this.env, this.config, ws, message);
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    logWake(this.config, "room", "webSocketClose", {}, this.storage.meter);
    answerClose(ws);
    watchClosed(this.room, this.env, ws, code);
  }

  /** Takes a user's push; an older `rev` than held, or a repeat of what is held, is dropped. */
  async apply(push: MemberPush): Promise<void> {
    logWake(this.config, "room", "apply", {}, this.storage.meter);
    await this.room.apply(push);
  }

  /** A watch hub follows this shard: every member, with their blocks; changes follow in batches (`take`). */
  async follow(hub: string): Promise<MemberPush[]> {
    logWake(this.config, "room", "follow", {}, this.storage.meter);
    return this.room.follow(hub);
  }

  /** A shard's batch of changes, for this hub's copy; false when no one watches here any more. */
  async take(_shard: string, pushes: MemberPush[]): Promise<boolean> {
    logWake(this.config, "room", "take", {}, this.storage.meter);
    return this.room.take(pushes);
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

  /** A `global` shard's (or the whole `global` room's) tally: `user` holds this many devices now. */
  async tallyDevices(user: string, devices: number): Promise<void> {
    logWake(this.config, "room", "tallyDevices", {}, this.storage.meter);
    this.room.index.tally(user, devices);
  }

  /** The `global` room's directory (the scopes that hold anyone), and the devices this object tallies. */
  async directory(): Promise<{ scopes: string[]; more: boolean; devices: number }> {
    logWake(this.config, "room", "directory", {}, this.storage.meter);
    return this.room.index.read();
  }

  async alarm(): Promise<void> {
    logWake(this.config, "room", "alarm", {}, this.storage.meter);
    await this.room.alarm();
  }
}
