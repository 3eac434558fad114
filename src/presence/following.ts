import type { Env } from "../env";
import type { SubscribeFrame, UnsubscribeFrame } from "../protocol/frames";
import { MAX_SUBSCRIPTIONS } from "../protocol/constants";
import type { PresenceView } from "../protocol/presence";
import { sendError, sendFrame } from "../sockets/frames";
import { Subscribers, type StampedView, type UserViewer } from "./subscribers";
import { Subscriptions } from "./subscriptions";

/**
 * Subscriptions both ways for one user's object: the users this user's devices follow (asking each
 * one's object, which answers as the rule lets this user see them), and the users who follow this
 * user (told of every change they may see, one call per user whatever their devices).
 */
export class Following {
  readonly subscribers: Subscribers;
  readonly subscriptions: Subscriptions;
  /** The newest view this user's devices were sent of each followed user, to drop one overtaken in flight. */
  private readonly newest = new Map<string, StampedView>();

  constructor(
    sql: SqlStorage,
    private readonly env: Env,
    private readonly user: string,
  ) {
    this.subscriptions = new Subscriptions(sql);
    this.subscribers = new Subscribers(sql, user, (viewer, stamped) => env.PRESENCE.getByName(viewer).subscriptionChanged(user, stamped));
  }

  /**
   * A device's `subscribe` or `unsubscribe` frame. Subscribing answers `subscribed` with each user as
   * this user may see them (themself as they see themself).
   */
  async frame(ws: WebSocket, device: string, frame: SubscribeFrame | UnsubscribeFrame, viewer: UserViewer, self: () => Promise<PresenceView>): Promise<void> {
    if (frame.type === "unsubscribe") return this.subscriptions.remove(device, frame.users);
    if (!this.subscriptions.add(device, frame.users)) {
      return sendError(ws, "too_many_subscriptions", `a device may follow at most ${MAX_SUBSCRIPTIONS} users`);
    }
    const users = [...new Set(frame.users)];
    const answers = await Promise.all(
      users.map(async (user) => (user === this.user ? { view: await self(), at: Date.now() } : this.env.PRESENCE.getByName(user).subscribe(viewer))),
    );
    // A change pushed while the answers were on their way is newer than the answer: it wins.
    const views = answers.map((answer) => this.newer(answer).view);
    sendFrame(ws, { type: "subscribed", presence: Object.fromEntries(views.map((view) => [view.user, view])) });
  }

  /**
   * A followed user's view arrived: the live devices following them, to send it to (none when it was
   * overtaken by a newer one already sent, or when no device follows them any more).
   */
  delivered(user: string, stamped: StampedView, live: ReadonlySet<string>): { devices: string[]; following: boolean } {
    const devices = this.subscriptions.following(user).filter((device) => live.has(device));
    if (devices.length === 0) {
      this.newest.delete(user);
      return { devices, following: false };
    }
    return { devices: this.newer(stamped) === stamped ? devices : [], following: true };
  }

  /** Keeps and returns the newer of `stamped` and the newest view held of its user. */
  private newer(stamped: StampedView): StampedView {
    const held = this.newest.get(stamped.view.user);
    if (held && held.at > stamped.at) return held;
    this.newest.set(stamped.view.user, stamped);
    return stamped;
  }

  erase(): void {
    this.subscribers.erase();
    this.subscriptions.erase();
  }
}
