import type { PresenceClient } from "../index.js";
import { KeyedListeners } from "./KeyedListeners.js";

/**
 * Who is typing to the user now: each typing notice shows its sender until its `until`, a later notice
 * moves that on, and a message from the sender ends it (the message is what the typing was for).
 * One timer per typing sender; none is left after `dispose`.
 */
export class TypingNotices {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly listeners = new KeyedListeners<string>();
  private readonly stops: (() => void)[];

  constructor(client: PresenceClient) {
    this.stops = [
      client.on("typing", ({ user, until }) => this.show(user, until - Date.now())),
      client.on("message", (message) => this.show(message.from, 0)),
    ];
  }

  isTyping(user: string): boolean {
    return this.timers.has(user);
  }

  /** `listener` hears every time `user` starts or stops typing; returns the function that stops it. */
  listen(user: string, listener: () => void): () => void {
    return this.listeners.add(user, listener);
  }

  dispose(): void {
    for (const stop of this.stops) stop();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private show(user: string, forMs: number): void {
    const wasTyping = this.timers.has(user);
    clearTimeout(this.timers.get(user));
    this.timers.delete(user);
    if (forMs > 0) this.timers.set(user, setTimeout(() => this.show(user, 0), forMs));
    if (wasTyping !== this.timers.has(user)) this.listeners.notify(user);
  }
}
