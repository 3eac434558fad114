import type { Env } from "../env";
import type { FocusNotice } from "./focus";
import type { PushResult } from "./roomSync";
import type { RoomPush } from "./transition";

/** Sends each push to its room; a failure is an answer too (retried by the alarm), never a throw. */
export function pushToRooms(env: Env, user: string, pushes: readonly RoomPush[]): Promise<PushResult[]> {
  return Promise.all(
    pushes.map(async ({ scope, member, rev }) => {
      try {
        await env.ROOMS.getByName(scope).apply({ user, member, rev });
        return { scope, rev, ok: true };
      } catch (error) {
        console.warn(`room push to ${scope} failed, will retry`, error);
        return { scope, rev, ok: false };
      }
    }),
  );
}

/** Focus is a hint: a lost notice is not retried (a device leaving always sends the blur). */
export async function tellPartners(env: Env, user: string, notices: readonly FocusNotice[]): Promise<void> {
  await Promise.all(
    notices.map(async ({ partner, device, active }) => {
      try {
        await env.PRESENCE.getByName(partner).focusChanged(user, device, active);
      } catch (error) {
        console.warn(`focus notice to ${partner} failed`, error);
      }
    }),
  );
}
