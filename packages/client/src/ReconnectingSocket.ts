import { Emitter } from "./emitter.js";
import { reconnectDelayMs } from "./backoff.js";
import type { ConnectionSettings } from "./connectionOptions.js";
import { DISCONNECTED, PING, PONG } from "./protocol.js";
import { SOCKET_OPEN, type SocketLike } from "./socket.js";
import { refreshAt, tokenExpiry, tokenIssuedAt } from "./tokenExpiry.js";

/**
 * - `connecting`: a socket is being opened (the first time, or again after a drop);
 * - `open`: the socket is open;
 * - `rest`: WebSockets could not be opened; this device is online over REST (heartbeat, polled
 *   subscriptions/rosters); a socket is retried in the background (see `restFallback`);
 * - `reconnecting`: the socket dropped and the next try waits for its backoff;
 * - `closed`: for good, after `close()` or a close code that forbids reconnecting.
 */
export type ConnectionState = "connecting" | "open" | "rest" | "reconnecting" | "closed";

/** A connection's new state, with why the last socket went, and when the next one is tried. */
export interface ConnectionChange {
  /** The state now. */
  state: ConnectionState;
  /**
   * Why the last socket went: the server's close code (1006 when it could not be opened), or the
   * client's own `NO_PONG` or `RESYNC`.
   */
  code?: number;
  /** When reconnecting: how long until the next try. */
  retryInMs?: number;
}

interface ReconnectingSocketEvents<Frame> {
  frame: Frame;
  state: ConnectionChange;
}

export interface ReconnectingSocketOptions extends ConnectionSettings {
  /** A token for one try, and for the `token` frame sent ahead of the current one's expiry. */
  token: () => Promise<string>;
  /** Builds the URL for one try with that token. */
  url: (token: string) => string;
  /** False for a close code after which reconnecting is pointless. */
  shouldReconnect: (code: number) => boolean;
}

/** A connection that lived this long before dropping was healthy: the backoff starts over. */
const STABLE_AFTER_MS = 10_000;
/** The client's own reason to replace a socket (a `code` in `ConnectionChange`): it stopped answering the heartbeat. */
export const NO_PONG = 4100;
/** The client's own reason to replace a socket (a `code` in `ConnectionChange`): a frame was missed, so a fresh `sync` is needed. */
export const RESYNC = 4101;
/** What browsers report for a socket that could not be opened (say, the upgrade was refused). */
const NEVER_OPENED = 1006;

/**
 * One logical connection made of as many sockets as it takes: it opens a socket, pings it as soon as it
 * is open and then every `pingIntervalMs`, notices a dead one, and after a drop opens another with
 * capped, fully jittered backoff.
 * Frames arrive parsed; the heartbeat's `pong` never reaches the caller.
 */
export class ReconnectingSocket<Frame> {
  readonly #events = new Emitter<ReconnectingSocketEvents<Frame>>();
  #socket: SocketLike | null = null;
  /** Rises with every try and on close, so late results of an abandoned try are ignored. */
  #generation = 0;
  #attempt = 0;
  /** When the open socket opened; Infinity while none is open. */
  #openedAt = Infinity;
  // Clearing a timer that already ran is harmless, so only the pong timer, whose absence `#ping` reads, is ever unset.
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the token the open socket lives on expires (Infinity: unknown, so never refreshed). */
  #tokenExpiresAt = Infinity;
  /** When the token the open socket lives on was issued (0: unknown). */
  #tokenIssuedAt = 0;
  /** After a sign-out everywhere (4004): only a token issued later than the revoked one may connect (-Infinity: any). */
  #revokedIssuedAt = -Infinity;
  #current: ConnectionState = "connecting";
  readonly #options: ReconnectingSocketOptions;

  constructor(options: ReconnectingSocketOptions) {
    this.#options = options;
  }

  readonly on = this.#events.on.bind(this.#events);

  get state(): ConnectionState {
    return this.#current;
  }

  /** Opens the first socket; nothing is emitted before this returns. */
  start(): void {
    void this.#connect();
  }

