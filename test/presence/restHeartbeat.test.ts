import { describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { sweptByGlobal } from "../../src/presence/roomSync";
import { call, connectDevice, eventually, inPresenceObject, presenceStub, sleep, timers, token, uniqueUser, watchScope, type Frame, type TestSocket } from "../helpers";

const SERVICE_KEY = "service-key-one-0123456789abcdef0123456789";

type Presence = { user: string; status: string; devices: { id: string; type: string; idle: boolean }[]; lastSeen: number | null };

/** Sends one heartbeat of `user` (no body when `json` is undefined) and answers the response. */
async function heartbeat(user: string, json?: unknown, options: { org?: string } = {}): Promise<Response> {
  return call("/v1/presence/me/heartbeat", { method: "POST", token: await token(user, options), ...(json === undefined ? {} : { json }) });
}

/** The next diff on a watch socket that takes someone out of the roster; the watcher pings meanwhile (else it is closed after OFFLINE_AFTER_MS). */
async function nextLeave(watcher: TestSocket, timeoutMs: number): Promise<Frame> {
  const pings = setInterval(() => watcher.send("ping"), timers.offlineAfterMs / 4);
  try {
    return await watcher.next((frame) => typeof frame !== "string" && frame.type === "diff" && (frame.leaves as string[]).length > 0, timeoutMs);
  } finally {
    clearInterval(pings);
  }
}

async function presenceOf(user: string, viewer = user, options: { org?: string } = {}): Promise<Presence> {
  return (await (await call(`/v1/presence/${user}`, { token: await token(viewer, options) })).json()) as Presence;
}

/** Heartbeats every `everyMs` for `forMs`. */
async function keepBeating(user: string, forMs: number, json?: unknown, everyMs = timers.offlineAfterMs / 4): Promise<void> {
  const deadline = Date.now() + forMs;
  while (Date.now() < deadline) {
    expect((await heartbeat(user, json)).status).toBe(200);
    await sleep(everyMs);
  }
}

describe("POST /v1/presence/me/heartbeat", () => {
  it("puts the user online with a `rest` device, answers their presence and when to beat next", async () => {
    const user = uniqueUser("rest");
    const response = await heartbeat(user);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      presence: expect.objectContaining({ user, status: "online", devices: [{ id: "rest", type: "rest", idle: false }] }),
      heartbeatMs: timers.offlineAfterMs / 2,
    });
  });

  it("joins the user's org roster as a socket device would (the watcher sees the join) and a colleague sees the device", async () => {
    const org = uniqueUser("org");
    const user = uniqueUser("rest");
    const { socket: watcher } = await watchScope(`org:${org}`, "watcher", { org });
    expect((await heartbeat(user, { device: "laptop" }, { org })).status).toBe(200);
    const join = await watcher.nextOfType("diff");
    expect(join.joins).toMatchObject([{ user, status: "online" }]);
    const seen = await presenceOf(user, "colleague", { org });
    expect(seen).toMatchObject({ status: "online", devices: [{ id: "laptop", type: "rest" }] });
    watcher.close();
  });

  it("sets the object's own alarm at OFFLINE_AFTER_MS after the last heartbeat, even once global holds the user", async () => {
    const user = uniqueUser("rest");
    // Busy: no turning away is due, so the alarm is the device's expiry alone.
    await call("/v1/presence/me", { method: "PUT", token: await token(user), json: { status: "busy" } });
    await heartbeat(user);
    await sleep(300); // the global join goes out (and is confirmed) meanwhile
    const before = Date.now();
    await heartbeat(user);
    const after = Date.now();
    const alarm = await runInDurableObject(presenceStub(user), (_instance, state) => state.storage.getAlarm());
    expect(await inPresenceObject(user, (presence) => sweptByGlobal(presence.store.load()?.rooms ?? []))).toBe(true);
    expect(alarm).toBeGreaterThanOrEqual(before + timers.offlineAfterMs);
    expect(alarm).toBeLessThanOrEqual(after + timers.offlineAfterMs);
  });

  it("keeps the user online past OFFLINE_AFTER_MS while heartbeats come", async () => {
    const user = uniqueUser("rest");
    await keepBeating(user, timers.offlineAfterMs * 1.5);
    expect(await presenceOf(user)).toMatchObject({ devices: [{ id: "rest", type: "rest" }] });
    expect((await presenceOf(user)).status).not.toBe("offline");
  });

  it("lets the user go offline after OFFLINE_AFTER_MS and the grace window once heartbeats stop (the watcher sees the leave)", async () => {
    const org = uniqueUser("org");
    const user = uniqueUser("rest");
    const { socket: watcher } = await watchScope(`org:${org}`, "watcher", { org });
    const pings = setInterval(() => watcher.send("ping"), timers.offlineAfterMs / 4);
    const started = Date.now();
    await heartbeat(user, undefined, { org });
    expect((await watcher.nextOfType("diff")).joins).toMatchObject([{ user }]);
    await sleep(timers.offlineAfterMs - 300);
    expect((await presenceOf(user)).devices).toHaveLength(1);
    const leave = await nextLeave(watcher, timers.offlineAfterMs + timers.disconnectGraceMs + 3000);
    expect(leave.leaves).toEqual([user]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(timers.offlineAfterMs + timers.disconnectGraceMs);
    const gone = await presenceOf(user);
    expect(gone).toMatchObject({ status: "offline", devices: [] });
    expect(gone.lastSeen).toBeGreaterThanOrEqual(started + timers.offlineAfterMs);
    clearInterval(pings);
    watcher.close();
  });

  it("keeps the user online with `active`, where heartbeats alone let them turn away", async () => {
    const active = uniqueUser("active");
    const idle = uniqueUser("idle");
    await Promise.all([keepBeating(active, timers.awayAfterMs + 700, { active: true }), keepBeating(idle, timers.awayAfterMs + 700)]);
    expect(await presenceOf(active)).toMatchObject({ status: "online", devices: [{ idle: false }] });
    expect(await presenceOf(idle)).toMatchObject({ status: "away", devices: [{ idle: true }] });
  });

  it("shows a REST device beside a socket device: the socket is told of it, and of its end", async () => {
    const user = uniqueUser("both");
    const { socket } = await connectDevice(user, { device: "tab" });
    await heartbeat(user, { device: "phone-rest" });
    const both = await socket.nextOfType("presence");
    expect((both.presence as Presence).devices.map((device) => [device.id, device.type])).toEqual([["tab", "web"], ["phone-rest", "rest"]]);
    const ended = await call("/v1/presence/me/heartbeat?device=phone-rest", { method: "DELETE", token: await token(user) });
    expect(((await ended.json()) as { presence: Presence }).presence).toMatchObject({ status: "online", devices: [{ id: "tab" }] });
    expect(((await socket.nextOfType("presence")).presence as Presence).devices.map((device) => device.id)).toEqual(["tab"]);
    socket.close();
  });

  it("ends the REST device at once on DELETE, offline after the grace window (the watcher sees the leave)", async () => {
    const org = uniqueUser("org");
    const user = uniqueUser("rest");
    const { socket: watcher } = await watchScope(`org:${org}`, "watcher", { org });
    await heartbeat(user, undefined, { org });
    await watcher.nextOfType("diff");
    const response = await call("/v1/presence/me/heartbeat", { method: "DELETE", token: await token(user, { org }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ presence: { status: "online", devices: [] }, heartbeatMs: 0 });
    const left = Date.now();
    expect((await nextLeave(watcher, timers.disconnectGraceMs + 3000)).leaves).toEqual([user]);
    expect(Date.now() - left).toBeGreaterThanOrEqual(timers.disconnectGraceMs - 100);
    expect(Date.now() - left).toBeLessThan(timers.offlineAfterMs);
    expect(await presenceOf(user)).toMatchObject({ status: "offline" });
    watcher.close();
  });

  it("ends the REST device on a heartbeat with `leave`, and a heartbeat within the grace window shows no offline", async () => {
    const user = uniqueUser("rest");
    await heartbeat(user);
    const left = await heartbeat(user, { leave: true });
    expect(await left.json()).toMatchObject({ presence: { devices: [] }, heartbeatMs: 0 });
    expect((await heartbeat(user)).status).toBe(200);
    await sleep(timers.disconnectGraceMs + 200);
    expect(await presenceOf(user)).toMatchObject({ status: "online", devices: [{ id: "rest" }] });
  });

  it("refuses a missing token (401), a bad device id, an unknown field or a body that is not JSON (400), and a service key (403)", async () => {
    const user = uniqueUser("rest");
    expect((await call("/v1/presence/me/heartbeat", { method: "POST" })).status).toBe(401);
    for (const json of [{ device: "bad id" }, { device: "" }, { active: "yes" }, { extra: 1 }]) {
      const response = await heartbeat(user, json);
      expect(response.status, JSON.stringify(json)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
    }
    const notJson = await call("/v1/presence/me/heartbeat", { method: "POST", token: await token(user), body: "{", headers: { "Content-Type": "application/json" } });
    expect(notJson.status).toBe(400);
    const service = await call("/v1/presence/me/heartbeat", { method: "POST", token: SERVICE_KEY });
    expect(service.status).toBe(403);
    expect((await presenceOf(user)).status).toBe("offline");
  });

  it("refuses a token issued before a sign-out everywhere with 401 revoked_token", async () => {
    const user = uniqueUser("rest");
    const old = await token(user, { issuedAt: Math.floor(Date.now() / 1000) - 10 });
    expect((await call("/v1/presence/me/heartbeat", { method: "POST", token: old })).status).toBe(200);
    expect((await call(`/v1/users/${user}/disconnect`, { method: "POST", token: SERVICE_KEY })).status).toBe(204);
    const refused = await call("/v1/presence/me/heartbeat", { method: "POST", token: old });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: "revoked_token" } });
    expect((await presenceOf(user)).devices).toEqual([]);
  });

  it("counts REST devices toward MAX_DEVICES (10), with sockets; a device already held always beats", async () => {
    const user = uniqueUser("many");
    const { socket } = await connectDevice(user, { device: "tab" });
    for (let index = 0; index < 9; index += 1) expect((await heartbeat(user, { device: `rest-${index}` })).status).toBe(200);
    const eleventh = await heartbeat(user, { device: "rest-9" });
    expect(eleventh.status).toBe(429);
    expect(await eleventh.json()).toMatchObject({ error: { code: "too_many_devices" } });
    expect((await heartbeat(user, { device: "rest-0" })).status).toBe(200);
    const query = new URLSearchParams({ token: await token(user), device: "tab-2" });
    const refusedSocket = await call(`/v1/connect?${query}`, { headers: { Upgrade: "websocket" } });
    expect(refusedSocket.status).toBe(429);
    expect((await presenceOf(user)).devices).toHaveLength(10);
    socket.close();
  });

  it("takes over a socket of the same device id (4001), as a newer connection of that device", async () => {
    const user = uniqueUser("switch");
    const { socket } = await connectDevice(user, { device: "tab" });
    await heartbeat(user, { device: "tab" });
    expect(await socket.closed()).toBe(4001);
    await eventually(async () => (await presenceOf(user)).devices.every((device) => device.type === "rest"));
    expect((await presenceOf(user)).devices).toEqual([{ id: "tab", type: "rest", idle: false }]);
  });
});
