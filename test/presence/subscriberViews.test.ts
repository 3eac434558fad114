import { describe, expect, it } from "vitest";
import type { PresenceView } from "../../src/protocol/presence";
import { isNews, isUnknown, subscriberPushes } from "../../src/presence/subscriberViews";
import { unknownView } from "../../src/visibility/rule";

const view = (change: Partial<PresenceView> = {}): PresenceView => ({ user: "u", status: "online", text: null, lastActive: 100_000, lastSeen: null, devices: [], ...change });

describe("what is news to a subscriber", () => {
  const rows: [string, PresenceView | undefined, PresenceView, boolean][] = [
    ["nothing sent yet", undefined, view(), true],
    ["the same view", view(), view(), false],
    ["a status change", view(), view({ status: "busy" }), true],
    ["a text change", view(), view({ text: "lunch" }), true],
    ["a device joining", view(), view({ devices: [{ id: "d", type: "web", idle: false }] }), true],
    ["activity moving by under a minute", view(), view({ lastActive: 159_999 }), false],
    ["activity moving by a minute", view(), view({ lastActive: 160_000 }), true],
    ["activity becoming hidden", view(), view({ lastActive: null }), true],
    ["turning into an unknown user", view(), unknownView("u"), true],
  ];
  for (const [what, sent, next, news] of rows) it(`${what}: ${news ? "news" : "not news"}`, () => expect(isNews(sent, next)).toBe(news));

  it("pushes each subscriber only their own view, only when it is news to them", () => {
    const sent = new Map([["a", view()], ["b", view()]]);
    const followers = ["a", "b", "c"].map((viewer) => ({ viewer, toldUnknown: false }));
    const pushes = subscriberPushes(followers, sent, (viewer) => (viewer === "b" ? unknownView("u") : view()));
    expect(pushes).toEqual([{ viewer: "b", view: unknownView("u") }, { viewer: "c", view: view() }]);
  });
});

describe("what a subscriber was last told", () => {
  // A row's `toldUnknown` outlives the object; `sent` does not (a restart, a failed push forget it).
  const rows: [string, boolean, PresenceView | undefined, PresenceView, boolean][] = [
    ["sent nothing, stored as told the unknown user, still unknown", true, undefined, unknownView("u"), false],
    ["sent nothing, stored as told the unknown user, now seen", true, undefined, view(), true],
    ["sent nothing, stored as told a real view, now unknown", false, undefined, unknownView("u"), true],
    ["sent nothing, stored as told a real view, the same view", false, undefined, view(), true],
    ["sent a real view, stored as told the unknown user, the same view", true, view(), view(), false],
    ["sent the unknown user, stored as told a real view, still unknown", false, unknownView("u"), unknownView("u"), false],
  ];
  for (const [what, toldUnknown, sent, next, pushed] of rows) {
    it(`${what}: ${pushed ? "pushed" : "not pushed"}`, () => {
      const pushes = subscriberPushes([{ viewer: "a", toldUnknown }], new Map(sent ? [["a", sent]] : []), () => next);
      expect(pushes).toEqual(pushed ? [{ viewer: "a", view: next }] : []);
    });
  }
});

describe("the unknown user", () => {
  const rows: [string, PresenceView, boolean][] = [
    ["a user who never connected, or who may not be seen", unknownView("u"), true],
    ["an offline user seen without activity or text", view({ status: "offline", lastActive: null }), true],
    ["an offline user with a last seen", view({ status: "offline", lastActive: null, lastSeen: 5 }), false],
    ["an offline user with activity", view({ status: "offline" }), false],
    ["an offline user with a text", view({ status: "offline", lastActive: null, text: "away" }), false],
    ["an online user", view({ lastActive: null }), false],
    ["a user with a device", view({ status: "offline", lastActive: null, devices: [{ id: "d", type: "web", idle: true }] }), false],
  ];
  for (const [what, seen, unknown] of rows) it(`${what}: ${unknown ? "unknown" : "known"}`, () => expect(isUnknown(seen)).toBe(unknown));
});
