/** How long to wait before reconnecting: the ceiling doubles per failed attempt up to `capMs`. */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000 };

/**
 * "Full jitter": anywhere between 0 and the capped exponential ceiling, so thousands of clients
 * dropped by one deploy do not all come back in the same instant.
 */
export function reconnectDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}
