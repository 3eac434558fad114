import { afterEach, describe, expect, it } from "vitest";
import { evictDurableObject } from "cloudflare:test";
import { PresenceClient, type PresenceClientOptions, type PresenceView } from "../../src/client";
import { MAX_FRAME_BYTES } from "../../src/protocol/constants";
import { call, connectDevice, eventually, presenceStub, sleep, timers, token, uniqueUser } from "../helpers";
import { nextEvent, recordEvents } from "./events";
import { BASE_URL, recordingOpener, scriptedOpener, type RecordingOpener, type ScriptedSocket } from "./sockets";
import { trackTimers } from "./timers";

const FAST_BACKOFF = { baseMs: 20, capMs: 100 };
/** Well under the test's OFFLINE_AFTER_MS, so the server never drops a client for silence. */
const PING_INTERVAL_MS = 500;
const open: PresenceClient[] = [];

afterEach(() => {
  for (const client of open.splice(0)) client.close();
});

/** Every user here is in one org, so they may see each other (and focus on each other). */
const ORG = "sdk-tests";

function connect(user: string, options: Partial<PresenceClientOptions> = {}, opener: RecordingOpener = recordingOpener()) {
  const client = new PresenceClient({
    baseUrl: BASE_URL,
    token: () => token(user, { org: ORG }),
    openSocket: opener.openSocket,
    backoff: FAST_BACKOFF,
    pingIntervalMs: PING_INTERVAL_MS,
    ...options,
  });
  open.push(client);
  return { client, opener };
}

async function viewOf(user: string) {
  const response = await call(`/v1/presence/${user}`, { token: await token(user) });
  return (await response.json()) as { status: string; text: string | null; devices: unknown[] };
}

