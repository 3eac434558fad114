import { createContext, useContext } from "react";
import type { ClientStores } from "./ClientStores.js";

/** The nearest provider's stores: undefined outside any provider, null while its client does not exist yet. */
export const PresenceContext = createContext<ClientStores | null | undefined>(undefined);

export function useClientStores(hook: string): ClientStores | null {
  const stores = useContext(PresenceContext);
  if (stores === undefined) throw new Error(`${hook} must be called inside a <PresenceProvider>`);
  return stores;
}

/** What a hook subscribes to while there is no client yet: nothing changes until there is. */
export function subscribeToNothing(): () => void {
  return () => {};
}
