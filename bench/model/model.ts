/**
 * The load model: from measured per-operation costs (inputs.ts), published limits and prices
 * (platform.ts) and a workload on a design (workload.ts), the load on the busiest object of each
 * kind and the monthly bill. Pure functions of plain data.
 *
 * The design since aa9ab76: no lease renewals. A member's PresenceObject pushes to a room only when
 * its membership changes; each `global` shard asks every member's object once per SWEEP_MS (one
 * RPC out of the shard, one request into the object); other rooms ask members unheard for three
 * leases, every three leases. Watchers of a sharded `global` sit on watch hubs, each fed by every
 * shard that had a change at most once a `hubFeedMs` (one `take` RPC, a batch per feed period begun by a change), writing rows per change to
 * its copy of the roster. A room sends one diff per burst of changes, bursts being `coalesceMs`
 * long, so with changes arriving at λ a second, diffs go out at λ ÷ (1 + λ·coalesce), each to every
 * watcher. The busiest of n shards holds its mean plus three standard deviations of a hash's spread.
 * CPU is this machine's: a share of one object's single thread.
 */
import type { ModelInputs, ScopeKind } from "./inputs.ts";
import { LIMITS, monthlyCost, SOCKET_MESSAGES_PER_REQUEST, type MonthlyCost } from "./platform.ts";
import { withUsers, type Design, type Workload } from "./workload.ts";

export type ObjectRole = "PresenceObject" | "global room (busiest shard)" | "largest org room" | "watch hub" | "device tally (`global`)";

export interface ObjectLoad {
  role: ObjectRole;
  /** How many objects play this role. */
  objects: number;
  /** Calls into the busiest one that run code, per second (auto-responded pings apart). */
  requestsPerSecond: number;
  /** RPCs it makes per second (a shard's sweep questions and hub batches). */
  outgoingPerSecond: number;
  /** Frames it sends to watchers per second. */
  framesPerSecond: number;
  sockets: number;
  /** Rows it writes per second. */
  rowsWrittenPerSecond: number;
  /** Of the ~1,000 requests a second, of one thread's CPU (this machine's costs), of the planned sockets per object. */
  requestShare: number;
  cpuShare: number;
  socketShare: number;
  /** A sweep's length (its slices, 1 s apart) against SWEEP_MS: a shard that cannot ask every member within the period falls behind. */
  sweepShare: number;
  /** The largest of them, and which. */
  share: number;
  limitedBy: "requests" | "cpu" | "sockets" | "sweep";
  /** CPU of its longest request (one diff to every watcher), against the 30 s per request. */
  longestRequestCpuMs: number;
  /** Why there is none, when the role does not exist in this design. */
  absent?: string;
}

export interface Prediction {
  workload: Workload;
  design: Design;
  objects: ObjectLoad[];
  /** The whole bill per month, and per online user. */
  monthly: MonthlyCost;
  perUser: MonthlyCost;
  /** Usage per hour behind the bill. */
  perHour: { requests: number; rowsWritten: number; rowsRead: number; activeSeconds: number };
  /** Per user-month, what the watch hubs' copies of the roster add (rows written per change per hub, takes, follows); 0 with no hub. */
  hubPerUser: MonthlyCost;
  /** The fixed part: the `global` shards' alarms and the org rooms' sweeps, a month, whatever the users. */
  fixedMonthly: MonthlyCost;
  /** The role closest to (or past) its limit. */
  busiest: { role: ObjectRole; share: number; limitedBy: ObjectLoad["limitedBy"] };
}

const HOUR_S = 3600;

/** Diffs a room sends per second when changes arrive at `changesPerSecond`. */
export function diffsPerSecond(changesPerSecond: number, coalesceMs: number): number {
  return changesPerSecond / (1 + changesPerSecond * (coalesceMs / 1000));
}

/**
 * Batches a shard sends each hub a second: its first change starts a `feedMs` timer and the batch goes
 * when it fires (src/rooms/hubFeed.ts), so, like a room's diffs, λ ÷ (1 + λ·feed) with changes at λ a second.
 */
export function hubBatchesPerSecond(changesPerSecond: number, feedMs: number): number {
  return diffsPerSecond(changesPerSecond, feedMs);
}

/** Members of the busiest of `shards` shards holding `members` by a hash: mean + 3σ (binomial), never more than all. */
export function busiestShard(members: number, shards: number): number {
  if (shards <= 1) return members;
  const mean = members / shards;
  return Math.min(members, mean + 3 * Math.sqrt(mean * (1 - 1 / shards)));
}

