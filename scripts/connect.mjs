#!/usr/bin/env node
// Connects a device (or, with --watch, a watcher) to a running service and prints every frame, keeping the heartbeat:
//   npm run connect -- <user> [--org O] [--zone Z] [--name N] [--device D] [--watch scope] [--url http://localhost:8787]
// Lines typed on stdin are sent as they are (JSON frames, e.g. {"type":"status","status":"busy"}).
// The service closes a socket that sends nothing for OFFLINE_AFTER_MS (60 s): this sends `ping` every 25 s, as the SDK does.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { sign } from "hono/jwt";

const HEARTBEAT_MS = 25_000;
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    org: { type: "string" },
    zone: { type: "string" },
    name: { type: "string" },
    device: { type: "string", default: "terminal" },
    watch: { type: "string" },
    url: { type: "string", default: "http://localhost:8787" },
  },
});
const [sub] = positionals;
if (!sub || !/^[A-Za-z0-9._:@-]{1,128}$/.test(sub)) {
  console.error("usage: npm run connect -- <user> [--org O] [--zone Z] [--name N] [--device D] [--watch scope] [--url URL]");
  process.exit(2);
}
if (typeof WebSocket !== "function") {
  console.error(`Node ${process.versions.node} has no global WebSocket: use Node 22 or newer (see .nvmrc)`);
  process.exit(2);
}
const secret = process.env.JWT_SECRET ?? readFileSync(new URL("../.dev.vars", import.meta.url), "utf8").match(/^JWT_SECRET=(.*)$/m)?.[1]?.trim();
if (!secret) {
  console.error("no JWT_SECRET in the environment or in .dev.vars");
  process.exit(2);
}
const claims = { sub, exp: Math.floor(Date.now() / 1000) + 3600 };
for (const key of ["org", "zone", "name"]) if (values[key]) claims[key] = values[key];
const token = await sign(claims, secret, "HS256");

const base = new URL(values.url);
base.protocol = base.protocol === "https:" ? "wss:" : "ws:";
const target = values.watch
  ? new URL(`/v1/scopes/${encodeURIComponent(values.watch)}/watch?token=${encodeURIComponent(token)}`, base)
  : new URL(`/v1/connect?token=${encodeURIComponent(token)}&device=${encodeURIComponent(values.device)}`, base);
const socket = new WebSocket(target);
let heartbeat;
socket.addEventListener("open", () => {
  console.error(`connected to ${target.pathname} as ${sub}; type JSON frames to send, Ctrl-C to leave`);
  socket.send("ping");
  heartbeat = setInterval(() => socket.send("ping"), HEARTBEAT_MS);
});
socket.addEventListener("message", (event) => {
  if (event.data !== "pong") console.log(String(event.data));
});
socket.addEventListener("close", (event) => {
  clearInterval(heartbeat);
  console.error(`closed: ${event.code} ${event.reason}`);
  process.exit(event.code === 1000 ? 0 : 1);
});
socket.addEventListener("error", () => console.error(`could not connect to ${target.origin} (is \`npm run dev\` running?)`));
createInterface({ input: process.stdin }).on("line", (line) => line.trim() && socket.send(line.trim()));
process.on("SIGINT", () => socket.close(1000, "bye"));
