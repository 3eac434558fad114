import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Member } from "../../src/protocol/presence";
import { roomOf } from "../../src/rooms/shards";
import { connectDevice, eventually, presenceStub, roomStub, sleep, testEnv, timers, uniqueUser } from "../helpers";

/** vitest.config.ts splits `global` over 4 shards, and each shard sweeps every SWEEP_MS. */
const TEST_SHARDS = { global: 4, org: 1, zone: 1 };
const sweepMs = Number(testEnv.SWEEP_MS);
const shardOf = (user: string) => roomStub(roomOf("global", user, TEST_SHARDS));
const alarmOf = (user: string) => runInDurableObject(presenceStub(user), (_object, state) => state.storage.getAlarm());
const heldIn = async (user: string, room: ReturnType<typeof roomStub>) => {
  const page = await room.members(200, null, "");
  return page?.members.find((member) => member.user === user) ?? null;
};

describe("sweeps: no heartbeat alarm per online user", () => {
  it("sets no alarm before the token's expiry while pings arrive, and keeps the user in every roster past three leases without renewing", async () => {
    const user = uniqueUser("steady");
    const org = uniqueUser("org");
    const { socket } = await connectDevice(user, { org });
    await eventually(async () => (await heldIn(user, shardOf(user))) !== null, 3000, "the global shard holding the user");
    const until = Date.now() + timers.leaseMs * 3 + 2 * sweepMs;
    while (Date.now() < until) {
      socket.send("ping");
      await sleep(timers.offlineAfterMs / 4);
    }
    expect(socket.closeCode).toBeNull();
    // The only alarm left is the token's expiry, an hour away (the user went away long ago).
    expect(await alarmOf(user)).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(await heldIn(user, shardOf(user))).toMatchObject({ status: "away" });
    expect(await heldIn(user, roomStub(`org:${org}`))).toMatchObject({ status: "away" });
  });

  it("closes a device that stops pinging (a half-open connection) at a sweep, with 4000, and its rosters let the user go", async () => {
    const user = uniqueUser("halfopen");
    const { socket } = await connectDevice(user);
    for (let waited = 0; waited < 5000 && (await heldIn(user, shardOf(user)))?.status !== "away"; waited += 250) {
      socket.send("ping");
      await sleep(250);
    }
    // Away, and held by its global shard: no alarm would catch the silence, only the sweep.
    expect(await heldIn(user, shardOf(user))).toMatchObject({ status: "away" });
    expect(await alarmOf(user)).toBeGreaterThan(Date.now() + 50 * 60_000);
    const started = Date.now();
    expect(await socket.closed(timers.offlineAfterMs + sweepMs + 3000)).toBe(4000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(timers.offlineAfterMs - 1000);
    await eventually(async () => (await heldIn(user, shardOf(user))) === null, timers.disconnectGraceMs + 3000, "the user leaving global");
  });

  it("lets a member go at the next sweep when their object says they are not one (a ghost in a global shard)", async () => {
    const ghost = uniqueUser("ghost");
    const shard = shardOf(ghost);
    await shard.apply({ user: ghost, member: { user: ghost, status: "online", text: null, lastActive: Date.now() }, rev: 1 });
    expect(await heldIn(ghost, shard)).not.toBeNull();
    await eventually(async () => (await heldIn(ghost, shard)) === null, sweepMs * 3 + 2000, "the ghost being let go");
  });

  it("repairs a member whose last push was lost, from the sweep's answer", async () => {
    const user = uniqueUser("repaired");
    const { socket } = await connectDevice(user);
    socket.send({ type: "status", status: "busy" });
    await eventually(async () => (await heldIn(user, shardOf(user)))?.status === "busy", 3000, "busy in the shard");
    // As if the busy push had been lost: the shard holds an older state.
    await runInDurableObject(shardOf(user), (_object, state) => {
      state.storage.sql.exec("UPDATE members SET status = 'online', rev = rev - 1 WHERE user = ?", user);
    });
    expect(await heldIn(user, shardOf(user))).toMatchObject({ status: "online" } satisfies Partial<Member>);
    for (let waited = 0; waited < sweepMs * 3 && (await heldIn(user, shardOf(user)))?.status !== "busy"; waited += 250) {
      socket.send("ping");
      await sleep(250);
    }
    expect(await heldIn(user, shardOf(user))).toMatchObject({ status: "busy" });
  });
});
