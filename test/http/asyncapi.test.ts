import { describe, expect, it } from "vitest";
import { z } from "zod";
import { asyncApiDocument, DEVICE_FRAMES, FRAMES, WATCH_FRAMES, type FrameDoc, type FrameName } from "../../src/protocol/asyncapi";
import { CloseCode, PING, PONG } from "../../src/protocol/constants";
import { DeviceFrame } from "../../src/protocol/frames";

/**
 * The AsyncAPI document of the sockets (`GET /v1/asyncapi.json`, a static asset written at build time
 * by scripts/api-docs.mjs; test/e2e/apiDocs.test.ts fetches it from `wrangler dev`): in step
 * with the schemas the worker validates frames with. `npm run lint:asyncapi` checks it against the
 * AsyncAPI 3 schema in Node (scripts/check-asyncapi.mjs).
 */

interface Message {
  name: string;
  contentType: string;
  payload: { $ref: string };
  examples?: { payload: unknown }[];
}
interface Channel {
  address: string;
  description: string;
  messages: Record<string, { $ref: string }>;
  parameters?: Record<string, unknown>;
  bindings: { ws: { method: string; query: { properties: Record<string, { enum?: string[] }> } } };
}
interface Operation {
  action: "send" | "receive";
  channel: { $ref: string };
  messages: { $ref: string }[];
  reply?: { messages: { $ref: string }[] };
}
interface Document {
  asyncapi: string;
  servers: Record<string, { host: string; protocol: string; security: { $ref: string }[]; variables?: Record<string, { default: string }> }>;
  channels: Record<string, Channel>;
  operations: Record<string, Operation>;
  components: {
    schemas: Record<string, { properties?: { type?: { const?: string } }; const?: string }>;
    messages: Record<string, Message>;
    securitySchemes: Record<string, { type: string; in?: string; name?: string }>;
  };
}

/** The document as scripts/api-docs.mjs writes it for the assets (a JSON round trip). */
async function served(): Promise<Document> {
  return JSON.parse(JSON.stringify(asyncApiDocument())) as Document;
}

const nameOf = (reference: { $ref: string }) => reference.$ref.split("/").at(-1) as FrameName;

/** The `type` each of a channel's JSON messages carries, by direction. */
function frameTypes(doc: Document, channel: string, action: "send" | "receive"): string[] {
  return Object.values(doc.operations)
    .filter((operation) => operation.channel.$ref === `#/channels/${channel}` && operation.action === action)
    .flatMap((operation) => operation.messages.map(nameOf))
    .map((name) => doc.components.schemas[name]?.properties?.type?.const ?? doc.components.schemas[name]?.const ?? "?");
}

describe("the AsyncAPI document (/v1/asyncapi.json)", () => {
  it("is AsyncAPI 3, both socket kinds, local and deployed servers", async () => {
    const doc = await served();
    expect(doc.asyncapi).toMatch(/^3\./);
    expect(Object.values(doc.channels).map((channel) => channel.address)).toEqual(["/v1/connect", "/v1/scopes/{scope}/watch"]);
    expect(doc.channels.watch?.parameters).toHaveProperty("scope");
    expect(doc.servers.local).toMatchObject({ host: "localhost:8787", protocol: "ws" });
    expect(doc.servers.production).toMatchObject({ host: "{host}", protocol: "wss" });
    expect(doc.servers.production?.variables?.host?.default).toBeTruthy();
    expect(doc.components.securitySchemes.queryToken).toEqual(expect.objectContaining({ type: "httpApiKey", in: "query", name: "token" }));
    for (const server of Object.values(doc.servers)) expect(server.security).toContainEqual({ $ref: "#/components/securitySchemes/queryToken" });
  });

  it("documents the query parameters the upgrades take", async () => {
    const doc = await served();
    const device = doc.channels.device!.bindings.ws;
    const watch = doc.channels.watch!.bindings.ws;
    expect(device.method).toBe("GET");
    expect(Object.keys(device.query.properties).sort()).toEqual(["device", "token", "type"]);
    expect(device.query.properties.type?.enum).toEqual(["web", "mobile", "desktop"]);
    expect(Object.keys(watch.query.properties).sort()).toEqual(["members", "token"]);
    expect(watch.query.properties.members?.enum).toContain("false");
  });

  it("lists every frame type the worker accepts from a device, and what it sends", async () => {
    const doc = await served();
    const accepted = DeviceFrame.options.map((option) => option.shape.type.value);
    expect(frameTypes(doc, "device", "receive").sort()).toEqual([...accepted, PING].sort());
    expect(frameTypes(doc, "device", "send").sort()).toEqual(
      ["hello", "presence", "focus", "subscribed", "changed", "message", "inbox", "receipt", "typing", "error"].sort(),
    );
    expect(frameTypes(doc, "watch", "receive").sort()).toEqual(["token", PING].sort());
    expect(new Set(frameTypes(doc, "watch", "send"))).toEqual(new Set(["sync", "diff", "error"]));
    // The heartbeat is answered: a reply of `pong` on each channel.
    expect(FRAMES.Pong.examples).toEqual([PONG]);
    for (const channel of ["device", "watch"]) {
      const heartbeat = Object.values(doc.operations).find((operation) => operation.channel.$ref === `#/channels/${channel}` && operation.reply);
      expect(heartbeat?.messages.map(nameOf)).toEqual(["Ping"]);
      expect(heartbeat?.reply?.messages.map(nameOf)).toEqual(["Pong"]);
    }
  });

  it("names every close code the service sends", async () => {
    const doc = await served();
    for (const code of Object.values(CloseCode)) expect(doc.channels.device!.description).toContain(`| ${code} |`);
    for (const code of [CloseCode.messageTooBig, CloseCode.heartbeatTimeout, CloseCode.tokenExpired]) expect(doc.channels.watch!.description).toContain(`| ${code} |`);
  });

  it("references only messages of the operation's channel, each with a payload schema", async () => {
    const doc = await served();
    for (const [id, operation] of Object.entries(doc.operations)) {
      const channel = doc.channels[operation.channel.$ref.split("/").at(-1)!]!;
      for (const reference of [...operation.messages, ...(operation.reply?.messages ?? [])]) {
        expect(reference.$ref, id).toMatch(new RegExp(`^${operation.channel.$ref}/messages/`));
        expect(channel.messages, id).toHaveProperty(nameOf(reference));
      }
    }
    for (const [name, message] of Object.entries(doc.components.messages)) {
      expect(doc.components.schemas, name).toHaveProperty(nameOf(message.payload));
      expect(message.contentType).toBe(name === "Ping" || name === "Pong" ? "text/plain" : "application/json");
    }
  });

  it("gives examples the worker's own schemas accept", () => {
    for (const [name, frame] of Object.entries(FRAMES) as [FrameName, FrameDoc][]) {
      expect(frame.examples?.length, name).toBeGreaterThan(0);
      for (const example of frame.examples ?? []) {
        const result = (frame.schema as z.ZodType).safeParse(example);
        expect(result.success, `${name}: ${result.error?.message}`).toBe(true);
      }
    }
    for (const name of DEVICE_FRAMES.client) {
      for (const example of FRAMES[name].examples) expect(DeviceFrame.safeParse(example).success, name).toBe(true);
    }
    expect(WATCH_FRAMES.client).toEqual(["TokenFrame"]);
  });
});
