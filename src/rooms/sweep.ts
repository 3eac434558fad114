import type { Env } from "../env";
import { errorName, logEvent } from "../observability/log";
import type { MemberPush, SweepAnswer } from "./roster";

/**
 * A room's sweep: it asks its members' objects what it should hold for them (one request each, no
 * row written on either side when nothing changed). A `global` shard asks every member every
 * `SWEEP_MS`, and that question is also when the member's object checks its devices' heartbeats, so
 * an always-online user's object needs no alarm. Other rooms ask only members they have not heard
 * from in three leases, every three leases. The answers let go of members who are no longer there
 * (a crashed object, a lost leave) and repair a member whose last push was lost.
 */

/** One invocation may make at most 10,000 subrequests (Workers Paid): a sweep asks at most this many members per alarm, and goes on at the next. */
export const SWEEP_SLICE = 5_000;

/** How many members' objects are asked at once. */
const CONCURRENCY = 50;

/** How soon the next slice of an unfinished sweep goes. */
export const NEXT_SLICE_MS = 1_000;

/** Asks each user's object what `room` should hold for them; one that could not be asked is left out (asked again next time). */
export async function askMembers(env: Env, room: string, users: readonly string[]): Promise<Map<string, SweepAnswer>> {
  const answers = new Map<string, SweepAnswer>();
  let next = 0;
  const ask = async () => {
    for (let user = users[next++]; user !== undefined; user = users[next++]) {
      try {
        answers.set(user, await env.PRESENCE.getByName(user).sweep(room));
      } catch (error) {
        logEvent("push_failed", { scope: room, user, what: "sweep", code: errorName(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, users.length) }, ask));
  return answers;
}

/**
 * What a room does with one answer, given what it holds for the user: let go of a member who is not
 * one (whatever the revs say: the user's object is the authority), take a newer state than held (a
 * lost push), or nothing (null).
 */
export function settleAnswer(user: string, held: { rev: number; present: boolean }, answer: SweepAnswer): MemberPush | null {
  if (answer === null) return null;
  if (answer.member === null) return held.present ? { user, member: null, rev: Math.max(held.rev, answer.rev) } : null;
  return answer.rev > held.rev ? { user, member: answer.member, rev: answer.rev, ...(answer.rank === undefined ? {} : { rank: answer.rank }) } : null;
}
