import type { PresenceView, StatusFrame } from "./protocol.js";
import type { Rest, Tagged } from "./Rest.js";
import { RestError } from "./RestError.js";
import { payloadOf } from "./payload.js";
import { pathWithQuery } from "./pathWithQuery.js";
import type { RestRounds } from "./RestFallback.js";

/** What the REST device reads for, and tells what it read. */
export interface RestDeviceHost {
  readonly subscriptions: ReadonlySet<string>;
  /** The status chosen last that the service has not applied yet, if any. */
  pendingStatus(): StatusFrame | null;
  /** The service applied `frame`, or refused it. */
  applied(frame: StatusFrame): void;
  /** The user's own presence, when it differs from what the REST device told last. */
  presence(view: PresenceView): void;
  /** A subscribed user's presence, when it differs from what was read for them last. */
  changed(view: PresenceView): void;
}

interface HeartbeatAnswer {
  presence: PresenceView;
  heartbeatMs: number;
}

const HEARTBEAT = "/v1/presence/me/heartbeat";
/** The device's own presence where `#told` keeps views by user. */
const OWN = "";
/** The most users one `GET /v1/presence?users=` names. */
const BATCH = 100;

/**
 * A device while WebSockets are blocked: a device of type `rest` (its id is the socket device's with
 * `.rest`) kept online by heartbeats, with its status and activity sent over REST, and its own
 * presence and its subscriptions polled with `If-None-Match`, up to 100 users a request (an unchanged
 * batch costs a 304). Its own
 * requests go out one after another, so the device's end is never overtaken by a heartbeat that would
 * revive it, and its presence shows in the order the service answered.
 */
export class RestDevice implements RestRounds {
  readonly #rest: Rest;
  readonly #id: string;
  /** How often to beat when the service does not say. */
  readonly #beatEveryMs: number;
  readonly #host: RestDeviceHost;
  #live = false;
  #beatDueAt = 0;
  /** The answers held for `If-None-Match`, by path: the device's own presence, and each batch of subscribed users. */
  readonly #reads = new Map<string, Tagged<unknown>>();
  /** What was told last, as JSON, of each subscribed user and of the device's own presence (as OWN), so an unchanged view tells nothing. */
  readonly #told = new Map<string, string>();
  #turns: Promise<unknown> = Promise.resolve();

  constructor(rest: Rest, device: string, beatEveryMs: number, host: RestDeviceHost) {
    this.#rest = rest;
    this.#id = `${device.slice(0, 59)}.rest`;
    this.#beatEveryMs = beatEveryMs;
    this.#host = host;
  }

  /** Answered while its last heartbeat keeps the device online. */
  async round(first: boolean, answered: () => void): Promise<number> {
    if (first) {
      this.#live = true;
      this.#reads.clear();
      this.#told.clear();
    }
    const users = [...this.#host.subscriptions].sort();
    const batches: string[] = [];
    while (users.length > 0) batches.push(users.splice(0, BATCH).join(","));
    // Its own presence is read in turn with the writes, so an answer from before a write never shows after it.
    await Promise.all([
      this.sendStatus(),
      Date.now() < this.#beatDueAt ? null : this.#beat(false, answered),
      this.#inTurn(async () => {
        if (Date.now() < this.#beatDueAt) answered();
        const own = await this.#read<PresenceView>("/v1/presence/me");
        if (own) this.#tell(OWN, own);
      }),
      ...batches.map(async (batch) => {
        const read = await this.#read<{ presence: Record<string, PresenceView> }>(`/v1/presence?users=${batch}`);
        for (const view of Object.values(read?.presence ?? {})) this.#tell(view.user, view);
      }),
    ]);
    return this.#beatDueAt - Date.now();
  }

  end(): void {
    if (!this.#live) return;
    this.#live = false;
    this.#beatDueAt = 0;
    this.#inTurn(() => this.#rest.request("DELETE", pathWithQuery(HEARTBEAT, { device: this.#id }))).catch(() => undefined);
  }

  /** The user is active on this device: a heartbeat says so now. */
  activity(): void {
    this.#beat(true).catch(() => undefined);
  }

  /** Forgets what was read for `user`, so subscribing again reads them afresh. */
  forget(user: string): void {
    this.#told.delete(user);
    this.#reads.clear();
  }

  /** Sends the pending status, if any: one that got no answer goes out again with the next round, one refused (as a refused frame) does not. */
  async sendStatus(): Promise<void> {
    const frame = this.#host.pendingStatus();
    if (!frame) return;
    await this.#inTurn(async () => {
      try {
        this.#tell(OWN, await this.#rest.request<PresenceView>("PUT", "/v1/presence/me", payloadOf(frame)));
      } catch (error) {
        if (!(error instanceof RestError)) throw error;
      }
      this.#host.applied(frame);
    });
  }

  #beat(active: boolean, answered?: () => void): Promise<void> {
    return this.#inTurn(async () => {
      if (!this.#live) return;
      const answer = await this.#rest.request<HeartbeatAnswer>("POST", HEARTBEAT, { device: this.#id, active });
      this.#beatDueAt = Date.now() + (answer.heartbeatMs || this.#beatEveryMs);
      answered?.();
      this.#tell(OWN, answer.presence);
    });
  }

  /** The body at `path` when it changed since the last read (a 304 is null), while the device lives. */
  async #read<Body>(path: string): Promise<Body | null> {
    const held = this.#reads.get(path) as Tagged<Body> | undefined;
    const read = await this.#rest.poll(path, held);
    if (read === held || !this.#live) return null;
    this.#reads.set(path, read);
    return read.body;
  }

  /** Tells `view` of `user` (OWN: the device's own presence) when it differs from what was told last, while the device lives. */
  #tell(user: string, view: PresenceView): void {
    const text = JSON.stringify(view);
    if (this.#told.get(user) === text || !this.#live) return;
    this.#told.set(user, text);
    if (user === OWN) this.#host.presence(view);
    else this.#host.changed(view);
  }

  /** Runs `request` once every request before it settled. */
  #inTurn<T>(request: () => Promise<T>): Promise<T> {
    const done = this.#turns.then(request);
    this.#turns = done.catch(() => undefined);
    return done;
  }
}
