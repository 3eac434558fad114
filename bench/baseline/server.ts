/**
 * The floor for fan-out: a bare `ws` broadcast server (no auth, no storage, no objects), speaking
 * just enough of the service's protocol that the very same client code drives it:
 * - `/v1/scopes/<scope>/watch` gets a `sync`, then every broadcast as a `diff` with its own `seq`;
 * - `/v1/connect` gets a `hello`; a `status` frame from it is broadcast to every watcher as a diff
 *   of the same shape and size as the service's (one updated member, the same fields);
 * - `ping` is answered `pong`.
 * Run by bench/baseline/control.ts as a child process; it reports its port over IPC.
 */
import { WebSocketServer, type WebSocket } from "ws";

interface Watcher {
  ws: WebSocket;
  scope: string;
  seq: number;
}

const watchers = new Set<Watcher>();

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

function broadcast(user: string, status: string, text: string | null): void {
  const member = JSON.stringify({ user, status, text, lastActive: Date.now() });
  for (const watcher of watchers) {
    if (watcher.ws.readyState !== watcher.ws.OPEN) continue;
    watcher.seq += 1;
    watcher.ws.send(
      `{"type":"diff","scope":${JSON.stringify(watcher.scope)},"seq":${watcher.seq},"joins":[],"updates":[${member}],"leaves":[]}`,
    );
  }
}

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false, maxPayload: 4096 });

server.on("connection", (ws, request) => {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  const watch = url.pathname.match(/^\/v1\/scopes\/([^/]+)\/watch$/);
  if (watch) {
    const watcher: Watcher = { ws, scope: decodeURIComponent(watch[1] ?? ""), seq: 0 };
    watchers.add(watcher);
    ws.send(JSON.stringify({ type: "sync", scope: watcher.scope, seq: 0, members: [] }));
    ws.on("message", (data) => {
      if (data.toString() === "ping") ws.send("pong");
    });
    ws.on("close", () => watchers.delete(watcher));
    return;
  }
  if (url.pathname === "/v1/connect") {
    const user = subjectOf(url);
    const device = url.searchParams.get("device") ?? "device";
    ws.send(JSON.stringify({ type: "hello", user, device, presence: { user, status: "online", text: null, devices: [] } }));
    ws.on("message", (data) => {
      const text = data.toString();
      if (text === "ping") return void ws.send("pong");
      try {
        const frame = JSON.parse(text) as { type?: unknown; status?: unknown; text?: unknown };
        if (frame.type === "status") broadcast(user, String(frame.status), typeof frame.text === "string" ? frame.text : null);
      } catch {
        // The floor ignores what it does not understand.
      }
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
