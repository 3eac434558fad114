import { createElement as h, StrictMode, useEffect, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { sign } from "hono/jwt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PresenceClient, type ConnectionState, type PresenceClientOptions } from "../../packages/client/src";
import {
  PresenceProvider,
  usePresence,
  usePresenceClient,
  useRoster,
  useTyping,
  useUser,
  useUsers,
  type PresenceProviderProps,
} from "../../packages/client/src/react";
import { countingFetch } from "./countingFetch";
import { countingSockets, type CountingSockets } from "./countingSockets";
import { startDevServer, type DevServer } from "./wranglerDev";

/**
 * The React bindings (`@edge-presence/client/react`) rendered by react-dom into happy-dom's document
 * against a real `wrangler dev`. Every tree renders in StrictMode (new components' effects run twice);
 * the user's sockets are real and counted, and cut, through `openSocket`; other users are plain SDK
 * clients.
 */

const SECRET = "e2e-react-secret";
const WAIT_MS = 10_000;
/** Reconnects come within 400 ms, so a socket or poll left behind would show within a second and a half. */
const FAST_BACKOFF = { baseMs: 200, capMs: 400 };
const QUIET_MS = 1_500;

let server: DevServer;

beforeAll(async () => {
  // A short grace, so a user who closes leaves rosters at once; joins are pushed without delay.
  server = await startDevServer({ JWT_SECRET: SECRET, DEV_TOKENS: "false", DISCONNECT_GRACE_MS: "700", JOIN_PUSH_DELAY_MS: "0" });
});

afterAll(async () => {
  await server?.stop();
});

const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh organisation and its people's user ids (`alice-<org>`…). */
function team<Name extends string>(...names: Name[]): { org: string; scope: string } & Record<Name, string> {
  const org = `react-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const users = Object.fromEntries(names.map((name) => [name, `${name}-${org}`])) as Record<Name, string>;
  return { org, scope: `org:${org}`, ...users };
}

const tokenFor = (user: string, org: string) => () => sign({ sub: user, org, exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET, "HS256");

/** The options of the provider's own client: the user's sockets go through `sockets`. */
function optionsFor(user: string, org: string, sockets: CountingSockets, more: Partial<PresenceClientOptions> = {}): PresenceClientOptions {
  return { baseUrl: server.url, token: tokenFor(user, org), device: "react-tab", openSocket: sockets.openSocket, backoff: FAST_BACKOFF, ...more };
}

/** Another user, on a device of their own until the test ends. */
function someoneElse(user: string, org: string): PresenceClient {
  const client = new PresenceClient({ baseUrl: server.url, token: tokenFor(user, org), device: "elsewhere", openSocket: countingSockets().openSocket });
  cleanups.push(() => client.close());
  return client;
}

/**
 * Another user, connected and greeted. A subscription made before a user's first connection hears
 * nothing of them later (the service's behaviour today), so the tests that follow one start here.
 */
async function onlineElsewhere(user: string, org: string): Promise<PresenceClient> {
  const client = someoneElse(user, org);
  await waitFor(() => client.presence?.status).toBe("online");
  return client;
}

interface App {
  /** The text of the element with this id, or null while there is none. */
  text(id: string): string | null;
  /** Renders these children under the same provider (its client stays). */
  render(...children: ReactNode[]): void;
  unmount(): void;
}

/** Renders `children` in StrictMode under a `PresenceProvider` with these props (`{ options }` unless given). */
function renderApp(provider: PresenceClientOptions | PresenceProviderProps, ...children: ReactNode[]): App {
  const props = "options" in provider || "client" in provider ? provider : { options: provider };
  const container = document.createElement("div");
  document.body.append(container);
  const root = createRoot(container);
  let mounted = true;
  const app: App = {
    text: (id) => container.querySelector(`#${id}`)?.textContent ?? null,
    render: (...next) => root.render(h(StrictMode, null, h(PresenceProvider, props, ...next))),
    unmount: () => {
      if (!mounted) return;
      mounted = false;
      root.unmount();
      container.remove();
    },
  };
  cleanups.push(app.unmount);
  app.render(...children);
  return app;
}

const waitFor = <T,>(read: () => T) => expect.poll(read, { timeout: WAIT_MS, interval: 20 });
/** `alice-react-…` as `alice`. */
const nameOf = (user: string) => user.split("-")[0];

function Me(): ReactNode {
  const { presence, state } = usePresence();
  return h("p", { id: "me" }, `${state} ${presence?.status ?? "-"}`);
}

