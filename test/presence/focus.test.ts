import { describe, expect, it } from "vitest";
import { MAX_INCOMING_FOCUS, NO_FOCUS, focusDevice, focusedBy, receiveFocus, releaseGoneDevices } from "../../src/presence/focus";

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
    const first = receiveFocus(NO_FOCUS, "bob", "phone", true);
    const second = receiveFocus(first.focus, "bob", "laptop", true);
    const oneOff = receiveFocus(second.focus, "bob", "phone", false);
    const allOff = receiveFocus(oneOff.focus, "bob", "laptop", false);
    expect([first.changed, second.changed, oneOff.changed, allOff.changed]).toEqual([true, false, false, true]);
    expect(focusedBy(second.focus)).toEqual(["bob"]);
  });

  it(`keeps at most ${MAX_INCOMING_FOCUS} incoming focus entries`, () => {
    let focus = NO_FOCUS;
    for (let i = 0; i <= MAX_INCOMING_FOCUS; i++) focus = receiveFocus(focus, `user${i}`, "d", true).focus;
    expect(focus.incoming).toHaveLength(MAX_INCOMING_FOCUS);
  });
});
