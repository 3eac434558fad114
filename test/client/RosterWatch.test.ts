import { afterEach, describe, expect, it } from "vitest";
import { evictDurableObject } from "cloudflare:test";
import { PresenceClient, watch, type RosterWatch } from "../../packages/client/src";
import { eventually, roomStub, timers, token, uniqueUser } from "../helpers";
import { nextEvent, recordEvents } from "./events";
import { BASE_URL, recordingOpener, type RecordingOpener } from "./sockets";

const FAST_BACKOFF = { baseMs: 20, capMs: 100 };
/** Well under the test's OFFLINE_AFTER_MS, so the server never drops a client for silence. */
const PING_INTERVAL_MS = 500;
const open: { close(): void }[] = [];

afterEach(() => {
  for (const client of open.splice(0)) client.close();
});

/** A scope of its own per test, so rooms kept between tests never interfere. */
function freshOrg() {
  const org = uniqueUser("org").replace(/[^A-Za-z0-9._-]/g, "");
  return { org, scope: `org:${org}` };
}

function member(user: string, org: string) {
  const client = new PresenceClient({ baseUrl: BASE_URL, token: () => token(user, { org, name: `Name of ${user}` }), openSocket: recordingOpener().openSocket, pingIntervalMs: PING_INTERVAL_MS });
  open.push(client);
  return client;
}

function watcher(scope: string, org: string, opener: RecordingOpener = recordingOpener()): RosterWatch {
  const roster = watch(scope, { baseUrl: BASE_URL, token: () => token(uniqueUser("watcher"), { org }), openSocket: opener.openSocket, backoff: FAST_BACKOFF, pingIntervalMs: PING_INTERVAL_MS });
  open.push(roster);
  return roster;
}

describe("watch", () => {
  it("starts from a sync of the members already there", async () => {
    const { org, scope } = freshOrg();
    const alice = uniqueUser("alice");
    await nextEvent(member(alice, org), "presence");
    const roster = watcher(scope, org);
    const change = await nextEvent(roster, "change");
    expect(change).toMatchObject({ resync: true, joins: [{ user: alice, status: "online", name: `Name of ${alice}` }], updates: [], leaves: [] });
    expect(roster.synced).toBe(true);
    expect(roster.members.map((m) => m.user)).toEqual([alice]);
    expect(roster.counts).toEqual({ online: 1, away: 0, busy: 0, total: 1 });
  });

  it("applies joins, updates and leaves as they happen, with live counts", async () => {
    const { org, scope } = freshOrg();
    const roster = watcher(scope, org);
    await eventually(() => roster.synced, 5000, "the first sync");
    expect(roster.counts.total).toBe(0);

    const alice = uniqueUser("alice");
    const aliceClient = member(alice, org);
    expect(await nextEvent(roster, "change")).toMatchObject({ resync: false, joins: [{ user: alice, status: "online" }] });

    aliceClient.setStatus("busy", "lunch");
    expect(await nextEvent(roster, "change")).toMatchObject({ updates: [{ user: alice, status: "busy", text: "lunch" }] });
    expect(roster.member(alice)).toMatchObject({ status: "busy", text: "lunch" });
    expect(roster.counts).toEqual({ online: 0, away: 0, busy: 1, total: 1 });

    aliceClient.close();
    expect(await nextEvent(roster, "change", () => true, timers.disconnectGraceMs + 5000)).toMatchObject({ leaves: [alice] });
    expect(roster.members).toEqual([]);
    expect(roster.counts.total).toBe(0);
  });

  it("reconnects for a fresh sync when a diff was missed", async () => {
    const { org, scope } = freshOrg();
    let diffs = 0;
    const opener = recordingOpener({ drop: (data) => data.includes('"type":"diff"') && ++diffs === 1 });
    const roster = watcher(scope, org, opener);
    await eventually(() => roster.synced, 5000, "the first sync");

    const alice = uniqueUser("alice");
    await nextEvent(member(alice, org), "presence");
    await eventually(() => opener.dropped.length === 1, 5000, "the first diff being lost");
    expect(roster.members).toEqual([]);

    const bob = uniqueUser("bob");
    member(bob, org);
    expect(await nextEvent(roster, "gap")).toEqual({ expectedSeq: 1, seq: 2 });
    const resync = await nextEvent(roster, "change");
    expect(resync.resync).toBe(true);
    expect(resync.joins.map((m) => m.user).sort()).toEqual([alice, bob].sort());
    expect(opener.urls).toHaveLength(2);
    expect(roster.counts.total).toBe(2);
  });

  it("resyncs after the server drops the socket, catching up on what changed meanwhile", async () => {
    const { org, scope } = freshOrg();
    const alice = uniqueUser("alice");
    const aliceClient = member(alice, org);
    await nextEvent(aliceClient, "presence");

    let changeWhileAway: () => Promise<void> = async () => undefined;
    const opener = recordingOpener({ beforeReopen: () => changeWhileAway() });
    const roster = watcher(scope, org, opener);
    await nextEvent(roster, "change");
    const states = recordEvents(roster, "state");

    let syncedWhileAway: boolean | null = null;
    changeWhileAway = async () => {
      syncedWhileAway = roster.synced;
      aliceClient.setStatus("busy", "missed by the watcher");
      await nextEvent(aliceClient, "presence", (presence) => presence.status === "busy");
      // Her change reaches the room within the push interval; the resync comes after it.
      await eventually(async () => (await roomStub(scope).members(10, null, ""))?.members[0]?.status === "busy", 3000, "the room having the change");
    };
    await evictDurableObject(roomStub(scope), { webSockets: "close" });
    const resync = await nextEvent(roster, "change");
    expect(resync).toMatchObject({ resync: true, joins: [], leaves: [], updates: [{ user: alice, status: "busy", text: "missed by the watcher" }] });
    expect(states.map((change) => change.state)).toEqual(["reconnecting", "connecting", "open"]);
    expect(syncedWhileAway).toBe(false);
    expect(roster.synced).toBe(true);
  });

  it("stops for good on close(): no socket reopened, no change emitted", async () => {
    const { org, scope } = freshOrg();
    const opener = recordingOpener();
    const roster = watcher(scope, org, opener);
    await eventually(() => roster.synced, 5000, "the first sync");
    const changes = recordEvents(roster, "change");
    roster.close();
    await nextEvent(member(uniqueUser("alice"), org), "presence");
    await eventually(async () => {
      const response = await roomStub(scope).count();
      return response.total === 1;
    }, 3000, "the room counting the new member");
    expect(changes).toEqual([]);
    expect(roster.state).toBe("closed");
    expect(opener.urls).toHaveLength(1);
  });
});
