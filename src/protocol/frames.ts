import { z } from "zod";
import { UserId } from "./ids";
import { ChosenStatus, Member, PresenceView, StatusText } from "./presence";
import type { ErrorCode } from "./errors";
import type { ScopeId } from "./ids";

/** The largest text frame a socket accepts, in bytes; a larger one closes the socket with 1009. */
export const MAX_FRAME_BYTES = 4096;

/** The heartbeat: this literal text frame is answered `pong` without waking any object. */
export const PING = "ping";
export const PONG = "pong";

/** Close codes the service uses besides the standard ones. */
export const CloseCode = {
  messageTooBig: 1009,
  heartbeatTimeout: 4000,
  deviceReplaced: 4001,
} as const;

export const ActivityFrame = z.strictObject({ type: z.literal("activity") });
export const StatusFrame = z.strictObject({
  type: z.literal("status"),
  status: ChosenStatus,
  text: StatusText.optional(),
});
export const FocusFrame = z.strictObject({ type: z.literal("focus"), partner: UserId });
export const BlurFrame = z.strictObject({ type: z.literal("blur") });

/** Every frame a device may send (besides `ping`). */
export const DeviceFrame = z.discriminatedUnion("type", [ActivityFrame, StatusFrame, FocusFrame, BlurFrame]);
export type DeviceFrame = z.infer<typeof DeviceFrame>;
export type StatusFrame = z.infer<typeof StatusFrame>;

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
  seq: 0;
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
