import { describe, expect, it } from "vitest";
import { call, connectDevice, inPresenceObject, token, uniqueUser, type Frame } from "../helpers";

const isChanged = (user: string, status?: string) => (frame: Frame | string) =>
  typeof frame !== "string" && frame.type === "changed" && (frame.presence as { user: string }).user === user && (status === undefined || (frame.presence as { status: string }).status === status);

async function put(path: string, bearer: string, json: unknown): Promise<Response> {
  return call(path, { method: "PUT", token: bearer, json });
}

describe("subscriptions", () => {
  it("answer subscribed with each user as this user may see them, then changed on each change", async () => {
    const org = uniqueUser("org");
    const [followed, stranger, viewer] = [uniqueUser("followed"), uniqueUser("stranger"), uniqueUser("viewer")];
    const subject = await connectDevice(followed, { org });
    await connectDevice(stranger, { org: uniqueUser("elsewhere") });
    const { socket } = await connectDevice(viewer, { org });
    socket.send({ type: "subscribe", users: [followed, stranger, "never-connected"] });
    const subscribed = await socket.nextOfType("subscribed");
    expect(subscribed.presence).toMatchObject({
      [followed]: { status: "online" },
      [stranger]: { status: "offline", lastActive: null, devices: [] },
      "never-connected": { status: "offline", lastActive: null, devices: [] },
    });
    subject.socket.send({ type: "status", status: "busy", text: "deep work" });
    expect(await socket.next(isChanged(followed, "busy"))).toMatchObject({ presence: { user: followed, status: "busy", text: "deep work" } });
  });

  it("turn hidden and visible as the followed user blocks, unblocks, hides and shares", async () => {
    const org = uniqueUser("org");
    const [followed, viewer] = [uniqueUser("followed"), uniqueUser("viewer")];
    const subject = await connectDevice(followed, { org });
    subject.socket.send({ type: "status", status: "busy" });
    await subject.socket.nextOfType("presence");
    const { socket } = await connectDevice(viewer);
    socket.send({ type: "subscribe", users: [followed] });
    expect((await socket.nextOfType("subscribed")).presence).toMatchObject({ [followed]: { status: "offline" } });
    const own = await token(followed, { org });
    await put("/v1/contacts/me", own, { add: [viewer] });
    expect(await socket.next(isChanged(followed, "busy"))).toBeTruthy();
    await put("/v1/blocks/me", own, { add: [viewer] });
    expect(await socket.next(isChanged(followed, "offline"))).toMatchObject({ presence: { text: null, lastSeen: null, devices: [] } });
    await put("/v1/blocks/me", own, { remove: [viewer] });
    expect(await socket.next(isChanged(followed, "busy"))).toBeTruthy();
    await put("/v1/privacy/me", own, { visibility: "nobody" });
    expect(await socket.next(isChanged(followed, "offline"))).toBeTruthy();
  });

  it("stop with unsubscribe, and with the device socket", async () => {
    const org = uniqueUser("org");
    const [followed, viewer] = [uniqueUser("followed"), uniqueUser("viewer")];
    const subject = await connectDevice(followed, { org });
    const first = await connectDevice(viewer, { org, device: "first" });
    const second = await connectDevice(viewer, { org, device: "second" });
    for (const { socket } of [first, second]) {
      socket.send({ type: "subscribe", users: [followed] });
      await socket.nextOfType("subscribed");
    }
    first.socket.send({ type: "unsubscribe", users: [followed] });
    first.socket.send("ping");
    await first.socket.next((frame) => frame === "pong");
    subject.socket.send({ type: "status", status: "busy" });
    await second.socket.next(isChanged(followed, "busy"));
    expect((await first.socket.drain()).filter(isChanged(followed))).toEqual([]);
    second.socket.close();
    await second.socket.closed();
    subject.socket.send({ type: "status", status: "away" });
    await subject.socket.next((frame) => typeof frame !== "string" && frame.type === "presence" && (frame.presence as { status: string }).status === "away");
    // The followed user's object learns the subscriber is gone at its first push, and drops them.
    const subscribers = () => inPresenceObject(followed, (presence) => presence.following.subscribers.count());
    await expect.poll(subscribers, { timeout: 3000 }).toBe(0);
  });

  it("push once per subscribing user, whatever their number of devices", async () => {
    const org = uniqueUser("org");
    const [followed, viewer] = [uniqueUser("followed"), uniqueUser("viewer")];
    const subject = await connectDevice(followed, { org });
    const devices = await Promise.all(["a", "b", "c"].map((device) => connectDevice(viewer, { org, device })));
    for (const { socket } of devices) {
      socket.send({ type: "subscribe", users: [followed] });
      await socket.nextOfType("subscribed");
    }
    const pushes = () => inPresenceObject(followed, (presence) => presence.following.subscribers.counts.pushes);
    expect(await inPresenceObject(followed, (presence) => presence.following.subscribers.count())).toBe(1);
    const before = await pushes();
    subject.socket.send({ type: "status", status: "busy" });
    for (const { socket } of devices) await socket.next(isChanged(followed, "busy"));
    expect(await pushes()).toBe(before + 1);
  });

  it("refuse past 500 users per device with an error frame, adding no one", async () => {
    const { socket } = await connectDevice(uniqueUser("greedy"));
    const batch = (from: number) => Array.from({ length: 100 }, (_, i) => `u${from + i}`);
    for (let from = 0; from < 500; from += 100) {
      socket.send({ type: "subscribe", users: batch(from) });
      await socket.nextOfType("subscribed", 10_000);
    }
    socket.send({ type: "subscribe", users: ["one-more"] });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "too_many_subscriptions" });
    socket.send({ type: "subscribe", users: Array.from({ length: 501 }, (_, i) => `v${i}`) });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "invalid_frame" });
  });

  it("follow with the scopes of all the follower's devices, whichever subscribed last", async () => {
    const [orgA, orgB] = [uniqueUser("org-a"), uniqueUser("org-b")];
    const [followed, viewer] = [uniqueUser("followed"), uniqueUser("viewer")];
    const subject = await connectDevice(followed, { org: orgA });
    const laptop = await connectDevice(viewer, { org: orgA, device: "laptop" });
    const phone = await connectDevice(viewer, { org: orgB, device: "phone" });
    for (const { socket } of [laptop, phone]) {
      socket.send({ type: "subscribe", users: [followed] });
      await socket.nextOfType("subscribed");
    }
    subject.socket.send({ type: "status", status: "busy" });
    expect(await laptop.socket.next(isChanged(followed, "busy"))).toBeTruthy();
    expect(await phone.socket.next(isChanged(followed, "busy"))).toBeTruthy();
  });

  it("keep no follower in the object of a user who never connected", async () => {
    const { socket } = await connectDevice(uniqueUser("viewer"));
    const ghost = uniqueUser("ghost");
    socket.send({ type: "subscribe", users: [ghost] });
    expect((await socket.nextOfType("subscribed")).presence).toMatchObject({ [ghost]: { status: "offline" } });
    expect(await inPresenceObject(ghost, (presence) => presence.following.subscribers.count())).toBe(0);
  });

  it("end when the device reconnects: a new socket starts with none", async () => {
    const org = uniqueUser("org");
    const [followed, viewer] = [uniqueUser("followed"), uniqueUser("viewer")];
    const subject = await connectDevice(followed, { org });
    const first = await connectDevice(viewer, { org, device: "tab" });
    first.socket.send({ type: "subscribe", users: [followed] });
    await first.socket.nextOfType("subscribed");
    const again = await connectDevice(viewer, { org, device: "tab" });
    subject.socket.send({ type: "status", status: "busy" });
    await subject.socket.nextOfType("presence");
    expect((await again.socket.drain(300)).filter(isChanged(followed))).toEqual([]);
  });
});