function StatusOf({ id, user }: { id: string; user: string }): ReactNode {
  return h("p", { id }, useUser(user)?.status ?? "unknown");
}

function StatusesOf({ users }: { users: string[] }): ReactNode {
  const views = useUsers(users);
  return h("p", { id: "statuses" }, users.map((user) => `${nameOf(user)} ${views.get(user)?.status ?? "unknown"}`).join(", "));
}

function RosterOf({ id, scope }: { id: string; scope: string }): ReactNode {
  const { members, state } = useRoster(scope);
  const shown = members.map((member) => `${nameOf(member.user)} ${member.status}`).sort();
  return h("p", { id }, `${state}: ${shown.join(", ")}`);
}

/** The same as `RosterOf`, as another component type: React unmounts one and mounts the other. */
function OtherRosterOf(props: { id: string; scope: string }): ReactNode {
  return RosterOf(props);
}

function TypingOf({ user }: { user: string }): ReactNode {
  return h("p", { id: "typing" }, useTyping(user) ? "typing" : "quiet");
}

/** What the tests read besides the page: the provider's client, and every connection state rendered. */
interface Seen {
  client: PresenceClient | null;
  states: ConnectionState[];
}

function Probe({ seen }: { seen: Seen }): ReactNode {
  const client = usePresenceClient();
  const { state } = usePresence();
  useEffect(() => {
    seen.client = client;
  }, [seen, client]);
  useEffect(() => {
    if (seen.states.at(-1) !== state) seen.states.push(state);
  }, [seen, state]);
  return null;
}

const newSeen = (): Seen => ({ client: null, states: [] });

describe("PresenceProvider and usePresence", () => {
  it("connects: usePresence shows the user online on an open connection", async () => {
    const { org, alice } = team("alice");
    const app = renderApp(optionsFor(alice, org, countingSockets()), h(Me));
    await waitFor(() => app.text("me")).toBe("open online");
  });

  it("opens one socket for its client although StrictMode mounts it twice", async () => {
    const { org, alice } = team("alice");
    const sockets = countingSockets();
    const app = renderApp(optionsFor(alice, org, sockets), h(Me));
    await waitFor(() => app.text("me")).toBe("open online");
    expect(sockets.opened("/v1/connect")).toBe(1);
    expect(sockets.live("/v1/connect")).toHaveLength(1);
  });

  it("uses a client it is given, with the watch options it is given, and leaves the client open when it unmounts", async () => {
    const { org, scope, alice } = team("alice");
    const sockets = countingSockets();
    const options = optionsFor(alice, org, sockets);
    const client = new PresenceClient(options);
    cleanups.push(() => client.close());
    const app = renderApp({ client, watch: options }, h(Me), h(RosterOf, { id: "roster", scope }));
    await waitFor(() => [app.text("me"), app.text("roster")]).toEqual(["open online", "open: alice online"]);

    app.unmount();
    await waitFor(() => sockets.live("/watch").length).toBe(0);
    await sleep(50);
    expect(client.state).toBe("open");
    expect(sockets.live("/v1/connect")).toHaveLength(1);
  });
});

