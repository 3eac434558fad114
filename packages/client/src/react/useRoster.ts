import { useCallback, useSyncExternalStore } from "react";
import type { ScopeId } from "../index.js";
import { subscribeToNothing, useClientStores } from "./context.js";
import { NO_ROSTER, type RosterSnapshot } from "./SharedRosters.js";

const noRoster = () => NO_ROSTER;

/**
 * The live roster of `scope` (`global`, `org:<id>` or `zone:<id>`) and the state of its watch: one
 * watch socket per scope however many components read it, closed when the last of them unmounts.
 */
export function useRoster(scope: ScopeId): RosterSnapshot {
  const rosters = useClientStores("useRoster")?.rosters;
  const subscribe = useCallback((listener: () => void) => rosters?.open(scope, listener) ?? subscribeToNothing(), [rosters, scope]);
  return useSyncExternalStore(subscribe, () => rosters?.snapshotOf(scope) ?? NO_ROSTER, noRoster);
}
