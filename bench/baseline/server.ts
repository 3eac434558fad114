/**
 * The floor for fan-out: a bare `ws` broadcast server (no auth, no storage, no objects), speaking
 * just enough of the service's protocol that the very same client code drives it:
 * - `/v1/scopes/<scope>/watch` gets a `sync`, then every broadcast as a `diff` (one `seq` per scope,
 *   each diff serialized once for every watcher, as the service's rooms do);
 * - `/v1/connect` gets a `hello`; a `status` frame from it is broadcast to every watcher as a diff
 *   of the same shape and size as the service's (one updated member, the same fields), and to every
 *   device subscribed to the user as a `changed` frame (the user's view, the same fields);
 * - a device's `subscribe` frame is answered `subscribed` with each user's view (no visibility rule);
 * - `ping` is answered `pong`.
 * Run by bench/baseline/control.ts as a child process; it reports its port over IPC.
 */
import { WebSocketServer, type WebSocket } from "ws";
import type { ChangedFrame, DeviceFrame, DiffFrame, HelloFrame, SubscribedFrame, SyncFrame } from "../../src/protocol/frames.ts";
import type { DeviceType } from "../../src/protocol/ids.ts";
import type { Member, PresenceView } from "../../src/protocol/presence.ts";

interface Watcher {
  ws: WebSocket;
  scope: string;
}

const watchers = new Set<Watcher>();
const seqs = new Map<string, number>();
/** Device sockets subscribed to each user. */
const subscribers = new Map<string, Set<WebSocket>>();
/** Each connected user's view, as subscribers get it. */
const views = new Map<string, PresenceView>();

function unknownView(user: string): PresenceView {
  return { user, status: "offline", text: null, lastActive: null, lastSeen: null, devices: [] };
}

/** Sends the user's view to every device subscribed to them, serialized once (the service builds one per subscribing user). */
function tellSubscribers(view: PresenceView): void {
  const frame = JSON.stringify({ type: "changed", presence: view } satisfies ChangedFrame);
  for (const ws of subscribers.get(view.user) ?? []) if (ws.readyState === ws.OPEN) ws.send(frame);
}

/** The token's `sub`, read without verifying (this server does no auth), so frames name the same user. */
function subjectOf(url: URL): string {
  const payload = url.searchParams.get("token")?.split(".")[1];
  if (!payload) return "anonymous";
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: unknown };
    return typeof claims.sub === "string" ? claims.sub : "anonymous";
  } catch {
    return "anonymous";
  }
}

function broadcast(member: Member): void {
  const frames = new Map<string, string>();
  for (const watcher of watchers) {
    if (watcher.ws.readyState !== watcher.ws.OPEN) continue;
    let frame = frames.get(watcher.scope);
    if (frame === undefined) {
      const seq = (seqs.get(watcher.scope) ?? 0) + 1;
      seqs.set(watcher.scope, seq);
      frame = JSON.stringify({ type: "diff", scope: watcher.scope, seq, joins: [], updates: [member], leaves: [] } satisfies DiffFrame);
      frames.set(watcher.scope, frame);
    }
    watcher.ws.send(frame);
  }
}

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, maxPayload: 4096 });

server.on("connection", (ws, request) => {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  const watch = url.pathname.match(/^\/v1\/scopes\/([^/]+)\/watch$/);
  if (watch) {
    const watcher: Watcher = { ws, scope: decodeURIComponent(watch[1] ?? "") };
    watchers.add(watcher);
    ws.send(JSON.stringify({ type: "sync", scope: watcher.scope, seq: seqs.get(watcher.scope) ?? 0, members: [] } satisfies SyncFrame));
    ws.on("message", (data) => {
      if (data.toString() === "ping") ws.send("pong");
    });
    ws.on("close", () => watchers.delete(watcher));
    return;
  }
  if (url.pathname === "/v1/connect") {
    const user = subjectOf(url);
    const device = url.searchParams.get("device") ?? "device";
    const type = (url.searchParams.get("type") ?? "web") as DeviceType;
    const presence: PresenceView = { user, status: "online", text: null, lastActive: Date.now(), lastSeen: null, devices: [{ id: device, type, idle: false }] };
    views.set(user, presence);
    const hello: HelloFrame = { type: "hello", user, device, presence };
    ws.send(JSON.stringify(hello));
    const followed = new Set<string>();
    ws.on("message", (data) => {
      const text = data.toString();
      if (text === "ping") return void ws.send("pong");
      try {
        const frame = JSON.parse(text) as DeviceFrame;
        if (frame.type === "status") {
          const status = frame.status === "busy" ? "busy" : "online";
          const view: PresenceView = { ...(views.get(user) ?? presence), status, text: frame.text ?? null, lastActive: Date.now() };
          views.set(user, view);
          broadcast({ user, status, text: view.text, lastActive: view.lastActive });
          tellSubscribers(view);
        } else if (frame.type === "subscribe") {
          for (const followedUser of frame.users) {
            followed.add(followedUser);
            const sockets = subscribers.get(followedUser) ?? new Set<WebSocket>();
            sockets.add(ws);
            subscribers.set(followedUser, sockets);
          }
          const answer: SubscribedFrame = { type: "subscribed", presence: Object.fromEntries(frame.users.map((name) => [name, views.get(name) ?? unknownView(name)])) };
          ws.send(JSON.stringify(answer));
        }
      } catch {
        // The floor ignores what it does not understand.
      }
    });
    ws.on("close", () => {
      for (const followedUser of followed) subscribers.get(followedUser)?.delete(ws);
    });
    return;
  }
  ws.close(1008, "unknown path");
});

server.on("listening", () => {
  const address = server.address();
  process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
});

// Never outlive the bench.
process.on("disconnect", () => process.exit(0));
