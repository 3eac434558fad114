/** The client SDK (browsers, Node 22+, service workers): a device connection with subscriptions and messages, live rosters (both carrying on over REST where WebSockets are blocked), scope history and settings over REST, and activity detection. */
export {
  PresenceClient,
  type FocusNotice,
  type PresenceClientEvents,
  type PresenceClientOptions,
  type Receipt,
  type ScopeHistoryOptions,
  type SendOptions,
  type SentMessage,
  type ServerError,
  type TypingNotice,
} from "./PresenceClient.js";
export { RosterWatch, watch, type RosterWatchEvents, type WatchOptions } from "./RosterWatch.js";
export { Settings, type PrivacyChange, type Relations, type RelationsChange, type SettingsOptions } from "./Settings.js";
export { RestError, type ResponseLike } from "./RestError.js";
export type { FetchLike } from "./Rest.js";
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
  DeviceView,
  ErrorCode,
  Member,
  MemberStatus,
  Message,
  PresenceView,
  Privacy,
  RosterDiff,
  ScopeHistory,
  ScopeId,
  Status,
} from "./protocol.js";
