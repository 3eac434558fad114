import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/freePort.ts";
import { launchBrowser } from "./browser";
import { startDevServer, type DevServer } from "./wranglerDev";

/**
 * The SDK in a service worker, in Chromium: an app on an origin of its own (a small Node server here)
 * registers a worker bundled from packages/client/src, which connects to `wrangler dev` as a device,
 * subscribes to a user and watches its org, and posts what it hears to the page.
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ORG = "sw-org";

/** The service worker: every event of the SDK goes to the page as `{ kind, ... }`; `close` ends both connections. */
const WORKER_SOURCE = `
import { PresenceClient, watch } from "./packages/client/src/index.ts";
const params = new URL(self.location.href).searchParams;
const options = { baseUrl: params.get("base"), token: params.get("token") };
const tell = async (message) => {
  for (const client of await self.clients.matchAll({ includeUncontrolled: true, type: "window" })) client.postMessage(message);
};
const me = new PresenceClient({ ...options, device: "service-worker", deviceType: "web" });
me.on("presence", (presence) => tell({ kind: "presence", status: presence.status }));
me.on("changed", (view) => tell({ kind: "changed", user: view.user, status: view.status }));
me.on("state", ({ state }) => tell({ kind: "state", state }));
me.subscribe([params.get("follow")]);
const team = watch("org:${ORG}", options);
team.on("change", () => tell({ kind: "roster", members: team.members.map((member) => member.user) }));
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("message", (event) => {
  if (event.data === "close") {
    me.close();
    team.close();
    tell({ kind: "closed", state: me.state });
  }
});
`;

const PAGE = `<!doctype html><meta charset="utf-8"><title>service worker</title>
<script>
window.heard = [];
navigator.serviceWorker.addEventListener("message", (event) => window.heard.push(event.data));
navigator.serviceWorker.register("/sw.js" + location.search, { scope: "/" });
</script>`;

let dev: DevServer;
let app: Server;
let appUrl: string;
let browser: Browser;
let context: BrowserContext | undefined;

async function devToken(sub: string): Promise<string> {
  const response = await fetch(`${dev.url}/v1/dev/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sub, org: ORG }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

beforeAll(async () => {
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  const bundled = await build({ stdin: { contents: WORKER_SOURCE, resolveDir: ROOT, loader: "js" }, bundle: true, format: "esm", write: false, logLevel: "silent" });
  const worker = bundled.outputFiles[0]?.text ?? "";
  app = createServer((request, response) => {
    const isWorker = request.url?.startsWith("/sw.js") ?? false;
    response.writeHead(200, { "content-type": isWorker ? "text/javascript" : "text/html" });
    response.end(isWorker ? worker : PAGE);
  });
  await new Promise<void>((resolve) => app.listen(port, "127.0.0.1", resolve));
  [dev, browser] = await Promise.all([startDevServer({ DEV_TOKENS: "true", ALLOWED_ORIGINS: appUrl }), launchBrowser()]);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await dev?.stop();
  await new Promise((resolve) => app?.close(resolve));
});

describe("the SDK in a service worker", () => {
  it("connects as a device, follows a user and a roster, and closes on request", async () => {
    const [token, bobToken] = await Promise.all([devToken("sw-user"), devToken("sw-bob")]);
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${appUrl}/?${new URLSearchParams({ base: dev.url, token, follow: "sw-bob" })}`);
    type Heard = { kind: string; status?: string; user?: string; state?: string; members?: string[] };
    const heard = () => page.evaluate(() => (window as unknown as { heard: Heard[] }).heard);
    const hears = (what: string, match: (message: Heard) => boolean) => expect.poll(async () => (await heard()).some(match), { message: what, timeout: 20_000 }).toBe(true);

    await hears("its own presence, online", (message) => message.kind === "presence" && message.status === "online");
    await hears("bob, not connected yet", (message) => message.kind === "changed" && message.user === "sw-bob" && message.status === "offline");
    await hears("itself in its org's roster", (message) => message.kind === "roster" && (message.members ?? []).includes("sw-user"));

    const beat = await fetch(`${dev.url}/v1/presence/me/heartbeat`, { method: "POST", headers: { authorization: `Bearer ${bobToken}` } });
    expect(beat.status).toBe(200);
    await hears("bob online", (message) => message.kind === "changed" && message.user === "sw-bob" && message.status === "online");
    await hears("bob in the roster", (message) => message.kind === "roster" && (message.members ?? []).includes("sw-bob"));

    await page.evaluate(() => navigator.serviceWorker.controller?.postMessage("close"));
    await hears("closed", (message) => message.kind === "closed" && message.state === "closed");
  });
});
