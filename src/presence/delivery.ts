import type { Env } from "../env";
import type { FocusNotice } from "./focus";
import type { FailedPush } from "./roomSync";
import type { RoomPush } from "./transition";

/** Sends each push to its room and returns the ones that failed (to be retried by the alarm); never throws. */
export async function pushToRooms(env: Env, user: string, pushes: readonly RoomPush[]): Promise<FailedPush[]> {
  const results = await Promise.all(
    pushes.map(async ({ scope, member, rev }) => {
      try {
        await env.ROOMS.getByName(scope).apply({ user, member, rev });
        return [];
      } catch (error) {
        console.warn(`room push to ${scope} failed, will retry`, error);
        return [{ scope, member, rev }];
      }
    }),
  );
  return results.flat();
}

/**
 * Focus is a hint: a lost notice is not retried (a device leaving always sends the blur). Each is
 * stamped with the time it is sent, so a partner ignores one that a later notice overtook in flight.
 */
export async function tellPartners(env: Env, user: string, notices: readonly FocusNotice[]): Promise<void> {
  const at = Date.now();
  await Promise.all(
    notices.map(async ({ partner, device, active }) => {
      try {
        await env.PRESENCE.getByName(partner).focusChanged(user, device, active, at);
      } catch (error) {
        console.warn(`focus notice to ${partner} failed`, error);
      }
    }),
  );
}
