import { CloseCode } from "../protocol/constants";
import type { WatchContext } from "../sockets/internalUpgrade";

/** Kept on each watch socket: who watches, and what its heartbeat and token expiry count from. */
interface Watcher extends WatchContext {
  connectedAt: number;
  /** Diffs left out for this socket (they held only members who blocked its viewer). */
  skipped?: number;
}

const WATCH_TAG = "watch";
/** Also on counts-only watch sockets, so a diff finds them without reading every attachment. */
const COUNTS_TAG = "counts";

/** A room's hibernating watch sockets: read-only, each expiring when its heartbeats stop. */
export class WatchSockets {
  /** How many watchers are open, counted in memory (undefined: count on next use), so a connect is O(1). */
  private open: number | undefined = undefined;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly offlineAfterMs: number,
  ) {}

  all(): WebSocket[] {
    return this.ctx.getWebSockets(WATCH_TAG);
  }

  /** Whether another watcher fits under `max`; counts afresh before refusing one. */
  hasRoom(max: number): boolean {
    this.open ??= this.all().length;
    if (this.open >= max) this.open = this.all().length;
    return this.open < max;
  }

  /** A watcher left or was closed: the count is taken afresh next time. */
  forget(): void {
    this.open = undefined;
  }

  /** Accepts a watcher's socket (hibernatable) and returns both ends. */
  accept(context: WatchContext, now: number): { client: WebSocket; server: WebSocket } {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, context.countsOnly ? [WATCH_TAG, COUNTS_TAG] : [WATCH_TAG]);
    server.serializeAttachment({ ...context, connectedAt: now } satisfies Watcher);
    if (this.open !== undefined) this.open += 1;
    return { client, server };
  }

  watcher(ws: WebSocket): WatchContext {
    return ws.deserializeAttachment() as Watcher;
  }

  /** Who watches on `ws`: a user id, or "" for a service caller. */
  viewerOf(ws: WebSocket): string {
    return this.watcher(ws).sub;
  }

  /** The sockets that watch the counts only. */
  countsOnly(): Set<WebSocket> {
    return new Set(this.ctx.getWebSockets(COUNTS_TAG));
  }

  skippedOf(ws: WebSocket): number {
    return (ws.deserializeAttachment() as Watcher).skipped ?? 0;
  }

  setSkipped(ws: WebSocket, skipped: number): void {
    ws.serializeAttachment({ ...(ws.deserializeAttachment() as Watcher), skipped });
  }

  /** The watcher's socket now lives on a token that expires at `expiresAt`. */
  renew(ws: WebSocket, expiresAt: number): void {
    ws.serializeAttachment({ ...(ws.deserializeAttachment() as Watcher), expiresAt });
  }

  /** Why and when a watcher is closed: its token expires, or its heartbeats stop (a closed tab may never say so). */
  expiry(ws: WebSocket): { at: number; code: number; reason: string } {
    const { connectedAt, expiresAt } = ws.deserializeAttachment() as Watcher;
    const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
    const silentAt = Math.max(connectedAt, lastPing) + this.offlineAfterMs;
    return expiresAt <= silentAt ? { at: expiresAt, code: CloseCode.tokenExpired, reason: "token expired" } : { at: silentAt, code: CloseCode.heartbeatTimeout, reason: "no heartbeat" };
  }

  /** Expiry times of the open watchers. */
  expiries(): number[] {
    return this.all()
      .filter((ws) => ws.readyState === WebSocket.OPEN)
      .map((ws) => this.expiry(ws).at);
  }
}
