import { describe, expect, it } from "vitest";
import { call, connectDevice, sleep, timers, token, uniqueUser, type Frame } from "../helpers";

async function view(user: string, viewer: string) {
  return (await (await call(`/v1/presence/${user}`, { token: await token(viewer) })).json()) as Record<string, unknown>;
}

describe("manual statuses", () => {
  for (const status of ["away", "busy", "invisible"] as const) {
    it(`shows ${status} to the user while they chose it, even when active`, async () => {
      const user = uniqueUser();
      const { socket } = await connectDevice(user);
      socket.send({ type: "status", status });
      expect((await socket.nextOfType("presence")).presence).toMatchObject({ status });
      socket.send({ type: "activity" });
      expect(await view(user, user)).toMatchObject({ status });
    });
  }

  it("keeps a manual busy past the idle timeout", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    socket.send({ type: "status", status: "busy" });
    await socket.nextOfType("presence");
    await sleep(timers.awayAfterMs + 300);
    expect(await view(user, user)).toMatchObject({ status: "busy" });
  });

  it("goes back to automatic with auto", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    socket.send({ type: "status", status: "away" });
    expect((await socket.nextOfType("presence")).presence).toMatchObject({ status: "away" });
    socket.send({ type: "status", status: "auto" });
    expect((await socket.nextOfType("presence")).presence).toMatchObject({ status: "online" });
  });

  it("sets and clears the status text", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    socket.send({ type: "status", status: "busy", text: "on a call" });
    expect((await socket.nextOfType("presence")).presence).toMatchObject({ text: "on a call" });
    socket.send({ type: "status", status: "auto" });
    expect((await socket.nextOfType("presence")).presence).toMatchObject({ status: "online", text: "on a call" });
    socket.send({ type: "status", status: "auto", text: "" });
    expect((await socket.nextOfType("presence")).presence).toMatchObject({ text: null });
  });
});

describe("invisible", () => {
  it("looks exactly like offline to others, and like invisible to the user", async () => {
    const ghost = uniqueUser("ghost");
    const offline = uniqueUser("offline");
    const viewer = uniqueUser("viewer");
    const gone = await connectDevice(offline);
    gone.socket.close();
    const { socket } = await connectDevice(ghost);
    socket.send({ type: "status", status: "invisible", text: "secret" });
    await socket.nextOfType("presence");
    await sleep(timers.disconnectGraceMs + 300);
    const seen = await view(ghost, viewer);
    expect(seen).toMatchObject({ user: ghost, status: "offline", text: null, devices: [] });
    const offlineSeen = await view(offline, viewer);
    expect(Object.keys(seen).sort()).toEqual(Object.keys(offlineSeen).sort());
    expect(typeof seen.lastSeen).toBe(typeof offlineSeen.lastSeen);
    expect(await view(ghost, ghost)).toMatchObject({ status: "invisible", text: "secret", devices: [{}] });
  });

  it("does not let others see activity while invisible", async () => {
    const ghost = uniqueUser("ghost");
    const viewer = uniqueUser("viewer");
    const { socket } = await connectDevice(ghost);
    socket.send({ type: "status", status: "invisible" });
    await socket.nextOfType("presence");
    const before = await view(ghost, viewer);
    await sleep(20);
    socket.send({ type: "activity" });
    await sleep(50);
    expect(await view(ghost, viewer)).toEqual(before);
  });
});

describe("REST", () => {
  it("reads an unknown user as offline with nulls", async () => {
    const user = uniqueUser("nobody");
    expect(await view(user, "someone")).toEqual({ user, status: "offline", text: null, lastActive: null, lastSeen: null, devices: [] });
  });

  it("reads one's own presence at /v1/presence/me", async () => {
    const user = uniqueUser();
    await connectDevice(user);
    expect(await view("me", user)).toMatchObject({ user, status: "online" });
  });

  it("sets the caller's status with PUT /v1/presence/me and pushes it to their devices", async () => {
    const user = uniqueUser();
    const { socket } = await connectDevice(user);
    const response = await call("/v1/presence/me", { method: "PUT", token: await token(user), json: { status: "busy", text: "focus time" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user, status: "busy", text: "focus time" });
    expect((await socket.nextOfType("presence")).presence).toMatchObject({ status: "busy", text: "focus time" });
  });

  it("refuses an invalid PUT body with 400", async () => {
    const t = await token(uniqueUser());
    for (const json of [{ status: "sleeping" }, { text: "x".repeat(141) }, { status: "busy", mood: "great" }, []]) {
      const response = await call("/v1/presence/me", { method: "PUT", token: t, json });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
    }
  });

  it("reads up to 100 users in one batch", async () => {
    const online = uniqueUser();
    await connectDevice(online, { org: "batch" });
    const users = [online, ...Array.from({ length: 99 }, (_, i) => `batch-${i}`)];
    const response = await call("/v1/presence/batch", { method: "POST", token: await token("reader", { org: "batch" }), json: { users } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { presence: Record<string, Frame> };
    expect(Object.keys(body.presence)).toHaveLength(100);
    expect(body.presence[online]).toMatchObject({ status: "online" });
    expect(body.presence["batch-5"]).toMatchObject({ status: "offline" });
  });

  it("refuses an empty batch, a batch over 100 users and invalid ids with 400", async () => {
    const t = await token("reader");
    const tooMany = Array.from({ length: 101 }, (_, i) => `u${i}`);
    for (const json of [{ users: [] }, { users: tooMany }, { users: ["bad id"] }, {}]) {
      const response = await call("/v1/presence/batch", { method: "POST", token: t, json });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
    }
  });
});

describe("a status that lapses", () => {
  it("goes back to automatic with no text when its until passes, over REST and the status frame", async () => {
    const user = uniqueUser("meeting");
    const { socket } = await connectDevice(user);
    const until = Date.now() + 800;
    const chosen = await call("/v1/presence/me", { method: "PUT", token: await token(user), json: { status: "busy", text: "in a meeting", until } });
    expect(await chosen.json()).toMatchObject({ status: "busy", text: "in a meeting" });
    await socket.next((frame) => typeof frame !== "string" && frame.type === "presence" && (frame.presence as Frame).status === "busy");
    const lapsed = await socket.next((frame) => typeof frame !== "string" && frame.type === "presence" && (frame.presence as Frame).status !== "busy", 4000);
    expect(lapsed).toMatchObject({ presence: { status: "online", text: null } });
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    socket.send({ type: "status", status: "away", until: Date.now() + 600 });
    await socket.next((frame) => typeof frame !== "string" && frame.type === "presence" && (frame.presence as Frame).status === "away");
    expect(await socket.next((frame) => typeof frame !== "string" && frame.type === "presence", 4000)).toMatchObject({ presence: { status: "online" } });
  });

  it("refuses an until in the past or more than 7 days ahead", async () => {
    const user = uniqueUser("meeting");
    const bearer = await token(user);
    for (const until of [Date.now() - 1000, Date.now() + 8 * 24 * 3600 * 1000, 1.5, "soon"]) {
      const response = await call("/v1/presence/me", { method: "PUT", token: bearer, json: { status: "busy", until } });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
    }
    const { socket } = await connectDevice(user);
    socket.send({ type: "status", status: "busy", until: Date.now() - 1 });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "invalid_frame" });
  });
});
