import { afterEach, describe, expect, it } from "vitest";
import { PresenceClient, watch, type FetchLike, type PresenceClientOptions, type PresenceView, type RosterWatch, type WatchOptions } from "../../packages/client/src";
import { call, eventually, sleep, timers, token, uniqueUser } from "../helpers";
import { nextEvent, recordEvents } from "./events";
import { countingFetch, fetchInWorker } from "./fetches";
import { BASE_URL, blockableOpener, recordingOpener, type BlockableOpener } from "./sockets";
import { trackTimers } from "./timers";

const FAST_BACKOFF = { baseMs: 20, capMs: 100 };
/** Well under the test's OFFLINE_AFTER_MS, so the server never drops a client for silence. */
const PING_INTERVAL_MS = 500;
const POLL_INTERVAL_MS = 250;
const open: { close(): void }[] = [];
/** A wait after the quick retries that leaves the fallback's first round time to answer. */
const SLOW_RETRY_MS = 1000;

/** A backoff that retries at once after each of the first `quick` failures, then waits just under SLOW_RETRY_MS. */
function retryAtOnce(quick: number): Pick<PresenceClientOptions, "backoff" | "random"> {
  let calls = 0;
  return { backoff: { baseMs: SLOW_RETRY_MS, capMs: SLOW_RETRY_MS }, random: () => (calls++ < quick ? 0 : (SLOW_RETRY_MS - 1) / SLOW_RETRY_MS) };
}

afterEach(() => {
  for (const client of open.splice(0)) client.close();
});

/** Every user here is in one org, so they may see each other. */
const ORG = "rest-fallback-tests";

/** A client whose sockets fail as behind a proxy that blocks WebSockets, until `opener.unblock()`. */
function blockedClient(user: string, options: Partial<PresenceClientOptions> = {}, opener: BlockableOpener = blockableOpener()) {
  const client = new PresenceClient({
    baseUrl: BASE_URL,
    token: () => token(user, { org: ORG }),
    openSocket: opener.openSocket,
    backoff: FAST_BACKOFF,
    pingIntervalMs: PING_INTERVAL_MS,
    fetch: fetchInWorker,
    restFallback: { pollIntervalMs: POLL_INTERVAL_MS },
    ...options,
  });
  open.push(client);
  return { client, opener };
}

/** A client with a working socket. */
function socketClient(user: string, org = ORG) {
  const client = new PresenceClient({ baseUrl: BASE_URL, token: () => token(user, { org }), openSocket: recordingOpener().openSocket, pingIntervalMs: PING_INTERVAL_MS, fetch: fetchInWorker });
  open.push(client);
  return client;
}

/** `user`'s presence as another user of the org reads it over REST. */
async function seenByOther(user: string): Promise<PresenceView> {
  const response = await call(`/v1/presence/${user}`, { token: await token(uniqueUser("viewer"), { org: ORG }) });
  return (await response.json()) as PresenceView;
}

async function onRest(client: PresenceClient | RosterWatch): Promise<void> {
  if (client.state !== "rest") await nextEvent(client, "state", (change) => change.state === "rest");
}

async function onlineOverRest(client: PresenceClient): Promise<void> {
  await onRest(client);
  await eventually(() => client.presence !== null, 5000, "the first heartbeat's answer");
}

