import { describe, expect, it } from "vitest";
import { trackActivity } from "../../packages/client/src";

/** Stands in for `document`: an event target whose visibility a test can switch. */
class PageDouble extends EventTarget {
  visibilityState: "visible" | "hidden" = "visible";

  input(type = "pointermove"): void {
    this.dispatchEvent(new Event(type));
  }

  hide(): void {
    this.visibilityState = "hidden";
    this.dispatchEvent(new Event("visibilitychange"));
  }

  show(): void {
    this.visibilityState = "visible";
    this.dispatchEvent(new Event("visibilitychange"));
  }
}

function setup() {
  const page = new PageDouble();
  let now = 1_000_000;
  const reports: number[] = [];
  const stop = trackActivity({ activity: () => reports.push(now) }, { target: page, throttleMs: 10_000, now: () => now });
  return { page, reports, stop, advance: (ms: number) => (now += ms) };
}

describe("activity tracking", () => {
  it("reports the first input at once and then at most once per throttle window", () => {
    const { page, reports, advance } = setup();
    page.input("keydown");
    advance(3000);
    page.input("pointerdown");
    page.input("wheel");
    expect(reports).toHaveLength(1);
    advance(7000);
    page.input("touchstart");
    expect(reports).toHaveLength(2);
  });

  it("ignores input while the page is hidden", () => {
    const { page, reports } = setup();
    page.hide();
    page.input();
    expect(reports).toEqual([]);
  });

  it("reports coming back to the page at once, even within the throttle window", () => {
    const { page, reports, advance } = setup();
    page.input();
    page.hide();
    advance(1000);
    page.show();
    expect(reports).toHaveLength(2);
  });

  it("reports nothing once stopped", () => {
    const { page, reports, stop, advance } = setup();
    stop();
    page.input();
    advance(20_000);
    page.show();
    expect(reports).toEqual([]);
  });
});
