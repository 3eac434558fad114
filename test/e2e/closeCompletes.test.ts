import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { sign } from "hono/jwt";
import { PresenceClient, type ConnectionChange } from "../../packages/client/src";
import { startDevServer, type DevServer } from "./wranglerDev";

/**
 * Whether a close the server starts completes (the TCP connection ends) under local workerd. Node's
 * `ws` fires `close` only once the connection has ended, so the time from the close frame arriving to
 * `close` is how long the connection outlived the close. Measured here: about 10 s for a socket whose
 * client never sent a frame, a few milliseconds for one that had sent an auto-answered `ping`.
 */

const SECRET = "e2e-close-secret";
/** Far longer than any close that completes; far shorter than the ~10 s an unfinished one lasts. */
const PROMPT_MS = 1_000;
/** `ws` gives up on the server and drops the connection itself after this long (its default). */
const CLOSE_TIMEOUT_MS = 30_000;

let server: DevServer;

beforeAll(async () => {
  // A long heartbeat expiry, so the only close in these tests is the replacement's 4001.
  server = await startDevServer({ JWT_SECRET: SECRET, DEV_TOKENS: "false", OFFLINE_AFTER_MS: "120000" });
});

afterAll(async () => {
  await server?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const token = (sub: string) => sign({ sub, exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET, "HS256");
const uniqueUser = () => `closer-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

async function connectUrl(user: string, device: string): Promise<string> {
  return `${server.url.replace(/^http/, "ws")}/v1/connect?token=${await token(user)}&device=${device}`;
}

/** A raw device socket, open and past its `hello`; `frames` keeps every text frame received. */
async function openDevice(user: string, device: string): Promise<{ ws: WebSocket; frames: string[] }> {
  const ws = new WebSocket(await connectUrl(user, device));
  const frames: string[] = [];
  ws.on("message", (data) => frames.push(String(data)));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  await until(() => frames.some((frame) => frame.includes('"type":"hello"')), "hello");
  return { ws, frames };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/**
 * Replaces `user`'s device `device` with a second socket, and times the first socket's close from the
 * close frame's arrival (`ws` turns CLOSING and answers it) to the end of the connection.
 */
async function replaceAndTimeClose(user: string, device: string, first: WebSocket): Promise<{ code: number; completedAfterMs: number }> {
  const closed = new Promise<number>((resolve) => first.once("close", (code) => resolve(code)));
  const second = await openDevice(user, device);
  try {
    await until(() => first.readyState !== WebSocket.OPEN, "close frame");
    const closeFrameAt = Date.now();
    const code = await closed;
    return { code, completedAfterMs: Date.now() - closeFrameAt };
  } finally {
    second.ws.terminate();
  }
}

describe("a close the server starts, under local workerd", () => {
  it("completes at once on a socket whose client has sent a frame, even an auto-answered ping", async () => {
    const user = uniqueUser();
    const first = await openDevice(user, "laptop");
    first.ws.send("ping");
    await until(() => first.frames.includes("pong"), "pong");
    const { code, completedAfterMs } = await replaceAndTimeClose(user, "laptop", first.ws);
    expect(code).toBe(4001);
    expect(completedAfterMs).toBeLessThan(PROMPT_MS);
  });

  it("does not complete on a socket whose client has never sent a frame: the close frame arrives, the connection stays", async () => {
    const user = uniqueUser();
    const first = await openDevice(user, "laptop");
    const { code, completedAfterMs } = await replaceAndTimeClose(user, "laptop", first.ws);
    expect(code).toBe(4001);
    // If this fails, the runtime now completes such closes: PLATFORM.md's note and the SDK's reason
    // for pinging at once (packages/client/src/ReconnectingSocket.ts) are out of date.
    expect(completedAfterMs).toBeGreaterThan(3 * PROMPT_MS);
  });

  it("completes at once for the SDK's device socket, which pings as soon as it opens", async () => {
    const user = uniqueUser();
    const states: ConnectionChange[] = [];
    const client = new PresenceClient({
      baseUrl: server.url,
      device: "laptop",
      token: () => token(user),
      // Its interval never fires during the test: the only ping is the one sent on open.
      pingIntervalMs: 60_000,
      openSocket: (url) => new WebSocket(url),
    });
    client.on("state", (change) => states.push(change));
    try {
      await until(() => client.presence !== null, "hello");
      const replacedAt = Date.now();
      const second = await openDevice(user, "laptop");
      second.ws.terminate();
      await until(() => client.state === "closed", "the SDK's close", CLOSE_TIMEOUT_MS + 5_000);
      expect(states.at(-1)).toEqual({ state: "closed", code: 4001 });
      expect(Date.now() - replacedAt).toBeLessThan(PROMPT_MS * 2);
    } finally {
      client.close();
    }
  });
});
