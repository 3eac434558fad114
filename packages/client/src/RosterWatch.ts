import { isEmptyDiff, type MembersWatchFrame, type ScopeId, type Member, type RosterDiff, type ServerError } from "./protocol.js";
import { payloadOf } from "./payload.js";
import { Emitter } from "./emitter.js";
import { connectionSettings, resolveToken, type ConnectionOptions } from "./connectionOptions.js";
import { MemberPages } from "./MemberPages.js";
import { ReconnectingSocket, type ConnectionChange, type ConnectionState } from "./ReconnectingSocket.js";
import { Rest } from "./Rest.js";
import { RestFallback } from "./RestFallback.js";
import { applyFrame, countMembers, type Roster, type RosterCounts, type RosterStep } from "./roster.js";
import { socketUrl } from "./socket.js";

/** How a roster watch connects: the same options as any connection. */
export type WatchOptions = ConnectionOptions;

/** The events a `RosterWatch` emits, by name, each with what its listeners receive. */
export interface RosterWatchEvents {
  /** The roster moved: a diff applied, or a (re)sync that differs from what was shown. */
  change: RosterDiff & { resync: boolean };
  /** A frame was missed; the watch reconnects for a fresh `sync`. */
  gap: { expectedSeq: number | null; seq: number };
  /** The server refused a frame; the socket stays open. */
  error: ServerError;
  /** The connection's state changed (`open`, `rest`, `reconnecting` …); `state` on the watch reads it any time. */
  state: ConnectionChange;
}

/**
 * A live roster of one scope: a watch socket that syncs, applies diffs in `seq` order, and reconnects
 * for a fresh `sync` after a drop or a missed frame. Between a drop and the next `sync` the members
 * shown are the last known ones (`synced` is false then). Where no socket can be opened (state `rest`,
 * see `restFallback`) it polls the scope's member pages instead and shows what moved as the same
 * `change` events: the first poll as a resync, later ones as diffs.
 */
export class RosterWatch {
  readonly #events = new Emitter<RosterWatchEvents>();
  readonly #connection: ReconnectingSocket<MembersWatchFrame>;
  readonly #fallback: RestFallback;
  #roster: Roster | null = null;
  #current = false;

  /** Opens a live roster of `scope` (see {@link watch}). */
  constructor(
    /** The scope watched. */
    readonly scope: ScopeId,
    options: WatchOptions,
  ) {
    this.#connection = new ReconnectingSocket<MembersWatchFrame>({
      ...connectionSettings(options),
      token: () => resolveToken(options.token),
      url: (token) => socketUrl(options.baseUrl, `/v1/scopes/${encodeURIComponent(scope)}/watch`, { token }),
      shouldReconnect: () => true,
    });
    this.#connection.on("frame", (frame) => this.#received(frame));
    const pages = new MemberPages(new Rest(options), scope, (members) => this.#polled(members));
    this.#fallback = new RestFallback(this.#connection, options.restFallback, pages, (change) => {
      // Every new socket starts with a `sync`, and REST with a poll; until it is read the roster may be stale.
      if (change.state !== "open") this.#current = false;
      this.#events.emit("state", change);
    });
    this.#connection.start();
  }

  /** Calls `listener` on every `event` (see {@link RosterWatchEvents}) until removed; returns the function that removes it. */
  readonly on = this.#events.on.bind(this.#events);
  /** Removes a listener `on` added for `event`. */
  readonly off = this.#events.off.bind(this.#events);

  /** The scope's members as last shown: none before the first `sync` or poll. */
  get members(): Member[] {
    return [...(this.#roster?.members.values() ?? [])];
  }

  /** `user` as a member of the scope, or undefined when they are not one (or not visible to this user). */
  member(user: string): Member | undefined {
    return this.#roster?.members.get(user);
  }

  /** How many members are online, away and busy, of `members`. */
  get counts(): RosterCounts {
    return countMembers(this.#roster?.members.values() ?? []);
  }

  /** True while the roster is known to be up to date: synced on the open socket with no frame missed, or over REST read by the last poll. */
  get synced(): boolean {
    return this.#current;
  }

  /** The connection's state now: `open` on a socket, `rest` over the REST fallback (see {@link ConnectionState}). */
  get state(): ConnectionState {
    return this.#fallback.state;
  }

  /** Stops watching; nothing is emitted after this. */
  close(): void {
    this.#connection.close();
    this.#events.clear();
  }

  #received(frame: MembersWatchFrame): void {
    if (frame.type === "error") {
      this.#events.emit("error", payloadOf(frame));
      return;
    }
    // Each socket's roster starts at its own `sync`: a diff before it has nothing to apply to.
    const step = applyFrame(this.#current || frame.type === "sync" ? this.#roster : null, frame);
    this.#show(step, frame.type === "sync", frame.type === "diff");
  }

  /**
   * Members read over REST (null: as read last), shown as a socket shows them: what moved since the
   * roster was last known up to date as a resync, what later polls moved as diffs. A poll that ends
   * after a socket opened shows nothing: the socket's `sync` does.
   */
  #polled(members: Member[] | null): void {
    if (this.state === "open") return;
    const resync = !this.#current;
    this.#current = true;
    if (members) this.#show(applyFrame(this.#roster, { type: "sync", scope: this.scope, seq: 0, members }), resync, false);
  }

  /** Shows what a step moved, or reconnects for a fresh `sync` after a missed frame; an empty change shows only when a `diff` carried it. */
  #show(step: RosterStep, resync: boolean, fromDiff: boolean): void {
    if (!step.ok) {
      this.#current = false;
      this.#events.emit("gap", { expectedSeq: step.expectedSeq, seq: step.seq });
      this.#connection.reconnect();
      return;
    }
    this.#roster = step.roster;
    this.#current = true;
    if (fromDiff || !isEmptyDiff(step.change)) this.#events.emit("change", { ...step.change, resync });
  }
}

/** Opens a live roster of `scope` (`global`, `org:<id>` or `zone:<id>`, as the token allows). */
export function watch(scope: ScopeId, options: WatchOptions): RosterWatch {
  return new RosterWatch(scope, options);
}
