import { afterEach, describe, expect, it } from "vitest";
import { PresenceClient } from "../../packages/client/src";
import { ReconnectingSocket, type ConnectionChange } from "../../packages/client/src/ReconnectingSocket";
import type { SocketLike } from "../../packages/client/src/socket";
import { sleep, token, uniqueUser } from "../helpers";
import { nextEvent } from "./events";
import { BASE_URL, recordingOpener, scriptedSocket } from "./sockets";

/** Long enough that no interval fires during a test: any `ping` seen was sent on open. */
const NO_INTERVAL_MS = 60_000;
const closers: { close(): void }[] = [];

afterEach(() => {
  for (const closer of closers.splice(0)) closer.close();
});

function reconnectingSocket(socket: SocketLike, pingIntervalMs: number) {
  const connection = new ReconnectingSocket<unknown>({
    token: async () => "not-a-jwt",
    url: () => "ws://presence.test/v1/connect",
    shouldReconnect: () => false,
    openSocket: () => socket,
    pingIntervalMs,
    pongTimeoutMs: NO_INTERVAL_MS,
    backoff: { baseMs: 20, capMs: 100 },
    random: () => 0,
  });
  closers.push(connection);
  return connection;
}

describe("ReconnectingSocket heartbeat", () => {
  it("sends ping the moment a socket opens, before the first interval", async () => {
    const socket = scriptedSocket();
    const connection = reconnectingSocket(socket, NO_INTERVAL_MS);
    const states: ConnectionChange[] = [];
    connection.on("state", (change) => states.push(change));
    connection.start();
    await sleep(20);
    expect(socket.sent).toEqual([]);
    socket.open();
    expect(socket.sent).toEqual(["ping"]);
    expect(states.at(-1)).toEqual({ state: "open" });
  });

  it("keeps pinging at its interval after the first ping", async () => {
    const socket = scriptedSocket();
    reconnectingSocket(socket, 50).start();
    await sleep(20);
    socket.open();
    await sleep(180);
    expect(socket.sent.length).toBeGreaterThanOrEqual(3);
    expect(new Set(socket.sent)).toEqual(new Set(["ping"]));
  });

  it("makes ping the first frame a real device socket sends, and the server answers it", async () => {
    const opener = recordingOpener();
    const client = new PresenceClient({ baseUrl: BASE_URL, token: () => token(uniqueUser()), openSocket: opener.openSocket, pingIntervalMs: NO_INTERVAL_MS, pongTimeoutMs: 1000 });
    closers.push(client);
    await nextEvent(client, "presence");
    expect(opener.sent[0]).toBe("ping");
    // A pong came back within the timeout: the socket was not replaced for silence.
    await sleep(1300);
    expect(opener.urls).toHaveLength(1);
    expect(client.state).toBe("open");
  });
});
