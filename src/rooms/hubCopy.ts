import type { Env } from "../env";
import { errorName, logEvent } from "../observability/log";
import type { MemberPush } from "./roster";
import type { RoomStore } from "./store";

/** A watch hub's copy of a sharded scope's roster, taken from every shard and kept by their feeds (see `hubFeed.ts`). */
export class HubCopy {
  private following: Promise<void> | null = null;

  constructor(
    private readonly env: Env,
    /** The hub's own name, which shards list to feed it. */
    private readonly name: string,
    private readonly shards: readonly string[],
    private readonly store: RoomStore,
    private readonly apply: (push: MemberPush) => Promise<void>,
  ) {}

  /** Follows every shard, once per wake-up; a failure is tried again by the next caller. */
  ready(): Promise<void> {
    this.following ??= this.follow().catch((error: unknown) => {
      this.following = null;
      throw error;
    });
    return this.following;
  }

  /** The hub told a shard it has no watchers (the shard stops feeding it): the next watcher follows every shard again. */
  unfollowed(): void {
    this.following = null;
  }

  /** The hub's alarm: while watched, follows the shards again (mending what a lost batch left out); answers when to do so next, null once unwatched. */
  async refresh(watched: boolean, nextAt: number): Promise<number | null> {
    if (!watched) return null;
    try {
      this.following = this.follow();
      await this.following;
    } catch (error) {
      this.following = null;
      logEvent("push_failed", { scope: this.name, what: "hub follow", code: errorName(error) });
    }
    return nextAt;
  }

  /**
   * Every shard's members replace the copy: anyone held before whom no shard holds leaves, unless a
   * newer change of theirs arrived meanwhile.
   */
  private async follow(): Promise<void> {
    const before = new Map(this.store.memberPushes().map((push) => [push.user, push.rev]));
    const parts = await Promise.all(this.shards.map((shard) => this.env.ROOMS.getByName(shard).follow(this.name)));
    for (const push of parts.flat()) {
      before.delete(push.user);
      await this.apply(push);
    }
    for (const [user, rev] of before) {
      if (this.store.held(user)?.rev === rev) await this.apply({ user, member: null, rev });
    }
  }
}
