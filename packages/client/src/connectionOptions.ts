import { DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";
import { openBrowserSocket, type OpenSocket } from "./socket.js";
import type { RestOptions } from "./Rest.js";
import type { RestFallbackOptions } from "./RestFallback.js";

/** Where a token comes from: a fixed string, or a function asked again before every (re)connect and every REST request (so it should hand out a token it holds while that one is valid). */
export type TokenSource = string | (() => string | Promise<string>);

/**
 * What every connection the SDK keeps has in common: where, as whom, how it keeps its socket alive,
 * and how it carries on over REST (with `fetch`) while no socket can be opened.
 */
export interface ConnectionOptions extends RestOptions {
  /** How a socket is opened; defaults to `new WebSocket(url)`. */
  openSocket?: OpenSocket;
  /** How often the `ping` heartbeat goes out; keep it under half the server's `OFFLINE_AFTER_MS`. */
  pingIntervalMs?: number;
  /** A socket that answers nothing for this long after a `ping` is treated as dead and replaced. */
  pongTimeoutMs?: number;
  backoff?: BackoffPolicy;
  /** Random numbers in [0, 1) for the jitter; replace it only in tests. */
  random?: () => number;
  /**
   * Where WebSockets are blocked (some corporate proxies), the connection carries on over REST: after
   * `afterFailures` (default 2) sockets in a row that closed before they opened, its `state` is `rest`
   * while sockets are still tried in the background (with the usual backoff), and `open` again once
   * one opens. Every `pollIntervalMs` (default 10 s) a round polls with `If-None-Match` (a 304 when
   * nothing changed): a device client its own presence and each subscribed user, a watch every page
   * of its roster; a device's heartbeat goes out as often as the service asks (half its
   * `OFFLINE_AFTER_MS`). Mind the service's REST rate limit per user when following many users.
   * `false`: never; the connection only keeps trying sockets.
   */
  restFallback?: RestFallbackOptions | false;
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
