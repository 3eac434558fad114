import type { ClientPool } from "../clients/pool.ts";

/** Waits for every thread in `threads` to report change `index` as seen by all its tracked sockets (clients/worker.ts `track`). */
export class ChangeWaiter {
  private readonly done = new Map<number, Set<number>>();
  private waiter: { index: number; resolve: () => void } | null = null;
  private readonly unsubscribe: (() => void)[];
  private readonly threads: Set<number>;

  constructor(pool: ClientPool, threads: Set<number>) {
    this.threads = threads;
    this.unsubscribe = pool.load.map((thread) =>
      thread.onEvent((event, from) => {
        if (event.event !== "changeDone") return;
        const seen = this.done.get(event.index) ?? new Set<number>();
        seen.add(from);
        this.done.set(event.index, seen);
        if (this.waiter && this.waiter.index === event.index && this.complete(event.index)) this.waiter.resolve();
      }),
    );
  }

  private complete(index: number): boolean {
    const seen = this.done.get(index);
    return seen !== undefined && [...this.threads].every((thread) => seen.has(thread));
  }

  /** Resolves true when change `index` is everywhere, false after `timeoutMs`. */
  async wait(index: number, timeoutMs: number): Promise<boolean> {
    if (this.complete(index)) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const result = await Promise.race([
      new Promise<boolean>((resolve) => (this.waiter = { index, resolve: () => resolve(true) })),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    this.waiter = null;
    return result;
  }

  close(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }
}
