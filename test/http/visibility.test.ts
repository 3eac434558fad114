import { describe, expect, it, onTestFinished } from "vitest";
import app from "../../src/index";
import { call, connectDevice, eventually, roomStub, testEnv, timers, token, uniqueUser, watchScope, type Frame } from "../helpers";

const SERVICE_KEY = "service-key-one-0123456789abcdef0123456789";
const UNKNOWN = { status: "offline", text: null, lastActive: null, lastSeen: null, devices: [] };

async function read(user: string, bearer: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await call(`/v1/presence/${user}`, { token: bearer });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A user online in `org` who chose `busy` with a text, so a view that shows them is easy to tell from an unknown one. */
async function busyUser(org: string, prefix = "subject") {
  const user = uniqueUser(prefix);
  const device = await connectDevice(user, { org });
  device.socket.send({ type: "status", status: "busy", text: "in a meeting" });
  await device.socket.nextOfType("presence");
  return { user, device };
}

async function put(path: string, bearer: string, json: unknown): Promise<Response> {
  return call(path, { method: "PUT", token: bearer, json });
}

describe("who sees whom over REST", () => {
  it("shows a user to a colleague in a shared org, and to a service caller", async () => {
    const org = uniqueUser("org");
    const { user } = await busyUser(org);
    expect((await read(user, await token(uniqueUser("colleague"), { org }))).body).toMatchObject({ status: "busy", text: "in a meeting" });
    expect((await read(user, SERVICE_KEY)).body).toMatchObject({ status: "busy", text: "in a meeting" });
  });

  it("shows a user of another org exactly as one who never existed, one by one and in a batch", async () => {
    const { user } = await busyUser(uniqueUser("org"));
    const stranger = await token(uniqueUser("stranger"), { org: uniqueUser("other-org") });
    const hidden = await read(user, stranger);
    const never = await read("never-connected-user", stranger);
    expect(hidden).toEqual({ status: 200, body: { user, ...UNKNOWN } });
    expect(JSON.stringify(hidden.body).replace(user, "X")).toBe(JSON.stringify(never.body).replace("never-connected-user", "X"));
    const batch = await call("/v1/presence/batch", { method: "POST", token: stranger, json: { users: [user, "never-connected-user"] } });
    const expected = { [user]: { user, ...UNKNOWN }, "never-connected-user": { user: "never-connected-user", ...UNKNOWN } };
    expect(((await batch.json()) as { presence: Record<string, unknown> }).presence).toEqual(expected);
    const polled = await call(`/v1/presence?users=${user},never-connected-user`, { token: stranger });
    expect(((await polled.json()) as { presence: Record<string, unknown> }).presence).toEqual(expected);
  });

  it("does not show users who share only global while GLOBAL_VISIBILITY is counts, and does when it is everyone", async () => {
    const { user } = await busyUser(uniqueUser("org"));
    const outsider = await token(uniqueUser("outsider"));
    expect((await read(user, outsider)).body).toEqual({ user, ...UNKNOWN });
    const everyone = { ...testEnv, GLOBAL_VISIBILITY: "everyone" };
    const response = await app.fetch(new Request(`http://presence.test/v1/presence/${user}`, { headers: { Authorization: `Bearer ${outsider}` } }), everyone);
    expect(await response.json()).toMatchObject({ status: "busy", text: "in a meeting" });
  });
});

describe("the global scope", () => {
  it("offers users only its counts while GLOBAL_VISIBILITY is counts; service callers read it all", async () => {
    const reader = await token(uniqueUser("reader"), { org: uniqueUser("org") });
    for (const path of ["/v1/scopes/global/members", "/v1/scopes/global/watch"]) {
      const response = await call(path, { token: reader, headers: { Upgrade: "websocket" } });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: "forbidden_scope" } });
    }
    expect((await call("/v1/scopes/global/count", { token: reader })).status).toBe(200);
    expect((await call("/v1/counts", { token: reader })).status).toBe(200);
    expect((await call("/v1/scopes/global/members", { token: SERVICE_KEY })).status).toBe(200);
  });

  it("lets users read its members when GLOBAL_VISIBILITY is everyone", async () => {
    const reader = await token(uniqueUser("reader"));
    const everyone = { ...testEnv, GLOBAL_VISIBILITY: "everyone" };
    const response = await app.fetch(new Request("http://presence.test/v1/scopes/global/members", { headers: { Authorization: `Bearer ${reader}` } }), everyone);
    expect(response.status).toBe(200);
  });
});