describe("PresenceClient over REST", () => {
  it("goes over REST after two sockets in a row that never opened, and says so in its state once REST answers", async () => {
    const counting = countingFetch();
    const { client } = blockedClient(uniqueUser(), { fetch: counting.fetch, ...retryAtOnce(1) });
    const states = recordEvents(client, "state");
    const stateAtFirstPresence = new Promise((resolve) => {
      const stop = client.on("presence", () => {
        stop();
        resolve(client.state);
      });
    });
    await onRest(client);
    // As a socket's `open` comes before its `hello`.
    expect(await stateAtFirstPresence).toBe("rest");
    expect(states).toEqual([
      { state: "reconnecting", code: 1006, retryInMs: 0 },
      { state: "connecting" },
      { state: "reconnecting", code: 1006, retryInMs: SLOW_RETRY_MS - 1 },
      { state: "rest", code: 1006 },
    ]);
    expect(counting.requests[0]).toMatchObject({ method: "POST", path: "/v1/presence/me/heartbeat", status: 200 });
    expect(client.state).toBe("rest");
  });

  it("waits for `afterFailures` sockets that never opened", async () => {
    const counting = countingFetch();
    const { client } = blockedClient(uniqueUser(), { fetch: counting.fetch, restFallback: { afterFailures: 4, pollIntervalMs: POLL_INTERVAL_MS }, ...retryAtOnce(2) });
    const states = recordEvents(client, "state");
    await eventually(() => states.filter((change) => change.state === "reconnecting").length === 3, 3000, "three sockets failed");
    await sleep(100);
    expect(counting.requests).toEqual([]);
    await onRest(client);
    expect(states.filter((change) => change.state === "connecting")).toHaveLength(3);
  });

  it("does not say rest while REST does not answer either, and says so once it does", async () => {
    let offline = true;
    const fetch: FetchLike = (url, init) => (offline ? Promise.reject(new TypeError("network down")) : fetchInWorker(url, init));
    const { client } = blockedClient(uniqueUser(), { fetch });
    const states = recordEvents(client, "state");
    await sleep(POLL_INTERVAL_MS * 3);
    expect(states.length).toBeGreaterThan(3);
    expect(states.map((change) => change.state)).not.toContain("rest");
    expect(client.presence).toBeNull();
    offline = false;
    await onlineOverRest(client);
    offline = true;
    await nextEvent(client, "state", (change) => change.state !== "rest");
    expect(client.state).not.toBe("rest");
  });

  it("never goes over REST with restFallback: false, and sends no request", async () => {
    const counting = countingFetch();
    const { client, opener } = blockedClient(uniqueUser(), { restFallback: false, fetch: counting.fetch });
    const states = recordEvents(client, "state");
    await eventually(() => opener.tries >= 5, 5000, "five sockets tried");
    expect(states.map((change) => change.state)).not.toContain("rest");
    expect(client.presence).toBeNull();
    expect(counting.requests).toEqual([]);
  });

  it("keeps a device of type rest online, seen by others, past OFFLINE_AFTER_MS", async () => {
    const user = uniqueUser();
    const { client } = blockedClient(user, { device: "laptop" });
    await onlineOverRest(client);
    expect(client.presence).toMatchObject({ user, status: "online", devices: [{ id: "laptop.rest", type: "rest", idle: false }] });
    await sleep(timers.offlineAfterMs + 1000);
    const seen = await seenByOther(user);
    expect(seen.status).not.toBe("offline");
    expect(seen.devices).toEqual([{ id: "laptop.rest", type: "rest", idle: true }]);
    expect(client.state).toBe("rest");
  });

  it("sets a status over REST: the client hears it back and a subscriber sees it", async () => {
    const user = uniqueUser();
    const watcher = socketClient(uniqueUser("watcher"));
    await nextEvent(watcher, "presence");
    const { client } = blockedClient(user);
    await onlineOverRest(client);
    watcher.subscribe([user]);
    await nextEvent(watcher, "changed", (view) => view.user === user && view.status === "online");
    client.setStatus("busy", "heads down");
    expect(await nextEvent(client, "presence")).toMatchObject({ status: "busy", text: "heads down" });
    expect(await nextEvent(watcher, "changed", (view) => view.user === user)).toMatchObject({ status: "busy", text: "heads down" });
  });

  it("drops a status the service refuses over REST, as a refused frame, and stays on REST", async () => {
    const counting = countingFetch();
    const { client } = blockedClient(uniqueUser(), { fetch: counting.fetch });
    await onlineOverRest(client);
    const states = recordEvents(client, "state");
    client.setStatus("busy", "x".repeat(141));
    await eventually(() => counting.requests.some((request) => request.method === "PUT" && request.status === 400), 3000, "the refusal");
    await sleep(POLL_INTERVAL_MS * 3);
    expect(counting.requests.filter((request) => request.method === "PUT")).toHaveLength(1);
    expect(states).toEqual([]);
    client.setStatus("busy", "short");
    await nextEvent(client, "presence", (presence) => presence.status === "busy");
  });

  it("sends a status chosen before going over REST with its first round", async () => {
    const { client } = blockedClient(uniqueUser());
    client.setStatus("away", "later");
    await onRest(client);
    await eventually(() => client.presence?.status === "away", 5000, "the status applied");
    expect(client.presence).toMatchObject({ text: "later" });
  });

  it("reports activity over REST: away when idle, online again on activity()", async () => {
    const { client } = blockedClient(uniqueUser());
    await onlineOverRest(client);
    await nextEvent(client, "presence", (presence) => presence.status === "away", timers.awayAfterMs + 3000);
    client.activity();
    expect(await nextEvent(client, "presence")).toMatchObject({ status: "online", devices: [{ type: "rest", idle: false }] });
  });

  it("follows a subscribed user by polling: a change comes as `changed`, an unchanged poll is a 304", async () => {
    const bob = uniqueUser("bob");
    const counting = countingFetch();
    const { client } = blockedClient(uniqueUser("alice"), { fetch: counting.fetch });
    await onlineOverRest(client);
    const changes = recordEvents(client, "changed");
    client.subscribe([bob]);
    await eventually(() => changes.length === 1, 3000, "bob's first view");
    expect(changes[0]).toMatchObject({ user: bob, status: "offline" });
    const reads = () => counting.requests.filter((request) => request.path === `/v1/presence?users=${bob}`).map((request) => request.status);
    await eventually(() => reads().filter((status) => status === 304).length >= 3, 3000, "three unchanged polls");
    expect(changes).toHaveLength(1);

    await nextEvent(socketClient(bob), "presence");
    expect(await nextEvent(client, "changed")).toMatchObject({ user: bob, status: "online" });
    expect(client.presenceOf(bob)).toMatchObject({ status: "online" });
    const statuses = reads().filter((status) => status !== null);
    expect(statuses[0]).toBe(200);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.slice(1, -1).every((status) => status === 304)).toBe(true);
  });

  it("polls subscribed users a hundred a request, and tells only the one who changed", async () => {
    const users = Array.from({ length: 150 }, (_, index) => `${uniqueUser("sub")}-${index}`);
    const counting = countingFetch();
    const { client } = blockedClient(uniqueUser("alice"), { fetch: counting.fetch });
    await onlineOverRest(client);
    const changes = recordEvents(client, "changed");
    client.subscribe(users);
    await eventually(() => changes.length === 150, 5000, "every user's first view");
    const batches = () => counting.requests.filter((request) => request.path.startsWith("/v1/presence?users="));
    await eventually(() => batches().filter((request) => request.status === 304).length >= 4, 5000, "two unchanged rounds");
    const named = new Set(batches().map((request) => request.path));
    expect(named.size).toBe(2);
    const polled = [...named].map((path) => path.slice("/v1/presence?users=".length).split(","));
    expect(polled.map((batch) => batch.length).sort()).toEqual([100, 50]);
    expect(new Set(polled.flat())).toEqual(new Set(users));

    const changed = users[120] ?? "";
    await nextEvent(socketClient(changed), "presence");
    expect(await nextEvent(client, "changed")).toMatchObject({ user: changed, status: "online" });
    await sleep(POLL_INTERVAL_MS * 3);
    expect(changes.slice(150).map((view) => view.user)).toEqual([changed]);
  });

  it("reads a user subscribed while a round runs right after it, not at the next poll", async () => {
    const { client } = blockedClient(uniqueUser("alice"), { restFallback: { pollIntervalMs: 60_000 } });
    const bob = uniqueUser("bob");
    // The first presence comes from the first round's heartbeat, while the round still reads its own presence.
    const stop = client.on("presence", () => {
      stop();
      client.subscribe([bob]);
    });
    // Sooner than the next heartbeat (due after half of OFFLINE_AFTER_MS) would bring a round.
    expect(await nextEvent(client, "changed", () => true, timers.offlineAfterMs / 2 - 200)).toMatchObject({ user: bob, status: "offline" });
  });

  it("reads a user subscribed again afresh after an unsubscribe", async () => {
    const bob = uniqueUser("bob");
    const { client } = blockedClient(uniqueUser("alice"));
    await onlineOverRest(client);
    client.subscribe([bob]);
    await nextEvent(client, "changed", (view) => view.user === bob);
    client.unsubscribe([bob]);
    await sleep(POLL_INTERVAL_MS * 2);
    expect(client.presenceOf(bob)).toBeUndefined();
    client.subscribe([bob]);
    expect(await nextEvent(client, "changed")).toMatchObject({ user: bob, status: "offline" });
  });

  it("goes back to a socket once one opens: state open, the REST device ended, polling stopped", async () => {
    const user = uniqueUser();
    const counting = countingFetch();
    const { client, opener } = blockedClient(user, { device: "tab", fetch: counting.fetch });
    await onlineOverRest(client);
    const states = recordEvents(client, "state");
    opener.unblock();
    await nextEvent(client, "state", (change) => change.state === "open");
    expect(states).toEqual([{ state: "open" }]);
    expect(await nextEvent(client, "presence")).toMatchObject({ devices: expect.arrayContaining([{ id: "tab", type: "web", idle: false }]) });
    await eventually(async () => (await seenByOther(user)).devices.length === 1, 3000, "the REST device ending");
    const ended = { method: "DELETE", path: "/v1/presence/me/heartbeat?device=tab.rest", status: 200 };
    await eventually(() => counting.requests.some((request) => JSON.stringify(request) === JSON.stringify(ended)), 3000, "the DELETE answered");
    const sent = counting.requests.length;
    await sleep(timers.offlineAfterMs + 500);
    expect(counting.requests.length).toBe(sent);
    expect((await seenByOther(user)).devices).toEqual([{ id: "tab", type: "web", idle: true }]);
  });

  it("ends the REST device on close() and leaves no timer or request behind", async () => {
    const user = uniqueUser();
    const counting = countingFetch();
    const timers = trackTimers();
    try {
      const { client } = blockedClient(user, { fetch: counting.fetch });
      await onlineOverRest(client);
      await sleep(POLL_INTERVAL_MS * 2);
      const sentBefore = counting.requests.length;
      client.close();
      expect(client.state).toBe("closed");
      await sleep(100);
      expect(timers.pending()).toBe(0);
      await sleep(POLL_INTERVAL_MS * 4);
      expect(counting.requests.slice(sentBefore).map((request) => request.method)).toEqual(["DELETE"]);
      await eventually(async () => (await seenByOther(user)).status === "offline", 3000, "the user going offline");
    } finally {
      timers.restore();
    }
  });
});

