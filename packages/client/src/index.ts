/**
 * The client SDK (browsers, Node 22+, service workers): a device connection with subscriptions and messages, live rosters (both carrying on over REST where WebSockets are blocked), scope history and settings over REST, and activity detection.
 *
 * @module @edge-presence/client
 */
export { PresenceClient, type PresenceClientEvents, type PresenceClientOptions, type ScopeHistoryOptions, type SendOptions } from "./PresenceClient.js";
export { RosterWatch, watch, type RosterWatchEvents, type WatchOptions } from "./RosterWatch.js";
export { Settings, type PrivacyChange, type Relations, type RelationsChange, type SettingsOptions } from "./Settings.js";
export { RestError, type ResponseLike } from "./RestError.js";
export type { FetchLike, RestOptions } from "./Rest.js";
export { trackActivity, type ActivityOptions, type ActivityTarget } from "./activity.js";
export { applyDiff, applyFrame, countMembers, type Roster, type RosterCounts, type RosterStep } from "./roster.js";
export { NO_PONG, RESYNC, type ConnectionChange, type ConnectionState } from "./ReconnectingSocket.js";
export type { ConnectionOptions, TokenSource } from "./connectionOptions.js";
export type { RestFallbackOptions } from "./RestFallback.js";
export type { BackoffPolicy } from "./backoff.js";
export type { OpenSocket, SocketLike } from "./socket.js";
export type {
  Audience,
  ChosenStatus,
  DeviceType,
  DiffFrame,
  DeviceView,
  ErrorCode,
  FocusNotice,
  Member,
  MemberStatus,
  Message,
  PresenceView,
  Privacy,
  Receipt,
  RosterDiff,
  ScopeHistory,
  ScopeId,
  SendMessageResponse as SentMessage,
  ServerError,
  Status,
  SyncFrame,
  TypingNotice,
} from "./protocol.js";