describe("privacy settings", () => {
  it("default to everyone, and are read and changed at /v1/privacy/me", async () => {
    const me = await token(uniqueUser("private"));
    expect(await (await call("/v1/privacy/me", { token: me })).json()).toEqual({ visibility: "everyone", lastSeen: "everyone" });
    const changed = await put("/v1/privacy/me", me, { lastSeen: "contacts" });
    expect(await changed.json()).toEqual({ visibility: "everyone", lastSeen: "contacts" });
    for (const bad of [{ visibility: "friends" }, { other: 1 }, []]) expect((await put("/v1/privacy/me", me, bad)).status).toBe(400);
  });

  it("contacts: only contacts see the user, who leaves every roster and count", async () => {
    const org = uniqueUser("org");
    const { user } = await busyUser(org);
    const [contact, colleague] = [uniqueUser("contact"), uniqueUser("colleague")];
    const own = await token(user, { org });
    expect((await put("/v1/contacts/me", own, { add: [contact] })).status).toBe(200);
    await eventually(async () => (await roomStub(`org:${org}`).count()).total === 1, 3000, "the user in the roster");
    await put("/v1/privacy/me", own, { visibility: "contacts" });
    expect((await read(user, await token(colleague, { org }))).body).toEqual({ user, ...UNKNOWN });
    expect((await read(user, await token(contact))).body).toMatchObject({ status: "busy" });
    await eventually(async () => (await roomStub(`org:${org}`).count()).total === 0, 3000, "the user leaving the roster");
    const members = (await (await call(`/v1/scopes/org:${org}/members`, { token: SERVICE_KEY })).json()) as { members: unknown[] };
    expect(members.members).toEqual([]);
  });

  it("nobody: every other user, contacts too, sees an unknown user; service callers still see them", async () => {
    const org = uniqueUser("org");
    const { user } = await busyUser(org);
    const contact = uniqueUser("contact");
    const own = await token(user, { org });
    await put("/v1/contacts/me", own, { add: [contact] });
    await put("/v1/privacy/me", own, { visibility: "nobody" });
    expect((await read(user, await token(contact, { org }))).body).toEqual({ user, ...UNKNOWN });
    expect((await read(user, SERVICE_KEY)).body).toMatchObject({ status: "busy" });
    expect((await read("me", own)).body).toMatchObject({ status: "busy" });
  });

  it("lastSeen: those not allowed get null lastActive and lastSeen, over REST and in rosters", async () => {
    const org = uniqueUser("org");
    const { user } = await busyUser(org);
    const contact = uniqueUser("contact");
    const own = await token(user, { org });
    await put("/v1/contacts/me", own, { add: [contact] });
    await put("/v1/privacy/me", own, { lastSeen: "contacts" });
    expect((await read(user, await token(uniqueUser("colleague"), { org }))).body).toMatchObject({ status: "busy", lastActive: null, lastSeen: null });
    expect((await read(user, await token(contact, { org }))).body.lastActive).toEqual(expect.any(Number));
    await eventually(async () => (await roomStub(`org:${org}`).members(10, null, ""))?.members[0]?.lastActive === null, 3000, "the roster hiding activity");
  });

  it("keeps the roster order when activity is hidden, and pages by user id only", async () => {
    const org = uniqueUser("org");
    const first = await busyUser(org, "first");
    const second = await busyUser(org, "second");
    const page = async (cursor?: string) =>
      (await (await call(`/v1/scopes/org:${org}/members?limit=1${cursor ? `&cursor=${cursor}` : ""}`, { token: await token(uniqueUser("v"), { org }) })).json()) as {
        members: { user: string; lastActive: number | null }[];
        next: string | null;
      };
    await eventually(async () => (await page()).members[0]?.user === second.user && (await page((await page()).next ?? undefined)).members.length === 1, 3000, "both, newest first");
    // The newer one hides their activity: they still sort by it, ahead of the older one.
    await put("/v1/privacy/me", await token(second.user, { org }), { lastSeen: "nobody" });
    await eventually(async () => (await page()).members[0]?.lastActive === null, 3000, "the hidden activity");
    const one = await page();
    const two = await page(one.next ?? undefined);
    expect(one.members).toEqual([expect.objectContaining({ user: second.user, lastActive: null })]);
    expect(two.members).toEqual([expect.objectContaining({ user: first.user, lastActive: expect.any(Number) })]);
    expect(atob((one.next ?? "").replace(/-/g, "+").replace(/_/g, "/"))).toBe(JSON.stringify([second.user]));
  });
});