/** Sweeps a member's object answers an hour: its `global` shard's, and each other room's once the member went unheard three leases (changes at c an hour, at random). */
export function sweepsPerMemberHour(design: Design, otherScopes: number, changesPerHour: number): { global: number; other: number } {
  const ttlHours = (3 * design.leaseMs) / 3_600_000;
  const unheard = Math.exp(-changesPerHour * ttlHours);
  return { global: 3_600_000 / design.sweepMs, other: otherScopes * (1 / ttlHours) * unheard };
}

function otherScopesOf(workload: Workload): number {
  return workload.zones ? 2 : 1;
}

function scopesOf(workload: Workload): ScopeKind[] {
  return workload.zones ? ["global", "org", "zone"] : ["global", "org"];
}

interface Raw {
  role: ObjectRole;
  objects: number;
  requestsPerSecond: number;
  outgoingPerSecond?: number;
  framesPerSecond?: number;
  sockets?: number;
  rowsWrittenPerSecond?: number;
  /** CPU beyond calls and frames (a hub's per-change work), ms a second. */
  extraCpuMs?: number;
  sweepShare?: number;
  watchersPerDiff?: number;
}

function load(raw: Raw, inputs: ModelInputs): ObjectLoad {
  const { role, objects, requestsPerSecond } = raw;
  const outgoingPerSecond = raw.outgoingPerSecond ?? 0;
  const framesPerSecond = raw.framesPerSecond ?? 0;
  const sockets = raw.sockets ?? 0;
  const requestShare = requestsPerSecond / LIMITS.requestsPerSecond;
  // An outgoing RPC is counted at the CPU of an incoming call (pessimistic: the caller's side is lighter).
  const cpuShare = ((requestsPerSecond + outgoingPerSecond) * inputs.cpuMsPerCall + framesPerSecond * inputs.cpuMsPerFrame + (raw.extraCpuMs ?? 0)) / 1000;
  const socketShare = sockets / LIMITS.plannedSocketsPerObject;
  const sweepShare = raw.sweepShare ?? 0;
  const shares = { requests: requestShare, cpu: cpuShare, sockets: socketShare, sweep: sweepShare };
  const [limitedBy, share] = (Object.entries(shares) as [ObjectLoad["limitedBy"], number][]).reduce((best, entry) => (entry[1] > best[1] ? entry : best));
  return {
    role,
    objects,
    requestsPerSecond,
    outgoingPerSecond,
    framesPerSecond,
    sockets,
    rowsWrittenPerSecond: raw.rowsWrittenPerSecond ?? 0,
    requestShare,
    cpuShare,
    socketShare,
    sweepShare,
    share,
    limitedBy,
    longestRequestCpuMs: (raw.watchersPerDiff ?? 0) * inputs.cpuMsPerFrame,
  };
}

function absent(role: ObjectRole, why: string): ObjectLoad {
  return { ...load({ role, objects: 0, requestsPerSecond: 0 }, { cpuMsPerCall: 0, cpuMsPerFrame: 0 } as ModelInputs), absent: why };
}

/** A sweep of `members` takes ceil(members ÷ slice) alarms 1 s apart (plus each slice's own time, left out): its share of SWEEP_MS. */
function sweepShareOf(members: number, design: Design): number {
  const slices = Math.ceil(members / design.sweepSlice);
  return slices <= 1 ? 0 : ((slices - 1) * 1000) / design.sweepMs;
}

/** One user's PresenceObject: its sweeps, the rest of its idle calls, its status changes (frames or RPCs). */
function presenceRate(inputs: ModelInputs, design: Design, workload: Workload, changesPerUserHour: number): number {
  const sweeps = sweepsPerMemberHour(design, otherScopesOf(workload), changesPerUserHour);
  const idleRest = Math.max(0, inputs.idleRest.requests);
  return ((sweeps.global + sweeps.other) * inputs.perSweep.requests + idleRest + changesPerUserHour * inputs.perChange.presenceCalls) / HOUR_S;
}

/** Room calls per member-hour for one kind of scope: the member's own changes' pushes (no renewals since aa9ab76). */
function pushesPerMemberHour(inputs: ModelInputs, workload: Workload, kind: ScopeKind): number {
  return workload.changesPerUserHour * inputs.perChange.roomCalls[kind];
}

