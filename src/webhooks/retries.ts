/** Retries back off from the base delay, doubling, up to this (s). */
export const MAX_RETRY_DELAY_S = 3_600;

/**
 * The delay before the next try of a batch whose `attempts`-th try failed: base, 2×base, 4×base…
 * up to an hour. With the default base (30 s) and `max_retries = 32`, a batch is tried for about 26 h.
 */
export function retryDelayS(attempts: number, baseS: number): number {
  return Math.min(baseS * 2 ** Math.max(0, Math.min(attempts - 1, 20)), MAX_RETRY_DELAY_S);
}
