import * as z from "zod";
import { CloseCode, MAX_FRAME_BYTES, MAX_MESSAGES_PER_FRAME, MAX_SUBSCRIPTIONS, PING, PONG, TYPING_SHOWS_MS } from "./constants";
import {
  AckFrame,
  ActivityFrame,
  BlurFrame,
  FocusFrame,
  ReadFrame,
  StatusFrame,
  SubscribeFrame,
  TokenFrame,
  TypingFrame,
  UnsubscribeFrame,
} from "./frames";
import { MessageSchema } from "./messages";
import { Member, PresenceView } from "./presence";
import { ConnectQuery, WatchQuery } from "./rest";
import {
  ChangedFrameSchema,
  CountsDiffFrameSchema,
  CountsSyncFrameSchema,
  DiffFrameSchema,
  ErrorFrameSchema,
  FocusNoticeFrameSchema,
  HelloFrameSchema,
  InboxFrameSchema,
  MessageFrameSchema,
  PingText,
  PongText,
  PresenceFrameSchema,
  ReceiptFrameSchema,
  RosterCountsSchema,
  SubscribedFrameSchema,
  SyncFrameSchema,
  TypingNoticeFrameSchema,
} from "./serverFrames";

/**
 * The AsyncAPI 3 document of both socket kinds, written at build time by scripts/api-docs.mjs (the
 * worker does not carry this module), served as a static asset at `GET /v1/asyncapi.json`, checked by
 * `npm run lint:asyncapi` (scripts/check-asyncapi.mjs, with @asyncapi/parser). The payloads are the
 * zod schemas the worker validates frames with (frames.ts, rest.ts) and the schemas of the frames it
 * sends (serverFrames.ts), turned into JSON Schema by `z.toJSONSchema`; docs/PROTOCOL.md says what
 * they mean. The document describes the service: `receive` operations are frames clients send it,
 * `send` operations frames it sends them.
 */

export type Direction = "client" | "server";
export interface FrameDoc {
  schema: z.ZodType;
  /** Who sends it. */
  from: Direction;
  summary: string;
  description?: string;
  /** Not JSON: the text heartbeat. */
  text?: boolean;
  examples?: unknown[];
}

const EXAMPLE_PRESENCE = {
  user: "alice",
  status: "online",
  text: "on a call",
  lastActive: 1795340368900,
  lastSeen: null,
  devices: [{ id: "laptop", type: "desktop", idle: false }],
};
const EXAMPLE_MEMBER = { user: "alice", status: "busy", text: "on a call", lastActive: 1795340368900, name: "Alice" };
const EXAMPLE_MESSAGE = { id: "m-1", from: "bob", body: { text: "lunch?" }, sentAt: 1795340368900, read: false };

