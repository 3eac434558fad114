import { exports } from "cloudflare:workers";
import { env, runInDurableObject } from "cloudflare:test";
import type { UserPresence } from "../src/presence/userPresence";
import { sign } from "hono/jwt";
import type { Env } from "../src/env";

export const testEnv: Env = env;
export const timers = {
  awayAfterMs: Number(testEnv.AWAY_AFTER_MS),
  offlineAfterMs: Number(testEnv.OFFLINE_AFTER_MS),
  disconnectGraceMs: Number(testEnv.DISCONNECT_GRACE_MS),
  leaseMs: Number(testEnv.LEASE_MS),
};

let counter = 0;
/** A user id no other test uses, so objects kept between tests in a file never interfere. */
export function uniqueUser(prefix = "user"): string {
  counter += 1;
  return `${prefix}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

export interface TokenOptions {
  org?: string;
  zone?: string;
  name?: string;
  ttlSeconds?: number;
  secret?: string;
  /** `iat`, epoch seconds (default: now). */
  issuedAt?: number;
}

/** The issuer and audience every test token carries (vitest.config.ts makes the service require them). */
export const TOKEN_ISSUER = "https://issuer.test/";
export const TOKEN_AUDIENCE = "presence-test";

export function token(sub: string, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { ttlSeconds = 3600, secret = testEnv.JWT_SECRET, org, issuedAt = now, ...claims } = options;
  const orgClaim = org === undefined ? {} : { "https://presence.test/org": org };
  return sign({ sub, iat: issuedAt, exp: now + ttlSeconds, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, ...orgClaim, ...claims }, secret, "HS256");
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds, failing with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await sleep(25);
  }
}

export function call(path: string, init: RequestInit & { token?: string; json?: unknown } = {}): Promise<Response> {
  const { token: bearer, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (bearer) headers.set("Authorization", `Bearer ${bearer}`);
  if (json !== undefined) headers.set("Content-Type", "application/json");
  return exports.default.fetch(`http://presence.test${path}`, {
    ...rest,
    headers,
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
}

export type Frame = { type: string } & Record<string, unknown>;

/** A client socket that queues what it receives, so tests can await the next frame of a kind. */
export class TestSocket {
  private readonly frames: (Frame | string)[] = [];
  private waiters: (() => void)[] = [];
  closeCode: number | null = null;

  constructor(readonly ws: WebSocket) {
    ws.accept();
    ws.addEventListener("message", (event) => {
      const data = event.data as string;
      this.frames.push(data === "pong" ? data : (JSON.parse(data) as Frame));
      this.wake();
    });
    ws.addEventListener("close", (event) => {
      this.closeCode = event.code;
      this.wake();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  send(frame: Frame | string): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Waits for the next frame matching `match`, dropping the ones before it. */
  async next<T extends Frame | string = Frame>(match: (frame: Frame | string) => boolean = () => true, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(0, index + 1)[index] as T;
      this.frames.length = 0;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no matching frame arrived in time");
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), sleep(left)]);
    }
  }

  nextOfType<T extends Frame = Frame>(type: string, timeoutMs?: number): Promise<T> {
    return this.next<T>((frame) => typeof frame !== "string" && frame.type === type, timeoutMs);
  }

  /** Everything received and not yet consumed, after waiting `ms` for more. */
  async drain(ms = 150): Promise<(Frame | string)[]> {
    await sleep(ms);
    return this.frames.splice(0);
  }

  async closed(timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === null) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("socket did not close in time");
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), sleep(left)]);
    }
    return this.closeCode;
  }

  close(code = 1000): void {
    this.ws.close(code, "bye");
  }
}

export async function upgrade(path: string): Promise<Response> {
  return exports.default.fetch(`http://presence.test${path}`, { headers: { Upgrade: "websocket" } });
}

export interface DeviceOptions extends TokenOptions {
  device?: string;
  type?: string;
}

/** Connects a device of `user` and waits for its `hello`. */
export async function connectDevice(user: string, options: DeviceOptions = {}): Promise<{ socket: TestSocket; hello: Frame }> {
  const { device, type, ...tokenOptions } = options;
  const query = new URLSearchParams({ token: await token(user, tokenOptions) });
  if (device) query.set("device", device);
  if (type) query.set("type", type);
  const response = await upgrade(`/v1/connect?${query}`);
  if (response.status !== 101 || !response.webSocket) throw new Error(`connect failed: ${response.status} ${await response.text()}`);
  const socket = new TestSocket(response.webSocket);
  const hello = await socket.nextOfType("hello");
  return { socket, hello };
}

/** Runs `fn` inside `user`'s PresenceObject, on what it holds (for counts no request can see). */
export function inPresenceObject<R>(user: string, fn: (presence: UserPresence) => R | Promise<R>): Promise<R> {
  return runInDurableObject(presenceStub(user), (instance) => fn((instance as unknown as { presence: UserPresence }).presence));
}

export function presenceStub(user: string) {
  return testEnv.PRESENCE.get(testEnv.PRESENCE.idFromName(user));
}

export function roomStub(scope: string) {
  return testEnv.ROOMS.get(testEnv.ROOMS.idFromName(scope));
}

/** Opens a watch socket on `scope` and waits for its `sync`. */
export async function watchScope(scope: string, viewer: string, options: TokenOptions = {}): Promise<{ socket: TestSocket; sync: Frame }> {
  const response = await upgrade(`/v1/scopes/${scope}/watch?token=${await token(viewer, options)}`);
  if (response.status !== 101 || !response.webSocket) throw new Error(`watch failed: ${response.status} ${await response.text()}`);
  const socket = new TestSocket(response.webSocket);
  const sync = await socket.next();
  if (typeof sync === "string" || sync.type !== "sync") throw new Error(`the first frame on a watch socket was ${JSON.stringify(sync)}, not a sync`);
  return { socket, sync };
}