describe("PresenceClient", () => {
  it("does not reconnect after a sign-out everywhere (4004) until its token provider gives a newer token", async () => {
    const user = uniqueUser();
    let issuedAt = Math.floor(Date.now() / 1000) - 10;
    const { client, opener } = connect(user, { token: () => token(user, { issuedAt }) });
    await nextEvent(client, "presence");
    const response = await call(`/v1/users/${user}/disconnect`, { method: "POST", token: "service-key-one-0123456789abcdef0123456789" });
    expect(response.status).toBe(204);
    await nextEvent(client, "state", (change) => change.code === 4004);
    await sleep(500);
    expect(opener.urls).toHaveLength(1);
    issuedAt = Math.floor(Date.now() / 1000) + 1;
    await nextEvent(client, "presence");
    expect(opener.urls).toHaveLength(2);
  });

  it("sends a fresh token ahead of exp, so the server never closes the socket for an expired one", async () => {
    const user = uniqueUser();
    let asked = 0;
    const { client } = connect(user, { token: () => token(user, { ttlSeconds: asked++ === 0 ? 3 : 3600 }) });
    await nextEvent(client, "presence");
    const states = recordEvents(client, "state");
    await sleep(4000);
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(states).toEqual([]);
    expect(client.state).toBe("open");
  });

  it("emits the user's own presence from hello, with this device in it", async () => {
    const user = uniqueUser();
    const { client } = connect(user, { device: "phone-1", deviceType: "mobile" });
    const presence = await nextEvent(client, "presence");
    expect(presence).toMatchObject({ user, status: "online", devices: [{ id: "phone-1", type: "mobile", idle: false }] });
    expect(client.presence).toEqual(presence);
    expect(client.state).toBe("open");
  });

  it("round-trips a status change: the server applies it and the client hears it back", async () => {
    const user = uniqueUser();
    const { client } = connect(user);
    await nextEvent(client, "presence");
    client.setStatus("busy", "in a meeting");
    const presence = await nextEvent(client, "presence");
    expect(presence).toMatchObject({ status: "busy", text: "in a meeting" });
    expect(await viewOf(user)).toMatchObject({ status: "busy", text: "in a meeting" });
  });

  it("sends a status chosen before the socket opened as soon as it is", async () => {
    const user = uniqueUser();
    const { client } = connect(user);
    client.setStatus("away");
    expect(await nextEvent(client, "presence", (presence) => presence.status === "away")).toMatchObject({ user });
  });

  it("follows the server's idle timer: away when idle, online again on activity", async () => {
    const user = uniqueUser();
    const { client } = connect(user);
    await nextEvent(client, "presence");
    await nextEvent(client, "presence", (presence) => presence.status === "away", timers.awayAfterMs + 3000);
    client.activity();
    expect(await nextEvent(client, "presence")).toMatchObject({ status: "online" });
  });

  it("tells a partner when this device focuses on them and when it blurs", async () => {
    const alice = uniqueUser("alice");
    const bob = uniqueUser("bob");
    const { client: bobClient } = connect(bob);
    const { client: aliceClient } = connect(alice);
    await Promise.all([nextEvent(bobClient, "presence"), nextEvent(aliceClient, "presence")]);
    aliceClient.focus(bob);
    expect(await nextEvent(bobClient, "focus")).toEqual({ user: alice, active: true });
    expect([...bobClient.focusedBy]).toEqual([alice]);
    aliceClient.blur();
    expect(await nextEvent(bobClient, "focus")).toEqual({ user: alice, active: false });
    expect(bobClient.focusedBy.size).toBe(0);
  });

  it("reports a frame the server refused as an error event", async () => {
    const user = uniqueUser();
    const { client } = connect(user);
    await nextEvent(client, "presence");
    client.focus(user);
    expect(await nextEvent(client, "error")).toMatchObject({ code: "invalid_frame" });
    expect(client.state).toBe("open");
  });

  it("sends the ping heartbeat, so the server keeps the device past OFFLINE_AFTER_MS", async () => {
    const user = uniqueUser();
    const { client, opener } = connect(user, { pingIntervalMs: 400 });
    await nextEvent(client, "presence");
    await sleep(timers.offlineAfterMs + 1000);
    expect(opener.sent.filter((text) => text === "ping").length).toBeGreaterThanOrEqual(5);
    expect(opener.urls).toHaveLength(1);
    expect(client.state).toBe("open");
    expect((await viewOf(user)).devices).toHaveLength(1);
  });

  it("reconnects after the server closes the socket for a missed heartbeat", async () => {
    const user = uniqueUser();
    const { client, opener } = connect(user, { pingIntervalMs: 60_000, device: "laptop" });
    await nextEvent(client, "presence");
    const drop = await nextEvent(client, "state", (change) => change.state === "reconnecting", timers.offlineAfterMs + 8000);
    expect(drop.code).toBe(4000);
    expect(drop.retryInMs).toBeLessThanOrEqual(FAST_BACKOFF.capMs);
    await nextEvent(client, "state", (change) => change.state === "open");
    expect(opener.urls).toHaveLength(2);
    expect(opener.urls[1]).toContain("device=laptop");
  });

  it("asks the token provider again for every reconnect", async () => {
    const user = uniqueUser();
    const issued: string[] = [];
    const { client, opener } = connect(user, {
      token: async () => {
        const fresh = await token(user, { name: `token ${issued.length + 1}` });
        issued.push(fresh);
        return fresh;
      },
    });
    await nextEvent(client, "presence");
    await evictDurableObject(presenceStub(user), { webSockets: "close" });
    await nextEvent(client, "state", (change) => change.state === "open");
    expect(issued).toHaveLength(2);
    expect(issued[0]).not.toBe(issued[1]);
    expect(opener.urls[1]).toContain(`token=${issued[1]}`);
  });

  it("focuses on the partner again over the new socket after a reconnect", async () => {
    const alice = uniqueUser("alice");
    const bob = uniqueUser("bob");
    const { client: bobClient } = connect(bob);
    // Alice sends no heartbeat, so the server drops her socket (and her focus) after OFFLINE_AFTER_MS.
    const { client: aliceClient } = connect(alice, { pingIntervalMs: 60_000 });
    await Promise.all([nextEvent(bobClient, "presence"), nextEvent(aliceClient, "presence")]);
    aliceClient.focus(bob);
    await nextEvent(bobClient, "focus", (notice) => notice.active);
    const notices = recordEvents(bobClient, "focus");
    await nextEvent(aliceClient, "state", (change) => change.state === "reconnecting", timers.offlineAfterMs + 8000);
    await nextEvent(bobClient, "focus", (notice) => notice.active);
    expect(notices).toEqual([
      { user: alice, active: false },
      { user: alice, active: true },
    ]);
    expect([...bobClient.focusedBy]).toEqual([alice]);
  });

  it("forgets a focus that ended while it was disconnected", async () => {
    const alice = uniqueUser("alice");
    const bob = uniqueUser("bob");
    const { client: aliceClient } = connect(alice);
    // Bob sends no heartbeat, so the server drops him; Alice blurs before he is back.
    const bobOpener = recordingOpener({
      beforeReopen: async () => {
        aliceClient.blur();
        await sleep(300);
      },
    });
    const { client: bobClient } = connect(bob, { pingIntervalMs: 60_000 }, bobOpener);
    await Promise.all([nextEvent(bobClient, "presence"), nextEvent(aliceClient, "presence")]);
    aliceClient.focus(bob);
    await nextEvent(bobClient, "focus", (notice) => notice.active);
    const ended = await nextEvent(bobClient, "focus", () => true, timers.offlineAfterMs + 8000);
    expect(ended).toEqual({ user: alice, active: false });
    expect(bobClient.state).toBe("open");
    expect(bobOpener.urls).toHaveLength(2);
    expect(bobClient.focusedBy.size).toBe(0);
  });

  it("does not reconnect once another connection took over its device id (4001)", async () => {
    const user = uniqueUser();
    const { client, opener } = connect(user, { device: "tab" });
    await nextEvent(client, "presence");
    const closed = nextEvent(client, "state", (change) => change.state === "closed");
    await connectDevice(user, { device: "tab" });
    expect(await closed).toEqual({ state: "closed", code: 4001 });
    await sleep(FAST_BACKOFF.capMs * 5);
    expect(opener.urls).toHaveLength(1);
    expect(client.state).toBe("closed");
  });

  it("leaves no socket, timer or event behind after close()", async () => {
    const user = uniqueUser();
    const timers = trackTimers();
    try {
      const { client, opener } = connect(user, { pingIntervalMs: 100 });
      await nextEvent(client, "presence");
      await sleep(150);
      const states = recordEvents(client, "state");
      const presences = recordEvents(client, "presence");
      client.close();
      expect(timers.pending()).toBe(0);
      const sentAtClose = opener.sent.length;
      await sleep(1000);
      expect(states).toEqual([{ state: "closed" }]);
      expect(presences).toEqual([]);
      expect(opener.sent.length).toBe(sentAtClose);
      expect(opener.urls).toHaveLength(1);
      await eventually(async () => (await viewOf(user)).devices.length === 0, 3000, "the device leaving");
    } finally {
      timers.restore();
    }
  });

  it("opens no socket at all when closed while still fetching its token", async () => {
    const user = uniqueUser();
    const { client, opener } = connect(user, {
      token: async () => {
        await sleep(200);
        return token(user);
      },
    });
    client.close();
    await sleep(500);
    expect(opener.urls).toHaveLength(0);
    expect((await viewOf(user)).status).toBe("offline");
  });

  it("replaces a socket that stops answering the heartbeat", async () => {
    const user = uniqueUser();
    const opener = recordingOpener({ drop: (data) => data === "pong" });
    const { client } = connect(user, { pingIntervalMs: 200, pongTimeoutMs: 300 }, opener);
    await nextEvent(client, "presence");
    const drop = await nextEvent(client, "state", (change) => change.state === "reconnecting", 3000);
    expect(drop.code).toBe(4100);
    await nextEvent(client, "state", (change) => change.state === "open");
    expect(opener.urls).toHaveLength(2);
  });
});

