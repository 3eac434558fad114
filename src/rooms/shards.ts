/**
 * How a scope's roster is split over RoomObjects: a user's shard is a hash of their id, so each
 * member lives in exactly one. A scope of one shard lives in the object named by the scope itself;
 * a scope of `n` lives in `<scope>#<i>/<n>`, so re-sharding to another `n` starts a fresh set that
 * members move into with their next push (leaving the old one).
 */

export type ScopeKind = "global" | "org" | "zone";
export type ShardCounts = Record<ScopeKind, number>;

export const MAX_SHARDS = 256;
export const ONE_SHARD_EACH: ShardCounts = { global: 1, org: 1, zone: 1 };

/** `global=64,org=1` (kinds left out keep one shard); null when malformed. */
export function parseShardCounts(spec: string): ShardCounts | null {
  const counts: ShardCounts = { ...ONE_SHARD_EACH };
  for (const part of spec.split(",").map((item) => item.trim()).filter(Boolean)) {
    const match = /^(global|org|zone)\s*=\s*(\d+)$/.exec(part);
    const n = Number(match?.[2]);
    if (!match || !Number.isInteger(n) || n < 1 || n > MAX_SHARDS) return null;
    counts[match[1] as ScopeKind] = n;
  }
  return counts;
}

function kindOf(scope: string): ScopeKind {
  return scope === "global" ? "global" : scope.startsWith("org:") ? "org" : "zone";
}

export function shardCount(scope: string, counts: ShardCounts): number {
  return counts[kindOf(scope)];
}

/** FNV-1a, 32 bits: stable across deploys and runtimes, spread well enough for user ids. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

export function shardName(scope: string, index: number, n: number): string {
  return n === 1 ? scope : `${scope}#${index}/${n}`;
}

/** The object that holds `user` in `scope`'s roster. */
export function roomOf(scope: string, user: string, counts: ShardCounts): string {
  const n = shardCount(scope, counts);
  return shardName(scope, n === 1 ? 0 : hash(user) % n, n);
}

/** Every object of `scope`'s roster. */
export function roomsOf(scope: string, counts: ShardCounts): string[] {
  const n = shardCount(scope, counts);
  return Array.from({ length: n }, (_, index) => shardName(scope, index, n));
}

/**
 * A sharded scope is watched through hubs: objects named `<scope>#hub<k>` that each hold up to
 * `MAX_WATCHERS` watch sockets and a copy of the roster, fed by every shard.
 */
export function hubName(scope: string, index: number): string {
  return `${scope}#hub${index}`;
}

export function isHub(name: string): boolean {
  return /#hub\d+$/.test(name);
}

/** The hubs a watcher of `scope` tries, in order: the one their id hashes to first, so a viewer's sockets meet in one hub while it has room. */
export function hubsFor(scope: string, viewer: string, counts: ShardCounts): string[] {
  const n = shardCount(scope, counts);
  const first = hash(viewer) % n;
  return Array.from({ length: n }, (_, index) => hubName(scope, (first + index) % n));
}

/** The scope an object's name belongs to (a shard's name, a hub's, or the scope's own). */
export function scopeOfRoom(name: string): string {
  const at = name.indexOf("#");
  return at < 0 ? name : name.slice(0, at);
}