describe("useUser and useUsers", () => {
  it("useUser shows another user's status as it changes", async () => {
    const { org, alice, bob } = team("alice", "bob");
    const bobsDevice = await onlineElsewhere(bob, org);
    const app = renderApp(optionsFor(alice, org, countingSockets()), h(StatusOf, { id: "bob", user: bob }));
    await waitFor(() => app.text("bob")).toBe("online");
    bobsDevice.setStatus("busy");
    await waitFor(() => app.text("bob")).toBe("busy");
    bobsDevice.close();
    await waitFor(() => app.text("bob")).toBe("offline");
  });

  it("useUsers shows several users' statuses as they change", async () => {
    const { org, alice, bob, carol } = team("alice", "bob", "carol");
    const [bobsDevice, carolsDevice] = await Promise.all([onlineElsewhere(bob, org), onlineElsewhere(carol, org)]);
    const app = renderApp(optionsFor(alice, org, countingSockets()), h(StatusesOf, { users: [bob, carol] }));
    await waitFor(() => app.text("statuses")).toBe("bob online, carol online");
    carolsDevice.setStatus("away");
    await waitFor(() => app.text("statuses")).toBe("bob online, carol away");
    bobsDevice.close();
    await waitFor(() => app.text("statuses")).toBe("bob offline, carol away");
  });

  it("components following one user share a subscription, which ends when the last of them unmounts", async () => {
    const { org, alice, bob } = team("alice", "bob");
    const seen = newSeen();
    const probe = h(Probe, { key: "probe", seen });
    const first = h(StatusOf, { key: "first", id: "first", user: bob });
    const app = renderApp(optionsFor(alice, org, countingSockets()), probe, first, h(StatusOf, { key: "second", id: "second", user: bob }));
    await waitFor(() => [app.text("first"), app.text("second")]).toEqual(["offline", "offline"]);
    expect([...seen.client!.subscriptions]).toEqual([bob]);

    app.render(probe, first);
    await waitFor(() => app.text("second")).toBeNull();
    expect([...seen.client!.subscriptions]).toEqual([bob]);

    app.render(probe);
    await waitFor(() => app.text("first")).toBeNull();
    await waitFor(() => seen.client!.subscriptions.size).toBe(0);
  });

  it("a user the app subscribed to itself stays subscribed when the components following them unmount", async () => {
    const { org, alice, bob } = team("alice", "bob");
    const seen = newSeen();
    const probe = h(Probe, { key: "probe", seen });
    const app = renderApp(optionsFor(alice, org, countingSockets()), probe);
    await waitFor(() => seen.client).not.toBeNull();
    seen.client!.subscribe([bob]);

    app.render(probe, h(StatusOf, { key: "bob", id: "bob", user: bob }));
    await waitFor(() => app.text("bob")).toBe("offline");
    app.render(probe);
    await waitFor(() => app.text("bob")).toBeNull();
    await sleep(50);
    expect([...seen.client!.subscriptions]).toEqual([bob]);
  });
});

describe("useRoster", () => {
  it("shows a colleague join and leave", async () => {
    const { org, scope, alice, bob } = team("alice", "bob");
    const app = renderApp(optionsFor(alice, org, countingSockets()), h(RosterOf, { id: "roster", scope }));
    await waitFor(() => app.text("roster")).toBe("open: alice online");
    const bobsDevice = someoneElse(bob, org);
    await waitFor(() => app.text("roster")).toBe("open: alice online, bob online");
    bobsDevice.close();
    await waitFor(() => app.text("roster")).toBe("open: alice online");
  });

  it("components reading one scope share one watch socket, closed when the last of them unmounts", async () => {
    const { org, scope, alice } = team("alice");
    const sockets = countingSockets();
    const me = h(Me, { key: "me" });
    const first = h(RosterOf, { key: "first", id: "first", scope });
    const app = renderApp(optionsFor(alice, org, sockets), me, first, h(RosterOf, { key: "second", id: "second", scope }));
    await waitFor(() => [app.text("first"), app.text("second")]).toEqual(["open: alice online", "open: alice online"]);
    expect(sockets.opened("/watch")).toBe(1);

    app.render(me, first);
    await waitFor(() => app.text("second")).toBeNull();
    await sleep(50);
    expect(sockets.live("/watch")).toHaveLength(1);

    app.render(me);
    await waitFor(() => sockets.live("/watch").length).toBe(0);
    expect(sockets.opened("/watch")).toBe(1);
    expect(sockets.live("/v1/connect")).toHaveLength(1);
  });

  it("keeps the watch socket, and the roster, for a component that takes a scope over from another in one render", async () => {
    const { org, scope, alice } = team("alice");
    const sockets = countingSockets();
    const app = renderApp(optionsFor(alice, org, sockets), h(RosterOf, { id: "before", scope }));
    await waitFor(() => app.text("before")).toBe("open: alice online");

    app.render(h(OtherRosterOf, { id: "after", scope }));
    await waitFor(() => app.text("after")).not.toBeNull();
    expect(app.text("after")).toBe("open: alice online");
    await sleep(50);
    expect(sockets.opened("/watch")).toBe(1);
    expect(sockets.live("/watch")).toHaveLength(1);
  });
});

describe("useTyping", () => {
  it("turns true on a typing notice, and false at the notice's end", async () => {
    const { org, alice, bob } = team("alice", "bob");
    const app = renderApp(optionsFor(alice, org, countingSockets()), h(Me), h(TypingOf, { user: bob }));
    await waitFor(() => app.text("me")).toBe("open online");
    expect(app.text("typing")).toBe("quiet");
    const bobsDevice = await onlineElsewhere(bob, org);
    bobsDevice.typing(alice);
    await waitFor(() => app.text("typing")).toBe("typing");
    const shownAt = Date.now();
    // The service shows a notice for TYPING_SHOWS_MS (6 s).
    await expect.poll(() => app.text("typing"), { timeout: 10_000, interval: 50 }).toBe("quiet");
    expect(Date.now() - shownAt).toBeGreaterThan(4_000);
  });

  it("turns false when the typist's message arrives", async () => {
    const { org, alice, bob } = team("alice", "bob");
    const app = renderApp(optionsFor(alice, org, countingSockets()), h(Me), h(TypingOf, { user: bob }));
    await waitFor(() => app.text("me")).toBe("open online");
    const bobsDevice = await onlineElsewhere(bob, org);
    bobsDevice.typing(alice);
    await waitFor(() => app.text("typing")).toBe("typing");
    const shownAt = Date.now();
    await bobsDevice.send(alice, "done typing");
    await waitFor(() => app.text("typing")).toBe("quiet");
    expect(Date.now() - shownAt).toBeLessThan(3_000);
  });
});