export function predict(inputs: ModelInputs, design: Design, workload: Workload): Prediction {
  const users = workload.onlineUsers;
  const shards = Math.max(1, design.globalShards);
  const moves = workload.changesPerUserHour;
  const sweepPeriodS = design.sweepMs / 1000;

  const presence = load(
    { role: "PresenceObject", objects: users + workload.restUsers, requestsPerSecond: presenceRate(inputs, design, workload, workload.changesPerUserHour), sockets: workload.devicesPerUser },
    inputs,
  );

  // global: each shard takes its members' pushes, its alarms (one per sweep, one per slice), its hubs' follows; it asks each member once a sweep and sends each hub a batch a second while changes come.
  const shardMembers = busiestShard(users, shards);
  const hubs = shards > 1 && workload.globalWatchers > 0 ? Math.max(1, design.watchHubs) : 0;
  const slices = Math.max(1, Math.ceil(shardMembers / design.sweepSlice));
  const shardChanges = (shardMembers * moves) / HOUR_S;
  const shardIn = (shardMembers * pushesPerMemberHour(inputs, workload, "global")) / HOUR_S + slices / sweepPeriodS + (hubs * 1000) / design.leaseMs;
  const shardBatches = hubs * hubBatchesPerSecond(shardChanges, design.hubFeedMs);
  const shardOut = shardMembers / sweepPeriodS + shardBatches;
  const globalOnRoom = shards === 1 ? workload.globalWatchers : 0;
  const shardDiffs = diffsPerSecond(shardChanges, design.coalesceMs);
  const global = load(
    {
      role: "global room (busiest shard)",
      objects: shards,
      requestsPerSecond: shardIn,
      outgoingPerSecond: shardOut,
      framesPerSecond: shardDiffs * globalOnRoom,
      sockets: globalOnRoom,
      rowsWrittenPerSecond: shardChanges * (inputs.perChange.rowsWritten.room / Math.max(1, inputs.scopesMeasured)) + slices / sweepPeriodS,
      sweepShare: sweepShareOf(shardMembers, design),
      watchersPerDiff: globalOnRoom,
    },
    inputs,
  );

  const orgMembers = Math.min(workload.largestOrg, users);
  const orgWatchers = orgMembers * workload.orgWatchersPerMember;
  const orgDiffs = diffsPerSecond((orgMembers * moves) / HOUR_S, design.coalesceMs);
  const orgRooms = Math.max(1, Math.ceil(users / Math.max(1, workload.meanOrg)));
  const orgAsks = (orgMembers * sweepsPerMemberHour(design, 1, moves).other) / HOUR_S;
  const org = load(
    {
      role: "largest org room",
      objects: orgRooms * design.orgShards,
      requestsPerSecond: (orgMembers * pushesPerMemberHour(inputs, workload, "org")) / HOUR_S + 1000 / (3 * design.leaseMs),
      outgoingPerSecond: orgAsks,
      framesPerSecond: orgDiffs * orgWatchers,
      sockets: orgWatchers,
      rowsWrittenPerSecond: ((orgMembers * moves) / HOUR_S) * (inputs.perChange.rowsWritten.room / Math.max(1, inputs.scopesMeasured)),
      watchersPerDiff: orgWatchers,
    },
    inputs,
  );

  // A watch hub: a batch a second from each shard that had a change, every change applied to its copy, counts diffs to its sockets; re-follows every shard each lease.
  const allChanges = (users * moves) / HOUR_S;
  const hubIn = shards * hubBatchesPerSecond(allChanges / shards, design.hubFeedMs) + (shards * 1000) / design.leaseMs;
  const hubSockets = hubs > 0 ? Math.min(design.socketsPerHub, Math.ceil(workload.globalWatchers / hubs)) : 0;
  const hubDiffs = diffsPerSecond(allChanges, design.coalesceMs);
  const hubInputs = inputs.hub;
  const hub =
    hubs > 0
      ? load(
          {
            role: "watch hub",
            objects: hubs,
            requestsPerSecond: hubIn,
            framesPerSecond: hubDiffs * hubSockets,
            sockets: hubSockets,
            rowsWrittenPerSecond: allChanges * (hubInputs?.rowsWrittenPerChange ?? 0),
            extraCpuMs: allChanges * (hubInputs?.cpuMsPerChange ?? 0),
            watchersPerDiff: hubSockets,
          },
          inputs,
        )
      : absent("watch hub", shards > 1 ? "no watchers of global" : "none: watchers sit on the room");

  // The device tally: every change of a user's device count is one call into the single object "global" (even with `global` sharded).
  const tallyIn = (users * workload.devicesPerUser * (workload.deviceReconnectsPerHour ?? 0) * 2) / HOUR_S;
  const tally = load({ role: "device tally (`global`)", objects: 1, requestsPerSecond: tallyIn, rowsWrittenPerSecond: tallyIn * 2 }, inputs);

  const perHour = bill(inputs, design, workload, { shards, orgRooms, hubs, hubIn });
  const hubHour = hubBill(inputs, design, workload, hubs, hubIn);
  const fixedHour = fixedBill(inputs, design, shards, orgRooms);
  const monthly = monthlyCost(perHour);
  const perUser = monthlyCost({ requests: perHour.requests / users, rowsWritten: perHour.rowsWritten / users, rowsRead: perHour.rowsRead / users, activeSeconds: perHour.activeSeconds / users });
  const hubPerUser = monthlyCost({ requests: hubHour.requests / users, rowsWritten: hubHour.rowsWritten / users, rowsRead: hubHour.rowsRead / users, activeSeconds: hubHour.activeSeconds / users });
  const objects = [presence, global, org, hub, tally];
  const top = objects.reduce((best, entry) => (entry.share > best.share ? entry : best));
  return { workload, design, objects, monthly, perUser, perHour, hubPerUser, fixedMonthly: monthlyCost(fixedHour), busiest: { role: top.role, share: top.share, limitedBy: top.limitedBy } };
}

