import { describe, expect, it } from "vitest";
import type { Member } from "../../src/protocol/presence";
import { isEmptyDiff } from "../../src/protocol/member";
import { diffOf } from "../../src/rooms/roster";

const m = (user: string, status: Member["status"] = "online"): Member => ({ user, status, text: null, lastActive: 1 });

describe("roster diff", () => {
  it("turns each user's net move into a join, an update or a leave", () => {
    const diff = diffOf([
      { user: "new", before: null, after: m("new") },
      { user: "changed", before: m("changed"), after: m("changed", "busy") },
      { user: "gone", before: m("gone"), after: null },
    ]);
    expect(diff).toEqual({ joins: [m("new")], updates: [m("changed", "busy")], leaves: ["gone"] });
  });

  it("drops moves that end where they started", () => {
    const diff = diffOf([
      { user: "flicker", before: null, after: null },
      { user: "same", before: m("same"), after: m("same") },
    ]);
    expect(isEmptyDiff(diff)).toBe(true);
  });
});
