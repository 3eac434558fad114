/** Kept on each watch socket, for its heartbeat expiry. */
interface Watcher {
  connectedAt: number;
}

const WATCH_TAG = "watch";

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
  accept(now: number): { client: WebSocket; server: WebSocket } {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [WATCH_TAG]);
    server.serializeAttachment({ connectedAt: now } satisfies Watcher);
    if (this.open !== undefined) this.open += 1;
    return { client, server };
  }

  /** When a watcher that sends no heartbeat is gone (a closed tab may never say so). */
  expiresAt(ws: WebSocket): number {
    const { connectedAt } = ws.deserializeAttachment() as Watcher;
    const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
    return Math.max(connectedAt, lastPing) + this.offlineAfterMs;
  }

  /** Expiry times of the open watchers. */
  expiries(): number[] {
    return this.all()
      .filter((ws) => ws.readyState === WebSocket.OPEN)
      .map((ws) => this.expiresAt(ws));
  }
}