interface Rooms {
  shards: number;
  orgRooms: number;
  hubs: number;
  /** Calls a second into each hub. */
  hubIn: number;
}

type PerHour = { requests: number; rowsWritten: number; rowsRead: number; activeSeconds: number };

/** The hubs' part of the bill, per hour: their takes and follows (requests), rows written and read per change per hub, the follows' reads. */
function hubBill(inputs: ModelInputs, design: Design, workload: Workload, hubs: number, hubIn: number): PerHour {
  if (hubs === 0 || !inputs.hub) return { requests: 0, rowsWritten: 0, rowsRead: 0, activeSeconds: 0 };
  const changes = workload.onlineUsers * workload.changesPerUserHour;
  const follows = (HOUR_S * 1000) / design.leaseMs;
  return {
    requests: hubs * hubIn * HOUR_S,
    rowsWritten: hubs * changes * inputs.hub.rowsWrittenPerChange,
    rowsRead: hubs * (changes * inputs.hub.rowsReadPerChange + follows * workload.onlineUsers * inputs.hub.followRowsReadPerMember),
    activeSeconds: hubs * Math.min(1, (hubIn * inputs.activeMsPerCall.room) / 1000) * HOUR_S,
  };
}

/** What does not grow with users, per hour: each `global` shard's alarm per sweep, each org room's per three leases. */
function fixedBill(inputs: ModelInputs, design: Design, shards: number, orgRooms: number): PerHour {
  const alarms = shards * ((HOUR_S * 1000) / design.sweepMs) + orgRooms * ((HOUR_S * 1000) / (3 * design.leaseMs));
  return { requests: alarms * inputs.shardAlarm.requests, rowsWritten: alarms * inputs.shardAlarm.rowsWritten, rowsRead: 0, activeSeconds: 0 };
}

