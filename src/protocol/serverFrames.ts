import * as z from "zod";
import { PING, PONG } from "./constants";
import { ErrorCode } from "./errors";
import type {
  ChangedFrame,
  CountsDiffFrame,
  CountsSyncFrame,
  DiffFrame,
  ErrorFrame,
  FocusNoticeFrame,
  HelloFrame,
  InboxFrame,
  MessageFrame,
  PresenceFrame,
  ReceiptFrame,
  RosterCounts,
  SubscribedFrame,
  SyncFrame,
  TypingNoticeFrame,
} from "./frames";
import { DeviceId, ScopeId, UserId } from "./ids";
import { MessageSchema } from "./messages";
import { Member, PresenceView } from "./presence";

/**
 * Schemas of the frames the service sends, for the AsyncAPI document (src/protocol/asyncapi.ts) and
 * tests: the service builds these frames from the TypeScript types in frames.ts and never parses
 * them, so the schemas are checked against those types at compile time (`ServerFrameChecks` below).
 */

const Epoch = z.number().int().meta({ description: "epoch ms" });

export const HelloFrameSchema = z.strictObject({ type: z.literal("hello"), user: UserId, device: DeviceId, presence: PresenceView });
export const PresenceFrameSchema = z.strictObject({ type: z.literal("presence"), presence: PresenceView });
export const FocusNoticeFrameSchema = z.strictObject({ type: z.literal("focus"), user: UserId, active: z.boolean() });
export const SubscribedFrameSchema = z.strictObject({ type: z.literal("subscribed"), presence: z.record(z.string(), PresenceView) });
export const ChangedFrameSchema = z.strictObject({ type: z.literal("changed"), presence: PresenceView });
export const MessageFrameSchema = z.strictObject({ type: z.literal("message"), message: MessageSchema });
export const InboxFrameSchema = z.strictObject({ type: z.literal("inbox"), messages: z.array(MessageSchema) });
export const ReceiptFrameSchema = z.strictObject({ type: z.literal("receipt"), id: z.string(), to: UserId, state: z.enum(["delivered", "read"]) });
export const TypingNoticeFrameSchema = z.strictObject({ type: z.literal("typing"), user: UserId, until: Epoch });
export const ErrorFrameSchema = z.strictObject({ type: z.literal("error"), code: ErrorCode, message: z.string() });

export const RosterCountsSchema = z.strictObject({ online: z.number().int(), away: z.number().int(), busy: z.number().int(), total: z.number().int() });
const Seq = z.number().int().min(0).meta({ description: "rises by exactly 1 per frame on the socket; a gap means a frame was missed (reconnect)" });
export const SyncFrameSchema = z.strictObject({ type: z.literal("sync"), scope: ScopeId, seq: Seq, members: z.array(Member) });
export const DiffFrameSchema = z.strictObject({
  type: z.literal("diff"),
  scope: ScopeId,
  seq: Seq,
  joins: z.array(Member),
  updates: z.array(Member),
  leaves: z.array(UserId),
});
export const CountsSyncFrameSchema = z.strictObject({ type: z.literal("sync"), scope: ScopeId, seq: Seq, counts: RosterCountsSchema });
export const CountsDiffFrameSchema = z.strictObject({ type: z.literal("diff"), scope: ScopeId, seq: Seq, counts: RosterCountsSchema });

/** The text heartbeat, both ways (not JSON). */
export const PingText = z.literal(PING);
export const PongText = z.literal(PONG);

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when a schema above drifts from the frame type the service sends. */
export type ServerFrameChecks = [
  Same<z.infer<typeof HelloFrameSchema>, HelloFrame>,
  Same<z.infer<typeof PresenceFrameSchema>, PresenceFrame>,
  Same<z.infer<typeof FocusNoticeFrameSchema>, FocusNoticeFrame>,
  Same<z.infer<typeof SubscribedFrameSchema>, SubscribedFrame>,
  Same<z.infer<typeof ChangedFrameSchema>, ChangedFrame>,
  Same<z.infer<typeof MessageFrameSchema>, MessageFrame>,
  Same<z.infer<typeof InboxFrameSchema>, InboxFrame>,
  Same<z.infer<typeof ReceiptFrameSchema>, ReceiptFrame>,
  Same<z.infer<typeof TypingNoticeFrameSchema>, TypingNoticeFrame>,
  Same<z.infer<typeof ErrorFrameSchema>, ErrorFrame>,
  Same<z.infer<typeof RosterCountsSchema>, RosterCounts>,
  Same<z.infer<typeof SyncFrameSchema>, SyncFrame>,
  Same<z.infer<typeof DiffFrameSchema>, DiffFrame>,
  Same<z.infer<typeof CountsSyncFrameSchema>, CountsSyncFrame>,
  Same<z.infer<typeof CountsDiffFrameSchema>, CountsDiffFrame>,
] extends true[]
  ? true
  : never;
const serverFramesMatch: ServerFrameChecks = true;
void serverFramesMatch;
