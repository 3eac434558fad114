import { CloseCode, MAX_SUBSCRIPTIONS, TYPING_INTERVAL_MS, type ErrorFrame, type DeviceServerFrame, type FocusNoticeFrame, type ReceiptFrame, type StatusFrame, type TypingNoticeFrame, type ScopeHistory, type DeviceType, type ScopeId, type Message, type SendMessageResponse, type ChosenStatus, type PresenceView } from "./protocol.js";
import { Emitter } from "./emitter.js";
import { connectionSettings, resolveToken, type ConnectionOptions } from "./connectionOptions.js";
import { DeliveredMessages } from "./DeliveredMessages.js";
import { ReconnectingSocket, type ConnectionChange, type ConnectionState } from "./ReconnectingSocket.js";
import { Rest } from "./Rest.js";
import { RestDevice } from "./RestDevice.js";
import { RestFallback } from "./RestFallback.js";
import { socketUrl } from "./socket.js";
import { Settings } from "./Settings.js";
import { subscriptionFrames } from "./subscriptionFrames.js";

export interface PresenceClientOptions extends ConnectionOptions {
  /**
   * Keep it stable per tab or app install, so a reconnect replaces this device instead of adding one.
   * Over the REST fallback the device is `<device>.rest` (the first 59 characters of it), of type `rest`.
   */
  device?: string;
  deviceType?: DeviceType;
}

export type FocusNotice = Omit<FocusNoticeFrame, "type">;
export type ServerError = Omit<ErrorFrame, "type">;
export type Receipt = Omit<ReceiptFrame, "type">;
export type TypingNotice = Omit<TypingNoticeFrame, "type">;
/** The service's answer to `send`: the message's id and time, whether a device has it, and whether it was read on arrival. */
export type SentMessage = SendMessageResponse;

export interface SendOptions {
  /**
   * The message's own id (1-64 chars of A-Za-z0-9._-), generated when left out. The service delivers
   * one id from one sender once within 24 h and answers a repeat as it answered the first.
   */
  id?: string;
}

export interface PresenceClientEvents {
  /** The user's own presence, from every `hello` and `presence` frame. */
  presence: PresenceView;
  /** Someone started or stopped having this user in focus (say, a chat with them open). */
  focus: FocusNotice;
  /** The server refused a frame; the socket stays open. */
  error: ServerError;
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
  readonly device: string;
  /** The user's privacy, contacts and blocked users, over REST with this client's token. */
  readonly settings: Settings;
  private readonly events = new Emitter<PresenceClientEvents>();
  private readonly connection: ReconnectingSocket<DeviceServerFrame>;
  private readonly fallback: RestFallback;
  private readonly restDevice: RestDevice;
  private ownPresence: PresenceView | null = null;
  private readonly focusing = new Set<string>();
  /** The partner this device has in focus; a fresh socket starts without one, so it is sent again. */
  private partner: string | null = null;
  /** A status chosen while no socket was open, sent once one is. */
  private pendingStatus: StatusFrame | null = null;
  private readonly subscribed = new Set<string>();
  private readonly views = new Map<string, PresenceView>();
  /** Whom the open socket was told to follow since its `hello`; null until then, and from a drop on. */
  private told: Set<string> | null = null;
  private subscriptionsQueued = false;
  private readonly rest: Rest;
  private readonly delivered = new DeliveredMessages();
  private flushQueued = false;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushedAt = -Infinity;
  private typedAt = -Infinity;

  constructor(options: PresenceClientOptions) {
    this.device = options.device ?? crypto.randomUUID();
    const deviceType = options.deviceType ?? "web";
    const settings = connectionSettings(options);
    this.connection = new ReconnectingSocket<DeviceServerFrame>({
      ...settings,
      token: () => resolveToken(options.token),
      url: (token) => socketUrl(options.baseUrl, "/v1/connect", { token, device: this.device, type: deviceType }),
      shouldReconnect: (code) => code !== CloseCode.deviceReplaced,
    });
    this.rest = new Rest(options);
    this.settings = new Settings(options);
    this.restDevice = new RestDevice(this.rest, this.device, settings.pingIntervalMs, {
      subscriptions: this.subscribed,
      pendingStatus: () => this.pendingStatus,
      applied: (frame) => {
        if (this.pendingStatus === frame) this.pendingStatus = null;
      },
      presence: (view) => this.ownPresenceIs(view),
      changed: (view) => this.heard(view.user, view),
    });
    this.connection.on("frame", (frame) => this.received(frame));
    this.fallback = new RestFallback(this.connection, options.restFallback, this.restDevice, (change) => {
      if (change.state !== "open") this.told = null;
      this.events.emit("state", change);
    });
    this.connection.start();
  }

  readonly on = this.events.on.bind(this.events);
  readonly off = this.events.off.bind(this.events);