/** Usage per hour of the whole workload: requests, rows and active time. */
function bill(inputs: ModelInputs, design: Design, workload: Workload, rooms: Rooms): PerHour {
  const users = workload.onlineUsers;
  const changes = workload.changesPerUserHour;
  const { perChange, perSweep, idleRest } = inputs;
  const scopes = scopesOf(workload);
  const roomCalls = scopes.reduce((sum, kind) => sum + perChange.roomCalls[kind], 0);
  const perScope = (rows: number) => (rows / Math.max(1, inputs.scopesMeasured)) * scopes.length;
  const watchers = workload.globalWatchers + users * workload.orgWatchersPerMember;
  const sweeps = sweepsPerMemberHour(design, otherScopesOf(workload), changes);
  const asked = sweeps.global + sweeps.other;

  const requestCalls =
    users * (asked * perSweep.requests + idleRest.requests + changes * (perChange.presenceCalls - perChange.presenceSocketEvents + roomCalls)) +
    workload.restUsers * workload.restChangesPerUserHour;
  const socketMessages = users * changes * perChange.presenceSocketEvents + (users * workload.devicesPerUser + watchers) * inputs.pingsPerDeviceHour;
  const rowsWritten =
    users * (asked * perSweep.rowsWritten + idleRest.rowsWritten + changes * (perChange.rowsWritten.presence + perScope(perChange.rowsWritten.room))) +
    workload.restUsers * workload.restChangesPerUserHour * perChange.rowsWritten.presence;
  const rowsRead =
    users * (asked * perSweep.rowsRead + idleRest.rowsRead + changes * (perChange.rowsRead.presence + perScope(perChange.rowsRead.room))) +
    workload.restUsers * workload.restChangesPerUserHour * perChange.rowsRead.presence;

  // Active time: each PresenceObject for its calls; each room for its calls' union, at most the whole hour.
  const busy = (callsPerSecond: number) => Math.min(1, (callsPerSecond * inputs.activeMsPerCall.room) / 1000) * HOUR_S;
  const presenceSeconds = users * (asked * perSweep.activeSeconds + idleRest.activeSeconds + changes * perChange.presenceActiveSeconds);
  const globalCalls = (users * changes * perChange.roomCalls.global) / HOUR_S;
  const orgCalls = (users * changes * perChange.roomCalls.org) / HOUR_S;
  const roomSeconds = rooms.shards * busy(globalCalls / rooms.shards) + rooms.orgRooms * busy(orgCalls / rooms.orgRooms);
  const fixed = fixedBill(inputs, design, rooms.shards, rooms.orgRooms);
  const hub = hubBill(inputs, design, workload, rooms.hubs, rooms.hubIn);
  return {
    requests: requestCalls + socketMessages / SOCKET_MESSAGES_PER_REQUEST + fixed.requests + hub.requests,
    rowsWritten: rowsWritten + fixed.rowsWritten + hub.rowsWritten,
    rowsRead: rowsRead + hub.rowsRead,
    activeSeconds: presenceSeconds + roomSeconds + hub.activeSeconds,
  };
}

/** The figures the reality check compares, per object, for a workload on a design. */
export interface RunFigures {
  /** Calls a second into one socket user's PresenceObject, and into a REST-only user's (one RPC per PUT). */
  presencePerSocketUser: number;
  presencePerRestUser: number;
  /** Calls a second into the busiest global shard, and the sweep RPCs a shard makes a second (mean over shards). */
  globalRoom: number;
  globalSweepsPerShard: number;
  /** Calls a second into the watch hub of `global` (its shards' batches and follows); 0 with no watcher of global. */
  hub: number;
  /** Calls a second into the largest org's room. */
  largestOrgRoom: number;
  /** Diff frames a second from the largest org's room to its watchers. */
  orgFramesPerSecond: number;
}

export function runFigures(prediction: Prediction): RunFigures {
  const role = (name: ObjectRole) => prediction.objects.find((entry) => entry.role === name);
  const { design, workload } = prediction;
  const shards = Math.max(1, design.globalShards);
  const hubs = role("watch hub");
  return {
    presencePerSocketUser: role("PresenceObject")?.requestsPerSecond ?? 0,
    presencePerRestUser: workload.restChangesPerUserHour / HOUR_S,
    globalRoom: role("global room (busiest shard)")?.requestsPerSecond ?? 0,
    globalSweepsPerShard: workload.onlineUsers / shards / (design.sweepMs / 1000),
    hub: hubs && !hubs.absent ? hubs.requestsPerSecond : 0,
    largestOrgRoom: role("largest org room")?.requestsPerSecond ?? 0,
    orgFramesPerSecond: role("largest org room")?.framesPerSecond ?? 0,
  };
}

/**
 * The fewest online users (of this workload's shape) at which `role` reaches its limit (`shareOf`:
 * its largest share by default, or one of them), found by bisection between 1,000 and 100 million;
 * null when it never does in that range (a role bounded by org sizes, say).
 */
export function breakingPoint(inputs: ModelInputs, design: Design, workload: Workload, role: ObjectRole, shareOf: (load: ObjectLoad) => number = (load) => load.share): number | null {
  const shareAt = (users: number) => {
    const load = predict(inputs, design, withUsers(workload, users)).objects.find((entry) => entry.role === role);
    return load ? shareOf(load) : 0;
  };
  let low = 1_000;
  let high = 100_000_000;
  if (shareAt(high) < 1) return null;
  if (shareAt(low) >= 1) return low;
  while (high / low > 1.01) {
    const middle = Math.sqrt(low * high);
    if (shareAt(middle) >= 1) high = middle;
    else low = middle;
  }
  return Math.round(high);
}
