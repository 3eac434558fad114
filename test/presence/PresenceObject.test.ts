import { describe, expect, it } from "vitest";
import { evictDurableObject } from "cloudflare:test";
import { call, connectDevice, presenceStub, token, upgrade, uniqueUser, type Frame } from "../helpers";

describe("device sockets", () => {
  it("greets a new device with hello and its presence", async () => {
    const user = uniqueUser();
    const { hello } = await connectDevice(user, { device: "laptop", type: "desktop" });
    expect(hello).toMatchObject({
      type: "hello",
      user,
      device: "laptop",
      presence: { user, status: "online", devices: [{ id: "laptop", type: "desktop", idle: false }] },
    });
  });

  it("gives a device a random id and the web type by default", async () => {
    const { hello } = await connectDevice(uniqueUser());
    const presence = hello.presence as { devices: { id: string; type: string }[] };
    expect(presence.devices[0]?.type).toBe("web");
    expect(hello.device).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers a plain request to the connect route with 426", async () => {
    const response = await call(`/v1/connect?token=${await token(uniqueUser())}`);
    expect(response.status).toBe(426);
    expect(await response.json()).toMatchObject({ error: { code: "upgrade_required" } });
  });

  it("refuses an invalid device id or type with 400", async () => {
    const t = await token(uniqueUser());
    const badDevice = await upgrade(`/v1/connect?token=${t}&device=${"x".repeat(65)}`);
    expect(badDevice.status).toBe(400);
    const badType = await upgrade(`/v1/connect?token=${t}&type=fridge`);
    expect(badType.status).toBe(400);
    expect(await badType.json()).toMatchObject({ error: { code: "invalid_request" } });
  });

  it("answers ping with pong, even while the object hibernates", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    await evictDurableObject(presenceStub(user), { webSockets: "hibernate" });
    socket.send("ping");
    expect(await socket.next((frame) => frame === "pong")).toBe("pong");
  });

  it("keeps the socket and the user's state across hibernation", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user, { device: "phone", type: "mobile" });
    socket.send({ type: "status", status: "busy", text: "in a meeting" });
    await socket.nextOfType("presence");
    await evictDurableObject(presenceStub(user), { webSockets: "hibernate" });
    socket.send({ type: "activity" });
    socket.send({ type: "status", status: "busy", text: "still in a meeting" });
    const frame = await socket.nextOfType("presence");
    expect(frame.presence).toMatchObject({ status: "busy", text: "still in a meeting", devices: [{ id: "phone", type: "mobile" }] });
  });

  it("shows every device and pushes a change to all of them", async () => {
    const user = uniqueUser();
    const first = await connectDevice(user, { device: "desk", type: "desktop" });
    const second = await connectDevice(user, { device: "phone", type: "mobile" });
    expect((second.hello.presence as { devices: unknown[] }).devices).toHaveLength(2);
    const joined = await first.socket.nextOfType("presence");
    expect((joined.presence as { devices: { id: string }[] }).devices.map((d) => d.id).sort()).toEqual(["desk", "phone"]);
    second.socket.send({ type: "status", status: "busy" });
    for (const device of [first, second]) {
      expect((await device.socket.nextOfType("presence")).presence).toMatchObject({ status: "busy" });
    }
  });

  it("replaces an older socket of the same device", async () => {
    const user = uniqueUser();
    const old = await connectDevice(user, { device: "tab" });
    const fresh = await connectDevice(user, { device: "tab" });
    expect(await old.socket.closed()).toBe(4001);
    expect((fresh.hello.presence as { devices: unknown[] }).devices).toHaveLength(1);
  });

  it("answers a client's close at once", async () => {
    const { socket } = await connectDevice(uniqueUser());
    socket.close(1000);
    expect(await socket.closed(2000)).toBe(1000);
  });

  it("refuses more than ten devices with 429", async () => {
    const user = uniqueUser();
    for (let i = 0; i < 10; i++) await connectDevice(user, { device: `d${i}` });
    const response = await upgrade(`/v1/connect?token=${await token(user)}&device=d10`);
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ error: { code: "too_many_devices" } });
  });
});

