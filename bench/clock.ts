/**
 * The one clock every bench thread and process reads: CLOCK_MONOTONIC through `process.hrtime`,
 * in milliseconds with sub-microsecond resolution. On Linux it is the same clock system-wide, so a
 * time taken in the sender's thread and one taken in a watcher's thread (or another process)
 * are directly comparable, and wall-clock adjustments never skew a latency.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves to the promise's value, or rejects after `ms` with `what` in the message. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
