import { z } from "zod";
import { UserId } from "./ids";
import { ChosenStatus, Member, PresenceView, StatusText } from "./presence";
import type { ErrorCode } from "./errors";
import type { ScopeId } from "./ids";

export const ActivityFrame = z.strictObject({ type: z.literal("activity") });
export const StatusFrame = z.strictObject({
  type: z.literal("status"),
  status: ChosenStatus,
  text: StatusText.optional(),
});
export const FocusFrame = z.strictObject({ type: z.literal("focus"), partner: UserId });
export const BlurFrame = z.strictObject({ type: z.literal("blur") });
/** A fresh token for an open socket, sent before the current one expires. */
export const TokenFrame = z.strictObject({ type: z.literal("token"), token: z.string().min(1).max(4000) });

/** Every frame a device may send (besides `ping`). */
export const DeviceFrame = z.discriminatedUnion("type", [ActivityFrame, StatusFrame, FocusFrame, BlurFrame, TokenFrame]);
export type DeviceFrame = z.infer<typeof DeviceFrame>;
export type StatusFrame = z.infer<typeof StatusFrame>;
export type TokenFrame = z.infer<typeof TokenFrame>;

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
export type DeviceServerFrame = HelloFrame | PresenceFrame | FocusNoticeFrame | ErrorFrame;
/** Every frame a watch socket receives (besides `pong`). */
export type WatchServerFrame = SyncFrame | DiffFrame | ErrorFrame;
