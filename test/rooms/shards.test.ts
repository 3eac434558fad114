import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it, onTestFinished } from "vitest";
import type { Config } from "../../src/config";
import type { Member } from "../../src/protocol/presence";
import { encodeCursor } from "../../src/rooms/cursor";
import { hubName, hubsFor, parseShardCounts, roomOf, roomsOf, scopeOfRoom, shardName } from "../../src/rooms/shards";
import { call, connectDevice, eventually, presenceStub, roomStub, sleep, testEnv, TestSocket, token, uniqueUser, upgrade, type Frame } from "../helpers";

const SERVICE_KEY = "service-key-one-0123456789abcdef0123456789";
/** vitest.config.ts splits `global` over 4 shards. */
const TEST_SHARDS = { global: 4, org: 1, zone: 1 };
/** …and watches `global` through 2 hubs. */
const TEST_HUBS = { global: 2, org: 1, zone: 1 };

async function watchGlobal(bearer: string, query = ""): Promise<{ socket: TestSocket; sync: Frame }> {
  const response = await upgrade(`/v1/scopes/global/watch?${query}token=${encodeURIComponent(bearer)}`);
  if (response.status !== 101 || !response.webSocket) throw new Error(`watch failed: ${response.status} ${await response.text()}`);
  const socket = new TestSocket(response.webSocket);
  return { socket, sync: await socket.nextOfType("sync") };
}

const globalCount = async () => ((await (await call("/v1/scopes/global/count", { token: SERVICE_KEY })).json()) as { total: number; online: number }).total;

async function allMembers(limit: number): Promise<Member[]> {
  const members: Member[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? `?limit=${limit}` : `?limit=${limit}&cursor=${encodeURIComponent(cursor)}`;
    const page = (await (await call(`/v1/scopes/global/members${query}`, { token: SERVICE_KEY })).json()) as { members: Member[]; next: string | null };
    members.push(...page.members);
    cursor = page.next;
  } while (cursor !== null);
  return members;
}

describe("shard naming", () => {
  it.each([
    ["", { global: 1, org: 1, zone: 1 }],
    ["global=64", { global: 64, org: 1, zone: 1 }],
    ["global=64, org=2,zone=3", { global: 64, org: 2, zone: 3 }],
    ["global=0", null],
    ["global=257", null],
    ["room=2", null],
    ["global=two", null],
  ])("parses %j", (spec, counts) => {
    expect(parseShardCounts(spec)).toEqual(counts);
  });

  it("puts each user in one shard, the same every time, and spreads users over all of them", () => {
    const counts = { global: 8, org: 1, zone: 1 };
    const names = roomsOf("global", counts);
    expect(names).toEqual(Array.from({ length: 8 }, (_, index) => `global#${index}/8`));
    const used = new Set(Array.from({ length: 400 }, (_, index) => roomOf("global", `user-${index}`, counts)));
    expect(used).toEqual(new Set(names));
    expect(roomOf("global", "alice", counts)).toBe(roomOf("global", "alice", counts));
    expect(roomOf("org:acme", "alice", counts)).toBe("org:acme");
    expect(scopeOfRoom(shardName("global", 3, 8))).toBe("global");
    expect(scopeOfRoom("org:acme")).toBe("org:acme");
  });
});