/** Long enough that no heartbeat timer fires during a test. */
const NO_TIMER_MS = 60_000;

function viewOfUser(user: string, status: PresenceView["status"] = "online"): PresenceView {
  return { user, status, text: null, lastActive: 1_000, lastSeen: null, devices: [] };
}

/** Opens the socket and sends the `hello` a server greets a device with. */
function greet(socket: ScriptedSocket): void {
  socket.open();
  socket.receive({ type: "hello", user: "me", device: "tab", presence: viewOfUser("me") });
}

/** Lets the microtasks queued so far (and the subscription frames they send) run. */
const nextTask = () => sleep(0);

/** A client whose server the test plays; the first socket is open and greeted unless told otherwise. */
async function scriptedClient({ greeted = true } = {}) {
  const opener = scriptedOpener();
  const client = new PresenceClient({
    baseUrl: BASE_URL,
    token: "not-a-jwt",
    device: "tab",
    openSocket: opener.openSocket,
    backoff: { baseMs: 1, capMs: 1 },
    random: () => 0,
    pingIntervalMs: NO_TIMER_MS,
    pongTimeoutMs: NO_TIMER_MS,
  });
  open.push(client);
  const socket = await opener.socket(0);
  if (greeted) greet(socket);
  return { client, opener, socket };
}

