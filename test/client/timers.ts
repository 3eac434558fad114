type TimerId = ReturnType<typeof setTimeout>;

/** Whether the code starting a timer is the SDK's (the test runner starts timers of its own). */
const startedBySdk = () => new Error().stack?.includes("/packages/client/src/") ?? false;

/**
 * Counts the SDK's timers and intervals started from now on that are still pending, by wrapping the
 * global timer functions until `restore()`: how a test sees that code it ran left no timer behind.
 */
export function trackTimers(): { pending(): number; restore(): void } {
  const original = { setTimeout, clearTimeout, setInterval, clearInterval };
  const live = new Set<TimerId>();
  globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const id: TimerId = original.setTimeout(
      (...callbackArgs: unknown[]) => {
        live.delete(id);
        callback(...callbackArgs);
      },
      ms,
      ...args,
    );
    if (startedBySdk()) live.add(id);
    return id;
  }) as typeof setTimeout;
  globalThis.setInterval = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const id = original.setInterval(callback, ms, ...args);
    if (startedBySdk()) live.add(id);
    return id;
  }) as typeof setInterval;
  globalThis.clearTimeout = ((id: TimerId | undefined) => {
    if (id !== undefined) live.delete(id);
    original.clearTimeout(id);
  }) as typeof clearTimeout;
  globalThis.clearInterval = ((id: TimerId | undefined) => {
    if (id !== undefined) live.delete(id);
    original.clearInterval(id);
  }) as typeof clearInterval;
  return {
    pending: () => live.size,
    restore: () => Object.assign(globalThis, original),
  };
}
