import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/http/openapiDocument";
import { call, token } from "../helpers";

describe("routing and errors", () => {
  it("answers an unknown route with 404 in the error shape", async () => {
    const response = await call("/v1/nothing-here", { token: await token("alice") });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("answers a wrong method with 405 and the allowed methods", async () => {
    const response = await call("/v1/presence/batch", { method: "DELETE", token: await token("alice") });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toContain("POST");
    expect(await response.json()).toMatchObject({ error: { code: "method_not_allowed" } });
  });

  it("answers malformed JSON with 400 in the error shape", async () => {
    const response = await call("/v1/presence/batch", {
      method: "POST",
      token: await token("alice"),
      headers: { "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
  });

  it("parses JSON under any JSON media type, with parameters, and refuses one that only begins like JSON with 415", async () => {
    // A body that is parsed is validated: an unknown status is a 400, never a 200 that changed nothing.
    for (const type of ["application/json; charset=utf-8", "application/merge-patch+json", "Application/JSON"]) {
      const response = await call("/v1/presence/me", { method: "PUT", token: await token("alice"), headers: { "content-type": type }, body: '{"status":"nope"}' });
      expect(response.status, type).toBe(400);
      expect(await response.json(), type).toMatchObject({ error: { code: "invalid_request" } });
    }
    for (const [path, method] of [["/v1/presence/me", "PUT"], ["/v1/presence/me/heartbeat", "POST"]] as const) {
      const response = await call(path, { method, token: await token("alice"), headers: { "content-type": "application/json5" }, body: '{"leave":true,"status":"away"}' });
      expect(response.status, path).toBe(415);
    }
  });

  it("answers a body without a JSON content type with 415", async () => {
    const response = await call("/v1/presence/me", { method: "PUT", token: await token("alice"), body: '{"status":"busy"}' });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: "unsupported_media_type" } });
  });

  it("has an OpenAPI 3.1 document describing the REST routes", () => {
    const doc = openApiDocument() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/presence/{user}", "/v1/presence/batch", "/v1/presence/me", "/v1/connect"]),
    );
    const settings = ["privacy", "contacts", "blocks"].flatMap((setting) => [`/v1/${setting}/me`, `/v1/users/{user}/${setting}`]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(settings));
    for (const path of settings) expect(Object.keys(doc.paths[path] as object).sort()).toEqual(["get", "put"]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/messages", "/v1/messages/inbox", "/v1/messages/ack"]));
    const operations = ["/v1/scopes/{scope}/history", "/v1/presence/{user}/history", "/v1/health", "/v1/stats"];
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(operations));
    const history = (doc.paths["/v1/scopes/{scope}/history"] as { get: { parameters: { name: string }[] } }).get;
    expect(history.parameters.map((parameter) => parameter.name)).toEqual(expect.arrayContaining(["scope", "from", "to", "step"]));
  });
});
