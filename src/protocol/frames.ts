import * as z from "zod";
import { UserId } from "./ids";
import { ChosenStatus, Member, PresenceView, StatusText, Until } from "./presence";
import type { ErrorCode } from "./errors";
import { MAX_SUBSCRIPTIONS } from "./constants";
import { MessageIds, type Message } from "./messages";
import type { ScopeId } from "./ids";

export const ActivityFrame = z.strictObject({ type: z.literal("activity") });
export const StatusFrame = z.strictObject({
  type: z.literal("status"),
  status: ChosenStatus,
  text: StatusText.optional(),
  until: Until.optional(),
});
export const FocusFrame = z.strictObject({ type: z.literal("focus"), partner: UserId });
export const BlurFrame = z.strictObject({ type: z.literal("blur") });
/** A fresh token for an open socket, sent before the current one expires. */
export const TokenFrame = z.strictObject({ type: z.literal("token"), token: z.string().min(1).max(4000) });

const SubscribedUsers = z.array(UserId).min(1).max(MAX_SUBSCRIPTIONS);
/** Follow users' presence on this socket (as far as each lets the user see them). */
export const SubscribeFrame = z.strictObject({ type: z.literal("subscribe"), users: SubscribedUsers });
export const UnsubscribeFrame = z.strictObject({ type: z.literal("unsubscribe"), users: SubscribedUsers });

/** Delivered messages this device took care of: they leave the inbox (read too, when the sender is in its focus). */
export const AckFrame = z.strictObject({ type: z.literal("ack"), ids: MessageIds });
/** Messages the user read. */
export const ReadFrame = z.strictObject({ type: z.literal("read"), ids: MessageIds });
/** The user is typing to `to` (sent at most once a second; more are dropped). */
export const TypingFrame = z.strictObject({ type: z.literal("typing"), to: UserId });

/** Every frame a device may send (besides `ping`). */
export const DeviceFrame = z.discriminatedUnion("type", [
  ActivityFrame,
  StatusFrame,
  FocusFrame,
  BlurFrame,
  TokenFrame,
  SubscribeFrame,
  UnsubscribeFrame,
  AckFrame,
  ReadFrame,
  TypingFrame,
]);
export type DeviceFrame = z.infer<typeof DeviceFrame>;
export type StatusFrame = z.infer<typeof StatusFrame>;
export type TokenFrame = z.infer<typeof TokenFrame>;
export type SubscribeFrame = z.infer<typeof SubscribeFrame>;
export type UnsubscribeFrame = z.infer<typeof UnsubscribeFrame>;

export interface HelloFrame {
  type: "hello";
  user: string;
  device: string;
  presence: PresenceView;
}
export interface PresenceFrame {
  type: "presence";
  presence: PresenceView;
}
export interface FocusNoticeFrame {
  type: "focus";
  user: string;
  active: boolean;
}
/** The answer to `subscribe`: each user as this user may see them. */
export interface SubscribedFrame {
  type: "subscribed";
  presence: Record<string, PresenceView>;
}
/** A subscribed user's presence moved, as this user may see it (turning hidden shows as an unknown user). */
export interface ChangedFrame {
  type: "changed";
  presence: PresenceView;
}
/** A message, to every device of its receiver as it arrives. */
export interface MessageFrame {
  type: "message";
  message: Message;
}
/** Stored messages not yet acknowledged, oldest first, right after `hello` (more frames until none is left). */
export interface InboxFrame {
  type: "inbox";
  messages: Message[];
}
/** To the sender's devices: a message was first delivered to a device of `to`, or read. */
export interface ReceiptFrame {
  type: "receipt";
  id: string;
  to: string;
  state: "delivered" | "read";
}
/** `user` is typing to this user; show it until `until` (epoch ms) unless another comes. */
export interface TypingNoticeFrame {
  type: "typing";
  user: string;
  until: number;
}
export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
}
export interface SyncFrame {
  type: "sync";
  scope: ScopeId;
  /** The room's diff count now: the socket's first diff carries `seq + 1`. */
  seq: number;
  members: Member[];
}
export interface DiffFrame {
  type: "diff";
  scope: ScopeId;
  seq: number;
  joins: Member[];
  updates: Member[];
  leaves: string[];
}

/** Every frame a device socket receives (besides `pong`). */
export type DeviceServerFrame =
  | HelloFrame
  | PresenceFrame
  | FocusNoticeFrame
  | SubscribedFrame
  | ChangedFrame
  | MessageFrame
  | InboxFrame
  | ReceiptFrame
  | TypingNoticeFrame
  | ErrorFrame;
/** A scope's members by status, as the watcher may see them. */
export interface RosterCounts {
  online: number;
  away: number;
  busy: number;
  total: number;
}
/** A counts-only watch (`?members=false`): the first frame, with the counts instead of the members. */
export interface CountsSyncFrame {
  type: "sync";
  scope: ScopeId;
  seq: number;
  counts: RosterCounts;
}
/** A counts-only watch: the counts after a change that moved them (never one that did not). */
export interface CountsDiffFrame {
  type: "diff";
  scope: ScopeId;
  seq: number;
  counts: RosterCounts;
}

/** Every frame a members watch receives (besides `pong`). */
export type MembersWatchFrame = SyncFrame | DiffFrame | ErrorFrame;
/** Every frame a watch socket receives (besides `pong`). */
export type WatchServerFrame = MembersWatchFrame | CountsSyncFrame | CountsDiffFrame;
