import * as z from "zod";
import { MAX_MESSAGE_BODY_BYTES, MAX_MESSAGES_PER_FRAME } from "./constants";
import { ShortId, UserId } from "./ids";

/** A message as its receiver gets it (`body` is any JSON value, as the sender gave it). */
export interface Message {
  id: string;
  from: string;
  body: unknown;
  sentAt: number;
  /** The receiver read it (a device had the sender in focus, acknowledged it so, or said so). */
  read: boolean;
}

export const MessageSchema = z
  .object({
    id: z.string(),
    from: UserId,
    body: z.unknown().meta({ description: "any JSON value, as the sender gave it" }),
    sentAt: z.number().int(),
    read: z.boolean(),
  })
  .meta({ id: "Message" });

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

/** Any JSON value (the request body is JSON already), at most `MAX_MESSAGE_BODY_BYTES` as text. */
export const MessageBody = z
  .unknown()
  .refine((body) => body !== undefined, "required: any JSON value")
  .refine((body) => utf8Bytes(JSON.stringify(body) ?? "") <= MAX_MESSAGE_BODY_BYTES, `at most ${MAX_MESSAGE_BODY_BYTES} bytes as JSON`)
  .meta({ description: "any JSON value, at most 8 KiB as text" });

export const SendMessageRequest = z
  .strictObject({
    to: UserId,
    body: MessageBody,
    /** The sender's own id for the message: a retry with the same id within 24 h is not delivered twice. */
    id: ShortId.optional(),
    /** Who sends: required for service callers, refused from users (it is their token's `sub`). */
    from: UserId.optional(),
  })
  .meta({ id: "SendMessage" });
export type SendMessageRequest = z.infer<typeof SendMessageRequest>;

export const SendMessageResponse = z
  .object({ id: z.string(), sentAt: z.number().int(), delivered: z.boolean(), read: z.boolean() })
  .meta({ id: "SentMessage" });
export type SendMessageResponse = z.infer<typeof SendMessageResponse>;

export const MessageIds = z.array(z.string().min(1).max(64)).min(1).max(MAX_MESSAGES_PER_FRAME);

export const InboxQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_MESSAGES_PER_FRAME).default(MAX_MESSAGES_PER_FRAME),
  cursor: z.string().max(128).optional(),
});
export const InboxPage = z.object({ messages: z.array(MessageSchema), next: z.string().nullable() }).meta({ id: "Inbox" });
export interface InboxPage {
  messages: Message[];
  next: string | null;
}

export const AckRequest = z.strictObject({ ids: MessageIds });
export const AckResponse = z.object({ acknowledged: z.number().int() });
