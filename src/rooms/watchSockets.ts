/** Kept on each watch socket, for its heartbeat expiry. */
interface Watcher {
  connectedAt: number;
}

const WATCH_TAG = "watch";

/** A room's hibernating watch sockets: read-only, each expiring when its heartbeats stop. */
export class WatchSockets {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly offlineAfterMs: number,
  ) {}

  all(): WebSocket[] {
    return this.ctx.getWebSockets(WATCH_TAG);
  }

  /** Accepts a watcher's socket (hibernatable) and returns both ends. */
  accept(now: number): { client: WebSocket; server: WebSocket } {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [WATCH_TAG]);
    server.serializeAttachment({ connectedAt: now } satisfies Watcher);
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
