import type { ConnectionState, PresenceClient, PresenceView } from "../index.js";

/** What `usePresence` returns: the user's own presence and the state of the client's connection. */
export interface PresenceSnapshot {
  /** The user's presence as the service last told it; null before the first `hello`. */
  presence: PresenceView | null;
  /** `open` over a socket, `rest` over REST while sockets are blocked, `connecting`/`reconnecting` in between, `closed` for good. */
  state: ConnectionState;
}

/** Before the provider's client exists (its first render, or a server render). */
export const NOT_CONNECTED: PresenceSnapshot = { presence: null, state: "connecting" };

/** The client's own presence and connection state as one snapshot, replaced on every change. */
export class ConnectionStore {
  private snapshot: PresenceSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly stops: (() => void)[];

  constructor(client: PresenceClient) {
    this.snapshot = { presence: client.presence, state: client.state };
    this.stops = [
      client.on("presence", (presence) => this.update({ ...this.snapshot, presence })),
      client.on("state", ({ state }) => this.update({ ...this.snapshot, state })),
    ];
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): PresenceSnapshot => this.snapshot;

  dispose(): void {
    for (const stop of this.stops) stop();
    this.listeners.clear();
  }

  private update(snapshot: PresenceSnapshot): void {
    this.snapshot = snapshot;
    for (const listener of [...this.listeners]) listener();
  }
}