/** Every frame, by its component name (also its message and schema name in the document). */
export const FRAMES = {
  Ping: {
    schema: PingText,
    from: "client",
    text: true,
    summary: `The heartbeat: the literal text \`${PING}\` (not JSON)`,
    description:
      "Send one as soon as the socket opens and then at least every `OFFLINE_AFTER_MS / 2` (the SDK sends one every 25 s against the default 60 s); " +
      `a socket silent for \`OFFLINE_AFTER_MS\` is closed with ${CloseCode.heartbeatTimeout}. The runtime answers \`${PONG}\` without waking the object; it does not count as activity.`,
    examples: [PING],
  },
  Pong: { schema: PongText, from: "server", text: true, summary: `The answer to \`${PING}\`: the literal text \`${PONG}\``, examples: [PONG] },

  ActivityFrame: {
    schema: ActivityFrame,
    from: "client",
    summary: "The user is active on this device",
    description: "Throttle it: once every few seconds is plenty.",
    examples: [{ type: "activity" }],
  },
  StatusFrame: {
    schema: StatusFrame,
    from: "client",
    summary: "Choose a status and text, as `PUT /v1/presence/me`",
    description:
      "`auto` clears a manual status. `text` is NFC-normalized and trimmed; control characters and bidi overrides are refused (`invalid_frame`). " +
      "`until` (epoch ms, in the future, at most 7 days ahead): when it passes, the status goes back to automatic and the text clears.",
    examples: [{ type: "status", status: "busy", text: "on a call" }],
  },
  FocusFrame: {
    schema: FocusFrame,
    from: "client",
    summary: "This device has the partner in focus (say, a chat with them is open)",
    description: "A focus on oneself is `invalid_frame`; on a user one may not see (or who does not exist), `forbidden` and the focus is dropped.",
    examples: [{ type: "focus", partner: "bob" }],
  },
  BlurFrame: { schema: BlurFrame, from: "client", summary: "This device no longer has anyone in focus", examples: [{ type: "blur" }] },
  TokenFrame: {
    schema: TokenFrame,
    from: "client",
    summary: "A fresh token for this socket: same `sub`, a later `exp`",
    description: "The socket then lives on to the new `exp`. A bad one gets an `invalid_token` error frame and changes nothing. Not counted as activity.",
    examples: [{ type: "token", token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTc5NTM0NDAwMH0.signature" }],
  },
  SubscribeFrame: {
    schema: SubscribeFrame,
    from: "client",
    summary: "Follow these users' presence on this socket",
    description: `1-${MAX_SUBSCRIPTIONS} users a frame, at most ${MAX_SUBSCRIPTIONS} per device in all (else \`too_many_subscriptions\` and nobody is added). Answered by \`subscribed\`; subscriptions end with the socket. Not counted as activity.`,
    examples: [{ type: "subscribe", users: ["bob", "carol"] }],
  },
  UnsubscribeFrame: { schema: UnsubscribeFrame, from: "client", summary: "Stop following these users", examples: [{ type: "unsubscribe", users: ["carol"] }] },
  AckFrame: {
    schema: AckFrame,
    from: "client",
    summary: "These delivered messages were taken care of: they leave the inbox",
    description: `1-${MAX_MESSAGES_PER_FRAME} message ids. They count as read when their sender is in this device's focus. Not counted as activity.`,
    examples: [{ type: "ack", ids: ["m-1"] }],
  },
  ReadFrame: { schema: ReadFrame, from: "client", summary: "The user read these messages (their senders get `read` receipts)", examples: [{ type: "read", ids: ["m-1"] }] },
  TypingFrame: {
    schema: TypingFrame,
    from: "client",
    summary: "The user is typing to `to`",
    description: "Relayed at most once a second per device (more are dropped), only when each may see the other.",
    examples: [{ type: "typing", to: "bob" }],
  },

  HelloFrame: {
    schema: HelloFrameSchema,
    from: "server",
    summary: "The first frame on every device connection",
    examples: [{ type: "hello", user: "alice", device: "laptop", presence: EXAMPLE_PRESENCE }],
  },
  PresenceFrame: {
    schema: PresenceFrameSchema,
    from: "server",
    summary: "The user's own presence, to every device of theirs, when their status, text or device list changes",
    examples: [{ type: "presence", presence: EXAMPLE_PRESENCE }],
  },
  FocusNoticeFrame: {
    schema: FocusNoticeFrameSchema,
    from: "server",
    summary: "`user` focused on this user (`active: true`), or stopped (`false`)",
    description: "To every device of a partner: `true` when `user` first focuses on them (and on connect, for each user focused on them then), `false` when `user`'s last focusing device blurs, leaves or reconnects.",
    examples: [{ type: "focus", user: "bob", active: true }],
  },
  SubscribedFrame: {
    schema: SubscribedFrameSchema,
    from: "server",
    summary: "The answer to `subscribe`: each user as this user may see them",
    examples: [{ type: "subscribed", presence: { alice: EXAMPLE_PRESENCE } }],
  },
  ChangedFrame: {
    schema: ChangedFrameSchema,
    from: "server",
    summary: "A followed user changed, as this user may see them",
    description: "A status, text or device change, activity moving by a minute or more, or turning visible or hidden (hidden shows as an unknown user).",
    examples: [{ type: "changed", presence: EXAMPLE_PRESENCE }],
  },
  MessageFrame: { schema: MessageFrameSchema, from: "server", summary: "A message, to every device of its receiver as it arrives", examples: [{ type: "message", message: EXAMPLE_MESSAGE }] },
  InboxFrame: {
    schema: InboxFrameSchema,
    from: "server",
    summary: "Stored messages not yet acknowledged, right after `hello`",
    description: `Oldest first, at most ${MAX_MESSAGES_PER_FRAME} a frame, more frames until none is left. Delivery is at least once: acknowledge with \`ack\`.`,
    examples: [{ type: "inbox", messages: [EXAMPLE_MESSAGE] }],
  },
  ReceiptFrame: {
    schema: ReceiptFrameSchema,
    from: "server",
    summary: "To the sender's devices: a message was first delivered to a device of `to`, or read",
    examples: [{ type: "receipt", id: "m-1", to: "bob", state: "delivered" }],
  },
  TypingNoticeFrame: {
    schema: TypingNoticeFrameSchema,
    from: "server",
    summary: "`user` is typing to this user",
    description: `Show it until \`until\` (epoch ms, ${TYPING_SHOWS_MS / 1000} s ahead) unless another comes.`,
    examples: [{ type: "typing", user: "bob", until: 1795340374900 }],
  },
  ErrorFrame: {
    schema: ErrorFrameSchema,
    from: "server",
    summary: "A frame was refused; the socket stays open",
    description:
      "Device sockets: `invalid_json` (not JSON), `unknown_type` (no or unknown `type`), `invalid_frame` (a field is missing, unknown or invalid, or focus on oneself), " +
      "`binary_frame`, `invalid_token` (a `token` frame refused), `rate_limited` (over 20 frames a second), `forbidden` (a focus on a user one may not see), `too_many_subscriptions`. " +
      "Watch sockets: `read_only` (any frame but `ping` and `token`), `invalid_token`.",
    examples: [{ type: "error", code: "invalid_frame", message: "status: Invalid option" }],
  },

  SyncFrame: {
    schema: SyncFrameSchema,
    from: "server",
    summary: "Members watch: the full roster, first (and again after a block or unblock: apply it whole)",
    description: "`seq` is the room's diff count now (0 for a new room): the first diff carries `seq + 1`.",
    examples: [{ type: "sync", scope: "org:acme", seq: 0, members: [EXAMPLE_MEMBER] }],
  },
  DiffFrame: {
    schema: DiffFrameSchema,
    from: "server",
    summary: "Members watch: what changed",
    description: "Add `joins`, replace `updates` (whole members), remove `leaves`.",
    examples: [{ type: "diff", scope: "org:acme", seq: 1, joins: [], updates: [EXAMPLE_MEMBER], leaves: ["carol"] }],
  },
  CountsSyncFrame: {
    schema: CountsSyncFrameSchema,
    from: "server",
    summary: "Counts watch (`members=false`): the counts by status, first",
    examples: [{ type: "sync", scope: "global", seq: 0, counts: { online: 12, away: 3, busy: 1, total: 16 } }],
  },
  CountsDiffFrame: {
    schema: CountsDiffFrameSchema,
    from: "server",
    summary: "Counts watch (`members=false`): the counts after a change that moved them",
    examples: [{ type: "diff", scope: "global", seq: 1, counts: { online: 13, away: 3, busy: 1, total: 17 } }],
  },
} satisfies Record<string, FrameDoc>;
export type FrameName = keyof typeof FRAMES;

/** Which frames travel on each socket kind. */
export const DEVICE_FRAMES = {
  client: ["ActivityFrame", "StatusFrame", "FocusFrame", "BlurFrame", "TokenFrame", "SubscribeFrame", "UnsubscribeFrame", "AckFrame", "ReadFrame", "TypingFrame"],
  server: ["HelloFrame", "PresenceFrame", "FocusNoticeFrame", "SubscribedFrame", "ChangedFrame", "MessageFrame", "InboxFrame", "ReceiptFrame", "TypingNoticeFrame", "ErrorFrame"],
} satisfies Record<Direction, FrameName[]>;
export const WATCH_FRAMES = {
  client: ["TokenFrame"],
  server: ["SyncFrame", "DiffFrame", "CountsSyncFrame", "CountsDiffFrame", "ErrorFrame"],
} satisfies Record<Direction, FrameName[]>;

/** The schemas the frames name, besides the frames themselves. */
const SHARED_SCHEMAS: Record<string, z.ZodType> = { Presence: PresenceView, Member, Message: MessageSchema, RosterCounts: RosterCountsSchema };

/** As the OpenAPI document's (the repository has no LICENSE file). */
const LICENSE = { name: "Proprietary: all rights reserved" };

const closeCodes = (codes: [number, string, string][]) =>
  ["| code | meaning | what a client should do |", "| --- | --- | --- |", ...codes.map(([code, meaning, action]) => `| ${code} | ${meaning} | ${action} |`)].join("\n");

const TOO_BIG: [number, string, string] = [CloseCode.messageTooBig, `a frame over ${MAX_FRAME_BYTES / 1024} KiB; it was not processed`, "fix the client; reconnecting is fine"];
const SILENT: [number, string, string] = [CloseCode.heartbeatTimeout, "no heartbeat for `OFFLINE_AFTER_MS`", "reconnect"];
const EXPIRED: [number, string, string] = [CloseCode.tokenExpired, "the token expired (no `token` frame renewed it in time)", "reconnect with a fresh token"];

const FRAMING = `Frames are JSON text, at most ${MAX_FRAME_BYTES / 1024} KiB (binary frames are refused); the literal text \`${PING}\` is the heartbeat, answered \`${PONG}\`. Send the first \`${PING}\` as soon as the socket opens.`;

const DEVICE_DESCRIPTION = [
  "A device socket, held by the user's PresenceObject: connecting makes the user online on this device. " +
    "A missing, malformed, badly signed, expired or revoked token is refused with 401 before any socket opens (the upgrade's other refusals are in the OpenAPI document, operation `connectDevice`).",
  FRAMING,
  "Close codes sent by the service:",
  closeCodes([
    TOO_BIG,
    SILENT,
    [CloseCode.deviceReplaced, "the same device id connected again elsewhere", "do not reconnect (another tab took over)"],
    EXPIRED,
    [CloseCode.disconnected, "disconnected by the service (a sign-out everywhere, a ban, an erase)", "reconnect only with a token issued after it"],
  ]),
  "A deploy closes every socket (1001 or 1006): reconnect with backoff; the grace window hides short gaps.",
].join("\n\n");

const WATCH_DESCRIPTION = [
  "A watch socket, held by the scope's RoomObject (or one of its watch hubs): the scope's roster live, as a `sync` and then `diff`s. Watching does not make anyone online. " +
    "With `members=false`, the sync and diffs carry the counts by status instead of the members. A scope the caller may not read is refused with 403 `forbidden_scope` before any socket opens (operation `watchScope` in the OpenAPI document).",
  FRAMING + " Watchers are read-only: any frame but the heartbeat and `token` gets a `read_only` error frame.",
  "`seq` rises by exactly 1 per frame on a socket; a gap means a frame was missed: reconnect to get a fresh `sync`.",
  "Close codes sent by the service:",
  closeCodes([TOO_BIG, [SILENT[0], SILENT[1], "reconnect (a fresh `sync` comes first)"], EXPIRED]),
].join("\n\n");

const SAFE_INTEGER_BOUNDS = new Set([Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);

/** Drops what `z.toJSONSchema` adds that says nothing here: `$schema`/`$id` and the safe-integer bounds of every `.int()`. */
function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value).filter(
    ([key, item]) => key !== "$schema" && key !== "$id" && !((key === "minimum" || key === "maximum") && typeof item === "number" && SAFE_INTEGER_BOUNDS.has(item)),
  );
  return Object.fromEntries(entries.map(([key, item]) => [key, tidy(item)]));
}

/** The frames' JSON Schemas by name, cross-referenced through `#/components/schemas/`. */
function componentSchemas(): Record<string, unknown> {
  const byDirection = (direction: Direction) => {
    const registry = z.registry<{ id: string }>();
    for (const [name, frame] of Object.entries(FRAMES) as [string, FrameDoc][]) if (frame.from === direction) registry.add(frame.schema, { id: name });
    if (direction === "server") for (const [name, schema] of Object.entries(SHARED_SCHEMAS)) registry.add(schema, { id: name });
    // What a client may send is what the worker accepts (`input`); what it gets is what the worker builds (`output`).
    return z.toJSONSchema(registry, { target: "draft-07", io: direction === "client" ? "input" : "output", uri: (id) => `#/components/schemas/${id}`, unrepresentable: "any" }).schemas;
  };
  return tidy({ ...byDirection("client"), ...byDirection("server") }) as Record<string, unknown>;
}

function queryBinding(query: z.ZodType, descriptions: Record<string, string>) {
  const schema = tidy(z.toJSONSchema(query, { target: "draft-07", io: "input", unrepresentable: "any" })) as { properties: Record<string, Record<string, unknown>> };
  for (const [name, description] of Object.entries(descriptions)) {
    const property = schema.properties[name];
    if (property) property.description = description;
  }
  return { ws: { method: "GET", query: schema, bindingVersion: "0.1.0" } };
}

const TOKEN_QUERY = "The user's JWT (or, for watch sockets, a service key): browsers cannot set headers on a WebSocket. `Authorization: Bearer` works too.";

const ref = (path: string) => ({ $ref: path });

function channelMessages(frames: { client: FrameName[]; server: FrameName[] }) {
  const names: FrameName[] = ["Ping", "Pong", ...frames.client, ...frames.server];
  return Object.fromEntries(names.map((name) => [name, ref(`#/components/messages/${name}`)]));
}

function message(name: FrameName) {
  const frame: FrameDoc = FRAMES[name];
  return {
    name,
    title: name,
    summary: frame.summary,
    ...(frame.description ? { description: frame.description } : {}),
    contentType: frame.text ? "text/plain" : "application/json",
    payload: ref(`#/components/schemas/${name}`),
    ...(frame.examples ? { examples: frame.examples.map((payload) => ({ payload })) } : {}),
  };
}

function operations(channel: "device" | "watch", frames: { client: FrameName[]; server: FrameName[] }) {
  const channelRef = ref(`#/channels/${channel}`);
  const refs = (names: FrameName[]) => names.map((name) => ref(`#/channels/${channel}/messages/${name}`));
  const kind = channel === "device" ? "device" : "watch";
  return {
    [`${kind}Heartbeat`]: {
      action: "receive",
      channel: channelRef,
      title: "Heartbeat",
      summary: `\`${PING}\`, answered \`${PONG}\``,
      messages: refs(["Ping"]),
      reply: { channel: channelRef, messages: refs(["Pong"]) },
    },
    [`${kind}ClientFrames`]: {
      action: "receive",
      channel: channelRef,
      title: channel === "device" ? "Frames a device sends" : "Frames a watcher sends",
      summary: channel === "device" ? "What a device may send (each frame but `token`, `subscribe`, `unsubscribe` and `ack` counts as activity)" : "A fresh token: the only frame a watcher may send besides the heartbeat",
      messages: refs(frames.client),
    },
    [`${kind}ServerFrames`]: {
      action: "send",
      channel: channelRef,
      title: channel === "device" ? "Frames a device gets" : "Frames a watcher gets",
      summary: channel === "device" ? "`hello` first, then what happens to the user, their messages and whom they follow" : "A `sync`, then `diff`s",
      messages: refs(frames.server),
    },
  };
}

let cached: Record<string, unknown> | undefined;

/** The document (built once per isolate). */
export function asyncApiDocument(): Record<string, unknown> {
  cached ??= {
    asyncapi: "3.0.0",
    info: {
      title: "Edge presence sockets",
      version: "1.0.0",
      description:
        "The service's two WebSocket kinds: device sockets (`/v1/connect`) and watch sockets (`/v1/scopes/{scope}/watch`). " +
        "This document describes the service: `receive` operations are frames clients send it, `send` operations frames it sends them. " +
        "REST, and the socket upgrades' HTTP refusals, are in the OpenAPI document (`/v1/openapi.json`); docs/PROTOCOL.md says what it all means.",
      license: LICENSE,
      tags: [{ name: "sockets" }],
    },
    defaultContentType: "application/json",
    servers: {
      local: {
        host: "localhost:8787",
        protocol: "ws",
        description: "`npm run dev` (local workerd)",
        security: [ref("#/components/securitySchemes/queryToken"), ref("#/components/securitySchemes/bearer")],
      },
      production: {
        host: "{host}",
        protocol: "wss",
        description: "A deployment: the worker's workers.dev address or a custom domain",
        variables: { host: { default: "edge-presence.your-subdomain.workers.dev", description: "Where the worker is deployed" } },
        security: [ref("#/components/securitySchemes/queryToken"), ref("#/components/securitySchemes/bearer")],
      },
    },
    channels: {
      device: {
        address: "/v1/connect",
        title: "Device socket",
        summary: "One device of the signed-in user: their presence, their messages, whom they follow",
        description: DEVICE_DESCRIPTION,
        messages: channelMessages(DEVICE_FRAMES),
        bindings: queryBinding(ConnectQuery, {
          token: TOKEN_QUERY,
          device: "This device's id (default: a random UUID). Keep it stable per browser tab or app install: a reconnect then replaces the old socket (closed with 4001) instead of adding a device.",
          type: "What kind of device this is.",
        }),
      },
      watch: {
        address: "/v1/scopes/{scope}/watch",
        title: "Watch socket",
        summary: "A scope's roster, live: a `sync`, then `diff`s (or only its counts)",
        description: WATCH_DESCRIPTION,
        parameters: {
          scope: { description: "`global`, `org:<id>` or `zone:<id>` (`<id>`: 1-64 chars of `A-Za-z0-9._-`).", examples: ["org:acme", "zone:eu-west", "global"] },
        },
        messages: channelMessages(WATCH_FRAMES),
        bindings: queryBinding(WatchQuery, { token: TOKEN_QUERY }),
      },
    },
    operations: { ...operations("device", DEVICE_FRAMES), ...operations("watch", WATCH_FRAMES) },
    components: {
      schemas: componentSchemas(),
      messages: Object.fromEntries((Object.keys(FRAMES) as FrameName[]).map((name) => [name, message(name)])),
      securitySchemes: {
        queryToken: { type: "httpApiKey", in: "query", name: "token", description: "The bearer token in `?token=`, for browsers, which cannot set headers on a WebSocket" },
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "`Authorization: Bearer <jwt>` (servers and native apps)" },
      },
    },
  };
  return cached;
}
