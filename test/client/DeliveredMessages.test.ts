import { describe, expect, it } from "vitest";
import { DeliveredMessages, type MessageIdsFrame } from "../../packages/client/src/DeliveredMessages";
import type { Message } from "../../packages/client/src";
import { MAX_FRAME_BYTES } from "../../src/protocol/constants";

const message = (id: string, from = "alice"): Message => ({ id, from, body: id, sentAt: 1_000, read: false });

/** Flushes into a list, as a socket that takes every frame would. */
function flushed(delivered: DeliveredMessages): MessageIdsFrame[] {
  const frames: MessageIdsFrame[] = [];
  delivered.flush((frame) => frames.push(frame) > 0);
  return frames;
}

/** Messages arriving and the app's listeners having run, as the client does it. */
function receive(delivered: DeliveredMessages, messages: Message[]): Message[] {
  const fresh = delivered.arrived(messages);
  delivered.handled(fresh);
  return fresh;
}

describe("DeliveredMessages", () => {
  it("hands each message to the app once, in order, however often it comes", () => {
    const delivered = new DeliveredMessages();
    expect(receive(delivered, [message("m1"), message("m2")]).map((m) => m.id)).toEqual(["m1", "m2"]);
    expect(receive(delivered, [message("m2"), message("m3"), message("m3")]).map((m) => m.id)).toEqual(["m3"]);
  });

  it("acknowledges the messages handled, in one frame", () => {
    const delivered = new DeliveredMessages();
    receive(delivered, [message("m1"), message("m2")]);
    expect(delivered.owed).toBe(true);
    expect(flushed(delivered)).toEqual([{ type: "ack", ids: ["m1", "m2"] }]);
    expect(delivered.owed).toBe(false);
    expect(flushed(delivered)).toEqual([]);
  });

  it("acknowledges a message again when it comes again (its first ack was lost)", () => {
    const delivered = new DeliveredMessages();
    receive(delivered, [message("m1")]);
    flushed(delivered);
    expect(receive(delivered, [message("m1")])).toEqual([]);
    expect(flushed(delivered)).toEqual([{ type: "ack", ids: ["m1"] }]);
  });

  it("neither acknowledges a message the app failed on nor counts it as handed over: it comes again", () => {
    const delivered = new DeliveredMessages();
    const [m1, m2] = delivered.arrived([message("m1"), message("m2")]);
    delivered.failed("m1");
    delivered.handled([m2!]);
    expect(flushed(delivered)).toEqual([{ type: "ack", ids: ["m2"] }]);
    expect(delivered.arrived([message("m1")]).map((m) => m.id)).toEqual(["m1"]);
    expect(m1?.id).toBe("m1");
  });

  it("does not acknowledge a message kept until read, even when it comes again", () => {
    const delivered = new DeliveredMessages();
    const fresh = delivered.arrived([message("m1"), message("m2")]);
    delivered.keep("m1");
    delivered.handled(fresh);
    expect(flushed(delivered)).toEqual([{ type: "ack", ids: ["m2"] }]);
    receive(delivered, [message("m1")]);
    expect(delivered.owed).toBe(false);
  });

  it("sends a read before the ack of a kept message once it is read", () => {
    const delivered = new DeliveredMessages();
    const fresh = delivered.arrived([message("m1")]);
    delivered.keep("m1");
    delivered.handled(fresh);
    delivered.read(["m1"]);
    expect(flushed(delivered)).toEqual([
      { type: "read", ids: ["m1"] },
      { type: "ack", ids: ["m1"] },
    ]);
  });

  it("sends the read of a message read in its listener before the message's ack", () => {
    const delivered = new DeliveredMessages();
    const fresh = delivered.arrived([message("m1")]);
    delivered.read(["m1"]);
    delivered.handled(fresh);
    expect(flushed(delivered)).toEqual([
      { type: "read", ids: ["m1"] },
      { type: "ack", ids: ["m1"] },
    ]);
  });

  it("keeps what a closed socket could not take, and sends it on the next flush", () => {
    const delivered = new DeliveredMessages();
    receive(delivered, [message("m1")]);
    delivered.read(["m0"]);
    expect(delivered.flush(() => false)).toBe(false);
    expect(flushed(delivered)).toEqual([
      { type: "read", ids: ["m0"] },
      { type: "ack", ids: ["m1"] },
    ]);
  });

  it("stops at the first frame the socket refused and keeps the rest owed", () => {
    const delivered = new DeliveredMessages();
    receive(delivered, [message("m1")]);
    delivered.read(["m0"]);
    let taken = 0;
    expect(delivered.flush(() => taken++ === 0)).toBe(true);
    expect(flushed(delivered)).toEqual([{ type: "ack", ids: ["m1"] }]);
  });

  it("puts at most 100 ids in a frame, each once and in order", () => {
    const delivered = new DeliveredMessages();
    const ids = Array.from({ length: 250 }, () => crypto.randomUUID());
    receive(delivered, ids.map((id) => message(id)));
    const frames = flushed(delivered);
    expect(frames.map((frame) => frame.ids.length)).toEqual([100, 100, 50]);
    expect(frames.flatMap((frame) => frame.ids)).toEqual(ids);
  });

  it("splits a frame of long ids so that none exceeds MAX_FRAME_BYTES", () => {
    const delivered = new DeliveredMessages();
    const longIds = Array.from({ length: 100 }, (_, index) => `${index}-`.padEnd(64, "x"));
    delivered.read(longIds);
    const longFrames = flushed(delivered);
    expect(longFrames.length).toBeGreaterThan(1);
    for (const frame of longFrames) expect(new TextEncoder().encode(JSON.stringify(frame)).length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(longFrames.flatMap((frame) => frame.ids)).toEqual(longIds);
  });
});
