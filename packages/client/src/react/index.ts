/**
 * React bindings for the client SDK (React 18 or later, a peer dependency): a `PresenceProvider` that
 * holds one client, and hooks that read it through `useSyncExternalStore`, following users and
 * watching scopes only while a component that asks is mounted.
 *
 * @module @edge-presence/client/react
 */
export { PresenceProvider, type PresenceProviderProps } from "./PresenceProvider.js";
export { usePresence } from "./usePresence.js";
export { usePresenceClient } from "./usePresenceClient.js";
export { useUser } from "./useUser.js";
export { useUsers } from "./useUsers.js";
export { useRoster } from "./useRoster.js";
export { useTyping } from "./useTyping.js";
export type { PresenceSnapshot } from "./ConnectionStore.js";
export type { RosterSnapshot } from "./SharedRosters.js";
