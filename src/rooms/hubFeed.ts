import type { Env } from "../env";
import { errorName, logEvent } from "../observability/log";
import type { MemberPush } from "./roster";

/**
 * How a sharded scope's watch hubs stay in step with its shards. A hub follows every shard: the
 * shard lists it and answers with every member it holds, which the hub copies. From then on the
 * shard sends each change it takes to the hubs that follow it, at most once a `HUB_FEED_MS`, as the
 * newest push per user, one batch after another, so a hub takes each user's changes in order; a
 * hub's own `rev` checks drop anything older than it holds. A hub with no watchers any more says
 * so and is dropped. A batch lost to a failure or a restart is made good when the hub follows again
 * (each lease while it has watchers).
 */

/** How often a shard sends what changed to the hubs that follow it. */
export const HUB_FEED_MS = 1_000;

/** Where a shard keeps the hubs that follow it. */
export interface HubList {
  hubs(): readonly string[];
  dropHub(hub: string): void;
}

export class ShardFeed {
  private readonly pending = new Map<string, MemberPush>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly env: Env,
    /** The shard's own name, so a hub knows where a batch comes from. */
    private readonly name: string,
    private readonly list: HubList,
  ) {}

  /** A change the shard took; it goes to the hubs with the next batch. */
  moved(push: MemberPush): void {
    if (this.list.hubs().length === 0) return;
    // Blocks sent with an earlier change of the batch stay with it: the hub learns the newest list.
    const blocks = push.blocks ?? this.pending.get(push.user)?.blocks;
    this.pending.set(push.user, blocks === undefined ? push : { ...push, blocks });
    this.timer ??= setTimeout(() => this.flush(), HUB_FEED_MS);
  }

  private flush(): void {
    this.timer = null;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.sending = this.sending.then(() => this.send(batch));
  }

  private async send(batch: MemberPush[]): Promise<void> {
    await Promise.all(
      this.list.hubs().map(async (hub) => {
        try {
          if (!(await this.env.ROOMS.getByName(hub).take(this.name, batch))) this.list.dropHub(hub);
        } catch (error) {
          logEvent("push_failed", { scope: this.name, to: hub, what: "hub feed", code: errorName(error) });
        }
      }),
    );
  }
}
