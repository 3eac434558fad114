import type { ConnectionChange, ConnectionState, ReconnectingSocket } from "./ReconnectingSocket.js";

/** When a connection goes over REST, and how often it polls there (see `restFallback` in `ConnectionOptions`). */
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
  readonly #rounds: RestRounds;
  readonly #emit: (change: ConnectionChange) => void;
  readonly #afterFailures: number;
  readonly #pollIntervalMs: number;
  #current: ConnectionState;
  /** The socket's own state, as it last reported it. */
  #socket: ConnectionChange;
  #failures = 0;
  /** While polling, a token of this polling's own, so a round that outlived it shows and schedules nothing; null while not polling. */
  #session: object | null = null;
  /** The next round's; undefined while one runs (or none is due). */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** A round was asked for while one ran: the next follows at once. */
  #soon = false;

  constructor(
    connection: Pick<ReconnectingSocket<unknown>, "state" | "on">,
    options: RestFallbackOptions | false | undefined,
    rounds: RestRounds,
    emit: (change: ConnectionChange) => void,
  ) {
    this.#rounds = rounds;
    this.#emit = emit;
    this.#afterFailures = options === false ? Infinity : (options?.afterFailures ?? DEFAULT_AFTER_FAILURES);
    this.#pollIntervalMs = (options || undefined)?.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#current = connection.state;
    this.#socket = { state: connection.state };
    connection.on("state", (change) => this.#changed(change));
  }

  get state(): ConnectionState {
    return this.#current;
  }

  /** While polling, runs a round now (or right after the one running) instead of at the next poll: there is something new to read. */
  refresh(): void {
    if (!this.#session) return;
    this.#soon = true;
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    void this.#run(false);
  }

  #changed(change: ConnectionChange): void {
    const { state } = change;
    if (state === "open") this.#failures = 0;
    else if (state === "reconnecting" && change.code === NEVER_OPENED && this.#socket.state !== "open") this.#failures += 1;
    this.#socket = change;
    if (state === "open" || state === "closed") this.#stop();
    else if (!this.#session && state === "reconnecting" && this.#failures >= this.#afterFailures) this.#start();
    // Sockets are still tried behind REST; only one that opens, or the end, shows.
    if (this.#current !== "rest" || state === "open" || state === "closed") this.#show(change);
  }

  #start(): void {
    this.#session = {};
    void this.#run(true);
  }

  #stop(): void {
    if (!this.#session) return;
    this.#session = null;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#rounds.end?.();
  }

  async #run(first: boolean): Promise<void> {
    const session = this.#session;
    this.#timer = undefined;
    this.#soon = false;
    let answered = false;
    const answer = () => {
      answered = true;
      if (session === this.#session && this.#current !== "rest") this.#show({ state: "rest", code: NEVER_OPENED });
    };
    // A round the service did not answer (or refused) is tried again at the next poll.
    const dueInMs = await this.#rounds.round(first, answer).catch(() => Infinity);
    if (session !== this.#session) return;
    if (!answered && this.#current === "rest") this.#show(this.#socket);
    this.#timer = setTimeout(() => void this.#run(false), this.#soon ? 0 : Math.min(this.#pollIntervalMs, dueInMs));
  }

  #show(change: ConnectionChange): void {
    this.#current = change.state;
    this.#emit(change);
  }
}
