import { useCallback, useSyncExternalStore } from "react";
import { subscribeToNothing, useClientStores } from "./context.js";

const notTyping = () => false;

/** True while `user` is typing to this user: from their typing notice until its `until`, or their message. */
export function useTyping(user: string): boolean {
  const typing = useClientStores("useTyping")?.typing;
  const subscribe = useCallback((listener: () => void) => typing?.listen(user, listener) ?? subscribeToNothing(), [typing, user]);
  return useSyncExternalStore(subscribe, () => typing?.isTyping(user) ?? false, notTyping);
}
