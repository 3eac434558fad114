/**
 * What the model is asked about: a workload (who is online and what they do) and a design (how
 * scopes are split over objects, how often rooms sweep). The standard workloads are the issue's: 10k, 100k and 1M online
 * users, one global scope and orgs of 50 to 5,000 online members.
 */

export interface Workload {
  name: string;
  /** Users with at least one device connected. */
  onlineUsers: number;
  devicesPerUser: number;
  /** Status or text changes a user makes per hour, turning away and back included. */
  changesPerUserHour: number;
  /** Online members of the largest org, and of the mean one (orgs of 50–5,000: how many org rooms there are). */
  largestOrg: number;
  meanOrg: number;
  /** Whether users are also in a zone scope (a third roster per user). */
  zones: boolean;
  /** Watch sockets on an org's roster per online member (1: every user's app shows their org). */
  orgWatchersPerMember: number;
  /** Watch sockets on `global` (dashboards; counts only at this size). */
  globalWatchers: number;
  /** How often each device connects anew (and so also leaves), an hour: each moves its user's device count twice, a `tallyDevices` call each into the one object named "global" (src/presence/connections.ts). Assumed, not measured; 0 when absent. */
  deviceReconnectsPerHour?: number;
  /** Users with no socket who change their status over REST (the reality check's), and how often. */
  restUsers: number;
  restChangesPerUserHour: number;
}

export interface Design {
  name: string;
  /** RoomObjects `global`'s roster is split over (SCOPE_SHARDS global=N, 64 by default since aa9ab76). */
  globalShards: number;
  /** Org rosters: one room each (SCOPE_SHARDS org=1). */
  orgShards: number;
  /**
   * Watch hubs of a sharded `global` (WATCH_HUBS global=N, 1 by default): each holds up to
   * `socketsPerHub` watch sockets and a full copy of the roster, fed by every shard at most once a
   * `hubFeedMs`. With one shard the room is its own hub (watchers sit on it).
   */
  watchHubs: number;
  socketsPerHub: number;
  hubFeedMs: number;
  /** A room's diffs go out at most once per this (src/rooms/fanout.ts COALESCE_MS). */
  coalesceMs: number;
  /** Each `global` shard asks every member's object once per SWEEP_MS (wrangler.toml, 2 min). */
  sweepMs: number;
  /** LEASE_MS: other rooms ask members unheard for 3 leases, every 3 leases (cde82aa); a hub re-follows its shards each lease while watched. */
  leaseMs: number;
  /** Members asked per sweep alarm (src/rooms/sweep.ts SWEEP_SLICE); the rest 1 s later. */
  sweepSlice: number;
}

/** The design at aa9ab76 (and cde82aa) by default: `global` over 64 shards, one watch hub, a sweep every 2 min. */
export const DEFAULT_DESIGN: Design = {
  name: "global over 64 shards, 1 watch hub (default since aa9ab76)",
  globalShards: 64,
  orgShards: 1,
  watchHubs: 1,
  socketsPerHub: 10_000,
  hubFeedMs: 1_000,
  coalesceMs: 10,
  sweepMs: 120_000,
  leaseMs: 600_000,
  sweepSlice: 5_000,
};
/** The same with `global` as one room (SCOPE_SHARDS global=1): its watchers on the room, and one room sweeping every member. */
export const ONE_GLOBAL_ROOM: Design = { ...DEFAULT_DESIGN, name: "global as one room (SCOPE_SHARDS global=1)", globalShards: 1 };

function standard(onlineUsers: number): Workload {
  return {
    name: `${onlineUsers.toLocaleString("en-US")} online`,
    onlineUsers,
    devicesPerUser: 1.5,
    changesPerUserHour: 6,
    largestOrg: Math.min(5_000, onlineUsers),
    meanOrg: Math.min(500, onlineUsers),
    zones: false,
    orgWatchersPerMember: 1,
    globalWatchers: 100,
    deviceReconnectsPerHour: 1,
    restUsers: 0,
    restChangesPerUserHour: 0,
  };
}

export const STANDARD_WORKLOADS: Workload[] = [10_000, 100_000, 1_000_000].map(standard);

/** The same workload with `onlineUsers` users (orgs keep their sizes, capped at the users): for finding where something breaks. */
export function withUsers(workload: Workload, onlineUsers: number): Workload {
  return { ...workload, onlineUsers, largestOrg: Math.min(workload.largestOrg, onlineUsers), meanOrg: Math.min(workload.meanOrg, onlineUsers) };
}
