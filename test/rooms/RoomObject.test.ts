import { describe, expect, it, onTestFinished } from "vitest";
import { evictDurableObject } from "cloudflare:test";
import type { Member } from "../../src/protocol/presence";
import { call, connectDevice, eventually, roomStub, sleep, timers, token, uniqueUser, watchScope, type Frame } from "../helpers";

const member = (user: string, lastActive: number, status: Member["status"] = "online"): Member => ({ user, status, text: null, lastActive });

async function membersPage(scope: string, viewer: string, query: string) {
  const org = scope.startsWith("org:") ? scope.slice(4) : undefined;
  const response = await call(`/v1/scopes/${scope}/members?${query}`, { token: await token(viewer, org ? { org } : {}) });
  return { status: response.status, body: (await response.json()) as { members: Member[]; next: string | null } };
}

describe("members", () => {
  it("pages through more members than one page, newest activity first, each member once", async () => {
    const scope = `org:${uniqueUser("org")}`;
    const room = roomStub(scope);
    const users = Array.from({ length: 7 }, (_, i) => `m${i}`);
    await Promise.all(users.map((user, i) => room.apply({ user, member: member(user, 1_000 + (i % 3)), rev: 1 })));
    const seen: Member[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = cursor === null ? "limit=3" : `limit=3&cursor=${cursor}`;
      const { body } = await membersPage(scope, "viewer", query);
      expect(body.members.length).toBeLessThanOrEqual(3);
      seen.push(...body.members);
      cursor = body.next;
      if (cursor === null) break;
    }
    expect(seen.map((m) => m.user).sort()).toEqual(users);
    const order = seen.map((m) => m.lastActive ?? 0);
    expect(order).toEqual([...order].sort((a, b) => b - a));
  });

  it("refuses a limit outside 1-200 and a cursor it did not make", async () => {
    const scope = "org:paging";
    for (const query of ["limit=0", "limit=201", "limit=abc", "cursor=garbage"]) {
      const { status, body } = await membersPage(scope, "viewer", query);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: { code: "invalid_request" } });
    }
  });

  it("counts members by status, matching the roster", async () => {
    const org = uniqueUser("org");
    const scope = `org:${org}`;
    const [a, b, c] = [uniqueUser("a"), uniqueUser("b"), uniqueUser("c")];
    // Statuses chosen before connecting arrive with the join (no AWAY_AFTER_MS race with the push interval).
    await call("/v1/presence/me", { method: "PUT", token: await token(a, { org }), json: { status: "busy" } });
    await call("/v1/presence/me", { method: "PUT", token: await token(c, { org }), json: { status: "away" } });
    for (const user of [a, b, c]) await connectDevice(user, { org });
    const viewer = await token("viewer", { org });
    const expected = { scope, online: 1, away: 1, busy: 1, total: 3 };
    const count = async () => (await call(`/v1/scopes/${scope}/count`, { token: viewer })).json();
    await eventually(async () => JSON.stringify(await count()) === JSON.stringify(expected), 1000, "the counts");
    expect(await count()).toEqual(expected);
    const { body } = await membersPage(scope, "viewer", "limit=200");
    expect(body.members.map((m) => m.status).sort()).toEqual(["away", "busy", "online"]);
  });

  it("reports the caller's own scope totals at /v1/counts", async () => {
    const org = uniqueUser("org");
    const zone = uniqueUser("zone");
    await connectDevice(uniqueUser("a"), { org, zone });
    await connectDevice(uniqueUser("b"), { org });
    await sleep(50);
    const counts = (await (await call("/v1/counts", { token: await token("viewer", { org, zone }) })).json()) as Record<string, number | null>;
    expect(counts).toMatchObject({ org: 2, zone: 1 });
    expect(counts.global).toBeGreaterThanOrEqual(2);
    const noScopes = (await (await call("/v1/counts", { token: await token("viewer") })).json()) as Record<string, number | null>;
    expect(noScopes).toMatchObject({ org: null, zone: null });
  });
});

