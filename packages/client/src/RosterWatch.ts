import { isEmptyDiff, type MembersWatchFrame, type ScopeId, type Member, type RosterDiff } from "./protocol.js";
import { Emitter } from "./emitter.js";
import { connectionSettings, resolveToken, type ConnectionOptions } from "./connectionOptions.js";
import { MemberPages } from "./MemberPages.js";
import { ReconnectingSocket, type ConnectionChange, type ConnectionState } from "./ReconnectingSocket.js";
import { Rest } from "./Rest.js";
import { RestFallback } from "./RestFallback.js";
import { applyFrame, countMembers, type Roster, type RosterCounts } from "./roster.js";
import type { ServerError } from "./PresenceClient.js";
import { socketUrl } from "./socket.js";

export type WatchOptions = ConnectionOptions;

export interface RosterWatchEvents {
  /** The roster moved: a diff applied, or a (re)sync that differs from what was shown. */
  change: RosterDiff & { resync: boolean };
  /** A frame was missed; the watch reconnects for a fresh `sync`. */
  gap: { expectedSeq: number | null; seq: number };
  error: ServerError;
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
  private readonly events = new Emitter<RosterWatchEvents>();
  private readonly connection: ReconnectingSocket<MembersWatchFrame>;
  private readonly fallback: RestFallback;
  private roster: Roster | null = null;
  private current = false;

  constructor(
    readonly scope: ScopeId,
    options: WatchOptions,
  ) {
    this.connection = new ReconnectingSocket<MembersWatchFrame>({
      ...connectionSettings(options),
      token: () => resolveToken(options.token),
      url: (token) => socketUrl(options.baseUrl, `/v1/scopes/${encodeURIComponent(scope)}/watch`, { token }),
      shouldReconnect: () => true,
    });
    this.connection.on("frame", (frame) => this.received(frame));
    const pages = new MemberPages(new Rest(options), scope);
    const rounds = {
      round: async (first: boolean, answered: () => void) => {
        if (first) pages.clear();
        const members = await pages.read();
        answered();
        if (this.state !== "open") this.polled(members);
        return Infinity;
      },
    };
    this.fallback = new RestFallback(this.connection, options.restFallback, rounds, (change) => {
      // Every new socket starts with a `sync`, and REST with a poll; until it is read the roster may be stale.
      if (change.state !== "open") this.current = false;
      this.events.emit("state", change);
    });
    this.connection.start();
  }

  readonly on = this.events.on.bind(this.events);
  readonly off = this.events.off.bind(this.events);

  get members(): Member[] {
    return [...(this.roster?.members.values() ?? [])];
  }

  member(user: string): Member | undefined {
    return this.roster?.members.get(user);
  }

  get counts(): RosterCounts {
    return countMembers(this.roster?.members.values() ?? []);
  }

  /** True while the roster is known to be up to date: synced on the open socket with no frame missed, or over REST read by the last poll. */
  get synced(): boolean {
    return this.current;
  }

  get state(): ConnectionState {
    return this.fallback.state;
  }

  /** Stops watching; nothing is emitted after this. */
  close(): void {
    this.connection.close();
    this.events.clear();
  }

  private received(frame: MembersWatchFrame): void {
    if (frame.type === "error") {
      this.events.emit("error", { code: frame.code, message: frame.message });
      return;
    }
    // Each socket's roster starts at its own `sync`: a diff before it has nothing to apply to.
    const base = this.current || frame.type === "sync" ? this.roster : null;
    const step = applyFrame(base, frame);
    if (!step.ok) {
      this.current = false;
      this.events.emit("gap", { expectedSeq: step.expectedSeq, seq: step.seq });
      this.connection.reconnect();
      return;
    }
    this.roster = step.roster;
    this.current = true;
    if (frame.type === "diff" || !isEmptyDiff(step.change)) this.events.emit("change", { ...step.change, resync: frame.type === "sync" });
  }

  /**
   * Members read over REST (null: as read last), shown as a socket shows them: what moved since the
   * roster was last known up to date as a resync, what later polls moved as diffs.
   */
  private polled(members: Member[] | null): void {
    const step = members && applyFrame(this.roster, { type: "sync", scope: this.scope, seq: 0, members });
    const resync = !this.current;
    this.current = true;
    if (!step?.ok) return;
    this.roster = step.roster;
    if (!isEmptyDiff(step.change)) this.events.emit("change", { ...step.change, resync });
  }
}

/** Opens a live roster of `scope` (`global`, `org:<id>` or `zone:<id>`, as the token allows). */
export function watch(scope: ScopeId, options: WatchOptions): RosterWatch {
  return new RosterWatch(scope, options);
}
