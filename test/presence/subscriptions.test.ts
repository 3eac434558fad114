import { describe, expect, it } from "vitest";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { unknownView } from "../../src/visibility/rule";
import { call, connectDevice, inPresenceObject, presenceStub, token, uniqueUser, type Frame, type TestSocket } from "../helpers";

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

  it("hear of a user who first connects after the subscription: online, then busy", async () => {
    const org = uniqueUser("org");
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const { socket } = await connectDevice(alice, { org });
    socket.send({ type: "subscribe", users: [bob] });
    expect((await socket.nextOfType("subscribed")).presence).toEqual({ [bob]: unknownView(bob) });
    const subject = await connectDevice(bob, { org });
    expect(await socket.next(isChanged(bob, "online"))).toMatchObject({ presence: { user: bob, status: "online", devices: [{}] } });
    subject.socket.send({ type: "status", status: "busy" });
    expect(await socket.next(isChanged(bob, "busy"))).toBeTruthy();
  });

  it("hear of a user who first connects after the subscription even when their object restarted in between", async () => {
    const org = uniqueUser("org");
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const { socket } = await connectDevice(alice, { org });
    socket.send({ type: "subscribe", users: [bob] });
    await socket.nextOfType("subscribed");
    await evictDurableObject(presenceStub(bob));
    const subject = await connectDevice(bob, { org });
    expect(await socket.next(isChanged(bob, "online"))).toBeTruthy();
    subject.socket.send({ type: "status", status: "busy" });
    expect(await socket.next(isChanged(bob, "busy"))).toBeTruthy();
  });

  // Each way Bob's first doings keep him hidden from Alice; his object restarts before them, as an idle object does.
  const hidden: [string, (bob: string, org: string, alice: string) => Promise<{ socket: TestSocket }>][] = [
    ["in another org", (bob) => connectDevice(bob, { org: uniqueUser("elsewhere") })],
    ["hidden from everyone", async (bob, org) => (await put("/v1/privacy/me", await token(bob, { org }), { visibility: "nobody" }), connectDevice(bob, { org }))],
    ["having blocked the subscriber", async (bob, org, alice) => (await put("/v1/blocks/me", await token(bob, { org }), { add: [alice] }), connectDevice(bob, { org }))],
  ];
  for (const [why, firstDoings] of hidden) {
    it(`show a user who first connects ${why} exactly as one who never exists`, async () => {
      const org = uniqueUser("org");
      const [alice, bob, nobody] = [uniqueUser("alice"), uniqueUser("bob"), uniqueUser("nobody")];
      const { socket } = await connectDevice(alice, { org });
      socket.send({ type: "subscribe", users: [bob, nobody] });
      expect((await socket.nextOfType("subscribed")).presence).toEqual({ [bob]: unknownView(bob), [nobody]: unknownView(nobody) });
      await evictDurableObject(presenceStub(bob));
      const subject = await firstDoings(bob, org, alice);
      subject.socket.send({ type: "status", status: "busy", text: "deep work" });
      await subject.socket.next((frame) => typeof frame !== "string" && frame.type === "presence" && (frame.presence as { status: string }).status === "busy");
      expect(await socket.drain(300)).toEqual([]);
    });
  }

  it("show a hidden user whose object restarted exactly as one who never exists", async () => {
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const subject = await connectDevice(bob, { org: uniqueUser("elsewhere") });
    const { socket } = await connectDevice(alice, { org: uniqueUser("org") });
    socket.send({ type: "subscribe", users: [bob] });
    expect((await socket.nextOfType("subscribed")).presence).toEqual({ [bob]: unknownView(bob) });
    await evictDurableObject(presenceStub(bob), { webSockets: "hibernate" });
    subject.socket.send({ type: "status", status: "busy" });
    await subject.socket.nextOfType("presence");
    expect(await socket.drain(300)).toEqual([]);
  });

  it("hide a user from a subscriber who saw them, even after their object restarted", async () => {
    const org = uniqueUser("org");
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    await connectDevice(bob, { org });
    const { socket } = await connectDevice(alice, { org });
    socket.send({ type: "subscribe", users: [bob] });
    expect((await socket.nextOfType("subscribed")).presence).toMatchObject({ [bob]: { status: "online" } });
    await evictDurableObject(presenceStub(bob), { webSockets: "hibernate" });
    await put("/v1/privacy/me", await token(bob, { org }), { visibility: "nobody" });
    expect(await socket.next(isChanged(bob, "offline"))).toEqual({ type: "changed", presence: unknownView(bob) });
  });

  it("keep the followers of a table made before it stored what they were told", async () => {
    const org = uniqueUser("org");
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const subject = await connectDevice(bob, { org });
    const { socket } = await connectDevice(alice, { org });
    socket.send({ type: "subscribe", users: [bob] });
    await socket.nextOfType("subscribed");
    await evictDurableObject(presenceStub(bob), { webSockets: "hibernate" });
    await runInDurableObject(presenceStub(bob), (_object, state) => {
      const { scopes, since } = state.storage.sql.exec<{ scopes: string; since: number }>("SELECT scopes, since FROM subscribers").one();
      state.storage.sql.exec("DROP TABLE subscribers");
      state.storage.sql.exec("CREATE TABLE subscribers (viewer TEXT PRIMARY KEY, scopes TEXT NOT NULL, since INTEGER NOT NULL)");
      state.storage.sql.exec("INSERT INTO subscribers (viewer, scopes, since) VALUES (?, ?, ?)", alice, scopes, since);
    });
    await evictDurableObject(presenceStub(bob), { webSockets: "hibernate" });
    subject.socket.send({ type: "status", status: "busy" });
    expect(await socket.next(isChanged(bob, "busy"))).toBeTruthy();
  });

  it("send nothing to a follower of a table made before it stored what they were told, from a user hidden from them", async () => {
    const [alice, bob] = [uniqueUser("alice"), uniqueUser("bob")];
    const subject = await connectDevice(bob, { org: uniqueUser("org") });
    const { socket } = await connectDevice(alice, { org: uniqueUser("other-org") });
    socket.send({ type: "subscribe", users: [bob] });
    await socket.nextOfType("subscribed");
    await evictDurableObject(presenceStub(bob), { webSockets: "hibernate" });
    await runInDurableObject(presenceStub(bob), (_object, state) => {
      const { scopes, since } = state.storage.sql.exec<{ scopes: string; since: number }>("SELECT scopes, since FROM subscribers").one();
      state.storage.sql.exec("DROP TABLE subscribers");
      state.storage.sql.exec("CREATE TABLE subscribers (viewer TEXT PRIMARY KEY, scopes TEXT NOT NULL, since INTEGER NOT NULL)");
      state.storage.sql.exec("INSERT INTO subscribers (viewer, scopes, since) VALUES (?, ?, ?)", alice, scopes, since);
    });
    await evictDurableObject(presenceStub(bob), { webSockets: "hibernate" });
    subject.socket.send({ type: "status", status: "busy" });
    await subject.socket.nextOfType("presence");
    expect((await socket.drain(500)).filter(isChanged(bob))).toEqual([]);
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