describe("propagation", () => {
  it("moves a user out of their old org when their token's org changes", async () => {
    const oldOrg = uniqueUser("old");
    const newOrg = uniqueUser("new");
    const user = uniqueUser("mover");
    const { socket } = await watchScope(`org:${oldOrg}`, "viewer", { org: oldOrg });
    const first = await connectDevice(user, { org: oldOrg, device: "d" });
    expect((await socket.nextOfType("diff")).joins).toMatchObject([{ user }]);
    await connectDevice(user, { org: newOrg, device: "d" });
    expect(await socket.nextOfType("diff")).toMatchObject({ leaves: [user] });
    expect(first.socket.closeCode).not.toBeNull();
  });

  it("keeps a user with devices in two orgs in both rosters, and drops the org of a device that left", async () => {
    const [orgA, orgB] = [uniqueUser("a"), uniqueUser("b")];
    const user = uniqueUser("two-orgs");
    const laptop = await connectDevice(user, { org: orgA, device: "laptop" });
    const phone = await connectDevice(user, { org: orgB, device: "phone" });
    // The laptop stays: it pings, as clients do, so the heartbeat timeout does not take it.
    const pinging = setInterval(() => laptop.socket.send("ping"), 400);
    onTestFinished(() => clearInterval(pinging));
    const total = async (org: string) => (await roomStub(`org:${org}`).count()).total;
    await eventually(async () => (await total(orgA)) === 1 && (await total(orgB)) === 1, 3000, "both rosters");
    phone.socket.close();
    await eventually(async () => (await total(orgB)) === 0, timers.disconnectGraceMs + 3000, "org B dropping the user");
    expect(await total(orgA)).toBe(1);
    const rest = await call("/v1/presence/me", { method: "PUT", token: await token(user), json: { status: "busy" } });
    expect(rest.status).toBe(200);
    await eventually(async () => (await roomStub(`org:${orgA}`).members(10, null, ""))?.members[0]?.status === "busy", 3000, "the busy status");
    expect(await total(orgA)).toBe(1);
  });

  it("keeps a visible user in the roster past three leases: their object answers each sweep that they are a member", async () => {
    const org = uniqueUser("org");
    const { socket } = await connectDevice(uniqueUser("steady"), { org });
    socket.send({ type: "status", status: "busy" });
    await socket.nextOfType("presence");
    const deadline = Date.now() + timers.leaseMs * 3.5;
    while (Date.now() < deadline) {
      socket.send("ping");
      await sleep(timers.offlineAfterMs / 4);
    }
    const { body } = await membersPage(`org:${org}`, "viewer", "");
    expect(body.members).toHaveLength(1);
  });

  it("lets go of a member whose object says they are not one (a ghost), no sooner than three leases after last hearing of them, with a leave diff", async () => {
    const scope = `org:${uniqueUser("org")}`;
    const ghost = uniqueUser("ghost");
    const heard = Date.now();
    await roomStub(scope).apply({ user: ghost, member: member(ghost, heard), rev: 1 });
    const { socket, sync } = await watchScope(scope, "viewer", { org: scope.slice(4) });
    expect(sync.members).toMatchObject([{ user: ghost }]);
    const deadline = Date.now() + timers.leaseMs * 3 + 4000;
    let leave: Frame | undefined;
    while (!leave && Date.now() < deadline) {
      socket.send("ping");
      leave = await socket.nextOfType("diff", timers.leaseMs / 4).catch(() => undefined);
    }
    expect(leave).toMatchObject({ leaves: [ghost] });
    expect(Date.now() - heard).toBeGreaterThanOrEqual(timers.leaseMs * 3);
  });

  it("drops a push older than the one it holds", async () => {
    const scope = `org:${uniqueUser("org")}`;
    const room = roomStub(scope);
    await room.apply({ user: "u", member: member("u", 5, "busy"), rev: 5 });
    await room.apply({ user: "u", member: null, rev: 4 });
    await room.apply({ user: "u", member: member("u", 3, "online"), rev: 3 });
    expect(await room.count()).toMatchObject({ busy: 1, total: 1 });
  });

  it("keeps its roster across a restart", async () => {
    const org = uniqueUser("org");
    const scope = `org:${org}`;
    await connectDevice(uniqueUser("kept"), { org, name: "Kept" });
    await sleep(50);
    const before = await membersPage(scope, "viewer", "");
    await evictDurableObject(roomStub(scope));
    const after = await membersPage(scope, "viewer", "");
    expect(after.body).toEqual(before.body);
    expect(after.body.members).toMatchObject([{ name: "Kept" }]);
  });
});
