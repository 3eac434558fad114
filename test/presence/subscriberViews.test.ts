import { describe, expect, it } from "vitest";
import type { PresenceView } from "../../src/protocol/presence";
import { isNews, subscriberPushes } from "../../src/presence/subscriberViews";
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
    const pushes = subscriberPushes(["a", "b", "c"], sent, (viewer) => (viewer === "b" ? unknownView("u") : view()));
    expect(pushes).toEqual([{ viewer: "b", view: unknownView("u") }, { viewer: "c", view: view() }]);
  });
});