  /** Sends a JSON frame if a socket is open; false if it could not go out now. */
  send(frame: object): boolean {
    const socket = this.#socket;
    if (socket?.readyState !== SOCKET_OPEN || this.state !== "open") return false;
    try {
      socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** Drops the current socket and opens another after the usual backoff (a missed frame, say). */
  reconnect(): void {
    // No socket while closed, so nothing to drop then.
    if (this.#socket) this.#dropped(this.#socket, RESYNC);
  }

  /** Closes for good: no socket, no timer and no event is left behind. */
  close(): void {
    if (this.state === "closed") return;
    this.#generation += 1;
    this.#stopTimers();
    const socket = this.#socket;
    this.#socket = null;
    if (socket) closeQuietly(socket);
    this.#setState({ state: "closed" });
  }

  async #connect(): Promise<void> {
    const generation = ++this.#generation;
    if (this.state !== "connecting") this.#setState({ state: "connecting" });
    let socket: SocketLike;
    try {
      const token = await this.#options.token();
      if (generation !== this.#generation) return;
      const issuedAt = tokenIssuedAt(token) ?? 0;
      if (issuedAt <= this.#revokedIssuedAt) {
        this.#scheduleRetry(DISCONNECTED);
        return;
      }
      this.#revokedIssuedAt = -Infinity;
      this.#tokenExpiresAt = tokenExpiry(token) ?? Infinity;
      this.#tokenIssuedAt = issuedAt;
      socket = await this.#options.openSocket(this.#options.url(token));
    } catch {
      if (generation === this.#generation) this.#scheduleRetry(NEVER_OPENED);
      return;
    }
    if (generation !== this.#generation) {
      closeQuietly(socket);
      return;
    }
    this.#socket = socket;
    socket.addEventListener("open", () => {
      if (this.#socket === socket) this.#opened();
    });
    socket.addEventListener("message", (event) => {
      if (this.#socket === socket) this.#received(event.data);
    });
    socket.addEventListener("close", (event) => this.#dropped(socket, event.code));
    if (socket.readyState === SOCKET_OPEN) this.#opened();
  }

  #opened(): void {
    if (this.state === "open") return;
    this.#openedAt = Date.now();
    this.#pingTimer = setInterval(() => this.#ping(), this.#options.pingIntervalMs);
    // At once, not after a first interval: local workerd leaves a server-initiated close (4000, 4001)
    // unfinished on a socket whose client has never sent a frame. It also proves the socket alive early.
    this.#ping();
    this.#scheduleRefresh();
    this.#setState({ state: "open" });
  }

  /** Sends a fresh token ahead of `exp`, so the server never closes the socket for an expired one (4003). */
  #scheduleRefresh(): void {
    if (this.#tokenExpiresAt === Infinity) return;
    const generation = this.#generation;
    this.#refreshTimer = setTimeout(async () => {
      let token: string;
      try {
        token = await this.#options.token();
      } catch {
        return; // the socket closes at exp and the reconnect asks again
      }
      // A token that tells no expiry is not one to send.
      const expiresAt = tokenExpiry(token) ?? 0;
      if (generation !== this.#generation || expiresAt <= this.#tokenExpiresAt) return;
      if (this.send({ type: "token", token })) this.#tokenExpiresAt = expiresAt;
      this.#scheduleRefresh();
    }, Math.max(0, refreshAt(this.#tokenExpiresAt, Date.now()) - Date.now()));
  }

  #ping(): void {
    const socket = this.#socket;
    if (!socket) return;
    try {
      socket.send(PING);
    } catch {
      return;
    }
    this.#pongTimer ??= setTimeout(() => this.#dropped(socket, NO_PONG), this.#options.pongTimeoutMs);
  }

  #received(data: unknown): void {
    // Any frame proves the socket alive, not only the pong.
    clearTimeout(this.#pongTimer);
    this.#pongTimer = undefined;
    if (typeof data !== "string" || data === PONG) return;
    let frame: Frame;
    try {
      frame = JSON.parse(data) as Frame;
    } catch {
      return;
    }
    this.#events.emit("frame", frame);
  }

  #dropped(socket: SocketLike, code: number): void {
    if (this.#socket !== socket) return;
    if (code === DISCONNECTED) this.#revokedIssuedAt = this.#tokenIssuedAt;
    this.#socket = null;
    closeQuietly(socket);
    if (Date.now() - this.#openedAt >= STABLE_AFTER_MS) this.#attempt = 0;
    this.#openedAt = Infinity;
    this.#stopTimers();
    if (this.#options.shouldReconnect(code)) {
      this.#scheduleRetry(code);
    } else {
      this.#generation += 1;
      this.#setState({ state: "closed", code });
    }
  }

  #scheduleRetry(code: number): void {
    const retryInMs = reconnectDelayMs(this.#attempt, this.#options.backoff, this.#options.random);
    this.#attempt += 1;
    this.#setState({ state: "reconnecting", code, retryInMs });
    this.#retryTimer = setTimeout(() => void this.#connect(), retryInMs);
  }

  #stopTimers(): void {
    clearTimeout(this.#retryTimer);
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    clearTimeout(this.#refreshTimer);
    this.#pongTimer = undefined;
  }

  #setState(change: ConnectionChange): void {
    this.#current = change.state;
    this.#events.emit("state", change);
  }
}

/** A normal close (1000), with no reason: the service reads none. */
function closeQuietly(socket: SocketLike): void {
  try {
    socket.close(1000);
  } catch {
    // Already closing or closed: nothing left to do.
  }
}