  /** The user's presence as the service last told it, or null before the first `hello`. */
  get presence(): PresenceView | null {
    return this.ownPresence;
  }

  /** Who has this user in focus right now. */
  get focusedBy(): ReadonlySet<string> {
    return this.focusing;
  }

  get state(): ConnectionState {
    return this.fallback.state;
  }

  /** The users this device follows, on this socket and every later one. */
  get subscriptions(): ReadonlySet<string> {
    return this.subscribed;
  }

  /** A subscribed user's presence as the service last told it, or undefined before it has. */
  presenceOf(user: string): PresenceView | undefined {
    return this.subscribed.has(user) ? this.views.get(user) : undefined;
  }

  /**
   * `auto` (or `online`) goes back to automatic; `text` left out keeps the current text, `""` clears it.
   * With `until` (epoch ms, at most 7 days ahead) the chosen status and text lapse at that time.
   */
  setStatus(status: ChosenStatus, text?: string, until?: number): void {
    const frame: StatusFrame = { type: "status", status, ...(text === undefined ? {} : { text }), ...(until === undefined ? {} : { until }) };
    this.pendingStatus = this.connection.send(frame) ? null : frame;
    if (this.state === "rest") this.restDevice.sendStatus().catch(() => undefined);
  }

  /**
   * Follows these users' presence through `changed` events. Calls in one task go out together, in as
   * few frames as fit. Throws a RangeError, following no one new, past MAX_SUBSCRIPTIONS (500) users.
   */
  subscribe(users: Iterable<string>): void {
    const added = new Set([...users].filter((user) => !this.subscribed.has(user)));
    if (this.subscribed.size + added.size > MAX_SUBSCRIPTIONS) {
      throw new RangeError(`a device may subscribe to at most ${MAX_SUBSCRIPTIONS} users`);
    }
    for (const user of added) this.subscribed.add(user);
    this.queueSubscriptions();
  }

  /** Stops following these users and forgets their presence. */
  unsubscribe(users: Iterable<string>): void {
    for (const user of users) {
      this.subscribed.delete(user);
      this.restDevice.forget(user);
    }
    this.queueSubscriptions();
  }

  focus(partner: string): void {
    this.partner = partner;
    this.connection.send({ type: "focus", partner });
  }

  blur(): void {
    this.partner = null;
    this.connection.send({ type: "blur" });
  }

  /**
   * Sends `body` (any JSON, at most 8 KiB as text) to `to`: live to every device they have connected,
   * else kept until one connects. A request that got no answer (a network error) is sent once more with
   * the same id, so it is never delivered twice. A refusal throws a `RestError`: `forbidden` (no such
   * user, as far as this user may know), `inbox_full` or `rate_limited`.
   */
  send(to: string, body: unknown, options: SendOptions = {}): Promise<SentMessage> {
    return this.rest.request("POST", "/v1/messages", { to, body, id: options.id ?? crypto.randomUUID() }, { attempts: 2 });
  }

  /**
   * A scope's members by status over time, oldest point first: each point holds the most members of
   * each status in any minute of its step. Readable wherever the scope's count is (`global` included).
   * A refusal throws a `RestError`: `forbidden_scope` for a scope not the user's, `invalid_request` for a bad span.
   */
  scopeHistory(scope: ScopeId, options: ScopeHistoryOptions = {}): Promise<ScopeHistory> {
    const query = new URLSearchParams();
    for (const key of ["from", "to", "step"] as const) if (options[key] !== undefined) query.set(key, String(options[key]));
    const search = query.toString();
    return this.rest.request("GET", `/v1/scopes/${encodeURIComponent(scope)}/history${search ? `?${search}` : ""}`, undefined, { attempts: 2 });
  }

  /**
   * The user read these messages: their senders get a read receipt. The service marks only messages it
   * still keeps, so one acknowledged already (read later) needs `keepUntilRead` when it arrives.
   */
  markRead(ids: Iterable<string>): void {
    this.delivered.read(ids);
    this.scheduleFlush();
  }

  /**
   * From a `message` listener: the message is not acknowledged when the listeners ran but when
   * `markRead` names it, so the service keeps it (it comes again after a reload, on any device) and its
   * sender gets a read receipt when the user reads it later.
   */
  keepUntilRead(id: string): void {
    this.delivered.keep(id);
  }

  /** The user is typing to `to`; call it on every keystroke: at most one notice a second goes out. */
  typing(to: string): void {
    const now = Date.now();
    if (now - this.typedAt < TYPING_INTERVAL_MS) return;
    if (this.connection.send({ type: "typing", to })) this.typedAt = now;
  }

  /** The user did something on this device; throttle calls (see `trackActivity`). */
  activity(): void {
    if (!this.connection.send({ type: "activity" }) && this.state === "rest") this.restDevice.activity();
  }