describe("reconnecting and unmounting", () => {
  it("a dropped connection shows as reconnecting, then open, and the hooks follow changes again", async () => {
    const { org, scope, alice, bob, carol } = team("alice", "bob", "carol");
    const sockets = countingSockets();
    const seen = newSeen();
    const bobsDevice = await onlineElsewhere(bob, org);
    const app = renderApp(optionsFor(alice, org, sockets), h(Probe, { seen }), h(Me), h(StatusOf, { id: "bob", user: bob }), h(RosterOf, { id: "roster", scope }));
    await waitFor(() => [app.text("me"), app.text("bob"), app.text("roster")]).toEqual(["open online", "online", "open: alice online, bob online"]);

    sockets.drop("/v1/connect");
    sockets.drop("/watch");
    await waitFor(() => sockets.opened("/v1/connect") === 2 && sockets.opened("/watch") === 2).toBe(true);
    await waitFor(() => [app.text("me"), app.text("roster")]).toEqual(["open online", "open: alice online, bob online"]);
    // `connecting` may pass between two renders; `reconnecting` lasts its backoff.
    const since = seen.states.slice(seen.states.indexOf("open"));
    expect(since.slice(0, 2)).toEqual(["open", "reconnecting"]);
    expect(since.at(-1)).toBe("open");
    expect(since).not.toContain("closed");

    bobsDevice.setStatus("busy");
    someoneElse(carol, org);
    await waitFor(() => [app.text("bob"), app.text("roster")]).toEqual(["busy", "open: alice online, bob busy, carol online"]);
    await waitFor(() => sockets.live().length).toBe(2);
  });

  it("unmounting leaves no socket open, and nothing that opens one or polls later", async () => {
    const { org, scope, alice, bob } = team("alice", "bob");
    const sockets = countingSockets();
    const { fetch, requests } = countingFetch();
    const app = renderApp(
      optionsFor(alice, org, sockets, { fetch }),
      h(Me),
      h(StatusOf, { id: "bob", user: bob }),
      h(StatusesOf, { users: [bob] }),
      h(RosterOf, { id: "roster", scope }),
      h(TypingOf, { user: bob }),
    );
    const bobsDevice = await onlineElsewhere(bob, org);
    await waitFor(() => [app.text("me"), app.text("bob"), app.text("roster")]).toEqual(["open online", "online", "open: alice online, bob online"]);
    bobsDevice.typing(alice);
    await waitFor(() => app.text("typing")).toBe("typing");
    expect(sockets.live()).toHaveLength(2);

    app.unmount();
    await waitFor(() => sockets.live().length).toBe(0);
    const opened = sockets.opened();
    await sleep(QUIET_MS);
    expect(sockets.opened()).toBe(opened);
    expect(requests).toEqual([]);
  });

  it("with sockets blocked, usePresence shows the user online over REST, and unmounting ends the polling", async () => {
    const { org, alice } = team("alice");
    const sockets = countingSockets();
    sockets.blocked = true;
    const { fetch, requests } = countingFetch();
    const app = renderApp(optionsFor(alice, org, sockets, { fetch, restFallback: { afterFailures: 2, pollIntervalMs: 200 } }), h(Me));
    await waitFor(() => app.text("me")).toBe("rest online");
    const polled = requests.length;
    await waitFor(() => requests.length).toBeGreaterThan(polled + 1);

    app.unmount();
    const [opened, requested] = [sockets.opened(), requests.length];
    await sleep(QUIET_MS);
    expect(sockets.live()).toHaveLength(0);
    expect(sockets.opened()).toBe(opened);
    // The REST device's own end (DELETE) may still go out; no poll or heartbeat may.
    expect(requests.slice(requested).filter((request) => !request.startsWith("DELETE "))).toEqual([]);
  });
});
