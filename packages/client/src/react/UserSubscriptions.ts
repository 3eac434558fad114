import type { PresenceClient, PresenceView } from "../index.js";
import { KeyedListeners } from "./KeyedListeners.js";

/**
 * The users the hooks follow through the client's subscriptions, counted: the first hook to follow a
 * user subscribes, the last to let go unsubscribes. A user the client followed before any hook did
 * (the app subscribed them itself) stays followed.
 */
export class UserSubscriptions {
  private readonly counts = new Map<string, number>();
  /** Users the client followed before a hook asked for them: never unsubscribed here. */
  private readonly followedByTheApp = new Set<string>();
  private readonly listeners = new KeyedListeners<string>();
  private readonly stop: () => void;

  constructor(private readonly client: PresenceClient) {
    this.stop = client.on("changed", (view) => this.listeners.notify(view.user));
  }

  /** Follows `users` until the returned function is called; `listener` hears every change to one of them. */
  follow(users: readonly string[], listener: () => void): () => void {
    const unique = [...new Set(users)];
    const firstAsked = unique.filter((user) => !this.counts.has(user));
    const alreadyFollowed = firstAsked.filter((user) => this.client.subscriptions.has(user));
    const toSubscribe = firstAsked.filter((user) => !this.client.subscriptions.has(user));
    // Throws past MAX_SUBSCRIPTIONS, before anything is counted.
    if (toSubscribe.length > 0) this.client.subscribe(toSubscribe);
    for (const user of alreadyFollowed) this.followedByTheApp.add(user);
    for (const user of unique) this.counts.set(user, (this.counts.get(user) ?? 0) + 1);
    const removals = unique.map((user) => this.listeners.add(user, listener));
    return () => {
      for (const remove of removals) remove();
      this.release(unique);
    };
  }

  /** A followed user's presence as the service last told it, or undefined before it has. */
  viewOf(user: string): PresenceView | undefined {
    return this.client.presenceOf(user);
  }

  dispose(): void {
    this.stop();
  }

  private release(users: readonly string[]): void {
    const last: string[] = [];
    for (const user of users) {
      const count = (this.counts.get(user) ?? 1) - 1;
      if (count > 0) {
        this.counts.set(user, count);
        continue;
      }
      this.counts.delete(user);
      if (!this.followedByTheApp.delete(user)) last.push(user);
    }
    if (last.length > 0) this.client.unsubscribe(last);
  }
}
