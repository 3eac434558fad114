import { describe, expect, it } from "vitest";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { call, connectDevice, eventually, presenceStub, roomStub, sleep, timers, token, uniqueUser } from "../helpers";

describe("the stored user record", () => {
  it("counts devices lost in an unclean stop as gone at their last activity: offline, lastSeen set, out of the roster", async () => {
    const org = uniqueUser("org");
    const user = uniqueUser("crashed");
    const { hello } = await connectDevice(user, { org });
    const connectedAt = (hello.presence as { lastActive: number }).lastActive;
    await sleep(50);
    await evictDurableObject(presenceStub(user), { webSockets: "close" });
    await sleep(timers.disconnectGraceMs + 100);
    await runDurableObjectAlarm(presenceStub(user));
    const seen = (await (await call(`/v1/presence/${user}`, { token: await token(uniqueUser("viewer"), { org }) })).json()) as Record<string, unknown>;
    expect(seen).toMatchObject({ status: "offline", lastSeen: connectedAt, lastActive: connectedAt, devices: [] });
    await eventually(async () => (await roomStub(`org:${org}`).count()).total === 0, 3000, "the roster dropping the user");
  });

  it("saves lastActive at most once a minute, so activity alone writes nothing", async () => {
    const user = uniqueUser("typist");
    const { socket } = await connectDevice(user);
    const saves = () => runInDurableObject(presenceStub(user), (instance) => (instance as unknown as { presence: { store: { counts: { saves: number } } } }).presence.store.counts.saves);
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