  /** Disconnects for good; the user goes offline once the grace window passes, unless another device is on. */
  close(): void {
    this.connection.close();
    this.events.clear();
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private received(frame: DeviceServerFrame): void {
    switch (frame.type) {
      case "hello":
        // The server follows `hello` with a focus notice for everyone focused on us now.
        this.forgetFocus();
        this.ownPresenceIs(frame.presence);
        this.restore();
        break;
      case "presence":
        this.ownPresenceIs(frame.presence);
        break;
      case "focus":
        if (frame.active) this.focusing.add(frame.user);
        else this.focusing.delete(frame.user);
        this.events.emit("focus", { user: frame.user, active: frame.active });
        break;
      case "subscribed":
        for (const [user, view] of Object.entries(frame.presence)) this.heard(user, view);
        break;
      case "changed":
        this.heard(frame.presence.user, frame.presence);
        break;
      case "error":
        this.events.emit("error", { code: frame.code, message: frame.message });
        break;
      case "message":
        this.deliver([frame.message], false);
        break;
      case "inbox":
        this.deliver(frame.messages, true);
        break;
      case "receipt":
        this.events.emit("receipt", { id: frame.id, to: frame.to, state: frame.state });
        break;
      case "typing":
        this.events.emit("typing", { user: frame.user, until: frame.until });
        break;
    }
  }

  /**
   * Hands the messages new to this client to the app, then acknowledges them (and any that came
   * again). One a `message` listener threw on is not acknowledged: the service sends it again.
   */
  private deliver(messages: readonly Message[], fromInbox: boolean): void {
    const fresh = this.delivered.arrived(messages);
    const handled: Message[] = [];
    for (const message of fresh) {
      if (this.events.emit("message", message)) handled.push(message);
      else this.delivered.failed(message.id);
    }
    if (fromInbox && fresh.length > 0) this.events.emit("inbox", fresh);
    this.delivered.handled(handled);
    this.scheduleFlush();
  }

  /** The acknowledgements and reads of one task go out together, and no sooner than FLUSH_SPACING_MS after the last. */
  private scheduleFlush(): void {
    if (this.flushQueued || !this.delivered.owed || this.connection.state === "closed") return;
    this.flushQueued = true;
    const flush = () => {
      this.flushQueued = false;
      this.flushTimer = null;
      if (this.delivered.flush((frame) => this.connection.send(frame))) this.flushedAt = Date.now();
    };
    const wait = this.flushedAt + FLUSH_SPACING_MS - Date.now();
    if (wait > 0) this.flushTimer = setTimeout(flush, wait);
    else queueMicrotask(flush);
  }

  /** Sends what this device had told the service over a socket that has since been replaced. */
  private restore(): void {
    if (this.partner !== null) this.connection.send({ type: "focus", partner: this.partner });
    if (this.pendingStatus !== null && this.connection.send(this.pendingStatus)) this.pendingStatus = null;
    this.told = new Set();
    this.sendSubscriptions();
    // The reads and acks a dropped socket could not take (an unacknowledged message comes again, a lost read would not).
    this.scheduleFlush();
  }

  private ownPresenceIs(view: PresenceView): void {
    this.ownPresence = view;
    this.events.emit("presence", view);
  }

  /** A view for a user unsubscribed since is an answer overtaken by the unsubscribe: dropped. */
  private heard(user: string, view: PresenceView): void {
    if (!this.subscribed.has(user)) return;
    this.views.set(user, view);
    this.events.emit("changed", view);
  }

  /** A loop of `subscribe` calls costs as many frames as one call with all its users. */
  private queueSubscriptions(): void {
    if (this.subscriptionsQueued) return;
    this.subscriptionsQueued = true;
    queueMicrotask(() => {
      this.subscriptionsQueued = false;
      // Forgotten only now, so a user unsubscribed and subscribed again within one task keeps their view.
      for (const user of this.views.keys()) if (!this.subscribed.has(user)) this.views.delete(user);
      this.sendSubscriptions();
      this.fallback.refresh();
    });
  }

  /** Tells the open socket what changed since it was last told; a socket that is not greeted yet hears it all after `hello`. */
  private sendSubscriptions(): void {
    const told = this.told;
    if (told === null) return;
    for (const frame of subscriptionFrames(told, this.subscribed)) {
      if (!this.connection.send(frame)) return;
      for (const user of frame.users) {
        if (frame.type === "subscribe") told.add(user);
        else told.delete(user);
      }
    }
  }

  /** Focus notices from before a reconnect may be stale; the ones still true come again after `hello`. */
  private forgetFocus(): void {
    for (const user of [...this.focusing]) {
      this.focusing.delete(user);
      this.events.emit("focus", { user, active: false });
    }
  }
}
