/**
 * The wire protocol as the client sees it: plain TypeScript types and constants, with no zod and no
 * server code, so the published package's `.d.ts` stands on its own. The service's schemas live in
 * the repo's src/protocol; test/client/protocol.test.ts fails to compile when a type here drifts from
 * the one the schemas infer, and fails when a constant differs from the service's.
 */

// Constants: the service's src/protocol/constants.ts re-exports these (one definition for both).

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
  tokenExpired: 4003,
  disconnected: 4004,
} as const;

/** How many users one device may follow by subscription at once. */
export const MAX_SUBSCRIPTIONS = 500;

/** How many users one contacts or blocks change may add, and how many it may remove. */
export const MAX_RELATION_CHANGE = 100;

/** How many message ids one `ack` or `read` names, and how many messages one `inbox` frame carries. */
export const MAX_MESSAGES_PER_FRAME = 100;

/** One typing notice per device a second; more are dropped. */
export const TYPING_INTERVAL_MS = 1_000;

// Ids and errors (src/protocol/ids.ts, errors.ts).

/** `global`, `org:<id>` or `zone:<id>`. */
export type ScopeId = string;
export type DeviceType = "web" | "mobile" | "desktop";

/** Every refusal the service makes, by stable machine-readable code. */
export type ErrorCode =
  | "missing_token"
  | "invalid_token"
  | "expired_token"
  | "invalid_request"
  | "forbidden"
  | "forbidden_scope"
  | "revoked_token"
  | "forbidden_origin"
  | "payload_too_large"
  | "not_found"
  | "method_not_allowed"
  | "unsupported_media_type"
  | "upgrade_required"
  | "too_many_devices"
  | "too_many_watchers"
  | "too_many_relations"
  | "too_many_subscriptions"
  | "inbox_full"
  | "dev_tokens_disabled"
  | "invalid_json"
  | "unknown_type"
  | "invalid_frame"
  | "binary_frame"
  | "read_only"
  | "rate_limited"
  | "unavailable"
  | "internal";

/** The body of every refused request. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

// Presence (src/protocol/presence.ts, member.ts).

/** What a user sees of themself. Others see `invisible` as `offline`. */
export type Status = "online" | "away" | "busy" | "invisible" | "offline";
/** A status a user can choose; `auto` clears a manual status. */
export type ChosenStatus = "online" | "away" | "busy" | "invisible" | "auto";
/** A user as a scope's roster shows them: only visible users are members. */
export type MemberStatus = "online" | "away" | "busy";

export interface DeviceView {
  id: string;
  /** A socket's type, or `rest` for a device kept online by REST heartbeats. */
  type: DeviceType | "rest";
  idle: boolean;
}

export interface PresenceView {
  user: string;
  status: Status;
  text: string | null;
  lastActive: number | null;
  lastSeen: number | null;
  devices: DeviceView[];
}

export interface Member {
  user: string;
  status: MemberStatus;
  text: string | null;
  /** Null when the user keeps their activity from this viewer (their `lastSeen` privacy). */
  lastActive: number | null;
  name?: string | undefined;
}

/** How a roster moved: whole members that joined or changed, and the ids of those who left. */
export interface RosterDiff {
  joins: Member[];
  updates: Member[];
  leaves: string[];
}

/** Whether two members show the same thing; null is "not a member". */
export function sameMember(a: Member | null, b: Member | null): boolean {
  if (a === null || b === null) return a === b;
  return a.user === b.user && a.status === b.status && a.text === b.text && a.lastActive === b.lastActive && a.name === b.name;
}

export function isEmptyDiff(diff: RosterDiff): boolean {
  return diff.joins.length + diff.updates.length + diff.leaves.length === 0;
}

// Messages and history (src/protocol/messages.ts, history.ts).

/** A message as its receiver gets it (`body` is any JSON value, as the sender gave it). */
export interface Message {
  id: string;
  from: string;
  body: unknown;
  sentAt: number;
  /** The receiver read it (a device had the sender in focus, acknowledged it so, or said so). */
  read: boolean;
}

/** The service's answer to a sent message. */
export interface SendMessageResponse {
  id: string;
  sentAt: number;
  delivered: boolean;
  read: boolean;
}

/** Members by status per step: the most in any minute of it. */
export interface ScopeHistory {
  scope: ScopeId;
  step: number;
  points: { t: number; online: number; away: number; busy: number }[];
}

// Settings (src/protocol/rest.ts).

/** Who may see a user, and who may see when they were last active. */
export type Audience = "everyone" | "contacts" | "nobody";
export interface Privacy {
  visibility: Audience;
  lastSeen: Audience;
}
export type PrivacyChange = Partial<Privacy>;
/** Users to add and users to remove, as many as you like: larger changes go out as several requests. */
export interface RelationsChange {
  add?: string[] | undefined;
  remove?: string[] | undefined;
}
export interface Relations {
  users: string[];
}

// Frames the client sends (src/protocol/frames.ts).

export interface StatusFrame {
  type: "status";
  status: ChosenStatus;
  text?: string | undefined;
  until?: number | undefined;
}
export interface SubscribeFrame {
  type: "subscribe";
  users: string[];
}
export interface UnsubscribeFrame {
  type: "unsubscribe";
  users: string[];
}
export interface AckFrame {
  type: "ack";
  ids: string[];
}
export interface ReadFrame {
  type: "read";
  ids: string[];
}

// Frames the client receives (src/protocol/frames.ts).

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
export interface SubscribedFrame {
  type: "subscribed";
  presence: Record<string, PresenceView>;
}
export interface ChangedFrame {
  type: "changed";
  presence: PresenceView;
}
export interface MessageFrame {
  type: "message";
  message: Message;
}
export interface InboxFrame {
  type: "inbox";
  messages: Message[];
}
export interface ReceiptFrame {
  type: "receipt";
  id: string;
  to: string;
  state: "delivered" | "read";
}
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
/** Every frame a members watch receives (besides `pong`). */
export type MembersWatchFrame = SyncFrame | DiffFrame | ErrorFrame;
