import type { Env } from "../env";
import type { SubscribeFrame, UnsubscribeFrame } from "../protocol/frames";
import { MAX_SUBSCRIPTIONS } from "../protocol/constants";
import type { PresenceView } from "../protocol/presence";
import { sendError, sendFrame } from "../sockets/frames";
import { Subscribers, type UserViewer } from "./subscribers";
import { Subscriptions } from "./subscriptions";

/**
 * Subscriptions both ways for one user's object: the users this user's devices follow (asking each
 * one's object, which answers as the rule lets this user see them), and the users who follow this
 * user (told of every change they may see, one call per user whatever their devices).
 */
export class Following {
  readonly subscribers: Subscribers;
  readonly subscriptions: Subscriptions;

  constructor(
    sql: SqlStorage,
    private readonly env: Env,
    private readonly user: string,
  ) {
    this.subscriptions = new Subscriptions(sql);
    this.subscribers = new Subscribers(sql, (viewer, view) => env.PRESENCE.getByName(viewer).subscriptionChanged(user, view));
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
    const views = await Promise.all(users.map((user) => (user === this.user ? self() : this.env.PRESENCE.getByName(user).subscribe(viewer))));
    sendFrame(ws, { type: "subscribed", presence: Object.fromEntries(views.map((view) => [view.user, view])) });
  }

  /** This user's live devices that follow `user`. */
  devicesFollowing(user: string, live: ReadonlySet<string>): string[] {
    return this.subscriptions.following(user).filter((device) => live.has(device));
  }

  erase(): void {
    this.subscribers.erase();
    this.subscriptions.erase();
  }
}
