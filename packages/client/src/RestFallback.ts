import type { ConnectionChange, ConnectionState, ReconnectingSocket } from "./ReconnectingSocket.js";

export interface RestFallbackOptions {
  /** Sockets in a row that closed before they opened (1006) before the connection goes over REST; default 2. */
  afterFailures?: number;
  /** How often, over REST, subscriptions and rosters are polled (a 304 when unchanged); default 10 s. */
  pollIntervalMs?: number;
}

/** What a connection does while over REST, one round at a time. */
export interface RestRounds {
  /**
   * One round of heartbeats and polls (`first`: the first since polling started); it calls `answered`
   * once the service answered what makes the connection work over REST, before showing what it read.
   * Resolves to how soon, in ms, the next round is due at the latest.
   */
  round(first: boolean, answered: () => void): Promise<number>;
  /** A socket opened, or the connection closed: ends what the rounds kept up, if anything. */
  end?(): void;
}

const NEVER_OPENED = 1006;
const DEFAULT_AFTER_FAILURES = 2;
const DEFAULT_POLL_INTERVAL_MS = 10_000;

/**
 * A connection's state with the REST fallback folded in. It counts the sockets that never opened and,
 * past the limit, runs rounds over REST while sockets are still tried; it shows `rest` once a round
 * was answered (hiding the sockets' own retries behind it), and the socket's state again after a
 * round that was not. A socket that opens, or the connection's end, ends the rounds.
 */
export class RestFallback {
  private readonly afterFailures: number;
  private readonly pollIntervalMs: number;
  private current: ConnectionState;
  /** The socket's own state, as it last reported it. */
  private socket: ConnectionChange;
  private failures = 0;
  private polling = false;
  /** Rises whenever polling starts or stops, so a round that outlived its time shows and schedules nothing. */
  private session = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** A round was asked for while one ran: the next follows at once. */
  private soon = false;

  constructor(
    connection: Pick<ReconnectingSocket<unknown>, "state" | "on">,
    options: RestFallbackOptions | false | undefined,
    private readonly rounds: RestRounds,
    private readonly emit: (change: ConnectionChange) => void,
  ) {
    this.afterFailures = options === false ? Infinity : (options?.afterFailures ?? DEFAULT_AFTER_FAILURES);
    this.pollIntervalMs = (options || undefined)?.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.current = connection.state;
    this.socket = { state: connection.state };
    connection.on("state", (change) => this.changed(change));
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** While polling, runs a round now (or right after the one running) instead of at the next poll: there is something new to read. */
  refresh(): void {
    if (!this.polling) return;
    this.soon = true;
    if (this.timer === null) return;
    clearTimeout(this.timer);
    void this.run(false);
  }

  private changed(change: ConnectionChange): void {
    const { state } = change;
    if (state === "open") this.failures = 0;
    else if (state === "reconnecting" && change.code === NEVER_OPENED && this.socket.state !== "open") this.failures += 1;
    this.socket = change;
    if (state === "open" || state === "closed") this.stop();
    else if (!this.polling && state === "reconnecting" && this.failures >= this.afterFailures) this.start();
    // Sockets are still tried behind REST; only one that opens, or the end, shows.
    if (this.current !== "rest" || state === "open" || state === "closed") this.show(change);
  }

  private start(): void {
    this.polling = true;
    this.session += 1;
    void this.run(true);
  }

  private stop(): void {
    if (!this.polling) return;
    this.polling = false;
    this.session += 1;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.rounds.end?.();
  }

  private async run(first: boolean): Promise<void> {
    const session = this.session;
    this.timer = null;
    this.soon = false;
    let answered = false;
    const answer = () => {
      answered = true;
      if (session === this.session && this.current !== "rest") this.show({ state: "rest", code: NEVER_OPENED });
    };
    let dueInMs = Infinity;
    try {
      dueInMs = await this.rounds.round(first, answer);
    } catch {
      // The service did not answer (or refused): the next round tries again.
    }
    if (session !== this.session) return;
    if (!answered && this.current === "rest") this.show(this.socket);
    this.timer = setTimeout(() => void this.run(false), this.soon ? 0 : Math.min(this.pollIntervalMs, dueInMs));
  }

  private show(change: ConnectionChange): void {
    this.current = change.state;
    this.emit(change);
  }
}
