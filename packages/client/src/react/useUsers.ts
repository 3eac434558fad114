import { useCallback, useRef, useSyncExternalStore } from "react";
import type { PresenceView } from "../index.js";
import { subscribeToNothing, useClientStores } from "./context.js";

const NONE: ReadonlyMap<string, PresenceView> = new Map();
const none = () => NONE;

/**
 * The presence of each of `users` the service has told so far, by user, followed through
 * subscriptions while the component is mounted (shared with every other hook following them). A new
 * array with the same users changes nothing; the map is a new one only when a view in it changed.
 */
export function useUsers(users: readonly string[]): ReadonlyMap<string, PresenceView> {
  const stores = useClientStores("useUsers")?.users;
  const key = JSON.stringify(users);
  const subscribe = useCallback(
    (listener: () => void) => stores?.follow(JSON.parse(key) as string[], listener) ?? subscribeToNothing(),
    [stores, key],
  );
  const last = useRef(NONE);
  const read = () => {
    const views = new Map<string, PresenceView>();
    for (const user of users) {
      const view = stores?.viewOf(user);
      if (view) views.set(user, view);
    }
    const previous = last.current;
    if (views.size === previous.size && [...views].every(([user, view]) => previous.get(user) === view)) return previous;
    return (last.current = views);
  };
  return useSyncExternalStore(subscribe, read, none);
}
