import { exports } from "cloudflare:workers";
import type { OpenSocket, SocketLike } from "../../src/client";

/** Where the SDK under test believes the service is; the opener below routes it to the worker itself. */
export const BASE_URL = "http://presence.test";

/** Opens a socket on the real worker, as a browser would: an upgrade request, then `accept()`. */
export const openInWorker: OpenSocket = async (url) => {
  const response = await exports.default.fetch(url.replace(/^ws/, "http"), { headers: { Upgrade: "websocket" } });
  const ws = response.webSocket;
  if (response.status !== 101 || !ws) throw new Error(`upgrade refused: ${response.status} ${await response.text()}`);
  ws.accept();
  return ws;
};

export interface RecordingOpener {
  openSocket: OpenSocket;
  /** Every URL opened, in order. */
  urls: string[];
  /** Every text the client sent, over any socket. */
  sent: string[];
  /** Server frames the `drop` filter swallowed. */
  dropped: string[];
}

export interface RecordingOptions {
  /** Frames from the server to hide from the client, as if lost on the way. */
  drop?: (data: string) => boolean;
  /** Awaited before each open after the first: lets a test change things while the client is away. */
  beforeReopen?: () => Promise<void>;
}

/** Wraps `openInWorker` to count opens, record what the client sends and lose chosen frames. */
export function recordingOpener(options: RecordingOptions = {}): RecordingOpener {
  const recorder: RecordingOpener = { urls: [], sent: [], dropped: [], openSocket: async () => undefined as never };
  recorder.openSocket = async (url) => {
    if (recorder.urls.length > 0) await options.beforeReopen?.();
    recorder.urls.push(url);
    return wrap(await openInWorker(url), recorder, options.drop);
  };
  return recorder;
}

function wrap(socket: SocketLike, recorder: RecordingOpener, drop?: (data: string) => boolean): SocketLike {
  return {
    get readyState() {
      return socket.readyState;
    },
    send(data: string) {
      recorder.sent.push(data);
      socket.send(data);
    },
    close(code?: number, reason?: string) {
      socket.close(code, reason);
    },
    addEventListener(type: "open" | "error" | "message" | "close", listener: (event: never) => void) {
      if (type !== "message") {
        socket.addEventListener(type as "close", listener as (event: { code: number }) => void);
        return;
      }
      socket.addEventListener("message", (event) => {
        if (typeof event.data === "string" && drop?.(event.data)) recorder.dropped.push(event.data);
        else (listener as (event: { data: unknown }) => void)(event);
      });
    },
  };
}
