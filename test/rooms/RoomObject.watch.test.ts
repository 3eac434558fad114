import { describe, expect, it } from "vitest";
import { evictDurableObject } from "cloudflare:test";
import { call, connectDevice, roomStub, sleep, timers, token, uniqueUser, upgrade, watchScope, type Frame } from "../helpers";

type Diff = Frame & { seq: number; joins: { user: string; status: string }[]; updates: { user: string; status: string; text: string | null }[]; leaves: string[] };

const nextDiff = (socket: { nextOfType<T extends Frame>(type: string, timeoutMs?: number): Promise<T> }, timeoutMs?: number) =>
  socket.nextOfType<Diff>("diff", timeoutMs);

describe("watch sockets", () => {
  it("syncs the full roster with the room's seq, then sends joins, updates and leaves with seq rising by one", async () => {
    const org = uniqueUser("org");
    const scope = `org:${org}`;
    const early = uniqueUser("early");
    await connectDevice(early, { org, name: "Early Bird" });
    await sleep(50);
    const { socket, sync } = await watchScope(scope, uniqueUser("viewer"), { org });
    expect(sync).toMatchObject({ type: "sync", scope, members: [{ user: early, status: "online", name: "Early Bird" }] });
    let seq = sync.seq as number;
    const diffFor = async (user: string) => {
      for (;;) {
        socket.send("ping"); // the test outlasts OFFLINE_AFTER_MS: a silent watcher would be closed
        const diff = await nextDiff(socket, timers.disconnectGraceMs + 3000);
        expect(diff.seq).toBe((seq += 1));
        if ([...diff.joins, ...diff.updates].some((m) => m.user === user) || diff.leaves.includes(user)) return diff;
      }
    };

    const user = uniqueUser("alice");
    const device = await connectDevice(user, { org });
    expect(await diffFor(user)).toMatchObject({ scope, joins: [{ user, status: "online" }], updates: [], leaves: [] });

    device.socket.send({ type: "status", status: "busy", text: "call" });
    expect(await diffFor(user)).toMatchObject({ joins: [], updates: [{ user, status: "busy", text: "call" }], leaves: [] });

    device.socket.close();
    expect(await diffFor(user)).toMatchObject({ joins: [], updates: [], leaves: [user] });
  });

  it("starts a later watcher at the room's seq, so both watchers get the same diff frame", async () => {
    const org = uniqueUser("org");
    const scope = `org:${org}`;
    const first = await watchScope(scope, uniqueUser("first"), { org });
    await connectDevice(uniqueUser("a"), { org });
    const joined = await nextDiff(first.socket);
    const second = await watchScope(scope, uniqueUser("second"), { org });
    expect(second.sync.seq).toBe(joined.seq);
    await connectDevice(uniqueUser("b"), { org });
    const [one, two] = await Promise.all([nextDiff(first.socket), nextDiff(second.socket)]);
    expect(two).toEqual(one);
    expect(one.seq).toBe(joined.seq + 1);
  });

  it("sends one user's rapid changes at most once a second, ending with the newest", async () => {
    const org = uniqueUser("org");
    const { socket } = await watchScope(`org:${org}`, uniqueUser("viewer"), { org });
    const user = uniqueUser("flipper");
    const device = await connectDevice(user, { org });
    await nextDiff(socket);
    const started = Date.now();
    for (let i = 0; i < 19; i++) device.socket.send({ type: "status", status: i % 2 === 0 ? "busy" : "away", text: `flip ${i}` });
    const diffs = (await socket.drain(2200)).filter((f): f is Diff => typeof f !== "string" && f.type === "diff");
    expect(Date.now() - started).toBeLessThan(3000);
    expect(diffs.length).toBeGreaterThanOrEqual(1);
    expect(diffs.length).toBeLessThanOrEqual(3);
    expect(diffs.at(-1)?.updates).toMatchObject([{ user, status: "busy", text: "flip 18" }]);
  });

  it("never shows an invisible user, and shows a user going invisible as a leave", async () => {
    const org = uniqueUser("org");
    const { socket } = await watchScope(`org:${org}`, uniqueUser("viewer"), { org });
    const hidden = uniqueUser("hidden");
    await call("/v1/presence/me", { method: "PUT", token: await token(hidden, { org }), json: { status: "invisible" } });
    await connectDevice(hidden, { org });
    const visible = uniqueUser("visible");
    const device = await connectDevice(visible, { org });
    const first = await nextDiff(socket);
    expect(first.joins.map((m) => m.user)).toEqual([visible]);
    device.socket.send({ type: "status", status: "invisible" });
    expect(await nextDiff(socket)).toMatchObject({ leaves: [visible] });
    const members = (await (await call(`/v1/scopes/org:${org}/members`, { token: await token("viewer", { org }) })).json()) as { members: unknown[] };
    expect(members.members).toEqual([]);
  });

  it("shows no leave when the user's page reloads within the grace window", async () => {
    const org = uniqueUser("org");
    const { socket } = await watchScope(`org:${org}`, uniqueUser("viewer"), { org });
    const user = uniqueUser("reloader");
    const first = await connectDevice(user, { org, device: "tab" });
    await nextDiff(socket);
    first.socket.close();
    await sleep(timers.disconnectGraceMs / 3);
    await connectDevice(user, { org, device: "tab" });
    await sleep(timers.disconnectGraceMs + 500);
    expect((await socket.drain()).filter((f) => typeof f !== "string" && f.type === "diff")).toEqual([]);
  });

  it("refuses any frame but ping with read_only, and answers ping with pong", async () => {
    const { socket } = await watchScope("org:ro", uniqueUser("viewer"), { org: "ro" });
    socket.send({ type: "activity" });
    expect(await socket.nextOfType("error")).toMatchObject({ code: "read_only" });
    socket.send("ping");
    expect(await socket.next((frame) => frame === "pong")).toBe("pong");
  });

  it("does not make the watcher online", async () => {
    const org = uniqueUser("org");
    const viewer = uniqueUser("viewer");
    await watchScope(`org:${org}`, viewer, { org });
    const count = (await (await call(`/v1/scopes/org:${org}/count`, { token: await token(viewer, { org }) })).json()) as { total: number };
    expect(count.total).toBe(0);
    const presence = (await (await call(`/v1/presence/${viewer}`, { token: await token(viewer) })).json()) as { status: string };
    expect(presence.status).toBe("offline");
  });

  it("keeps watchers and seq across a hibernation of the room", async () => {
    const org = uniqueUser("org");
    const scope = `org:${org}`;
    const { socket } = await watchScope(scope, uniqueUser("viewer"), { org });
    const first = await connectDevice(uniqueUser("a"), { org });
    expect(await nextDiff(socket)).toMatchObject({ seq: 1 });
    await evictDurableObject(roomStub(scope), { webSockets: "hibernate" });
    first.socket.send({ type: "status", status: "busy" });
    expect(await nextDiff(socket)).toMatchObject({ seq: 2, updates: [{ status: "busy" }] });
  });

  it("closes a watcher that sends no heartbeat with 4000, and keeps one that does", async () => {
    const silent = await watchScope("zone:hb", uniqueUser("silent"), { zone: "hb" });
    const steady = await watchScope("zone:hb", uniqueUser("steady"), { zone: "hb" });
    const deadline = Date.now() + timers.offlineAfterMs + 2500;
    while (silent.socket.closeCode === null && Date.now() < deadline) {
      steady.socket.send("ping");
      await sleep(timers.offlineAfterMs / 4);
    }
    expect(silent.socket.closeCode).toBe(4000);
    expect(steady.socket.closeCode).toBeNull();
  });

  it("answers a watcher's close at once", async () => {
    const { socket } = await watchScope("org:leaving", uniqueUser("leaving"), { org: "leaving" });
    socket.close(1000);
    expect(await socket.closed(2000)).toBe(1000);
  });

  it("refuses a plain request with 426", async () => {
    const response = await call(`/v1/scopes/global/watch`, { token: await token(uniqueUser()) });
    expect(response.status).toBe(426);
  });
});