describe("a sharded scope", () => {
  it("counts exactly, the sum over its shards, under concurrent joins and leaves", async () => {
    const before = await globalCount();
    const users = Array.from({ length: 24 }, () => uniqueUser("shard"));
    const devices = await Promise.all(users.map((user) => connectDevice(user)));
    await eventually(async () => (await globalCount()) === before + 24, 8000, "24 more in global");
    const held = await Promise.all(roomsOf("global", TEST_SHARDS).map(async (name) => (await roomStub(name).count("")).total));
    expect(held.filter((total) => total > 0).length).toBeGreaterThan(1);
    expect(held.reduce((sum, total) => sum + total, 0)).toBe(before + 24);

    // The 14 who stay ping, as clients do, so the heartbeat timeout does not take them too.
    const pinging = setInterval(() => devices.slice(10).forEach(({ socket }) => socket.send("ping")), 400);
    try {
      for (const { socket } of devices.slice(0, 10)) socket.close();
      await eventually(async () => (await globalCount()) === before + 14, 8000, "10 fewer in global");
      await sleep(1_200);
      expect(await globalCount()).toBe(before + 14);
    } finally {
      clearInterval(pinging);
    }
  });

  it("pages its members across shards newest first, each once, under one cursor", async () => {
    const users = Array.from({ length: 11 }, () => uniqueUser("paged"));
    for (const user of users) {
      await connectDevice(user);
      await sleep(5);
    }
    await eventually(async () => {
      const members = await allMembers(50);
      return users.every((user) => members.some((member) => member.user === user));
    }, 8000, "all paged");
    const members = await allMembers(3);
    const ids = members.map((member) => member.user);
    expect(new Set(ids).size).toBe(ids.length);
    expect(users.every((user) => ids.includes(user))).toBe(true);
    for (let index = 1; index < members.length; index += 1) {
      const [previous, current] = [members[index - 1], members[index]];
      expect((previous?.lastActive ?? 0) >= (current?.lastActive ?? 0)).toBe(true);
    }
  });

  it("answers a cursor naming someone no longer a member with 400, like one scope does", async () => {
    const user = uniqueUser("gone");
    const { socket } = await connectDevice(user);
    await eventually(async () => (await allMembers(100)).some((member) => member.user === user), 8000, "joined");
    const first = (await (await call("/v1/scopes/global/members?limit=1", { token: SERVICE_KEY })).json()) as { next: string };
    expect(first.next).toEqual(expect.any(String));
    socket.close();
    await eventually(async () => !(await allMembers(100)).some((member) => member.user === user), 8000, "left");
    const page = await call(`/v1/scopes/global/members?cursor=${encodeURIComponent(encodeCursor({ user }))}`, { token: SERVICE_KEY });
    expect(page.status).toBe(400);
  });

  it("is watched through a hub: the sync equals the members pages, and every change comes once, in order per user, seq rising by one", async () => {
    const users = Array.from({ length: 5 }, () => uniqueUser("watched"));
    const devices = await Promise.all(users.map((user) => connectDevice(user)));
    const pinging = setInterval(() => devices.forEach(({ socket }) => socket.send("ping")), 400);
    try {
      await eventually(async () => {
        const members = await allMembers(100);
        return users.every((user) => members.some((member) => member.user === user));
      }, 8000, "all in global");
      // Others (earlier tests' users) may still be leaving: a sync and the pages read while nothing moved must agree.
      let watched: { socket: TestSocket; sync: Frame } | null = null;
      for (let attempt = 0; attempt < 5 && watched === null; attempt += 1) {
        const opened = await watchGlobal(SERVICE_KEY);
        const pages = await allMembers(3);
        if ((await opened.socket.drain(300)).length === 0) {
          expect(opened.sync.members).toEqual(pages);
          watched = opened;
        } else opened.socket.close();
      }
      expect(watched).not.toBeNull();
      const { socket, sync } = watched as { socket: TestSocket; sync: Frame };
      const watcherPings = setInterval(() => socket.send("ping"), 400);
      onTestFinished(() => clearInterval(watcherPings));
      for (const [status, index] of [["busy", 0], ["away", 1]] as const) {
        devices.forEach(({ socket: device }) => device.send({ type: "status", status }));
        await sleep(1_500 + index);
      }
      clearInterval(pinging);
      devices.forEach(({ socket: device }) => device.close());
      const seen = new Map<string, string[]>(users.map((user) => [user, []]));
      let seq = sync.seq as number;
      const deadline = Date.now() + 8000;
      while ([...seen.values()].some((moves) => moves.at(-1) !== "left") && Date.now() < deadline) {
        const diff = await socket.nextOfType("diff", Math.max(1, deadline - Date.now())).catch(() => null);
        if (diff === null) break;
        expect(diff.seq).toBe((seq += 1));
        for (const member of [...(diff.joins as Member[]), ...(diff.updates as Member[])]) seen.get(member.user)?.push(member.status);
        for (const user of diff.leaves as string[]) seen.get(user)?.push("left");
      }
      expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(users.map((user) => [user, ["busy", "away", "left"]])));
      socket.close();
    } finally {
      clearInterval(pinging);
    }
  });

  it("spreads its watchers over its hubs, each a full copy, and gives a counts-only watcher the summed counts", async () => {
    const viewers = [0, 1].map((hub) => {
      for (;;) {
        const viewer = uniqueUser("viewer");
        if (hubsFor("global", viewer, TEST_HUBS)[0] === hubName("global", hub)) return viewer;
      }
    });
    const watches = await Promise.all(viewers.map(async (viewer) => watchGlobal(await token(viewer), "members=false&")));
    expect(await Promise.all([0, 1].map(async (hub) => (await roomStub(hubName("global", hub)).stats()).watchers))).toEqual([1, 1]);
    const total = await globalCount();
    for (const { sync } of watches) expect((sync.counts as { total: number }).total).toBe(total);
    const { socket } = await connectDevice(uniqueUser("joiner"));
    for (const { socket: watcher } of watches) {
      const diff = await watcher.next((frame) => typeof frame !== "string" && frame.type === "diff" && (frame.counts as { total: number }).total === total + 1, 5000);
      expect(diff).toMatchObject({ type: "diff" });
      watcher.close();
    }
    socket.close();
  });

  it("keeps everyone when re-sharded: the old shard's sweep moves each user to their new shard, and they leave the old one", async () => {
    const users = Array.from({ length: 6 }, () => uniqueUser("moved"));
    const devices = await Promise.all(users.map((user) => connectDevice(user)));
    const pinging = setInterval(() => devices.forEach(({ socket }) => socket.send("ping")), 400);
    onTestFinished(() => clearInterval(pinging));
    await eventually(async () => {
      const members = await allMembers(100);
      return users.every((user) => members.some((member) => member.user === user));
    }, 8000, "all in global");
    const resharded = { ...TEST_SHARDS, global: 6 };
    for (const user of users) {
      await runInDurableObject(presenceStub(user), (instance: unknown) => {
        (instance as { config: Config }).config.scopeShards = resharded;
      });
    }
    // No push is needed: the old shards' next sweep asks each user's object, which moves them.
    for (const user of users) {
      const now = roomOf("global", user, resharded);
      const before = roomOf("global", user, TEST_SHARDS);
      await eventually(async () => (await roomStub(now).positionOf(user, "")) !== null, 5000, `${user} in ${now}`);
      await eventually(async () => (await roomStub(before).positionOf(user, "")) === null, 5000, `${user} out of ${before}`);
    }
  });
});

it("reads the sharding from SCOPE_SHARDS and the hubs from WATCH_HUBS", () => {
  expect(parseShardCounts(testEnv.SCOPE_SHARDS)).toEqual(TEST_SHARDS);
  expect(parseShardCounts(testEnv.WATCH_HUBS)).toEqual(TEST_HUBS);
});
