import { exports } from "cloudflare:workers";
import type { OpenSocket, SocketLike } from "../../packages/client/src";
import { eventually, type Frame } from "../helpers";

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

/** A socket the test plays the server of: it opens, delivers frames and closes when told, and records what is sent on it. */
export function scriptedSocket() {
  const listeners = new Map<string, ((event: never) => void)[]>();
  const emit = (type: string, event: unknown) => {
    for (const listener of listeners.get(type) ?? []) listener(event as never);
  };
  const socket = {
    readyState: 0,
    sent: [] as string[],
    send(data: string) {
      socket.sent.push(data);
    },
    close() {
      socket.readyState = 3;
    },
    addEventListener(type: string, listener: (event: never) => void) {
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
    },
    open() {
      socket.readyState = 1;
      emit("open", undefined);
    },
    /** A frame from the server. */
    receive(frame: Frame) {
      emit("message", { data: JSON.stringify(frame) });
    },
    /** The server closes the socket. */
    drop(code: number) {
      socket.readyState = 3;
      emit("close", { code });
    },
    /** The socket could not be opened, as a browser reports it: `error`, then `close` with 1006. */
    fail() {
      socket.readyState = 3;
      emit("error", undefined);
      emit("close", { code: 1006 });
    },
    /** The frames sent on it, parsed, the heartbeat left out. */
    frames(): Frame[] {
      return socket.sent.filter((data) => data !== "ping").map((data) => JSON.parse(data) as Frame);
    },
  };
  return socket;
}

export type ScriptedSocket = ReturnType<typeof scriptedSocket>;

/** Opens a fresh scripted socket for every try. */
export function scriptedOpener() {
  const sockets: ScriptedSocket[] = [];
  const openSocket: OpenSocket = () => {
    const socket = scriptedSocket();
    sockets.push(socket);
    return socket;
  };
  /** The `index`th socket opened (from 0), once the client has opened it. */
  const socket = async (index: number) => {
    await eventually(() => sockets.length > index, 2000, `socket ${index} being opened`);
    return sockets[index] as ScriptedSocket;
  };
  return { openSocket, sockets, socket };
}

export interface BlockableOpener {
  openSocket: OpenSocket;
  /** How many sockets the client tried to open. */
  readonly tries: number;
  /** From now on sockets open on the real worker. */
  unblock(): void;
}

/**
 * Opens sockets as a browser behind a proxy that refuses WebSocket upgrades: every socket fails
 * (`error`, then `close` 1006, never `open`) until `unblock()`; after it they open on the real worker.
 */
export function blockableOpener(): BlockableOpener {
  let blocked = true;
  let tries = 0;
  return {
    openSocket: (url) => {
      tries += 1;
      if (!blocked) return openInWorker(url);
      const socket = scriptedSocket();
      setTimeout(() => socket.fail(), 0);
      return socket;
    },
    get tries() {
      return tries;
    },
    unblock: () => {
      blocked = false;
    },
  };
}
