import type { Config } from "../config";
import type { Env } from "../env";
import type { HistoryPoint, HistoryStep } from "../history/scopePoints";
import type { ScopeId } from "../protocol/ids";
import type { MembersPage, ScopeCount } from "../protocol/rest";
import { encodeCursor, type MembersCursor } from "../rooms/cursor";
import { roomOf, roomsOf, shardCount } from "../rooms/shards";
import type { RankedMember } from "../rooms/store";

/**
 * Reads of a scope's roster, whether one RoomObject holds it or it is split over shards: counts are
 * the sum over shards (kept for at most a second), member pages merge the shards newest first under
 * one opaque cursor, history adds the shards' points.
 */

/** How long a sharded scope's summed counts are reused. */
export const COUNT_CACHE_MS = 1_000;
const MAX_CACHED = 10_000;
const cachedCounts = new Map<string, { at: number; count: Promise<ScopeCount> }>();

function rooms(env: Env, config: Config, scope: ScopeId) {
  return roomsOf(scope, config.scopeShards).map((name) => env.ROOMS.getByName(name));
}

/** How many members `viewer` (a user id, "" for a service caller) may see in `scope`, by status. */
export function countScope(env: Env, config: Config, scope: ScopeId, viewer: string): Promise<ScopeCount> {
  if (shardCount(scope, config.scopeShards) === 1) return env.ROOMS.getByName(scope).count(viewer);
  const key = `${scope}\n${viewer}`;
  const now = Date.now();
  const held = cachedCounts.get(key);
  if (held && now - held.at < COUNT_CACHE_MS) return held.count;
  if (cachedCounts.size >= MAX_CACHED) cachedCounts.clear();
  const count = Promise.all(rooms(env, config, scope).map((room) => room.count(viewer))).then((parts) =>
    parts.reduce((sum, part) => ({ scope, online: sum.online + part.online, away: sum.away + part.away, busy: sum.busy + part.busy, total: sum.total + part.total }), {
      scope,
      online: 0,
      away: 0,
      busy: 0,
      total: 0,
    }),
  );
  cachedCounts.set(key, { at: now, count });
  count.catch(() => cachedCounts.delete(key));
  return count;
}

const byRank = (a: RankedMember, b: RankedMember) => b.rank - a.rank || (a.member.user < b.member.user ? -1 : a.member.user > b.member.user ? 1 : 0);

/** A page of `scope`'s members as `viewer` may see them; null when the cursor names no member they may see now. */
export async function membersOf(env: Env, config: Config, scope: ScopeId, limit: number, cursor: MembersCursor | null, viewer: string): Promise<MembersPage | null> {
  if (shardCount(scope, config.scopeShards) === 1) return env.ROOMS.getByName(scope).members(limit, cursor, viewer);
  const after = cursor === null ? null : await env.ROOMS.getByName(roomOf(scope, cursor.user, config.scopeShards)).positionOf(cursor.user, viewer);
  if (cursor !== null && after === null) return null;
  const parts = await Promise.all(rooms(env, config, scope).map((room) => room.membersAfter(limit + 1, after, viewer)));
  const merged = parts.flat().sort(byRank).slice(0, limit + 1);
  const page = merged.slice(0, limit).map((entry) => entry.member);
  const last = page.at(-1);
  return { scope, members: page, next: merged.length > limit && last ? encodeCursor({ user: last.user }) : null };
}

/** `scope`'s history: a sharded scope's points add its shards' (each shard's most in a minute, summed). */
export async function historyOf(env: Env, config: Config, scope: ScopeId, from: number, to: number, step: HistoryStep): Promise<HistoryPoint[]> {
  const parts = await Promise.all(rooms(env, config, scope).map((room) => room.history(from, to, step)));
  return (parts[0] ?? []).map((point, index) => ({
    t: point.t,
    online: parts.reduce((sum, part) => sum + (part[index]?.online ?? 0), 0),
    away: parts.reduce((sum, part) => sum + (part[index]?.away ?? 0), 0),
    busy: parts.reduce((sum, part) => sum + (part[index]?.busy ?? 0), 0),
  }));
}
