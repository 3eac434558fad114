import { describe, expect, it } from "vitest";
import { DAY_MS, dayReports, splitByDay, USER_HISTORY_DAYS } from "../../src/history/onlineDays";

const D = 20_000; // an epoch day: 2024-10-04
const at = (day: number, hours: number) => day * DAY_MS + hours * 3_600_000;

describe("splitByDay", () => {
  it("keeps an interval within one day whole", () => {
    expect(splitByDay("online", at(D, 1), at(D, 3), at(D, 4))).toEqual([{ day: D, online: 2 * 3_600_000, away: 0, busy: 0 }]);
  });

  it("splits an interval over midnight between the two days", () => {
    expect(splitByDay("busy", at(D, 23), at(D + 1, 2), at(D + 1, 2))).toEqual([
      { day: D, online: 0, away: 0, busy: 3_600_000 },
      { day: D + 1, online: 0, away: 0, busy: 2 * 3_600_000 },
    ]);
  });

  it("drops what lies before the 90 days kept", () => {
    const pieces = splitByDay("away", at(D - 200, 0), at(D, 1), at(D, 1));
    expect(pieces).toHaveLength(USER_HISTORY_DAYS);
    expect(pieces[0]?.day).toBe(D - USER_HISTORY_DAYS + 1);
  });

  it("gives nothing for an empty interval", () => {
    expect(splitByDay("online", at(D, 2), at(D, 2), at(D, 2))).toEqual([]);
  });
});

describe("dayReports", () => {
  it("adds the ongoing status to the stored totals, as whole seconds per UTC date", () => {
    const stored = [{ day: D, online: 60_000, away: 0, busy: 0 }];
    const ongoing = [{ day: D, online: 0, away: 0, busy: 1_499 }];
    expect(dayReports(stored, ongoing, 1, at(D, 5))).toEqual([{ date: "2024-10-04", online: 60, away: 0, busy: 1 }]);
  });

  it("keeps only the days asked for, oldest first, and only those with time", () => {
    const stored = [
      { day: D - 3, online: 5_000, away: 0, busy: 0 },
      { day: D - 1, online: 0, away: 2_000, busy: 0 },
      { day: D - 2, online: 0, away: 0, busy: 0 },
      { day: D, online: 7_000, away: 0, busy: 0 },
    ];
    expect(dayReports(stored, [], 3, at(D, 1)).map((day) => day.date)).toEqual(["2024-10-03", "2024-10-04"]);
  });
});
