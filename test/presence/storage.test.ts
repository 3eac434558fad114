import { describe, expect, it } from "vitest";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { call, connectDevice, eventually, presenceStub, roomStub, sleep, timers, token, uniqueUser } from "../helpers";

/** What an object keeps: its tables and its alarm. */
async function storedBy(stub: DurableObjectStub) {
  return runInDurableObject(stub, async (_instance, state) => ({
    tables: state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((row) => row.name),
    alarm: await state.storage.getAlarm(),
  }));
}

describe("what a PresenceObject stores", () => {
  it("stores nothing for a user who was only read, batch-read or focused on, but never connected", async () => {
    const reader = uniqueUser("reader");
    const never = [uniqueUser("never"), uniqueUser("never"), uniqueUser("never")];
    await call(`/v1/presence/${never[0]}`, { token: await token(reader) });
    await call("/v1/presence/batch", { method: "POST", token: await token(reader), json: { users: [never[1]] } });
    const { socket } = await connectDevice(reader);
    socket.send({ type: "focus", partner: never[2] as string });
    socket.send({ type: "blur" });
    await sleep(100);
    for (const user of never) expect(await storedBy(presenceStub(user))).toEqual({ tables: [], alarm: null });
    expect((await storedBy(presenceStub(reader))).tables).toContain("user_record");
  });

  it("stores nothing for a scope that was only counted or listed", async () => {
    const org = uniqueUser("org");
    const viewer = await token(uniqueUser("viewer"), { org });
    expect((await call(`/v1/scopes/org:${org}/count`, { token: viewer })).status).toBe(200);
    expect((await call(`/v1/scopes/org:${org}/members`, { token: viewer })).status).toBe(200);
    expect(await storedBy(roomStub(`org:${org}`))).toEqual({ tables: [], alarm: null });
  });

  it("counts devices lost in an unclean stop as gone at their last activity: offline, lastSeen set, out of the roster", async () => {
    const org = uniqueUser("org");
    const user = uniqueUser("crashed");
    const { hello } = await connectDevice(user, { org });
    const connectedAt = (hello.presence as { lastActive: number }).lastActive;
    await sleep(50);
    await evictDurableObject(presenceStub(user), { webSockets: "close" });
    await sleep(timers.disconnectGraceMs + 100);
    await runDurableObjectAlarm(presenceStub(user));
    const seen = (await (await call(`/v1/presence/${user}`, { token: await token(uniqueUser("viewer")) })).json()) as Record<string, unknown>;
    expect(seen).toMatchObject({ status: "offline", lastSeen: connectedAt, lastActive: connectedAt, devices: [] });
    await eventually(async () => (await roomStub(`org:${org}`).count()).total === 0, 3000, "the roster dropping the user");
  });

  it("saves lastActive at most once a minute, so activity alone writes nothing", async () => {
    const user = uniqueUser("typist");
    const { socket } = await connectDevice(user);
    const saves = () => runInDurableObject(presenceStub(user), (instance) => (instance as unknown as { store: { counts: { saves: number } } }).store.counts.saves);
    const before = await saves();
    for (let i = 0; i < 5; i++) socket.send({ type: "activity" });
    socket.send("ping");
    await socket.next((frame) => frame === "pong");
    expect(await saves()).toBe(before);
    socket.send({ type: "status", status: "busy" });
    await socket.nextOfType("presence");
    expect(await saves()).toBe(before + 1);
  });
});
