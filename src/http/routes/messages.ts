import { ApiRoutes, defineRoute } from "../apiRoutes";
import type { Context } from "hono";
import { ApiError } from "../../errors";
import { AckRequest, AckResponse, InboxPage, InboxQuery, SendMessageRequest, SendMessageResponse } from "../../protocol/messages";
import type { AppEnv } from "../appEnv";
import { userClaims, viewerOf } from "../caller";
import { bearerSecurity, bodyErrors, errorContent, errorResponse, restErrors } from "../openapiResponses";

/** The MESSAGE_LIMIT binding's period (wrangler.toml): how long a refused sender should wait. */
const MESSAGE_LIMIT_PERIOD_S = 10;

const security = bearerSecurity;
const tags = ["messages"];
const errors = { 400: errorResponse("Invalid body or query, or a message to oneself (`invalid_request`)"), ...restErrors };
/** The inbox is a user's own: a service key is refused. */
const notForService = { 403: errorResponse("A service key (`forbidden`): it has no inbox of its own") };

const send = defineRoute({
  method: "post",
  path: "/v1/messages",
  operationId: "sendMessage",
  tags,
  summary: "Send a message: live to every device of a connected receiver, else stored until a device acknowledges it",
  security,
  request: { body: { required: true, content: { "application/json": { schema: SendMessageRequest } } } },
  responses: {
    200: { description: "Sent: whether a device has it, and whether it was read on arrival", content: { "application/json": { schema: SendMessageResponse } } },
    ...errors,
    ...bodyErrors,
    403: { description: "The sender may not see the receiver, is blocked, or there is no such user (all alike, `forbidden`)", content: errorContent },
    429: {
      description:
        "`inbox_full` (the receiver has 1,000 stored messages) or `rate_limited` (over 200 messages per 10 s from one sender, or too many requests from this caller)",
      headers: { "Retry-After": { description: "With `rate_limited`: seconds to wait before retrying", schema: { type: "integer" as const } } },
      content: errorContent,
    },
  },
});

const inbox = defineRoute({
  method: "get",
  path: "/v1/messages/inbox",
  operationId: "listInbox",
  tags,
  summary: "The caller's stored messages, oldest first, a page at a time (for clients without a socket)",
  security,
  request: { query: InboxQuery },
  responses: { 200: { description: "A page of messages", content: { "application/json": { schema: InboxPage } } }, ...errors, ...notForService },
});

const ack = defineRoute({
  method: "post",
  path: "/v1/messages/ack",
  operationId: "ackMessages",
  tags,
  summary: "Acknowledge stored messages: they leave the inbox",
  security,
  request: { body: { required: true, content: { "application/json": { schema: AckRequest } } } },
  responses: { 200: { description: "How many were stored", content: { "application/json": { schema: AckResponse } } }, ...errors, ...notForService, ...bodyErrors },
});

/** Who sends: a user (their token's `sub`; no `from`), or a service caller for the user in `from`. */
function senderOf(c: Context<AppEnv>, from: string | undefined): string {
  const caller = c.get("caller");
  if (caller.kind === "user" && from !== undefined) throw new ApiError(400, "invalid_request", "from: only service keys name the sender");
  if (caller.kind === "service" && from === undefined) throw new ApiError(400, "invalid_request", "from: required with a service key");
  return caller.kind === "user" ? caller.claims.sub : (from ?? "");
}

export const messageRoutes = new ApiRoutes()
  .openapi(send, async (c) => {
    const { to, body, id, from } = c.req.valid("json");
    const sender = senderOf(c, from);
    if (sender === to) throw new ApiError(400, "invalid_request", "to: a user cannot send to themself");
    if (!(await c.env.MESSAGE_LIMIT.limit({ key: sender })).success) {
      c.header("Retry-After", String(MESSAGE_LIMIT_PERIOD_S));
      throw new ApiError(429, "rate_limited", `too many messages from ${sender}; retry in ${MESSAGE_LIMIT_PERIOD_S} s`);
    }
    const received = await c.env.PRESENCE.getByName(to).message({ from: sender, body: JSON.stringify(body), ...(id === undefined ? {} : { clientId: id }), viewer: viewerOf(c) });
    if (received.ok) return c.json(received.answer, 200);
    if (received.reason === "inbox_full") throw new ApiError(429, "inbox_full", `${to} has too many messages waiting; try later`);
    throw new ApiError(403, "forbidden", "to: no such user to send to");
  })
  .openapi(inbox, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await c.env.PRESENCE.getByName(userClaims(c).sub).inbox(limit, cursor ?? null), 200);
  })
  .openapi(ack, async (c) => {
    const acknowledged = await c.env.PRESENCE.getByName(userClaims(c).sub).ackMessages(c.req.valid("json").ids);
    return c.json({ acknowledged }, 200);
  });
