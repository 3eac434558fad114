import { describe, expect, it } from "vitest";
import { ENDED_FOCUS_MEMORY_MS, MAX_INCOMING_FOCUS, NO_FOCUS, focusDevice, focusedBy, receiveFocus, releaseGoneDevices } from "../../src/presence/focus";

describe("focus", () => {
  it("does nothing when a device keeps its partner", () => {
    const { focus } = focusDevice(NO_FOCUS, "a", "bob");
    expect(focusDevice(focus, "a", "bob").notices).toEqual([]);
  });

  it("releases the focus of devices that are gone, and only theirs", () => {
    const one = focusDevice(NO_FOCUS, "a", "bob").focus;
    const two = focusDevice(one, "b", "carol").focus;
    const step = releaseGoneDevices(two, new Set(["b"]));
    expect(step.notices).toEqual([{ partner: "bob", device: "a", active: false }]);
    expect(step.focus.outgoing).toEqual([{ device: "b", partner: "carol" }]);
  });

  it("reports a user's focus as changed only when their first device starts or their last one stops", () => {
    const first = receiveFocus(NO_FOCUS, "bob", "phone", true, 1, 1);
    const second = receiveFocus(first.focus, "bob", "laptop", true, 2, 2);
    const oneOff = receiveFocus(second.focus, "bob", "phone", false, 3, 3);
    const allOff = receiveFocus(oneOff.focus, "bob", "laptop", false, 4, 4);
    expect([first.changed, second.changed, oneOff.changed, allOff.changed]).toEqual([true, false, false, true]);
    expect(focusedBy(second.focus)).toEqual(["bob"]);
  });

  it(`keeps at most ${MAX_INCOMING_FOCUS} incoming focus entries`, () => {
    let focus = NO_FOCUS;
    for (let i = 0; i <= MAX_INCOMING_FOCUS; i++) focus = receiveFocus(focus, `user${i}`, "d", true, i, i).focus;
    expect(focus.incoming).toHaveLength(MAX_INCOMING_FOCUS);
  });

  it("ignores a focus notice that its blur overtook in flight", () => {
    const blurred = receiveFocus(NO_FOCUS, "bob", "phone", false, 200, 210);
    const late = receiveFocus(blurred.focus, "bob", "phone", true, 100, 220);
    expect(late.changed).toBe(false);
    expect(focusedBy(late.focus)).toEqual([]);
  });

  it(`forgets an ended focus after ${ENDED_FOCUS_MEMORY_MS} ms`, () => {
    const ended = receiveFocus(NO_FOCUS, "bob", "phone", false, 0, 0).focus;
    const later = receiveFocus(ended, "carol", "laptop", true, 1, ENDED_FOCUS_MEMORY_MS + 1).focus;
    expect(later.incoming.map((entry) => entry.user)).toEqual(["carol"]);
  });
});
