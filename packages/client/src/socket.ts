import { pathWithQuery } from "./pathWithQuery.js";
import { serviceUrl } from "./serviceUrl.js";

/**
 * The little of a WebSocket the SDK uses, so a browser's `WebSocket`, Node's `ws` or a socket
 * accepted inside workerd (in tests) all fit.
 */
export interface SocketLike {
  /** 1 (`WebSocket.OPEN`) while open. */
  readonly readyState: number;
  /** Sends a text frame. */
  send(data: string): void;
  /** Closes the socket with this code and reason. */
  close(code?: number, reason?: string): void;
  /** Calls `listener` when the socket opens, or fails. */
  addEventListener(type: "open" | "error", listener: () => void): void;
  /** Calls `listener` with every frame received (the SDK reads text frames only). */
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  /** Calls `listener` once the socket closed, with the close code. */
  addEventListener(type: "close", listener: (event: { code: number }) => void): void;
}

/** Opens a socket to a `ws:`/`wss:` URL; may be async (tests open one through `fetch`). */
export type OpenSocket = (url: string) => SocketLike | Promise<SocketLike>;

/** `WebSocket.OPEN`, spelled out so the SDK does not need a global `WebSocket` to read it. */
export const SOCKET_OPEN = 1;

export const openBrowserSocket: OpenSocket = (url) => new WebSocket(url);

/** The socket URL for `path` on the service at `baseUrl` (http(s) or ws(s)); defaults to the page's origin. */
export function socketUrl(baseUrl: string | undefined, path: string, query: Record<string, string | undefined>): string {
  const url = serviceUrl(baseUrl, pathWithQuery(path, query));
  url.protocol = url.protocol.replace(/^http/, "ws");
  return url.toString();
}