describe("bad frames", () => {
  async function errorFor(frame: string | ArrayBuffer): Promise<Frame> {
    const { socket } = await connectDevice(uniqueUser());
    socket.ws.send(frame);
    const error = await socket.nextOfType("error");
    socket.send({ type: "status", status: "busy" });
    expect((await socket.nextOfType("presence")).presence).toMatchObject({ status: "busy" });
    return error;
  }

  it("answers invalid JSON with an error frame and keeps the socket open", async () => {
    expect(await errorFor("{oops")).toMatchObject({ code: "invalid_json" });
  });

  it("answers an unknown type with unknown_type", async () => {
    expect(await errorFor(JSON.stringify({ type: "dance" }))).toMatchObject({ code: "unknown_type" });
  });

  it("answers a frame without a type with unknown_type", async () => {
    expect(await errorFor(JSON.stringify([1, 2]))).toMatchObject({ code: "unknown_type" });
  });

  it("answers an invalid status with invalid_frame", async () => {
    expect(await errorFor(JSON.stringify({ type: "status", status: "sleeping" }))).toMatchObject({ code: "invalid_frame" });
  });

  it("answers a status text over 140 characters with invalid_frame", async () => {
    const frame = JSON.stringify({ type: "status", status: "busy", text: "x".repeat(141) });
    expect(await errorFor(frame)).toMatchObject({ code: "invalid_frame", message: expect.stringContaining("text") });
  });

  it("answers unknown fields with invalid_frame", async () => {
    expect(await errorFor(JSON.stringify({ type: "activity", extra: 1 }))).toMatchObject({ code: "invalid_frame" });
  });

  it("answers an invalid focus partner with invalid_frame", async () => {
    expect(await errorFor(JSON.stringify({ type: "focus", partner: "has space" }))).toMatchObject({ code: "invalid_frame" });
  });

  it("answers a binary frame with binary_frame", async () => {
    expect(await errorFor(new TextEncoder().encode('{"type":"activity"}').buffer as ArrayBuffer)).toMatchObject({ code: "binary_frame" });
  });

  it("closes the socket with 1009 on a frame over 4 KiB, without processing it", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    socket.send(JSON.stringify({ type: "status", status: "busy", text: "x".repeat(5000) }));
    expect(await socket.closed()).toBe(1009);
    const response = await call(`/v1/presence/${user}`, { token: await token(user) });
    expect(((await response.json()) as { text: string | null }).text).toBeNull();
  });
});

describe("focus", () => {
  it("tells only the partner's devices that someone focused on them, and when they blur", async () => {
    const alice = uniqueUser("alice");
    const bob = uniqueUser("bob");
    const carol = uniqueUser("carol");
    const a = await connectDevice(alice, { org: "focus" });
    const b = await connectDevice(bob, { org: "focus" });
    const c = await connectDevice(carol, { org: "focus" });
    a.socket.send({ type: "focus", partner: bob });
    expect(await b.socket.nextOfType("focus")).toEqual({ type: "focus", user: alice, active: true });
    a.socket.send({ type: "blur" });
    expect(await b.socket.nextOfType("focus")).toEqual({ type: "focus", user: alice, active: false });
    expect((await c.socket.drain()).filter((f) => typeof f !== "string" && f.type === "focus")).toEqual([]);
    expect((await a.socket.drain()).filter((f) => typeof f !== "string" && f.type === "focus")).toEqual([]);
  });

  it("ends the focus when the focusing device leaves", async () => {
    const alice = uniqueUser("alice");
    const bob = uniqueUser("bob");
    const a = await connectDevice(alice, { org: "focus" });
    const b = await connectDevice(bob, { org: "focus" });
    a.socket.send({ type: "focus", partner: bob });
    await b.socket.nextOfType("focus");
    a.socket.close();
    expect(await b.socket.nextOfType("focus")).toEqual({ type: "focus", user: alice, active: false });
  });

  it("tells a partner's newly connected device who has focus on them", async () => {
    const alice = uniqueUser("alice");
    const bob = uniqueUser("bob");
    const a = await connectDevice(alice, { org: "focus" });
    const first = await connectDevice(bob, { device: "one", org: "focus" });
    a.socket.send({ type: "focus", partner: bob });
    await first.socket.nextOfType("focus");
    const second = await connectDevice(bob, { device: "two", org: "focus" });
    expect(await second.socket.nextOfType("focus")).toEqual({ type: "focus", user: alice, active: true });
  });

  it("ends the focus of a device lost without a close once its user's object runs again", async () => {
    const alice = uniqueUser("alice");
    const bob = uniqueUser("bob");
    const a = await connectDevice(alice, { device: "lost", org: "focus" });
    const b = await connectDevice(bob, { org: "focus" });
    a.socket.send({ type: "focus", partner: bob });
    await b.socket.nextOfType("focus");
    await evictDurableObject(presenceStub(alice), { webSockets: "close" });
    await connectDevice(alice, { device: "other", org: "focus" });
    expect(await b.socket.nextOfType("focus")).toEqual({ type: "focus", user: alice, active: false });
  });

  it("refuses focus on oneself", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user, { org: "focus" });
    socket.send({ type: "focus", partner: user });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "invalid_frame" });
  });
});

describe("frame rate", () => {
  it("refuses frames beyond 20 a second with rate_limited, without processing them", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    for (let i = 0; i < 25; i++) socket.send({ type: "activity" });
    socket.send({ type: "status", status: "busy" });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "rate_limited" });
    const response = await call(`/v1/presence/${user}`, { token: await token(user) });
    expect(((await response.json()) as { status: string }).status).toBe("online");
  });
});
