/** How many frames (heartbeats aside) one socket may send per second; more are refused, not processed. */
export const MAX_FRAMES_PER_SECOND = 20;

/**
 * Counts frames per socket in one-second windows. Kept in memory only: a hibernating object forgets
 * the counts, which is fine, since a socket sending that fast keeps its object awake.
 */
export class FrameRateLimiter {
  private readonly windows = new WeakMap<WebSocket, { start: number; count: number }>();

  allow(ws: WebSocket, now: number): boolean {
    const window = this.windows.get(ws);
    if (!window || now - window.start >= 1000) {
      this.windows.set(ws, { start: now, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= MAX_FRAMES_PER_SECOND;
  }
}
