/** The browser SDK: a device connection with subscriptions and messages, live rosters, scope history and settings over REST, and activity detection. */
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
} from "./PresenceClient";
export { RosterWatch, watch, type RosterWatchEvents, type WatchOptions } from "./RosterWatch";
export { Settings, type PrivacyChange, type Relations, type RelationsChange, type SettingsOptions } from "./Settings";
export { RestError, type ResponseLike } from "./RestError";
export type { FetchLike } from "./Rest";
export { trackActivity, type ActivityOptions, type ActivityTarget } from "./activity";
export { applyDiff, applyFrame, countMembers, type Roster, type RosterCounts, type RosterStep } from "./roster";
export type { RosterDiff } from "../protocol/member";
export { NO_PONG, RESYNC, type ConnectionChange, type ConnectionState } from "./ReconnectingSocket";
export type { ConnectionOptions, TokenSource } from "./connectionOptions";
export type { BackoffPolicy } from "./backoff";
export type { OpenSocket, SocketLike } from "./socket";
export type { Message } from "../protocol/messages";
export type { ScopeHistory } from "../protocol/history";
export type { ChosenStatus, Member, MemberStatus, PresenceView, Status } from "../protocol/presence";
export type { Audience, Privacy } from "../protocol/rest";
export type { ErrorCode } from "../protocol/errors";
export type { DeviceType, ScopeId } from "../protocol/ids";
