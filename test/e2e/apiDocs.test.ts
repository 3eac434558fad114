import { mkdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Request } from "playwright-core";
import { execFileSync } from "node:child_process";
import { copyDocsVendor } from "../../scripts/docs-vendor.ts";
import { launchBrowser } from "./browser";
import { startDevServer, type DevServer } from "./wranglerDev";

/**
 * The API reference at `/docs`: Swagger UI, served by the service itself (public/docs/, with its
 * files copied from swagger-ui-dist into public/docs/vendor/), rendering `/v1/openapi.json`, with
 * nothing fetched from anywhere but the service.
 */

let server: DevServer;
let browser: Browser;
let context: BrowserContext | undefined;

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

function leftTheMachine(request: Request): boolean {
  const url = new URL(request.url());
  if (url.protocol === "data:" || url.protocol === "blob:" || url.protocol === "about:") return false;
  return !LOCAL_HOSTS.has(url.hostname);
}

beforeAll(async () => {
  // What `npm run dev` and `npm run test:e2e` do first (predev, pretest:e2e), so this file also runs on its own.
  await copyDocsVendor();
  execFileSync(process.execPath, ["scripts/api-docs.mjs"], { stdio: "ignore" });
  [server, browser] = await Promise.all([startDevServer({}), launchBrowser()]);
  await mkdir("test-results", { recursive: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

interface OpenApi {
  paths: Record<string, Record<string, { operationId: string; summary: string }>>;
}

describe("the API documents", () => {
  it("are served as static files to anyone: no token, and no worker code run", async () => {
    for (const [path, version] of [["/v1/openapi.json", "openapi"], ["/v1/asyncapi.json", "asyncapi"]] as const) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toMatch(/^application\/json/);
      expect(((await response.json()) as Record<string, unknown>)[version], path).toMatch(/^3\./);
    }
    // The worker itself answers the neighbouring paths: without a token, a 401.
    expect((await fetch(`${server.url}/v1/counts`)).status).toBe(401);
  });
});

describe("API reference at /docs", () => {
  it("renders every operation of /v1/openapi.json from files the service serves itself", async () => {
    const openapi = (await (await fetch(`${server.url}/v1/openapi.json`)).json()) as OpenApi;
    const operations = Object.values(openapi.paths).flatMap((item) => Object.values(item));
    expect(operations.length).toBeGreaterThan(10);

    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const requests: string[] = [];
    const outside: string[] = [];
    context.on("request", (request) => {
      requests.push(request.url());
      if (leftTheMachine(request)) outside.push(request.url());
    });
    const page = await context.newPage();
    const failures: string[] = [];
    page.on("pageerror", (error) => failures.push(error.message));

    const response = await page.goto(`${server.url}/docs`);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toMatch(/^\/docs\/?$/);
    await expect(page.title()).resolves.toBe("Edge presence API reference");

    // An operation's summary, then all of them: Swagger UI lists every operation (docExpansion "list").
    const health = operations.find((operation) => operation.operationId === "getHealth");
    expect(health).toBeDefined();
    await page.getByText(health!.summary, { exact: true }).first().waitFor({ state: "visible", timeout: 30_000 });
    // An operation of several tags is listed under each of them: compare the ids shown, once each.
    const shown = new Set((await page.locator(".opblock-summary-operation-id").allTextContents()).map((id) => id.trim()));
    expect([...shown].sort()).toEqual(operations.map((operation) => operation.operationId).sort());
    await expect(page.locator("#docs-missing").isHidden()).resolves.toBe(true);
    await page.waitForLoadState("networkidle");

    await page.screenshot({ path: "test-results/api-docs.png" });

    expect(requests).toContain(`${server.url}/docs/vendor/swagger-ui-bundle.js`);
    expect(requests).toContain(`${server.url}/docs/vendor/swagger-ui.css`);
    expect(requests).toContain(`${server.url}/v1/openapi.json`);
    expect(outside, "requests that left the machine").toEqual([]);
    expect(failures).toEqual([]);
  });

  it("links the AsyncAPI document of the sockets, served by the service too", async () => {
    const response = await fetch(`${server.url}/v1/asyncapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { asyncapi: string; channels: Record<string, { address: string }> };
    expect(document.asyncapi).toMatch(/^3\./);
    expect(Object.values(document.channels).map((channel) => channel.address)).toEqual(["/v1/connect", "/v1/scopes/{scope}/watch"]);
    const page = await (context ?? (await browser.newContext())).newPage();
    await page.goto(`${server.url}/docs/`);
    await expect(page.locator('a[href="/v1/asyncapi.json"]').count()).resolves.toBe(1);
  });
});
