/** What the tracker listens to: a browser's `document`, or any event target in tests. */
export interface ActivityTarget {
  /** Starts calling `listener` on every event of `type`. */
  addEventListener(type: string, listener: () => void, options?: { passive?: boolean }): void;
  /** Stops calling `listener` on events of `type`. */
  removeEventListener(type: string, listener: () => void): void;
  /** `hidden` while the page is in the background: no activity is reported then. */
  readonly visibilityState?: string;
}

/** How `trackActivity` listens and how often it reports. */
export interface ActivityOptions {
  /** At most one `activity` frame per this many milliseconds. */
  throttleMs?: number;
  /** Defaults to the page's `document`. */
  target?: ActivityTarget;
  /** The clock the throttle reads, in epoch ms; defaults to `Date.now` (replace it only in tests). */
  now?: () => number;
}

const DEFAULT_ACTIVITY_THROTTLE_MS = 12_000;

/** Input that shows a person is at this page; all of these bubble up to the document. */
const INPUT_EVENTS = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart"] as const;

/**
 * Reports the user's input on this page as `activity`, throttled, and only while the page is visible:
 * a tab left in the background sends nothing, so the user goes away on the server's idle timer.
 * Coming back to the tab counts as activity at once. Returns the function that stops tracking.
 */
export function trackActivity(client: { activity(): void }, options: ActivityOptions = {}): () => void {
  const target = options.target ?? (globalThis as { document?: ActivityTarget }).document;
  if (!target) throw new Error("trackActivity needs a document (or a target) to listen to");
  const throttleMs = options.throttleMs ?? DEFAULT_ACTIVITY_THROTTLE_MS;
  const now = options.now ?? Date.now;
  let lastReportedAt = -Infinity;

  const report = (force: boolean) => {
    if (target.visibilityState === "hidden") return;
    const time = now();
    if (!force && time - lastReportedAt < throttleMs) return;
    lastReportedAt = time;
    client.activity();
  };
  const onInput = () => report(false);
  const onVisibility = () => report(true);

  for (const type of INPUT_EVENTS) target.addEventListener(type, onInput, { passive: true });
  target.addEventListener("visibilitychange", onVisibility);
  return () => {
    for (const type of INPUT_EVENTS) target.removeEventListener(type, onInput);
    target.removeEventListener("visibilitychange", onVisibility);
  };
}
