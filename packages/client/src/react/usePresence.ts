import { useSyncExternalStore } from "react";
import { NOT_CONNECTED, type PresenceSnapshot } from "./ConnectionStore.js";
import { subscribeToNothing, useClientStores } from "./context.js";

const notConnected = () => NOT_CONNECTED;

/** The user's own presence (null before the first `hello`) and the state of the provider's client's connection. */
export function usePresence(): PresenceSnapshot {
  const connection = useClientStores("usePresence")?.connection;
  return useSyncExternalStore(connection?.subscribe ?? subscribeToNothing, connection?.getSnapshot ?? notConnected, notConnected);
}
