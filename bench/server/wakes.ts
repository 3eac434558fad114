import { nowMs, sleep } from "../clock.ts";

/** Wake counts keyed `"<object>.<event>"`, e.g. `"presence.webSocketMessage"`. */
export type WakeCounts = Record<string, number>;

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/** Arrival times kept per key, at most (a bounded timeline). */
const MAX_TIMES = 100_000;

/**
 * Counts the `{"wake":"presence"|"room","event":"..."}` lines objects print when LOG_WAKES is on
 * (src/observability/wakes.ts), and sums their numeric extras (storage costs). Lines are fed from
 * the server's stdout as they arrive.
 */
export class WakeCounter {
  private readonly counts = new Map<string, number>();
  private readonly sums = new Map<string, number>();
  private readonly eventSums = new Map<string, number>();
  private lastAt = nowMs();
  private readonly times = new Map<string, number[]>();

  feed(line: string): void {
    const start = line.indexOf('{"wake"');
    if (start < 0) return;
    try {
      const { wake, event, ...extra } = JSON.parse(line.slice(start)) as Record<string, unknown>;
      if (typeof wake !== "string" || typeof event !== "string") return;
      const key = `${wake}.${event}`;
      add(this.counts, key, 1);
      // Numeric extras (a PresenceObject's `loads` and `saves`) are summed per object: "presence.loads".
      for (const [field, value] of Object.entries(extra)) {
        if (typeof value !== "number") continue;
        add(this.sums, `${wake}.${field}`, value);
        add(this.eventSums, `${key}.${field}`, value);
      }
      this.lastAt = nowMs();
      const times = this.times.get(key) ?? [];
      if (times.length < MAX_TIMES) times.push(this.lastAt);
      this.times.set(key, times);
    } catch {
      // Not a wake line after all.
    }
  }

  /** Wake counts by `"<object>.<event>"`, and the numeric extras summed by `"<object>.<field>"`. */
  snapshot(): WakeCounts {
    return Object.fromEntries(this.counts);
  }

  costs(): WakeCounts {
    return Object.fromEntries(this.sums);
  }

  /** The numeric extras summed by `"<object>.<event>.<field>"` ("presence.alarm.rowsWritten"): which event costs what. */
  costsByEvent(): WakeCounts {
    return Object.fromEntries(this.eventSums);
  }

  /**
   * Waits until no wake line has arrived for `quietMs`, counting from the call at the earliest (lines
   * caused by what the caller just did may still be on their way), or until `maxMs` passed.
   * Returns whether it went quiet.
   */
  async waitQuiet(quietMs: number, maxMs: number): Promise<boolean> {
    const called = nowMs();
    const deadline = called + maxMs;
    const silentFor = () => nowMs() - Math.max(this.lastAt, called);
    while (nowMs() < deadline) {
      if (silentFor() >= quietMs) return true;
      await sleep(Math.min(quietMs - silentFor() + 5, Math.max(1, deadline - nowMs())));
    }
    return silentFor() >= quietMs;
  }

  /** When lines of `key` arrived (clock.ts), from `since` on: a timeline to see where time goes. */
  arrivals(key: string, since: number): number[] {
    return (this.times.get(key) ?? []).filter((at) => at >= since);
  }
}

/** What happened between two snapshots, zero entries left out. */
export function wakeDelta(before: WakeCounts, after: WakeCounts): WakeCounts {
  const delta: WakeCounts = {};
  for (const [key, value] of Object.entries(after)) {
    const change = value - (before[key] ?? 0);
    if (change !== 0) delta[key] = change;
  }
  return Object.fromEntries(Object.entries(delta).sort(([a], [b]) => a.localeCompare(b)));
}

export function totalWakes(counts: WakeCounts, filter: (key: string) => boolean = () => true): number {
  let total = 0;
  for (const [key, value] of Object.entries(counts)) if (filter(key)) total += value;
  return total;
}
