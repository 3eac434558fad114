import { useCallback, useSyncExternalStore } from "react";
import type { PresenceView } from "../index.js";
import { subscribeToNothing, useClientStores } from "./context.js";

const unknown = () => undefined;

/**
 * `user`'s presence as this user may see it, followed through a subscription while the component is
 * mounted (shared with every other hook following `user`); undefined until the service has told it.
 */
export function useUser(user: string): PresenceView | undefined {
  const users = useClientStores("useUser")?.users;
  const subscribe = useCallback((listener: () => void) => users?.follow([user], listener) ?? subscribeToNothing(), [users, user]);
  return useSyncExternalStore(subscribe, () => users?.viewOf(user), unknown);
}
