/**
 * Scopes per connection: each device joins the scopes its own token names, and the user is in the
 * union of them. A device that leaves keeps its scopes for the grace window, so a page reload does
 * not flap a roster, then takes them away. Pure functions over the user record's list.
 */

export interface DeviceScopes {
  device: string;
  scopes: string[];
  /** When the device left (null: connected); its scopes last until `leftAt + grace`. */
  leftAt: number | null;
}

/** A device connected with a token naming `scopes`: they replace what it had. */
export function connectScopes(list: readonly DeviceScopes[], device: string, scopes: readonly string[]): DeviceScopes[] {
  return [...list.filter((entry) => entry.device !== device), { device, scopes: [...scopes], leftAt: null }];
}

/** Marks devices that are no longer live as left now, and drops those whose grace is over. */
export function settleScopes(list: readonly DeviceScopes[], live: ReadonlySet<string>, now: number, graceMs: number): DeviceScopes[] {
  return list
    .map((entry) => (entry.leftAt === null && !live.has(entry.device) ? { ...entry, leftAt: now } : entry))
    .filter((entry) => entry.leftAt === null || entry.leftAt + graceMs > now);
}

/** The user's scopes: the union over their devices, each once, in first-seen order. */
export function scopesNow(list: readonly DeviceScopes[]): string[] {
  return [...new Set(list.flatMap((entry) => entry.scopes))];
}

/** When the next departed device's scopes lapse. */
export function nextScopeLapse(list: readonly DeviceScopes[], graceMs: number): number | null {
  const times = list.flatMap((entry) => (entry.leftAt === null ? [] : [entry.leftAt + graceMs]));
  return times.length ? Math.min(...times) : null;
}