describe("PresenceClient subscriptions", () => {
  it("sends a subscribe frame for the users it starts following", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(["alice", "bob"]);
    await nextTask();
    expect(socket.frames()).toEqual([{ type: "subscribe", users: ["alice", "bob"] }]);
    expect([...client.subscriptions]).toEqual(["alice", "bob"]);
  });

  it("sends subscribe calls made in one task as one frame, each user once", async () => {
    const { client, socket } = await scriptedClient();
    for (const user of ["alice", "bob", "alice", "carol"]) client.subscribe([user]);
    client.subscribe(["bob"]);
    await nextTask();
    expect(socket.frames()).toEqual([{ type: "subscribe", users: ["alice", "bob", "carol"] }]);
  });

  it("splits a long list into frames of at most MAX_FRAME_BYTES", async () => {
    const { client, socket } = await scriptedClient();
    const users = Array.from({ length: 500 }, (_, index) => `user-${index}-`.padEnd(128, "x"));
    client.subscribe(users);
    await nextTask();
    const sent = socket.sent.filter((data) => data !== "ping");
    expect(sent.length).toBeGreaterThan(1);
    for (const data of sent) expect(new TextEncoder().encode(data).length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(socket.frames().flatMap((frame) => frame.users)).toEqual(users);
  });

  it("refuses to follow more than 500 users, following no one new", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(Array.from({ length: 499 }, (_, index) => `user-${index}`));
    expect(() => client.subscribe(["alice", "bob"])).toThrow(RangeError);
    await nextTask();
    expect(client.subscriptions.size).toBe(499);
    expect(socket.frames().flatMap((frame) => frame.users)).not.toContain("alice");
  });

  it("sends subscriptions made before hello once, after it", async () => {
    const { client, socket } = await scriptedClient({ greeted: false });
    client.subscribe(["alice"]);
    await nextTask();
    socket.open();
    client.subscribe(["bob"]);
    await nextTask();
    expect(socket.frames()).toEqual([]);
    greet(socket);
    await nextTask();
    expect(socket.frames()).toEqual([{ type: "subscribe", users: ["alice", "bob"] }]);
  });

  it("subscribes to its whole set again over the new socket after a reconnect", async () => {
    const { client, opener, socket } = await scriptedClient();
    client.subscribe(["alice", "bob"]);
    await nextTask();
    socket.drop(1006);
    client.unsubscribe(["alice"]);
    client.subscribe(["carol"]);
    const next = await opener.socket(1);
    next.open();
    client.subscribe(["dave"]);
    await nextTask();
    expect(next.frames()).toEqual([]);
    greet(next);
    await nextTask();
    expect(next.frames()).toEqual([{ type: "subscribe", users: ["bob", "carol", "dave"] }]);
    expect(socket.frames()).toEqual([{ type: "subscribe", users: ["alice", "bob"] }]);
  });

  it("emits changed for each user of a subscribed frame and for each changed frame", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(["alice", "bob"]);
    const changes = recordEvents(client, "changed");
    socket.receive({ type: "subscribed", presence: { alice: viewOfUser("alice"), bob: viewOfUser("bob", "offline") } });
    socket.receive({ type: "changed", presence: viewOfUser("alice", "busy") });
    expect(changes).toEqual([viewOfUser("alice"), viewOfUser("bob", "offline"), viewOfUser("alice", "busy")]);
  });

  it("tells the latest view of each subscribed user", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(["alice", "bob"]);
    expect(client.presenceOf("alice")).toBeUndefined();
    socket.receive({ type: "subscribed", presence: { alice: viewOfUser("alice"), bob: viewOfUser("bob") } });
    socket.receive({ type: "changed", presence: viewOfUser("alice", "away") });
    expect(client.presenceOf("alice")).toEqual(viewOfUser("alice", "away"));
    expect(client.presenceOf("bob")).toEqual(viewOfUser("bob"));
  });

  it("unsubscribes with a frame, and forgets the user's view", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(["alice", "bob"]);
    socket.receive({ type: "subscribed", presence: { alice: viewOfUser("alice"), bob: viewOfUser("bob") } });
    await nextTask();
    client.unsubscribe(["alice", "dave"]);
    expect(client.presenceOf("alice")).toBeUndefined();
    await nextTask();
    expect(socket.frames().at(-1)).toEqual({ type: "unsubscribe", users: ["alice"] });
    expect([...client.subscriptions]).toEqual(["bob"]);
  });

  it("ignores a view of a user unsubscribed since it was sent", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(["alice"]);
    await nextTask();
    client.unsubscribe(["alice"]);
    const changes = recordEvents(client, "changed");
    socket.receive({ type: "subscribed", presence: { alice: viewOfUser("alice") } });
    socket.receive({ type: "changed", presence: viewOfUser("alice", "busy") });
    expect(changes).toEqual([]);
    expect(client.presenceOf("alice")).toBeUndefined();
  });

  it("sends nothing for a user unsubscribed and subscribed again within one task, and keeps their view", async () => {
    const { client, socket } = await scriptedClient();
    client.subscribe(["alice"]);
    socket.receive({ type: "subscribed", presence: { alice: viewOfUser("alice", "busy") } });
    await nextTask();
    client.unsubscribe(["alice"]);
    client.subscribe(["alice"]);
    await nextTask();
    expect(socket.frames()).toEqual([{ type: "subscribe", users: ["alice"] }]);
    expect(client.presenceOf("alice")).toEqual(viewOfUser("alice", "busy"));
  });
});

describe("PresenceClient setStatus", () => {
  it("sends until with the status when given, and leaves it out otherwise", async () => {
    const { client, socket } = await scriptedClient();
    const until = Date.now() + 60 * 60 * 1000;
    client.setStatus("busy", "in a meeting", until);
    client.setStatus("away");
    expect(socket.frames()).toEqual([
      { type: "status", status: "busy", text: "in a meeting", until },
      { type: "status", status: "away" },
    ]);
  });
});
