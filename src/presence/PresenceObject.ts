import { DurableObject } from "cloudflare:workers";
import { readConfig, type Config } from "../config";
import type { Env } from "../env";
import { metered } from "../observability/meter";
import type { DayReport } from "../history/onlineDays";
import { objectName } from "../objectName";
import type { Identity } from "../protocol/claims";
import type { InboxPage } from "../protocol/messages";
import type { PresenceView } from "../protocol/presence";
import type { Privacy, RelationsChange, UpdateMeRequest } from "../protocol/rest";
import type { SweepAnswer } from "../rooms/roster";
import type { Viewer } from "../visibility/rule";
import { DeviceDoor } from "./deviceDoor";
import { DeviceFrames } from "./deviceFrames";
import { DeviceSockets, type ConnectContext } from "./deviceSockets";
import type { Incoming, Received } from "./mail";
import type { RelationKind, RelationsResult } from "./relations";
import type { BeatAnswer, RestBeat } from "./restDevices";
import type { FocusPass } from "./subject";
import type { StampedView, UserViewer } from "./subscribers";
import { UserPresence } from "./userPresence";

/** One user's presence (named by the user id): the runtime's entry points, each handing one event to `UserPresence`. */
export class PresenceObject extends DurableObject<Env> {
  private readonly config: Config = readConfig(this.env);
  private readonly storage = metered(this.ctx, this.config.logWakes);
  private readonly sockets = new DeviceSockets(this.storage.state);
  private readonly presence = new UserPresence(this.storage.state, this.env, this.config, this.sockets, objectName(this.ctx), this.storage.meter);
  private readonly frames = new DeviceFrames(this.presence, this.sockets, this.env, this.config);
  private readonly door = new DeviceDoor(this.presence, this.sockets, this.env, (work) => this.ctx.waitUntil(work));

  /** Takes a device's context for the upgrade that follows: its ticket, or null for a token older than a sign-out everywhere. */
  async admit(context: ConnectContext): Promise<string | null> {
    return this.door.admit(context);
  }

  /** Signs the user out everywhere: every device closes (4004), older tokens are refused from now on. */
  async disconnect(): Promise<void> {
    await this.presence.handle("disconnect", { type: "disconnect" });
  }

  /** Erases everything stored about the user, after closing their devices and leaving every roster. */
  async erase(): Promise<void> {
    await this.presence.erase();
  }

  /** Opens the device socket that `admit` issued a ticket for. */
  async fetch(request: Request): Promise<Response> {
    return this.door.open(request);
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.frames.received(ws, message);
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    await this.frames.left(ws, "webSocketClose", code);
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    await this.frames.left(ws, "webSocketError");
  }

  /** A room's sweep: silent devices close; answers what `room` should hold for the user. */
  async sweep(room: string): Promise<SweepAnswer> {
    return this.presence.sweep(room);
  }

  async alarm(): Promise<void> {
    this.presence.alarmFired();
    await this.presence.handle("alarm", { type: "alarm" });
  }

  /** The user's presence as `viewer` may see it: anyone the rule does not allow sees an unknown user. */
  async presenceFor(viewer: Viewer): Promise<PresenceView> {
    return this.presence.viewedBy(viewer, "presence");
  }

  /** The user's online time per day for the last `days` days, as `viewer` may see it (none when the rule hides it). */
  async onlineDays(viewer: Viewer, days: number): Promise<DayReport[]> {
    return this.presence.onlineDays(viewer, days);
  }

  /** A status or text chosen over REST, as the `status` frame. */
  async choose(identity: Identity, change: UpdateMeRequest): Promise<PresenceView> {
    return (await this.presence.handle("choose", { type: "choose", identity, change })).own;
  }

  /** A REST device's heartbeat (or, with `leave`, its end): it counts as connected until `OFFLINE_AFTER_MS` after it. */
  async heartbeat(beat: RestBeat): Promise<BeatAnswer> {
    return this.presence.heartbeat(beat);
  }

  /** The user's privacy settings, after applying `change` when given. */
  async privacy(change: Partial<Privacy> | null): Promise<Privacy> {
    return this.presence.privacy(change);
  }

  /** The user's contacts or blocks, after applying `change` when given. */
  async relation(kind: RelationKind, change: RelationsChange | null): Promise<RelationsResult> {
    return this.presence.relation(kind, change);
  }

  /** `viewer` follows this user from now on; they get the user as the rule lets them see them. */
  async subscribe(viewer: UserViewer): Promise<StampedView> {
    return this.presence.subscribe(viewer);
  }

  /** A user this user's devices follow moved; null when no live device follows them any more, else this user's scopes now. */
  async subscriptionChanged(from: string, stamped: StampedView): Promise<UserViewer | null> {
    return this.presence.subscriptionChanged(from, stamped);
  }

  /** Another user's device gained or lost focus on this user; a focus is taken only when each may see the other. */
  async focusChanged(from: string, device: string, active: boolean, at: number, pass: FocusPass): Promise<boolean> {
    return this.presence.focusChanged(from, device, active, at, pass);
  }

  /** A message for this user: delivered live, stored until acknowledged, or refused. */
  async message(incoming: Incoming): Promise<Received> {
    return this.presence.receive(incoming);
  }

  /** The stored messages, a page at a time (REST). */
  async inbox(limit: number, cursor: string | null): Promise<InboxPage> {
    return this.presence.mail.page(limit, cursor);
  }

  /** Acknowledges stored messages over REST; answers how many were stored. */
  async ackMessages(ids: string[]): Promise<number> {
    return this.presence.mail.ack(ids, []);
  }

  /** Receipts for messages this user sent to `to`. */
  async receipts(to: string, ids: string[], state: "delivered" | "read"): Promise<void> {
    this.presence.mail.receipts(to, ids, state);
  }

  /** `from` is typing to this user; shown only when the two may see each other. */
  async typingFrom(from: string, pass: FocusPass): Promise<void> {
    await this.presence.typingFrom(from, pass);
  }
}
