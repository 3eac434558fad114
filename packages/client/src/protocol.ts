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

/** The close code for a device whose id connected again elsewhere: the newer socket took over. */
export const DEVICE_REPLACED = 4001;
/** The close code for a device the service disconnected (a sign-out everywhere, a ban, an erase). */
export const DISCONNECTED = 4004;

/**
 * Close codes the service uses besides the standard ones. The client reads the two it acts on as
 * `DEVICE_REPLACED` and `DISCONNECTED`, so its bundle leaves this object out.
 */
export const CloseCode = {
  messageTooBig: 1009,
  heartbeatTimeout: 4000,
  deviceReplaced: DEVICE_REPLACED,
  tokenExpired: 4003,
  disconnected: DISCONNECTED,
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
/** What kind of device a socket is, as the client says when it connects. */
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

/** One connected device of a user, as their presence shows it. */
export interface DeviceView {
  /** The device's id, as its client chose it. */
  id: string;
  /** A socket's type, or `rest` for a device kept online by REST heartbeats. */
  type: DeviceType | "rest";
  /** No activity on this device for the service's `AWAY_AFTER_MS`. */
  idle: boolean;
}

/** A user's presence as the viewer may see it: an unknown user, or one hidden from the viewer, shows offline with no text and no devices. */
export interface PresenceView {
  user: string;
  status: Status;
  /** The custom status text, or null (others see null while the user is offline). */
  text: string | null;
  /** The latest activity on any device (epoch ms); null when unknown, or kept from the viewer. */
  lastActive: number | null;
  /** When the user last went offline (epoch ms); null when unknown, or kept from the viewer. */
  lastSeen: number | null;
  devices: DeviceView[];
}

/** A user as a scope's roster shows them: only users the viewer may see, while they are not offline. */
export interface Member {
  user: string;
  status: MemberStatus;
  /** The custom status text, or null. */
  text: string | null;
  /** Null when the user keeps their activity from this viewer (their `lastSeen` privacy). */
  lastActive: number | null;
  /** The user's display name, when their token gives one. */
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

/** The service's answer to `send`: the message's id and time, whether a device has it, and whether it was read on arrival. */
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
/** A user's privacy settings. */
export interface Privacy {
  /** Who may see the user at all; anyone else sees an unknown user. */
  visibility: Audience;
  /** Who may see when the user was last active and when they went offline. */
  lastSeen: Audience;
}
/** The privacy settings to change; the ones left out stay as they are. */
export type PrivacyChange = Partial<Privacy>;
/** Users to add and users to remove, as many as you like: larger changes go out as several requests. */
export interface RelationsChange {
  add?: string[] | undefined;
  remove?: string[] | undefined;
}
/** A user's contacts, or the users they blocked. */
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
/** `user` started (`active`) or stopped having this user in focus (say, a chat with them open). */
export interface FocusNotice {
  user: string;
  active: boolean;
}
export interface FocusNoticeFrame extends FocusNotice {
  type: "focus";
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
/** The message `id` this user sent reached a device of `to` (`delivered`), or was read. */
export interface Receipt {
  id: string;
  to: string;
  state: "delivered" | "read";
}
export interface ReceiptFrame extends Receipt {
  type: "receipt";
}
/** `user` is typing to this user: show it until `until` (epoch ms) unless another notice comes. */
export interface TypingNotice {
  user: string;
  until: number;
}
export interface TypingNoticeFrame extends TypingNotice {
  type: "typing";
}
/** The service's refusal of a frame, with a stable code; the socket stays open. */
export interface ServerError {
  code: ErrorCode;
  message: string;
}
export interface ErrorFrame extends ServerError {
  type: "error";
}
/** A watch socket's first frame: every member of the scope, as the roster starts. */
export interface SyncFrame {
  type: "sync";
  scope: ScopeId;
  /** The room's diff count now: the socket's first diff carries `seq + 1`. */
  seq: number;
  members: Member[];
}
/** A watch socket's frame for what moved since the frame before it (whose `seq` is one less). */
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
