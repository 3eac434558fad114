/**
 * The floor for fan-out, subscribers and messages: a bare `ws` server on a bare node `http` server
 * (no auth, no storage, no objects), speaking just enough of the service's protocol that the very
 * same client code drives it:
 * - `/v1/scopes/<scope>/watch` gets a `sync`, then every broadcast as a `diff` (one `seq` per scope,
 *   each diff serialized once for every watcher, as the service's rooms do);
 * - `/v1/connect` gets a `hello`; a `status` frame from it is broadcast to every watcher as a diff
 *   of the same shape and size as the service's (one updated member, the same fields), and to every
 *   device subscribed to the user as a `changed` frame (the user's view, the same fields);
 * - a device's `subscribe` frame is answered `subscribed` with each user's view (no visibility rule);
 * - `POST /v1/messages` (`{"to","body"}`, the bearer token's `sub` as the sender) writes a `message`
 *   frame to every connected device of `to` and a `delivered` receipt to the sender's, then answers
 *   as the service does; nothing is stored, so `ack` frames are ignored;
 * - `ping` is answered `pong`.
 * Run by bench/baseline/control.ts as a child process; it reports its port over IPC.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import type { ChangedFrame, DeviceFrame, DiffFrame, HelloFrame, MessageFrame, ReceiptFrame, SubscribedFrame, SyncFrame } from "../../src/protocol/frames.ts";
import type { DeviceType } from "../../src/protocol/ids.ts";
import type { SendMessageRequest, SendMessageResponse } from "../../src/protocol/messages.ts";
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
/** Each user's connected device sockets. */
const devices = new Map<string, Set<WebSocket>>();

function unknownView(user: string): PresenceView {
  return { user, status: "offline", text: null, lastActive: null, lastSeen: null, devices: [] };
}

/** Sends the user's view to every device subscribed to them, serialized once (the service builds one per subscribing user). */
function tellSubscribers(view: PresenceView): void {
  const frame = JSON.stringify({ type: "changed", presence: view } satisfies ChangedFrame);
  for (const ws of subscribers.get(view.user) ?? []) if (ws.readyState === ws.OPEN) ws.send(frame);
}

/** The token's `sub`, read without verifying (this server does no auth), so frames name the same user. */
function subjectOf(token: string | null | undefined): string {
  const payload = token?.split(".")[1];
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

function sendToUser(user: string, frame: string): number {
  let sent = 0;
  for (const ws of devices.get(user) ?? []) {
    if (ws.readyState !== ws.OPEN) continue;
    ws.send(frame);
    sent += 1;
  }
  return sent;
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** `POST /v1/messages`: to the receiver's devices at once, a receipt to the sender's, the service's answer. */
async function postMessage(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let sent: SendMessageRequest;
  try {
    sent = JSON.parse(Buffer.concat(chunks).toString("utf8")) as SendMessageRequest;
  } catch {
    return answer(response, 400, { error: { code: "invalid_request", message: "not JSON" } });
  }
  const from = subjectOf(request.headers.authorization?.replace(/^Bearer /, ""));
  const message = { id: randomUUID(), from, body: sent.body, sentAt: Date.now(), read: false };
  const delivered = sendToUser(sent.to, JSON.stringify({ type: "message", message } satisfies MessageFrame)) > 0;
  if (delivered) sendToUser(from, JSON.stringify({ type: "receipt", id: message.id, to: sent.to, state: "delivered" } satisfies ReceiptFrame));
  answer(response, 200, { id: message.id, sentAt: message.sentAt, delivered, read: false } satisfies SendMessageResponse);
}

const http = createServer((request, response) => {
  if (request.method === "POST" && request.url === "/v1/messages") {
    postMessage(request, response).catch(() => answer(response, 500, { error: { code: "internal", message: "floor failed" } }));
    return;
  }
  answer(response, 404, { error: { code: "not_found", message: "the floor serves /v1/messages only" } });
});
const server = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 4096 });

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
    const user = subjectOf(url.searchParams.get("token"));
    const device = url.searchParams.get("device") ?? "device";
    const type = (url.searchParams.get("type") ?? "web") as DeviceType;
    const presence: PresenceView = { user, status: "online", text: null, lastActive: Date.now(), lastSeen: null, devices: [{ id: device, type, idle: false }] };
    views.set(user, presence);
    const hello: HelloFrame = { type: "hello", user, device, presence };
    ws.send(JSON.stringify(hello));
    const own = devices.get(user) ?? new Set<WebSocket>();
    own.add(ws);
    devices.set(user, own);
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
      own.delete(ws);
    });
    return;
  }
  ws.close(1008, "unknown path");
});

http.listen(0, "127.0.0.1", () => {
  const address = http.address();
  process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
});

// Never outlive the bench.
process.on("disconnect", () => process.exit(0));
