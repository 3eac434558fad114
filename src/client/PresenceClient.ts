import type { ErrorFrame, DeviceServerFrame, FocusNoticeFrame, StatusFrame } from "../protocol/frames";
import type { DeviceType } from "../protocol/ids";
import type { ChosenStatus, PresenceView } from "../protocol/presence";
import { Emitter } from "./emitter";
import { connectionSettings, resolveToken, type ConnectionOptions } from "./connectionOptions";
import { CloseCode, MAX_SUBSCRIPTIONS } from "../protocol/constants";
import { ReconnectingSocket, type ConnectionChange, type ConnectionState } from "./ReconnectingSocket";
import { socketUrl } from "./socket";
import { Settings, type FetchLike } from "./Settings";
import { subscriptionFrames } from "./subscriptionFrames";

export interface PresenceClientOptions extends ConnectionOptions {
  /** Keep it stable per tab or app install, so a reconnect replaces this device instead of adding one. */
  device?: string;
  deviceType?: DeviceType;
  /** How the `settings` requests are made; defaults to the global `fetch`. */
  fetch?: FetchLike;
}

export type FocusNotice = Omit<FocusNoticeFrame, "type">;
export type ServerError = Omit<ErrorFrame, "type">;

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
}


/**
 * One device of the signed-in user: keeps a socket to `/v1/connect` open for as long as the client
 * lives, tells the service what the user chose and what they are looking at, and follows the users
 * it subscribes to.
 */
export class PresenceClient {
  readonly device: string;
  /** The user's privacy, contacts and blocked users, over REST with this client's token. */
  readonly settings: Settings;
  private readonly events = new Emitter<PresenceClientEvents>();
  private readonly connection: ReconnectingSocket<DeviceServerFrame>;
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

  constructor(options: PresenceClientOptions) {
    this.device = options.device ?? crypto.randomUUID();
    const deviceType = options.deviceType ?? "web";
    this.connection = new ReconnectingSocket<DeviceServerFrame>({
      ...connectionSettings(options),
      token: () => resolveToken(options.token),
      url: (token) => socketUrl(options.baseUrl, "/v1/connect", { token, device: this.device, type: deviceType }),
      shouldReconnect: (code) => code !== CloseCode.deviceReplaced,
    });
    this.settings = new Settings(options);
    this.connection.on("frame", (frame) => this.received(frame));
    this.connection.on("state", (change) => {
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
    return this.connection.state;
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
    for (const user of users) this.subscribed.delete(user);
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

  /** The user did something on this device; throttle calls (see `trackActivity`). */
  activity(): void {
    this.connection.send({ type: "activity" });
  }

  /** Disconnects for good; the user goes offline once the grace window passes, unless another device is on. */
  close(): void {
    this.connection.close();
    this.events.clear();
  }

  private received(frame: DeviceServerFrame): void {
    switch (frame.type) {
      case "hello":
        // The server follows `hello` with a focus notice for everyone focused on us now.
        this.forgetFocus();
        this.ownPresence = frame.presence;
        this.events.emit("presence", frame.presence);
        this.restore();
        break;
      case "presence":
        this.ownPresence = frame.presence;
        this.events.emit("presence", frame.presence);
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
    }
  }

  /** Sends what this device had told the service over a socket that has since been replaced. */
  private restore(): void {
    if (this.partner !== null) this.connection.send({ type: "focus", partner: this.partner });
    if (this.pendingStatus !== null && this.connection.send(this.pendingStatus)) this.pendingStatus = null;
    this.told = new Set();
    this.sendSubscriptions();
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
