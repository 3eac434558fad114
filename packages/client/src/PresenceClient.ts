import {
  DEVICE_REPLACED,
  MAX_SUBSCRIPTIONS,
  TYPING_INTERVAL_MS,
  type DeviceServerFrame,
  type FocusNotice,
  type Receipt,
  type StatusFrame,
  type ServerError,
  type TypingNotice,
  type ScopeHistory,
  type DeviceType,
  type ScopeId,
  type Message,
  type SendMessageResponse,
  type ChosenStatus,
  type PresenceView,
} from "./protocol.js";
import { Emitter } from "./emitter.js";
import { connectionSettings, resolveToken, type ConnectionOptions } from "./connectionOptions.js";
import { DeliveredMessages } from "./DeliveredMessages.js";
import { payloadOf } from "./payload.js";
import { pathWithQuery } from "./pathWithQuery.js";
import { ReconnectingSocket, type ConnectionChange, type ConnectionState } from "./ReconnectingSocket.js";
import { Rest } from "./Rest.js";
import { RestDevice } from "./RestDevice.js";
import { RestFallback } from "./RestFallback.js";
import { socketUrl } from "./socket.js";
import { Settings } from "./Settings.js";
import { subscriptionFrames } from "./subscriptionFrames.js";

/** How a `PresenceClient` connects, and as which device. */
export interface PresenceClientOptions extends ConnectionOptions {
  /**
   * This device's id, a random UUID when left out. Keep it stable per tab or app install, so a
   * reconnect replaces this device instead of adding one. Over the REST fallback the device is
   * `<device>.rest` (the first 59 characters of it), of type `rest`.
   */
  device?: string;
  /** What kind of device this is, as others see it in `devices`; defaults to `web`. */
  deviceType?: DeviceType;
}

/** Options of `PresenceClient.send`. */
export interface SendOptions {
  /**
   * The message's own id (1-64 chars of A-Za-z0-9._-), generated when left out. The service delivers
   * one id from one sender once within 24 h and answers a repeat as it answered the first.
   */
  id?: string;
}

/** The events a `PresenceClient` emits, by name, each with what its listeners receive. */
export interface PresenceClientEvents {
  /** The user's own presence, from every `hello` and `presence` frame. */
  presence: PresenceView;
  /** Someone started or stopped having this user in focus (say, a chat with them open). */
  focus: FocusNotice;
  /** The server refused a frame; the socket stays open. */
  error: ServerError;
  /** The connection's state changed (`open`, `rest`, `reconnecting` …); `state` on the client reads it any time. */
  state: ConnectionChange;
  /**
   * A subscribed user's presence as this user may see it (one they may not see looks like an unknown
   * user: offline, no text, no devices): each one when subscribed, again after every reconnect, then
   * on every change.
   */
  changed: PresenceView;
  /**
   * A message to this user, once however often it comes: live, or from an `inbox` after a (re)connect.
   * It is acknowledged (the service stops keeping it) once the listeners ran, unless one of them calls
   * `keepUntilRead`.
   */
  message: Message;
  /** The messages of one `inbox` frame new to this client (sent while no device had them, or not acknowledged yet), after their `message` events. */
  inbox: Message[];
  /** A message this user sent reached a device of `to`, or was read. */
  receipt: Receipt;
  /** `user` is typing to this user: show it until `until` (epoch ms) unless another notice comes. */
  typing: TypingNotice;
}

/** The span and resolution `PresenceClient.scopeHistory` asks for. */
export interface ScopeHistoryOptions {
  /** Start (epoch ms); the service's default is 24 h before `to`, and it answers at most 7 days. */
  from?: number;
  /** End (epoch ms); the service's default, and latest, is now. */
  to?: number;
  /** Seconds between points; the service's default is 60. */
  step?: 60 | 300 | 3600;
}

/** Acknowledgements and reads go out at most this often, so a burst of messages stays within the socket's frame limit. */
const FLUSH_SPACING_MS = 250;

/**
 * One device of the signed-in user: keeps a socket to `/v1/connect` open for as long as the client
 * lives, tells the service what the user chose and what they are looking at, follows the users it
 * subscribes to, and sends and receives messages. Where no socket can be opened it stays online over
 * REST (state `rest`, see `restFallback`): a heartbeat keeps a device of type `rest` online, status and
 * activity go over REST, its own presence and its subscriptions are polled; focus, typing and
 * messages wait for a socket.
 */
