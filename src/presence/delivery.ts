import { errorName, logEvent } from "../observability/log";
import type { Env } from "../env";
import type { FocusNotice } from "./focus";
import type { FailedPush } from "./roomSync";
import type { FocusPass } from "./subject";
import type { RoomPush } from "./transition";

/**
 * Sends each push to its room and returns the ones that failed (to be retried by the alarm); never
 * throws. A push that says so carries the user's whole list of blocks.
 */
export async function pushToRooms(env: Env, user: string, pushes: readonly RoomPush[], blocks: readonly string[]): Promise<FailedPush[]> {
  const results = await Promise.all(
    pushes.map(async (push) => {
      const { scope, room, leaveFrom, member, rev, rank, withBlocks } = push;
      try {
        await env.ROOMS.getByName(room).apply({ user, member, rev, ...(rank === undefined ? {} : { rank }), ...(withBlocks ? { blocks: [...blocks] } : {}) });
        if (leaveFrom !== undefined) await leaveShard(env, user, leaveFrom, rev);
        return [];
      } catch (error) {
        logEvent("push_failed", { user, scope, what: "roster push, retried", code: errorName(error) });
        return [push];
      }
    }),
  );
  return results.flat();
}

/** The user moved to another shard of a re-sharded scope: the old one lets them go now, not when their lease runs out. */
async function leaveShard(env: Env, user: string, room: string, rev: number): Promise<void> {
  try {
    await env.ROOMS.getByName(room).apply({ user, member: null, rev });
  } catch (error) {
    logEvent("push_failed", { user, scope: room, what: "leave of an old shard (its lease ends it)", code: errorName(error) });
  }
}

/**
 * Focus is a hint: a lost notice is not retried (a device leaving always sends the blur). Each is
 * stamped with the time it is sent, so a partner ignores one that a later notice overtook in flight.
 * Returns the focuses the partners refused (the two may not see each other, or there is no such user).
 */
export async function tellPartners(env: Env, user: string, notices: readonly FocusNotice[], passFor: (notice: FocusNotice) => FocusPass): Promise<FocusNotice[]> {
  const at = Date.now();
  const results = await Promise.all(
    notices.map(async (notice) => {
      try {
        const taken = await env.PRESENCE.getByName(notice.partner).focusChanged(user, notice.device, notice.active, at, passFor(notice));
        return taken || !notice.active ? [] : [notice];
      } catch (error) {
        logEvent("push_failed", { user, to: notice.partner, device: notice.device, what: "focus notice", code: errorName(error) });
        return [];
      }
    }),
  );
  return results.flat();
}
