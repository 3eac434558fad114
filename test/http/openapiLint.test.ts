import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/http/openapiDocument";
import { call, token, uniqueUser } from "../helpers";

/**
 * What `npm run lint:api` (redocly, redocly.yaml) asks of the generated document, checked here too so a
 * route added without its metadata fails `npm test`; and, for a few documented errors, that the
 * service really answers them.
 */

interface ResponseObject {
  description?: string;
  content?: Record<string, { schema?: { $ref?: string } }>;
  headers?: Record<string, unknown>;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  responses: Record<string, ResponseObject>;
}
interface Document {
  servers?: { url: string; variables?: Record<string, { default: string }> }[];
  info: { license?: { name: string; identifier?: string; url?: string } };
  tags?: { name: string; description?: string }[];
  components: { securitySchemes: Record<string, { type: string; in?: string; name?: string; scheme?: string }> };
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ["get", "put", "post", "delete", "patch"];
/** Answered before authentication: no token, so no 401 and no rate limit. */
const PUBLIC = new Set(["getHealth", "mintDevToken"]);
/** WebSocket upgrades: they answer 101, take `?token=` too, and are not rate limited. */
const SOCKETS = new Set(["connectDevice", "watchScope"]);

/** The document as scripts/api-docs.mjs writes it for the assets (a JSON round trip). */
async function served(): Promise<Document> {
  return JSON.parse(JSON.stringify(openApiDocument())) as Document;
}

function operationsOf(doc: Document): { path: string; method: string; operation: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ path, method, operation })),
  );
}

/** Fails with the operations missing something, so a failure names them all at once. */
function lacking(doc: Document, missing: (operation: Operation) => boolean): string[] {
  return operationsOf(doc)
    .filter(({ operation }) => missing(operation))
    .map(({ path, method, operation }) => `${method.toUpperCase()} ${path} (${operation.operationId ?? "no operationId"})`);
}

describe("the OpenAPI document", () => {
  it("names its servers (no real hostname) and its license", async () => {
    const doc = await served();
    expect(doc.servers?.map((server) => server.url)).toEqual(["http://localhost:8787", "https://{host}"]);
    expect(doc.servers?.[1]?.variables?.host?.default).toMatch(/\S/);
    expect(doc.info.license?.name).toMatch(/\S/);
    expect(doc.info.license?.identifier ?? doc.info.license?.url).toMatch(/\S/);
  });

  it("has a unique camelCase operationId and declared, described tags on every operation", async () => {
    const doc = await served();
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThanOrEqual(30);
    expect(lacking(doc, (operation) => !/^[a-z][a-zA-Z0-9]*$/.test(operation.operationId ?? ""))).toEqual([]);
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);

    const declared = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description ?? ""]));
    expect(lacking(doc, (operation) => (operation.tags ?? []).length === 0)).toEqual([]);
    expect(lacking(doc, (operation) => (operation.tags ?? []).some((tag) => !declared.get(tag)))).toEqual([]);
    const used = new Set(operations.flatMap(({ operation }) => operation.tags ?? []));
    expect([...declared.keys()].filter((tag) => !used.has(tag))).toEqual([]);
  });

  it("states the security of every operation: public ones explicitly none, sockets the bearer or ?token=", async () => {
    const doc = await served();
    const schemes = doc.components.securitySchemes;
    expect(schemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(schemes.queryToken).toMatchObject({ type: "apiKey", in: "query", name: "token" });

    expect(lacking(doc, (operation) => !Array.isArray(operation.security))).toEqual([]);
    for (const { operation } of operationsOf(doc)) {
      const id = operation.operationId ?? "";
      const names = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
      expect(names, id).toEqual(PUBLIC.has(id) ? [] : SOCKETS.has(id) ? ["bearer", "queryToken"] : ["bearer"]);
      for (const name of names) expect(schemes[name], `${id}: ${name}`).toBeDefined();
    }
  });

  it("documents, in the error shape, every error the middleware and the route can answer", async () => {
    const doc = await served();
    const has = (status: string) => (operation: Operation) => operation.responses[status] !== undefined;
    const not = (check: (operation: Operation) => boolean) => (operation: Operation) => !check(operation);
    const id = (operation: Operation) => operation.operationId ?? "";

    // Everywhere: 405 for the methods a path lacks, 500 from onError.
    expect(lacking(doc, not(has("405")))).toEqual([]);
    expect(lacking(doc, (operation) => !operation.responses["405"]?.headers?.Allow)).toEqual([]);
    expect(lacking(doc, not(has("500")))).toEqual([]);
    // Behind requireAuth: 401; and REST (not socket upgrades) is rate limited: 429 with Retry-After.
    expect(lacking(doc, (operation) => !PUBLIC.has(id(operation)) && !has("401")(operation))).toEqual([]);
    expect(lacking(doc, (operation) => !PUBLIC.has(id(operation)) && !SOCKETS.has(id(operation)) && !operation.responses["429"]?.headers?.["Retry-After"])).toEqual(
      [],
    );
    // Anything with parameters or a body can be invalid: 400; a body can be too large or not JSON: 413, 415.
    expect(lacking(doc, (operation) => ((operation.parameters ?? []).length > 0 || operation.requestBody !== undefined) && !has("400")(operation))).toEqual([]);
    expect(lacking(doc, (operation) => operation.requestBody !== undefined && !(has("413")(operation) && has("415")(operation)))).toEqual([]);
    // Sockets: 426 for a plain request, 403 for a foreign origin, 503 when not admitted.
    expect(lacking(doc, (operation) => SOCKETS.has(id(operation)) && !["101", "403", "426", "503"].every((status) => has(status)(operation)))).toEqual([]);

    // Every 4XX and 5XX is the one error body, and described.
    for (const { operation } of operationsOf(doc)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        expect(response.description, `${id(operation)} ${status}`).toMatch(/\S/);
        expect(response.content?.["application/json"]?.schema?.$ref, `${id(operation)} ${status}`).toBe("#/components/schemas/Error");
      }
    }
  });

  it("documents 405 truly: every path answers a method it lacks with 405 and Allow", async () => {
    const doc = await served();
    const bearer = await token(uniqueUser("openapi"));
    for (const [path, item] of Object.entries(doc.paths)) {
      if (path.endsWith("/watch") || path === "/v1/connect") continue; // any plain request there is a 426 first
      const concrete = path.replace("{user}", "alice").replace("{scope}", "global");
      const response = await call(concrete, { method: "PATCH", token: bearer });
      expect(response.status, path).toBe(405);
      const allowed = Object.keys(item).map((method) => method.toUpperCase());
      for (const method of allowed) expect(response.headers.get("Allow"), path).toContain(method);
      expect(await response.json(), path).toMatchObject({ error: { code: "method_not_allowed" } });
    }
  });

  it("documents 415 truly: every route with a JSON body refuses another content type", async () => {
    const doc = await served();
    const bearer = await token(uniqueUser("openapi"));
    for (const { path, method, operation } of operationsOf(doc)) {
      if (operation.requestBody === undefined || operation.operationId === "mintDevToken") continue; // disabled here: 404 first
      const concrete = path.replace("{user}", "alice").replace("{scope}", "global");
      const response = await call(concrete, { method: method.toUpperCase(), token: bearer, headers: { "Content-Type": "text/plain" }, body: "{}" });
      expect(response.status, `${method} ${path}`).toBe(415);
      expect(await response.json()).toMatchObject({ error: { code: "unsupported_media_type" } });
    }
  });
});
