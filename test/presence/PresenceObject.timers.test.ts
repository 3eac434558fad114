import { describe, expect, it } from "vitest";
import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { call, connectDevice, presenceStub, sleep, timers, token, uniqueUser } from "../helpers";

async function presenceOf(user: string, viewer = user) {
  const response = await call(`/v1/presence/${user}`, { token: await token(viewer) });
  return (await response.json()) as { status: string; lastSeen: number | null; lastActive: number | null; devices: { idle: boolean }[] };
}

describe("idle and away", () => {
  it("goes away after AWAY_AFTER_MS without activity, and comes back on activity", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    const away = await socket.nextOfType("presence", timers.awayAfterMs + 3000);
    expect(away.presence).toMatchObject({ status: "away", devices: [{ idle: true }] });
    socket.send({ type: "activity" });
    const back = await socket.nextOfType("presence");
    expect(back.presence).toMatchObject({ status: "online", devices: [{ idle: false }] });
  });

  it("stays online while any device is active", async () => {
    const user = uniqueUser();
    const idle = await connectDevice(user, { device: "idle" });
    const busy = await connectDevice(user, { device: "busy" });
    const deadline = Date.now() + timers.awayAfterMs * 2;
    while (Date.now() < deadline) {
      busy.socket.send({ type: "activity" });
      idle.socket.send("ping");
      await sleep(timers.awayAfterMs / 4);
    }
    const presence = await presenceOf(user);
    expect(presence.status).toBe("online");
    expect(presence.devices.filter((d) => d.idle)).toHaveLength(1);
    idle.socket.close();
  });
});

describe("heartbeat", () => {
  it("closes a device that sends no heartbeat with 4000 and the user goes offline", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    expect(await socket.closed(timers.offlineAfterMs + 5000)).toBe(4000);
    await sleep(timers.disconnectGraceMs + 300);
    await runDurableObjectAlarm(presenceStub(user));
    const presence = await presenceOf(user);
    expect(presence.status).toBe("offline");
    expect(presence.lastSeen).not.toBeNull();
  });

  it("keeps a device whose heartbeats arrive, even though they never wake the object", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    const deadline = Date.now() + timers.offlineAfterMs * 2;
    while (Date.now() < deadline) {
      socket.send("ping");
      await sleep(timers.offlineAfterMs / 4);
    }
    expect(socket.closeCode).toBeNull();
    expect((await presenceOf(user)).devices).toHaveLength(1);
  });
});

describe("grace window", () => {
  it("keeps the user's status for DISCONNECT_GRACE_MS after the last device leaves, then goes offline", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    socket.close();
    await sleep(100);
    expect((await presenceOf(user)).status).toBe("online");
    await sleep(timers.disconnectGraceMs + 300);
    const after = await presenceOf(user);
    expect(after.status).toBe("offline");
    expect(after.lastSeen).toBeGreaterThan(0);
  });

  it("shows no offline at all when a device reconnects within the window", async () => {
    const user = uniqueUser();
    const watcher = await connectDevice(user, { device: "watcher" });
    const first = await connectDevice(user, { device: "tab" });
    watcher.socket.close();
    first.socket.close();
    await sleep(timers.disconnectGraceMs / 3);
    const again = await connectDevice(user, { device: "tab" });
    expect((again.hello.presence as { status: string }).status).toBe("online");
    await sleep(timers.disconnectGraceMs + 300);
    const frames = await again.socket.drain();
    expect(frames.filter((f) => typeof f !== "string" && (f.presence as { status?: string })?.status === "offline")).toEqual([]);
    const presence = await presenceOf(user);
    expect(presence.status).toBe("online");
    expect(presence.lastSeen).toBeNull();
  });
});

describe("restart", () => {
  it("restores devices, manual status, text and timestamps after the object is evicted", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user, { device: "desk", type: "desktop" });
    socket.send({ type: "status", status: "busy", text: "deep work" });
    await socket.nextOfType("presence");
    const before = await presenceOf(user);
    await evictDurableObject(presenceStub(user), { webSockets: "hibernate" });
    const after = await presenceOf(user);
    expect(after).toEqual(before);
    expect(after).toMatchObject({ status: "busy", text: "deep work", devices: [{ id: "desk", type: "desktop" }] });
  });

  it("keeps its alarm across eviction, so timers still fire", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    await evictDurableObject(presenceStub(user), { webSockets: "hibernate" });
    const away = await socket.nextOfType("presence", timers.awayAfterMs + 3000);
    expect(away.presence).toMatchObject({ status: "away" });
  });

  it("restores a manual status and lastSeen of an offline user after eviction", async () => {
    const user = uniqueUser();
    const t = await token(user);
    await call("/v1/presence/me", { method: "PUT", token: t, json: { status: "busy", text: "away for lunch" } });
    const { socket } = await connectDevice(user);
    socket.close();
    await sleep(timers.disconnectGraceMs + 300);
    const before = await presenceOf(user);
    await evictDurableObject(presenceStub(user));
    const after = await presenceOf(user);
    expect(after).toEqual(before);
    expect(after.status).toBe("offline");
    expect(after.lastSeen).not.toBeNull();
  });
});
