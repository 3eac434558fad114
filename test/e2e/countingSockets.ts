import WebSocket from "ws";
import type { OpenSocket } from "../../packages/client/src";

/** Where `blocked` sends every socket: a port nothing listens on, so it closes (1006) before it opens. */
const REFUSED = "ws://127.0.0.1:9";

export interface CountingSockets {
  /** Give it to the SDK as `openSocket`: real sockets (Node's `ws`), each one kept here. */
  openSocket: OpenSocket;
  /** How many sockets were opened so far, to `path` if given (`/v1/connect`, `/watch`). */
  opened(path?: string): number;
  /** The sockets not closed yet (connecting, open or closing), to `path` if given. */
  live(path?: string): WebSocket[];
  /** Cuts every open socket to `path` as a lost network would: no close frame, the SDK sees 1006. */
  drop(path: string): void;
  /** While true, every new socket goes where nothing answers, as behind a proxy that blocks WebSockets. */
  blocked: boolean;
}

/** Sockets the test can count and cut, behind the SDK's `openSocket` option. */
export function countingSockets(): CountingSockets {
  const sockets: { path: string; socket: WebSocket }[] = [];
  const matching = (path?: string) => sockets.filter((entry) => path === undefined || entry.path.includes(path));
  const counting: CountingSockets = {
    blocked: false,
    openSocket: (url) => {
      const socket = new WebSocket(counting.blocked ? REFUSED : url);
      // `ws` throws an `error` event nobody listens to; the SDK goes by the `close` that follows it.
      socket.on("error", () => {});
      sockets.push({ path: new URL(url).pathname, socket });
      return socket;
    },
    opened: (path) => matching(path).length,
    live: (path) => matching(path).flatMap(({ socket }) => (socket.readyState === WebSocket.CLOSED ? [] : [socket])),
    drop: (path) => {
      for (const { socket } of matching(path)) if (socket.readyState === WebSocket.OPEN) socket.terminate();
    },
  };
  return counting;
}
