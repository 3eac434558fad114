import { renewal } from "../auth/renewal";
import type { Config } from "../config";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { logEvent } from "../observability/log";
import { metric } from "../observability/metrics";
import { refusalResponse } from "../observability/refusals";
import { CloseCode } from "../protocol/constants";
import { TokenFrame, type WatchServerFrame } from "../protocol/frames";
import { parseFrame, readJsonFrame, sendError, sendFrame } from "../sockets/frames";
import { watchContext } from "../sockets/internalUpgrade";
import type { Room } from "./room";

/** How many watch sockets one object serves (a scope's own, or one hub of a sharded scope). */
export const MAX_WATCHERS = 10_000;

/** Watch sockets coming and going: a RoomObject's socket entry points, for a scope's own object and a hub alike. */

/** Opens a watch socket; the worker has checked that the caller may watch this scope. */
export async function openWatch(room: Room, env: Env, request: Request): Promise<Response> {
  const { watchers, fanout, store, alarmClock, scope } = room;
  if (!watchers.hasRoom(MAX_WATCHERS)) {
    return refusalResponse(env, new ApiError(503, "too_many_watchers", `this scope has ${MAX_WATCHERS} watchers already`), { scope });
  }
  await room.beforeSync();
  // The sync is built (and any pending diff flushed to the others) before this socket joins them.
  const context = watchContext(request);
  const sync = context.countsOnly ? fanout.countsSync(context.sub) : fanout.sync(store.all(), context.sub);
  const { client, server } = watchers.accept(context, Date.now());
  sendFrame(server, sync satisfies WatchServerFrame);
  logEvent("watch", { user: context.sub, scope });
  metric(env, "connection_opened", { scope, code: "watch" });
  await alarmClock.noLaterThan(watchers.expiry(server).at);
  return new Response(null, { status: 101, webSocket: client });
}

/** Watchers are read-only: anything but the heartbeat and a fresh token is refused. */
export async function watchFrame(room: Room, env: Env, config: Config, ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
  const read = readJsonFrame(message);
  if (!read.ok && read.tooBig) return ws.close(CloseCode.messageTooBig, read.message);
  const parsed = read.ok ? parseFrame(TokenFrame, ["token"], read.value) : read;
  if (!parsed.ok) return sendError(ws, "read_only", "watch sockets only accept the heartbeat and token frames");
  const { watchers, alarmClock } = room;
  const { sub, expiresAt } = watchers.watcher(ws);
  const renewed = await renewal(parsed.frame.token, env.JWT_SECRET, config.tokens, sub, expiresAt);
  if (!renewed.ok) return sendError(ws, "invalid_token", renewed.message);
  watchers.renew(ws, renewed.expiresAt);
  await alarmClock.noLaterThan(renewed.expiresAt);
}

export function watchClosed(room: Room, env: Env, ws: WebSocket, code: number): void {
  room.watchers.forget();
  logEvent("unwatch", { user: room.watchers.watcher(ws).sub, scope: room.scope, code });
  metric(env, "connection_closed", { scope: room.scope, code: "watch" });
}