export class PresenceClient {
  /** This device's id, as given in the options or generated. */
  readonly device: string;
  /** The user's privacy, contacts and blocked users, over REST with this client's token. */
  readonly settings: Settings;
  readonly #events = new Emitter<PresenceClientEvents>();
  readonly #connection: ReconnectingSocket<DeviceServerFrame>;
  readonly #fallback: RestFallback;
  readonly #restDevice: RestDevice;
  #ownPresence: PresenceView | null = null;
  readonly #focusing = new Set<string>();
  /** The partner this device has in focus; a fresh socket starts without one, so it is sent again. */
  #partner: string | null = null;
  /** A status chosen while no socket was open, sent once one is. */
  #pendingStatus: StatusFrame | null = null;
  readonly #subscribed = new Set<string>();
  readonly #views = new Map<string, PresenceView>();
  /** Whom the open socket was told to follow since its `hello`; null until then, and from a drop on. */
  #told: Set<string> | null = null;
  #subscriptionsQueued = false;
  readonly #rest: Rest;
  readonly #delivered = new DeliveredMessages();
  #flushQueued = false;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #flushedAt = -Infinity;
  #typedAt = -Infinity;

  constructor(options: PresenceClientOptions) {
    this.device = options.device ?? crypto.randomUUID();
    const deviceType = options.deviceType ?? "web";
    const settings = connectionSettings(options);
    this.#connection = new ReconnectingSocket<DeviceServerFrame>({
      ...settings,
      token: () => resolveToken(options.token),
      url: (token) => socketUrl(options.baseUrl, "/v1/connect", { token, device: this.device, type: deviceType }),
      shouldReconnect: (code) => code !== DEVICE_REPLACED,
    });
    this.#rest = new Rest(options);
    this.settings = new Settings(options);
    this.#restDevice = new RestDevice(this.#rest, this.device, settings.pingIntervalMs, {
      subscriptions: this.#subscribed,
      pendingStatus: () => this.#pendingStatus,
      applied: (frame) => {
        if (this.#pendingStatus === frame) this.#pendingStatus = null;
      },
      presence: (view) => this.#ownPresenceIs(view),
      changed: (view) => this.#heard(view),
    });
    this.#connection.on("frame", (frame) => this.#received(frame));
    this.#fallback = new RestFallback(this.#connection, options.restFallback, this.#restDevice, (change) => {
      if (change.state !== "open") this.#told = null;
      this.#events.emit("state", change);
    });
    this.#connection.start();
  }

  /** Calls `listener` on every `event` (see {@link PresenceClientEvents}) until removed; returns the function that removes it. */
  readonly on = this.#events.on.bind(this.#events);
  /** Removes a listener `on` added for `event`. */
  readonly off = this.#events.off.bind(this.#events);

  /** The user's presence as the service last told it, or null before the first `hello`. */
  get presence(): PresenceView | null {
    return this.#ownPresence;
  }

  /** Who has this user in focus right now. */
  get focusedBy(): ReadonlySet<string> {
    return this.#focusing;
  }

  /** The connection's state now: `open` on a socket, `rest` over the REST fallback (see {@link ConnectionState}). */
  get state(): ConnectionState {
    return this.#fallback.state;
  }

  /** The users this device follows, on this socket and every later one. */
  get subscriptions(): ReadonlySet<string> {
    return this.#subscribed;
  }

  /** A subscribed user's presence as the service last told it, or undefined before it has. */
  presenceOf(user: string): PresenceView | undefined {
    return this.#subscribed.has(user) ? this.#views.get(user) : undefined;
  }

  /**
   * `auto` (or `online`) goes back to automatic; `text` left out keeps the current text, `""` clears it.
   * With `until` (epoch ms, at most 7 days ahead) the chosen status and text lapse at that time.
   */
  setStatus(status: ChosenStatus, text?: string, until?: number): void {
    // A part left out is undefined, which JSON leaves out.
    const frame: StatusFrame = { type: "status", status, text, until };
    this.#pendingStatus = this.#connection.send(frame) ? null : frame;
    if (this.state === "rest") this.#restDevice.sendStatus().catch(() => undefined);
  }

  /**
   * Follows these users' presence through `changed` events. Calls in one task go out together, in as
   * few frames as fit. Throws a RangeError, following no one new, past MAX_SUBSCRIPTIONS (500) users.
   */
  subscribe(users: Iterable<string>): void {
    const wanted = [...users];
    if (new Set([...this.#subscribed, ...wanted]).size > MAX_SUBSCRIPTIONS) {
      throw new RangeError(`a device may subscribe to at most ${MAX_SUBSCRIPTIONS} users`);
    }
    for (const user of wanted) this.#subscribed.add(user);
    this.#queueSubscriptions();
  }

  /** Stops following these users and forgets their presence. */
  unsubscribe(users: Iterable<string>): void {
    for (const user of users) {
      this.#subscribed.delete(user);
      this.#restDevice.forget(user);
    }
    this.#queueSubscriptions();
  }

  /**
   * The user has `partner` in focus on this device (say, a chat with them open): they get a `focus`
   * notice, and messages from them arrive read. Sent again on every new socket; waits for a socket.
   */
  focus(partner: string): void {
    this.#partner = partner;
    this.#connection.send({ type: "focus", partner });
  }

  /** The user no longer has anyone in focus on this device. */
  blur(): void {
    this.#partner = null;
    this.#connection.send({ type: "blur" });
  }

  /**
   * Sends `body` (any JSON, at most 8 KiB as text) to `to`: live to every device they have connected,
   * else kept until one connects. A request that got no answer (a network error) is sent once more with
   * the same id, so it is never delivered twice. A refusal throws a `RestError`: `forbidden` (no such
   * user, as far as this user may know), `inbox_full` or `rate_limited`.
   */
  send(to: string, body: unknown, options: SendOptions = {}): Promise<SendMessageResponse> {
    return this.#rest.request("POST", "/v1/messages", { to, body, id: options.id ?? crypto.randomUUID() }, 2);
  }

  /**
   * A scope's members by status over time, oldest point first: each point holds the most members of
   * each status in any minute of its step. Readable wherever the scope's count is (`global` included).
   * A refusal throws a `RestError`: `forbidden_scope` for a scope not the user's, `invalid_request` for a bad span.
   */
  scopeHistory(scope: ScopeId, options: ScopeHistoryOptions = {}): Promise<ScopeHistory> {
    const { from, to, step } = options;
    return this.#rest.request("GET", pathWithQuery(`/v1/scopes/${encodeURIComponent(scope)}/history`, { from, to, step }), undefined, 2);
  }

  /**
   * The user read these messages: their senders get a read receipt. The service marks only messages it
   * still keeps, so one acknowledged already (read later) needs `keepUntilRead` when it arrives.
   */
  markRead(ids: Iterable<string>): void {
    this.#delivered.read(ids);
    this.#scheduleFlush();
  }

  /**
   * From a `message` listener: the message is not acknowledged when the listeners ran but when
   * `markRead` names it, so the service keeps it (it comes again after a reload, on any device) and its
   * sender gets a read receipt when the user reads it later.
   */
  keepUntilRead(id: string): void {
    this.#delivered.keep(id);
  }

  /** The user is typing to `to`; call it on every keystroke: at most one notice a second goes out. */
  typing(to: string): void {
    const now = Date.now();
    if (now - this.#typedAt < TYPING_INTERVAL_MS) return;
    if (this.#connection.send({ type: "typing", to })) this.#typedAt = now;
  }

  /** The user did something on this device; throttle calls (see `trackActivity`). */
  activity(): void {
    if (!this.#connection.send({ type: "activity" }) && this.state === "rest") this.#restDevice.activity();
  }

  /** Disconnects for good; the user goes offline once the grace window passes, unless another device is on. */
  close(): void {
    this.#connection.close();
    this.#events.clear();
    clearTimeout(this.#flushTimer);
  }

  #received(frame: DeviceServerFrame): void {
    switch (frame.type) {
      case "hello":
        // The server follows `hello` with a focus notice for everyone focused on us now.
        this.#forgetFocus();
        this.#ownPresenceIs(frame.presence);
        this.#restore();
        break;
      case "presence":
        this.#ownPresenceIs(frame.presence);
        break;
      case "subscribed":
        for (const view of Object.values(frame.presence)) this.#heard(view);
        break;
      case "changed":
        this.#heard(frame.presence);
        break;
      case "message":
        this.#deliver([frame.message], false);
        break;
      case "inbox":
        this.#deliver(frame.messages, true);
        break;
      case "focus":
        if (frame.active) this.#focusing.add(frame.user);
        else this.#focusing.delete(frame.user);
        this.#events.emit("focus", payloadOf(frame));
        break;
      case "error":
      case "receipt":
      case "typing":
        // Each one's event carries its frame without the `type`.
        this.#events.emit(frame.type, payloadOf(frame));
        break;
    }
  }

  /**
   * Hands the messages new to this client to the app, then acknowledges them (and any that came
   * again). One a `message` listener threw on is not acknowledged: the service sends it again.
   */
  #deliver(messages: readonly Message[], fromInbox: boolean): void {
    const fresh = this.#delivered.arrived(messages);
    const handled: Message[] = [];
    for (const message of fresh) {
      if (this.#events.emit("message", message)) handled.push(message);
      else this.#delivered.failed(message.id);
    }
    if (fromInbox && fresh.length > 0) this.#events.emit("inbox", fresh);
    this.#delivered.handled(handled);
    this.#scheduleFlush();
  }

  /** The acknowledgements and reads of one task go out together, and no sooner than FLUSH_SPACING_MS after the last. */
  #scheduleFlush(): void {
    if (this.#flushQueued || !this.#delivered.owed || this.#connection.state === "closed") return;
    this.#flushQueued = true;
    const flush = () => {
      this.#flushQueued = false;
      if (this.#delivered.flush((frame) => this.#connection.send(frame))) this.#flushedAt = Date.now();
    };
    const wait = this.#flushedAt + FLUSH_SPACING_MS - Date.now();
    if (wait > 0) this.#flushTimer = setTimeout(flush, wait);
    else queueMicrotask(flush);
  }

  /** Sends what this device had told the service over a socket that has since been replaced. */
  #restore(): void {
    if (this.#partner !== null) this.focus(this.#partner);
    if (this.#pendingStatus !== null && this.#connection.send(this.#pendingStatus)) this.#pendingStatus = null;
    this.#told = new Set();
    this.#sendSubscriptions();
    // The reads and acks a dropped socket could not take (an unacknowledged message comes again, a lost read would not).
    this.#scheduleFlush();
  }

  #ownPresenceIs(view: PresenceView): void {
    this.#ownPresence = view;
    this.#events.emit("presence", view);
  }

  /** A view for a user unsubscribed since is an answer overtaken by the unsubscribe: dropped. */
  #heard(view: PresenceView): void {
    if (!this.#subscribed.has(view.user)) return;
    this.#views.set(view.user, view);
    this.#events.emit("changed", view);
  }

  /** A loop of `subscribe` calls costs as many frames as one call with all its users. */
  #queueSubscriptions(): void {
    if (this.#subscriptionsQueued) return;
    this.#subscriptionsQueued = true;
    queueMicrotask(() => {
      this.#subscriptionsQueued = false;
      // Forgotten only now, so a user unsubscribed and subscribed again within one task keeps their view.
      for (const user of this.#views.keys()) if (!this.#subscribed.has(user)) this.#views.delete(user);
      this.#sendSubscriptions();
      this.#fallback.refresh();
    });
  }

  /** Tells the open socket what changed since it was last told; a socket that is not greeted yet hears it all after `hello`. */
  #sendSubscriptions(): void {
    const told = this.#told;
    if (told === null) return;
    for (const frame of subscriptionFrames(told, this.#subscribed)) {
      if (!this.#connection.send(frame)) return;
      for (const user of frame.users) {
        if (frame.type === "subscribe") told.add(user);
        else told.delete(user);
      }
    }
  }

  /** Focus notices from before a reconnect may be stale; the ones still true come again after `hello`. */
  #forgetFocus(): void {
    for (const user of [...this.#focusing]) {
      this.#focusing.delete(user);
      this.#events.emit("focus", { user, active: false });
    }
  }
}
