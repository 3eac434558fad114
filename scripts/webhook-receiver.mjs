#!/usr/bin/env node
// A webhook receiver for local development: npm run webhooks:receive [-- port] (default 8788).
// Checks each POST's Presence-Signature with WEBHOOK_SECRET (or the one in .dev.vars), prints one
// line per event and answers 200; a missing or wrong signature, or one more than 300 s from this
// clock, gets 401 and nothing is printed but the refusal. The contract is in docs/WEBHOOKS.md.
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const TOLERANCE_S = 300;

const port = Number(process.argv[2] ?? 8788);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error("usage: node scripts/webhook-receiver.mjs [port]");
  process.exit(2);
}
const secret =
  process.env.WEBHOOK_SECRET ?? readFileSync(new URL("../.dev.vars", import.meta.url), "utf8").match(/^WEBHOOK_SECRET=(.*)$/m)?.[1]?.trim();
if (!secret) {
  console.error("no WEBHOOK_SECRET in the environment or in .dev.vars");
  process.exit(2);
}

/** Why `header` does not sign `body` (the raw bytes, as received), or null when it does. */
function refusal(header, body) {
  const parts = Object.fromEntries(
    (header ?? "").split(",").map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    }),
  );
  if (!/^\d+$/.test(parts.t ?? "") || !/^[0-9a-f]{64}$/.test(parts.v1 ?? "")) return "no signature";
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > TOLERANCE_S) return `signed at ${parts.t}, more than ${TOLERANCE_S} s from now`;
  const expected = createHmac("sha256", secret).update(`${parts.t}.`).update(body).digest();
  // Same length by the pattern above; timingSafeEqual so the comparison tells an attacker nothing.
  return timingSafeEqual(Buffer.from(parts.v1, "hex"), expected) ? null : "wrong signature";
}

function line(event) {
  const lastSeen = event.lastSeen === undefined ? "" : ` lastSeen=${event.lastSeen === null ? "null" : new Date(event.lastSeen).toISOString()}`;
  return `${new Date(event.at).toISOString()} ${event.user} ${event.previous} -> ${event.status} rev=${event.rev} id=${event.id}${lastSeen}`;
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    if (request.method !== "POST") {
      response.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const body = Buffer.concat(chunks);
    const refused = refusal(request.headers["presence-signature"], body);
    if (refused !== null) {
      console.error(`refused a POST (401): ${refused}`);
      response.writeHead(401).end();
      return;
    }
    let events;
    try {
      events = JSON.parse(body.toString("utf8")).events;
    } catch {
      events = undefined;
    }
    if (!Array.isArray(events)) {
      console.error("refused a POST (400): signed, but not {\"events\": [...]}");
      response.writeHead(400).end();
      return;
    }
    console.log(`# attempt ${request.headers["presence-attempt"] ?? "?"}, ${events.length} event(s)`);
    for (const event of events) console.log(line(event));
    response.writeHead(200).end();
  });
});

server.listen(port, () => {
  const { port: listening } = server.address();
  console.log(`listening on http://localhost:${listening}/ (set WEBHOOK_URL to it)`);
});
