import { describe, expect, it } from "vitest";
import {
  EMPTY_USER_STATE,
  chooseStatus,
  expireGrace,
  nextStatusChangeAt,
  publicView,
  lapseChoice,
  selfView,
  statusOf,
  withCloak,
  type DeviceState,
} from "../../src/presence/status";
import { memberOf } from "../../src/protocol/member";

const timers = { awayAfterMs: 1000, offlineAfterMs: 5000, leaseMs: 5000, disconnectGraceMs: 500, joinPushDelayMs: 0 };
const device = (id: string, lastActive: number): DeviceState => ({ id, type: "web", connectedAt: 0, lastActive, expiresAt: Number.MAX_SAFE_INTEGER });

describe("status model", () => {
  it("is offline with no devices and no grace", () => {
    expect(statusOf(EMPTY_USER_STATE, [], 10_000, timers)).toBe("offline");
  });

  it("is online while any device was active within awayAfterMs, away after", () => {
    const devices = [device("a", 0), device("b", 9_500)];
    expect(statusOf(EMPTY_USER_STATE, devices, 10_000, timers)).toBe("online");
    expect(statusOf(EMPTY_USER_STATE, devices, 10_500, timers)).toBe("away");
  });

  it("lets a manual status win over activity", () => {
    const state = chooseStatus(EMPTY_USER_STATE, "busy", undefined);
    expect(statusOf(state, [device("a", 10_000)], 10_000, timers)).toBe("busy");
    expect(statusOf(chooseStatus(state, "auto", undefined), [device("a", 10_000)], 10_000, timers)).toBe("online");
  });

  it("keeps the status during grace and goes offline after it, seen last when the device left", () => {
    const state = { ...EMPTY_USER_STATE, lastActive: 9_900, leftAt: 10_000 };
    expect(statusOf(state, [], 10_400, timers)).toBe("online");
    expect(statusOf(state, [], 10_500, timers)).toBe("offline");
    expect(expireGrace(state, [], 10_500, timers)).toMatchObject({ leftAt: null, lastSeen: 10_000 });
    expect(expireGrace(state, [], 10_400, timers)).toBe(state);
  });

  it("shows an invisible user to others as offline, frozen when they went invisible", () => {
    const state = chooseStatus(EMPTY_USER_STATE, "invisible", "hidden");
    const devices = [device("a", 10_000)];
    const cloaked = withCloak(state, "online", "invisible", devices, 10_000);
    const own = selfView("u", cloaked, [device("a", 12_000)], 12_000, timers);
    expect(own.status).toBe("invisible");
    expect(publicView(own, cloaked.cloak)).toEqual({ user: "u", status: "offline", text: null, lastActive: 10_000, lastSeen: 10_000, devices: [] });
    expect(memberOf(own, undefined)).toBeNull();
  });

  it("schedules the next change: away after idle, offline at the end of grace", () => {
    expect(nextStatusChangeAt(EMPTY_USER_STATE, [device("a", 10_000)], 10_000, timers)).toBe(11_000);
    expect(nextStatusChangeAt({ ...EMPTY_USER_STATE, lastActive: 1_000, leftAt: 10_000 }, [], 10_100, timers)).toBe(10_500);
    expect(nextStatusChangeAt(chooseStatus(EMPTY_USER_STATE, "busy", undefined), [device("a", 10_000)], 10_000, timers)).toBeNull();
  });

  it("clears text with an empty string and keeps it when text is left out", () => {
    const withText = chooseStatus(EMPTY_USER_STATE, "busy", "lunch");
    expect(chooseStatus(withText, "auto", undefined).text).toBe("lunch");
    expect(chooseStatus(withText, undefined, "").text).toBeNull();
  });

  it("lets a choice lapse at its until: back to automatic, no text; a later choice without until never lapses", () => {
    const chosen = chooseStatus(EMPTY_USER_STATE, "busy", "in a meeting", 20_000);
    expect(chosen.until).toBe(20_000);
    expect(lapseChoice(chosen, 19_999)).toBe(chosen);
    expect(lapseChoice(chosen, 20_000)).toMatchObject({ manual: null, text: null, until: null });
    expect(nextStatusChangeAt(chosen, [device("a", 10_000)], 10_000, timers)).toBe(20_000);
    const textOnly = chooseStatus(EMPTY_USER_STATE, undefined, "lunch", 20_000);
    expect(nextStatusChangeAt(textOnly, [device("a", 10_000)], 10_000, timers)).toBe(11_000);
    expect(nextStatusChangeAt(textOnly, [device("a", 10_000)], 12_000, timers)).toBe(20_000);
    expect(chooseStatus(chosen, "away", undefined).until).toBeNull();
  });
});
