import type { ErrorFrame, DeviceServerFrame, FocusNoticeFrame } from "../protocol/frames";
import type { DeviceType } from "../protocol/ids";
import type { ChosenStatus, PresenceView } from "../protocol/presence";
import { Emitter } from "./emitter";
import { connectionSettings, resolveToken, type ConnectionOptions } from "./connectionOptions";
import { CloseCode } from "../protocol/constants";
import { ReconnectingSocket, type ConnectionChange, type ConnectionState } from "./ReconnectingSocket";
import { socketUrl } from "./socket";

export interface PresenceClientOptions extends ConnectionOptions {
  /** Keep it stable per tab or app install, so a reconnect replaces this device instead of adding one. */
  device?: string;
  deviceType?: DeviceType;
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
}

type StatusRequest = { type: "status"; status: ChosenStatus; text?: string };

/**
 * One device of the signed-in user: keeps a socket to `/v1/connect` open for as long as the client
 * lives, and tells the service what the user chose and what they are looking at.
 */
export class PresenceClient {
  readonly device: string;
  private readonly events = new Emitter<PresenceClientEvents>();
  private readonly connection: ReconnectingSocket<DeviceServerFrame>;
  private ownPresence: PresenceView | null = null;
  private readonly focusing = new Set<string>();
  /** The partner this device has in focus; a fresh socket starts without one, so it is sent again. */
  private partner: string | null = null;
  /** A status chosen while no socket was open, sent once one is. */
  private pendingStatus: StatusRequest | null = null;

  constructor(options: PresenceClientOptions) {
    this.device = options.device ?? crypto.randomUUID();
    const deviceType = options.deviceType ?? "web";
    this.connection = new ReconnectingSocket<DeviceServerFrame>({
      ...connectionSettings(options),
      token: () => resolveToken(options.token),
      url: (token) => socketUrl(options.baseUrl, "/v1/connect", { token, device: this.device, type: deviceType }),
      shouldReconnect: (code) => code !== CloseCode.deviceReplaced,
    });
    this.connection.on("frame", (frame) => this.received(frame));
    this.connection.on("state", (change) => this.events.emit("state", change));
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

  /** `auto` (or `online`) goes back to automatic; `text` left out keeps the current text, `""` clears it. */
  setStatus(status: ChosenStatus, text?: string): void {
    const frame: StatusRequest = text === undefined ? { type: "status", status } : { type: "status", status, text };
    this.pendingStatus = this.connection.send(frame) ? null : frame;
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
      case "error":
        this.events.emit("error", { code: frame.code, message: frame.message });
        break;
    }
  }

  /** Sends what this device had told the service over a socket that has since been replaced. */
  private restore(): void {
    if (this.partner !== null) this.connection.send({ type: "focus", partner: this.partner });
    if (this.pendingStatus !== null && this.connection.send(this.pendingStatus)) this.pendingStatus = null;
  }

  /** Focus notices from before a reconnect may be stale; the ones still true come again after `hello`. */
  private forgetFocus(): void {
    for (const user of [...this.focusing]) {
      this.focusing.delete(user);
      this.events.emit("focus", { user, active: false });
    }
  }
}