describe("contacts and blocks", () => {
  it("are listed, added and removed at /v1/contacts/me and /v1/blocks/me", async () => {
    const me = await token(uniqueUser("lists"));
    for (const kind of ["contacts", "blocks"]) {
      expect(await (await call(`/v1/${kind}/me`, { token: me })).json()).toEqual({ users: [] });
      expect(await (await put(`/v1/${kind}/me`, me, { add: ["b", "a", "c"] })).json()).toEqual({ users: ["a", "b", "c"] });
      expect(await (await put(`/v1/${kind}/me`, me, { remove: ["b"], add: ["d"] })).json()).toEqual({ users: ["a", "c", "d"] });
      expect(await (await call(`/v1/${kind}/me`, { token: me })).json()).toEqual({ users: ["a", "c", "d"] });
    }
  });

  it("refuses bad changes with 400: empty, over 100 at once, bad ids, the user themself", async () => {
    const user = uniqueUser("lists");
    const me = await token(user);
    const many = Array.from({ length: 101 }, (_, i) => `u${i}`);
    for (const body of [{}, { add: [] }, { add: many }, { add: ["bad id"] }, { add: [user] }, { add: ["a"], extra: 1 }]) {
      const response = await put("/v1/contacts/me", me, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
    }
  });

  it("holds at most 5,000 users in a list, refusing a change past it whole", async () => {
    const stub = testEnv.PRESENCE.getByName(uniqueUser("popular"));
    const thousands = Array.from({ length: 5_000 }, (_, i) => `friend-${i}`);
    expect(await stub.relation("contacts", { add: thousands, remove: [] })).toMatchObject({ ok: true });
    expect(await stub.relation("contacts", { add: ["one-more"], remove: [] })).toEqual({ ok: false, limit: 5_000 });
    const listed = await stub.relation("contacts", null);
    expect(listed.ok && listed.users.length).toBe(5_000);
  });

  it("are a service caller's to manage for any user at /v1/users/{user}/..., and only theirs", async () => {
    const user = uniqueUser("managed");
    expect(await (await put(`/v1/users/${user}/contacts`, SERVICE_KEY, { add: ["friend"] })).json()).toEqual({ users: ["friend"] });
    expect(await (await put(`/v1/users/${user}/privacy`, SERVICE_KEY, { visibility: "contacts" })).json()).toMatchObject({ visibility: "contacts" });
    expect(await (await call(`/v1/users/${user}/blocks`, { token: SERVICE_KEY })).json()).toEqual({ users: [] });
    expect(await (await call("/v1/contacts/me", { token: await token(user) })).json()).toEqual({ users: ["friend"] });
    const asUser = await call(`/v1/users/${user}/contacts`, { token: await token(user) });
    expect(asUser.status).toBe(403);
    expect((await call("/v1/contacts/me", { token: SERVICE_KEY })).status).toBe(403);
  });

  it("a blocked viewer sees the blocker as unknown, even as a contact in a shared org; the blocker still sees them", async () => {
    const org = uniqueUser("org");
    const { user } = await busyUser(org);
    const blocked = await busyUser(org, "blocked");
    const own = await token(user, { org });
    await put("/v1/contacts/me", own, { add: [blocked.user] });
    await put("/v1/blocks/me", own, { add: [blocked.user] });
    const viewer = await token(blocked.user, { org });
    expect((await read(user, viewer)).body).toEqual({ user, ...UNKNOWN });
    const batch = await call("/v1/presence/batch", { method: "POST", token: viewer, json: { users: [user] } });
    expect(((await batch.json()) as { presence: Record<string, unknown> }).presence[user]).toEqual({ user, ...UNKNOWN });
    expect((await read(blocked.user, own)).body).toMatchObject({ status: "busy" });
    await put("/v1/blocks/me", own, { remove: [blocked.user] });
    expect((await read(user, viewer)).body).toMatchObject({ status: "busy" });
  });

  it("a blocked viewer's roster of a shared org loses the blocker, in members and on the watch socket, and only theirs", async () => {
    const org = uniqueUser("org");
    const scope = `org:${org}`;
    const { user, device } = await busyUser(org);
    const blocked = uniqueUser("blocked");
    const bystander = uniqueUser("bystander");
    await eventually(async () => (await roomStub(scope).count()).total === 1, 3000, "the user in the roster");
    const blockedWatch = await watchScope(scope, blocked, { org });
    const bystanderWatch = await watchScope(scope, bystander, { org });
    expect(blockedWatch.sync.members).toMatchObject([{ user }]);
    await put("/v1/blocks/me", await token(user, { org }), { add: [blocked] });
    const resync = await blockedWatch.socket.next((frame) => typeof frame !== "string" && frame.type === "sync");
    expect(resync).toMatchObject({ type: "sync", members: [] });
    device.socket.send({ type: "status", status: "away", text: "back soon" });
    const seen = await bystanderWatch.socket.next((frame) => typeof frame !== "string" && frame.type === "diff" && JSON.stringify(frame).includes("back soon"));
    // Nothing at all reaches the blocked watcher (an empty diff would say someone hidden moved)...
    expect((await blockedWatch.socket.drain(300)).filter((frame) => typeof frame !== "string" && frame.type === "diff")).toEqual([]);
    const asBlocked = (await (await call(`/v1/scopes/${scope}/members`, { token: await token(blocked, { org }) })).json()) as { members: unknown[] };
    expect(asBlocked.members).toEqual([]);
    const asBystander = (await (await call(`/v1/scopes/${scope}/members`, { token: await token(bystander, { org }) })).json()) as { members: unknown[] };
    expect(asBystander.members).toMatchObject([{ user }]);
    const countAs = async (viewer: string) => (await (await call(`/v1/scopes/${scope}/count`, { token: await token(viewer, { org }) })).json()) as { total: number; away: number };
    expect(await countAs(blocked)).toMatchObject({ total: 0, away: 0 });
    expect(await countAs(bystander)).toMatchObject({ total: 1, away: 1 });
    // ...and its own seq still rises by one with the next diff it may see.
    const other = uniqueUser("other");
    await connectDevice(other, { org });
    const next = (await blockedWatch.socket.next((frame) => typeof frame !== "string" && frame.type === "diff")) as Frame;
    const resyncSeq = (resync as Frame).seq as number;
    expect(next).toMatchObject({ seq: resyncSeq + 1, joins: [{ user: other }] });
    expect((seen as Frame).seq).toBeGreaterThan(resyncSeq);
    // The blocker leaving and coming back tells the blocked watcher nothing either (pinging, so the watchers stay).
    const heartbeat = setInterval(() => [blockedWatch, bystanderWatch].forEach(({ socket }) => socket.send("ping")), 400);
    onTestFinished(() => clearInterval(heartbeat));
    device.socket.close();
    const listed = async () => ((await roomStub(scope).members(50, null, ""))?.members ?? []).some((member) => member.user === user);
    await eventually(async () => !(await listed()), timers.disconnectGraceMs + 3000, "the blocker leaving");
    const back = await connectDevice(user, { org });
    await eventually(listed, 3000, "the blocker back");
    back.socket.send({ type: "status", status: "busy" });
    await bystanderWatch.socket.next((frame) => typeof frame !== "string" && frame.type === "diff" && JSON.stringify(frame).includes('"busy"'));
    const frames = (await blockedWatch.socket.drain(300)).filter((frame) => frame !== "pong") as Frame[];
    expect(frames.filter((frame) => JSON.stringify(frame).includes(user) || frame.type === "sync")).toEqual([]);
    // (what does arrive, the other member's moves, keeps its seq running by one)
    frames.forEach((frame, index) => expect(frame.seq).toBe((next.seq as number) + index + 1));
  });

  it("never names a hidden member in a cursor, and answers a cursor naming anyone it may not follow with the same 400", async () => {
    const org = uniqueUser("org");
    const scope = `org:${org}`;
    const first = await busyUser(org, "first");
    const blocker = await busyUser(org, "blocker");
    const viewer = uniqueUser("viewer");
    await put("/v1/blocks/me", await token(blocker.user, { org }), { add: [viewer] });
    await eventually(async () => ((await roomStub(scope).members(10, null, ""))?.members.length ?? 0) === 2, 3000, "both members");
    const bearer = await token(viewer, { org });
    const page = (await (await call(`/v1/scopes/${scope}/members?limit=1`, { token: bearer })).json()) as { members: { user: string }[]; next: string | null };
    expect(page).toMatchObject({ members: [{ user: first.user }], next: null });
    const cursorOf = (user: string) => btoa(JSON.stringify([user])).replace(/=+$/, "");
    const answers = await Promise.all(
      [blocker.user, "never-in-this-scope", first.user].map(async (user) => {
        const response = await call(`/v1/scopes/${scope}/members?cursor=${cursorOf(user)}`, { token: bearer });
        return { status: response.status, body: await response.json() };
      }),
    );
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.status).toBe(400);
    expect(answers[2]).toMatchObject({ status: 200, body: { members: [], next: null } });
  });
});
