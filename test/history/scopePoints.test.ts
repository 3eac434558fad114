import { describe, expect, it } from "vitest";
import { historyPoints, MINUTE_MS, type MinuteRow } from "../../src/history/scopePoints";

const T = 29_000_000 * MINUTE_MS; // a minute boundary in 2025
/** A minute whose counts ended at these (and never rose above them). */
const row = (minute: number, online: number, away = 0, busy = 0): MinuteRow => ({ minute, online, away, busy, end_online: online, end_away: away, end_busy: busy });
const m = T / MINUTE_MS;

describe("historyPoints", () => {
  it("carries the last counts into minutes without a row, from the row before the range", () => {
    const points = historyPoints([row(m + 2, 5)], { online: 3, away: 1, busy: 0 }, T, T + 4 * MINUTE_MS, 60);
    expect(points.map((p) => p.online)).toEqual([3, 3, 5, 5, 5]);
    expect(points.map((p) => p.away)).toEqual([1, 1, 0, 0, 0]);
    expect(points[0]?.t).toBe(T);
    expect(points[4]?.t).toBe(T + 4 * MINUTE_MS);
  });

  it("starts from zero when nothing was recorded before", () => {
    expect(historyPoints([], null, T, T + MINUTE_MS, 60)).toEqual([
      { t: T, online: 0, away: 0, busy: 0 },
      { t: T + MINUTE_MS, online: 0, away: 0, busy: 0 },
    ]);
  });

  it("gives each longer step the most of each status in any of its minutes", () => {
    const start = Math.ceil(m / 5) * 5;
    const rows = [row(start + 1, 4, 0, 1), row(start + 2, 2, 3, 0), row(start + 7, 1)];
    const points = historyPoints(rows, null, start * MINUTE_MS, (start + 9) * MINUTE_MS, 300);
    expect(points).toEqual([
      { t: start * MINUTE_MS, online: 4, away: 3, busy: 1 },
      { t: (start + 5) * MINUTE_MS, online: 2, away: 3, busy: 0 },
    ]);
  });

  it("aligns points to the step, so the same hour always has the same points", () => {
    const hour = Math.ceil(m / 60) * 60;
    const points = historyPoints([], null, (hour + 17) * MINUTE_MS, (hour + 130) * MINUTE_MS, 3600);
    expect(points.map((p) => p.t)).toEqual([hour, hour + 60, hour + 120].map((minute) => minute * MINUTE_MS));
  });

  it("shows a minute's most, then carries on from its end counts", () => {
    const peaked: MinuteRow = { minute: m + 1, online: 6, away: 0, busy: 2, end_online: 1, end_away: 0, end_busy: 0 };
    const points = historyPoints([peaked], { online: 3, away: 0, busy: 0 }, T, T + 3 * MINUTE_MS, 60);
    expect(points.map(({ online, busy }) => [online, busy])).toEqual([
      [3, 0],
      [6, 2],
      [1, 0],
      [1, 0],
    ]);
  });

  it("answers one point per minute for a whole week, no more", () => {
    expect(historyPoints([], null, T, T + 7 * 24 * 60 * MINUTE_MS, 60)).toHaveLength(10_081);
  });
});
