import type { PresenceClient } from "../index.js";
import { useClientStores } from "./context.js";

/** The provider's client, for what the user does (`setStatus`, `typing`, `send`, `focus`); null until it exists. */
export function usePresenceClient(): PresenceClient | null {
  return useClientStores("usePresenceClient")?.client ?? null;
}
