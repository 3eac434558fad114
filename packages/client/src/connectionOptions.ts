import { DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";
import { openBrowserSocket, type OpenSocket } from "./socket.js";

/** Where a token comes from: a fixed string, or a function asked again before every (re)connect. */
export type TokenSource = string | (() => string | Promise<string>);

/** What every socket the SDK opens has in common: where, as whom, and how it keeps itself alive. */
export interface ConnectionOptions {
  token: TokenSource;
  /** The service's origin (`https://…` or `wss://…`); defaults to the page's origin. */
  baseUrl?: string;
  /** How a socket is opened; defaults to `new WebSocket(url)`. */
  openSocket?: OpenSocket;
  /** How often the `ping` heartbeat goes out; keep it under half the server's `OFFLINE_AFTER_MS`. */
  pingIntervalMs?: number;
  /** A socket that answers nothing for this long after a `ping` is treated as dead and replaced. */
  pongTimeoutMs?: number;
  backoff?: BackoffPolicy;
  /** Random numbers in [0, 1) for the jitter; replace it only in tests. */
  random?: () => number;
}

const DEFAULT_PING_INTERVAL_MS = 25_000;
const DEFAULT_PONG_TIMEOUT_MS = 10_000;

export async function resolveToken(source: TokenSource): Promise<string> {
  return typeof source === "string" ? source : await source();
}

/** The settings a `ReconnectingSocket` runs with, once defaults are filled in. */
export interface ConnectionSettings {
  openSocket: OpenSocket;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  backoff: BackoffPolicy;
  random: () => number;
}

export function connectionSettings(options: ConnectionOptions): ConnectionSettings {
  return {
    openSocket: options.openSocket ?? openBrowserSocket,
    pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    pongTimeoutMs: options.pongTimeoutMs ?? DEFAULT_PONG_TIMEOUT_MS,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    random: options.random ?? Math.random,
  };
}
