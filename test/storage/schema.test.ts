import { describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { call, connectDevice, presenceStub, roomStub, sleep, token, uniqueUser } from "../helpers";

/** What an object keeps: its tables and its alarm. */
async function storedBy(stub: DurableObjectStub) {
  return runInDurableObject(stub, async (_instance, state) => ({
    tables: state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((row) => row.name),
    alarm: await state.storage.getAlarm(),
  }));
}

describe("tables created on the first write", () => {
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
});