describe("scope access", () => {
  const cases = [
    ["another org", "org:other"],
    ["another zone", "zone:elsewhere"],
  ] as const;
  for (const [label, scope] of cases) {
    it(`refuses ${label} with 403 on members, count and watch`, async () => {
      const t = await token(uniqueUser(), { org: "mine", zone: "here" });
      for (const path of [`/v1/scopes/${scope}/members`, `/v1/scopes/${scope}/count`]) {
        const response = await call(path, { token: t });
        expect(response.status).toBe(403);
        expect(await response.json()).toMatchObject({ error: { code: "forbidden_scope" } });
      }
      const watch = await upgrade(`/v1/scopes/${scope}/watch?token=${t}`);
      expect(watch.status).toBe(403);
      expect(watch.webSocket).toBeNull();
    });
  }

  it("refuses org and zone scopes to a token without org or zone", async () => {
    const t = await token(uniqueUser());
    expect((await call("/v1/scopes/org:acme/count", { token: t })).status).toBe(403);
    expect((await call("/v1/scopes/zone:eu/count", { token: t })).status).toBe(403);
  });

  for (const scope of ["team:x", "org:", "org:bad%20id", `org:${"x".repeat(65)}`, "global:x", "zone"]) {
    it(`refuses the malformed scope ${scope.slice(0, 20)} with 400`, async () => {
      const t = await token(uniqueUser(), { org: "x" });
      const response = await call(`/v1/scopes/${scope}/count`, { token: t });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
      expect((await upgrade(`/v1/scopes/${scope}/watch?token=${t}`)).status).toBe(400);
    });
  }
});