describe("watch over REST", () => {
  /** A scope of its own per test, so rooms kept between tests never interfere. */
  function freshOrg() {
    const org = uniqueUser("org").replace(/[^A-Za-z0-9._-]/g, "");
    return { org, scope: `org:${org}` };
  }

  function blockedWatch(scope: string, org: string, options: Partial<WatchOptions> = {}, opener: BlockableOpener = blockableOpener()) {
    const roster = watch(scope, {
      baseUrl: BASE_URL,
      token: () => token(uniqueUser("watcher"), { org }),
      openSocket: opener.openSocket,
      backoff: FAST_BACKOFF,
      pingIntervalMs: PING_INTERVAL_MS,
      fetch: fetchInWorker,
      restFallback: { pollIntervalMs: POLL_INTERVAL_MS },
      ...options,
    });
    open.push(roster);
    return { roster, opener };
  }

  it("shows the members from its first poll as a resync, then joins, updates and leaves as diffs", async () => {
    const { org, scope } = freshOrg();
    const alice = uniqueUser("alice");
    await nextEvent(socketClient(alice, org), "presence");
    const { roster } = blockedWatch(scope, org);
    const states = recordEvents(roster, "state");
    const first = nextEvent(roster, "change");
    expect(await first).toMatchObject({ resync: true, joins: [{ user: alice, status: "online" }], updates: [], leaves: [] });
    // As a socket's `open` comes before its `sync`.
    expect(states.at(-1)).toEqual({ state: "rest", code: 1006 });
    expect(roster.synced).toBe(true);

    const bob = uniqueUser("bob");
    const bobClient = socketClient(bob, org);
    expect(await nextEvent(roster, "change", (change) => change.joins.length > 0)).toMatchObject({ resync: false, joins: [{ user: bob, status: "online" }] });
    bobClient.setStatus("busy", "lunch");
    expect(await nextEvent(roster, "change", (change) => change.updates.some((member) => member.user === bob))).toMatchObject({ updates: [{ user: bob, status: "busy", text: "lunch" }] });
    bobClient.close();
    expect(await nextEvent(roster, "change", (change) => change.leaves.length > 0, timers.disconnectGraceMs + 5000)).toMatchObject({ resync: false, leaves: [bob] });
    expect(roster.members.map((member) => member.user)).toEqual([alice]);
    expect(roster.state).toBe("rest");
  });

  it("reads again from the first page when the member a page's cursor names leaves before the next page, and stays on REST", async () => {
    const { org, scope } = freshOrg();
    const members = Array.from({ length: 201 }, (_, index) => `${uniqueUser("member")}-${index}`);
    const leaving = new Set<string>();
    let keeping = true;
    const heartbeat = async (user: string) =>
      call("/v1/presence/me/heartbeat", { method: "POST", token: await token(user, { org }), json: {} });
    // REST devices expire after OFFLINE_AFTER_MS (2 s in tests): keep every member but the leaving one online.
    const keepAlive = (async () => {
      while (keeping) {
        await Promise.all(members.filter((user) => !leaving.has(user)).map(heartbeat));
        await sleep(400);
      }
    })();
    try {
      const viewer = await token(uniqueUser("viewer"), { org });
      await eventually(async () => ((await (await call(`/v1/scopes/${scope}/count`, { token: viewer })).json()) as { total: number }).total === 201, 10_000, "201 members");
      const counting = countingFetch();
      let cut = false;
      let next: string | null = null;
      // The first round reads both pages; in the second, after its first page and before the next, the
      // member the first page's cursor names leaves.
      const fetch: FetchLike = async (url, init) => {
        const response = await counting.fetch(url, init);
        if (cut || !url.includes("/members?limit=200") || url.includes("cursor=")) return response;
        if (next === null) {
          next = ((await (response as Response).clone().json()) as { next: string | null }).next;
          return response;
        }
        cut = true;
        const [user] = JSON.parse(atob(next.replace(/-/g, "+").replace(/_/g, "/"))) as [string];
        leaving.add(user);
        await call("/v1/presence/me/heartbeat", { method: "DELETE", token: await token(user, { org }) });
        const cursor = next;
        await eventually(async () => (await call(`/v1/scopes/${scope}/members?limit=200&cursor=${cursor}`, { token: viewer })).status === 400, 10_000, "the cursor's member gone");
        return response;
      };
      const { roster } = blockedWatch(scope, org, { fetch });
      const states = recordEvents(roster, "state");
      await eventually(() => cut && roster.members.length === 200, 10_000, "the roster without the member who left");
      const [gone] = [...leaving];
      expect(roster.members.map((member) => member.user)).not.toContain(gone);
      expect(counting.requests.filter((request) => request.status === 400)).toHaveLength(1);
      // The round that met the 400 carried on from the first page: the watch never left REST.
      expect(states.map((change) => change.state).slice(states.findIndex((change) => change.state === "rest"))).toEqual(["rest"]);
    } finally {
      keeping = false;
      await keepAlive;
    }
  });

  it("polls an unchanged roster for a 304 per page", async () => {
    const { org, scope } = freshOrg();
    const counting = countingFetch();
    const { roster } = blockedWatch(scope, org, { fetch: counting.fetch });
    await onRest(roster);
    await eventually(() => roster.synced, 3000, "the first poll");
    const pages = () => counting.requests.filter((request) => request.path.startsWith(`/v1/scopes/${encodeURIComponent(scope)}/members`)).map((request) => request.status);
    await eventually(() => pages().filter((status) => status === 304).length >= 3, 3000, "three unchanged polls");
    expect(pages()[0]).toBe(200);
    expect(pages().slice(1).every((status) => status === 304 || status === null)).toBe(true);
    expect(roster.members).toEqual([]);
  });

  it("goes back to the watch socket once one opens, and stops polling", async () => {
    const { org, scope } = freshOrg();
    const counting = countingFetch();
    const { roster, opener } = blockedWatch(scope, org, { fetch: counting.fetch });
    await onRest(roster);
    await eventually(() => roster.synced, 3000, "the first poll");
    opener.unblock();
    await nextEvent(roster, "state", (change) => change.state === "open");
    const sent = counting.requests.length;
    const alice = uniqueUser("alice");
    await nextEvent(socketClient(alice, org), "presence");
    expect(await nextEvent(roster, "change")).toMatchObject({ joins: [{ user: alice }] });
    expect(counting.requests.length).toBe(sent);
  });

  it("stops polling on close()", async () => {
    const { org, scope } = freshOrg();
    const counting = countingFetch();
    const { roster } = blockedWatch(scope, org, { fetch: counting.fetch });
    await onRest(roster);
    await eventually(() => roster.synced, 3000, "the first poll");
    roster.close();
    await sleep(100);
    const sent = counting.requests.length;
    await sleep(POLL_INTERVAL_MS * 4);
    expect(counting.requests.length).toBe(sent);
    expect(roster.state).toBe("closed");
  });
});
