/**
 * What the model is asked about: a workload (who is online and what they do) and a design (how
 * scopes are split over objects). The standard workloads are the issue's: 10k, 100k and 1M online
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
  /** Users with no socket who change their status over REST (the reality check's), and how often. */
  restUsers: number;
  restChangesPerUserHour: number;
}

export interface Design {
  name: string;
  /** RoomObjects `global`'s roster is split over (SCOPE_SHARDS global=N); 1 is today's single room. */
  globalShards: number;
  /** Org rosters: one room each (SCOPE_SHARDS org=1). */
  orgShards: number;
  /**
   * Where watch sockets of a sharded scope live: fan-out objects of at most `socketsPerFanout` sockets,
   * each getting every shard's coalesced diffs (the design). With one shard, watchers sit on
   * the room itself, as today.
   */
  socketsPerFanout: number;
  /** A room's diffs go out at most once per this (src/rooms/fanout.ts COALESCE_MS). */
  coalesceMs: number;
  /** How long a shard gathers diffs before it calls the fan-out objects. */
  fanoutCoalesceMs: number;
}

/** Today's design: one room per scope, watchers on it. */
export const TODAY: Design = { name: "one room per scope (today)", globalShards: 1, orgShards: 1, socketsPerFanout: 10_000, coalesceMs: 10, fanoutCoalesceMs: 10 };
/** The issue's: `global` over 64 shards, watchers on fan-out objects. */
export const SHARDED: Design = { name: "global over 64 shards (issue #14)", globalShards: 64, orgShards: 1, socketsPerFanout: 10_000, coalesceMs: 10, fanoutCoalesceMs: 10 };
/** The same, each shard calling the fan-out objects at most once a second (counts-only watchers of a million-member roster need no more). */
export const SHARDED_SLOW_FANOUT: Design = { ...SHARDED, name: "global over 64 shards, shard diffs to fan-out once a second", fanoutCoalesceMs: 1_000 };

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
    restUsers: 0,
    restChangesPerUserHour: 0,
  };
}

export const STANDARD_WORKLOADS: Workload[] = [10_000, 100_000, 1_000_000].map(standard);

/** The same workload with `onlineUsers` users (orgs keep their sizes, capped at the users): for finding where something breaks. */
export function withUsers(workload: Workload, onlineUsers: number): Workload {
  return { ...workload, onlineUsers, largestOrg: Math.min(workload.largestOrg, onlineUsers), meanOrg: Math.min(workload.meanOrg, onlineUsers) };
}
