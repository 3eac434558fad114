/**
 * The load model: from measured per-operation costs (inputs.ts), published limits and prices
 * (platform.ts) and a workload on a design (workload.ts), the load on the busiest object of each
 * kind and the monthly bill. Pure functions of plain data.
 *
 * Rates: a room's members each renew their lease (the idle room calls per user-hour, fewer when
 * their changes renew it instead) and push their changes (room calls per change); a room sends one diff per burst of changes, bursts being
 * `coalesceMs` long, so with changes arriving at λ a second, diffs go out at λ ÷ (1 + λ·coalesce),
 * each to every watcher. The busiest of n shards holds its mean plus three standard deviations of a
 * hash's spread. CPU is this machine's: a share of one object's single thread.
 */
import type { ModelInputs, ScopeKind } from "./inputs.ts";
import { LIMITS, monthlyCost, SOCKET_MESSAGES_PER_REQUEST, type MonthlyCost } from "./platform.ts";
import { withUsers, type Design, type Workload } from "./workload.ts";

export type ObjectRole = "PresenceObject" | "global room (busiest shard)" | "largest org room" | "fan-out object";

export interface ObjectLoad {
  role: ObjectRole;
  /** How many objects play this role. */
  objects: number;
  /** Calls into the busiest one that run code, per second (auto-responded pings apart). */
  requestsPerSecond: number;
  /** Frames it sends to watchers per second. */
  framesPerSecond: number;
  sockets: number;
  /** Of the ~1,000 requests a second, of one thread's CPU (this machine's costs), of the planned sockets per object. */
  requestShare: number;
  cpuShare: number;
  socketShare: number;
  /** The largest of the three, and which. */
  share: number;
  limitedBy: "requests" | "cpu" | "sockets";
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
  /** The role closest to (or past) its limit. */
  busiest: { role: ObjectRole; share: number; limitedBy: ObjectLoad["limitedBy"] };
}

const HOUR_S = 3600;

/** Diffs a room sends per second when changes arrive at `changesPerSecond`. */
export function diffsPerSecond(changesPerSecond: number, coalesceMs: number): number {
  return changesPerSecond / (1 + changesPerSecond * (coalesceMs / 1000));
}

/** Members of the busiest of `shards` shards holding `members` by a hash: mean + 3σ (binomial), never more than all. */
export function busiestShard(members: number, shards: number): number {
  if (shards <= 1) return members;
  const mean = members / shards;
  return Math.min(members, mean + 3 * Math.sqrt(mean * (1 - 1 / shards)));
}

function scopesOf(workload: Workload): ScopeKind[] {
  return workload.zones ? ["global", "org", "zone"] : ["global", "org"];
}

/**
 * Of an idle member's lease renewals (one per lease period L, measured as the idle room calls), those
 * left when the member also changes status at c an hour: every change's push renews the lease, so a
 * renewal goes out only in a gap of a whole period; with changes at random, c·e^(−cL) ÷ (1 − e^(−cL)).
 */
export function renewalsPerHour(idlePerHour: number, changesPerHour: number): number {
  if (changesPerHour <= 0 || idlePerHour <= 0) return idlePerHour;
  const periods = changesPerHour / idlePerHour;
  return (changesPerHour * Math.exp(-periods)) / (1 - Math.exp(-periods));
}

/** What is left of the idle rooms' figures (renewals) at the workload's change rate. */
function renewalShare(inputs: ModelInputs, workload: Workload, kind: ScopeKind): number {
  const idle = inputs.idle.roomCalls[kind];
  return idle > 0 ? renewalsPerHour(idle, workload.changesPerUserHour) / idle : 0;
}

/** Room calls per member-hour for one kind of scope: the renewals left and the member's own changes. */
function roomCallsPerMemberHour(inputs: ModelInputs, workload: Workload, kind: ScopeKind): number {
  return renewalsPerHour(inputs.idle.roomCalls[kind], workload.changesPerUserHour) + workload.changesPerUserHour * inputs.perChange.roomCalls[kind];
}

function load(role: ObjectRole, objects: number, requestsPerSecond: number, framesPerSecond: number, sockets: number, watchersPerDiff: number, inputs: ModelInputs): ObjectLoad {
  const requestShare = requestsPerSecond / LIMITS.requestsPerSecond;
  const cpuShare = (requestsPerSecond * inputs.cpuMsPerCall + framesPerSecond * inputs.cpuMsPerFrame) / 1000;
  const socketShare = sockets / LIMITS.plannedSocketsPerObject;
  const shares = { requests: requestShare, cpu: cpuShare, sockets: socketShare };
  const [limitedBy, share] = (Object.entries(shares) as [ObjectLoad["limitedBy"], number][]).reduce((best, entry) => (entry[1] > best[1] ? entry : best));
  return { role, objects, requestsPerSecond, framesPerSecond, sockets, requestShare, cpuShare, socketShare, share, limitedBy, longestRequestCpuMs: watchersPerDiff * inputs.cpuMsPerFrame };
}

function absent(role: ObjectRole, why: string): ObjectLoad {
  return { role, objects: 0, requestsPerSecond: 0, framesPerSecond: 0, sockets: 0, requestShare: 0, cpuShare: 0, socketShare: 0, share: 0, limitedBy: "requests", longestRequestCpuMs: 0, absent: why };
}

/** One user's PresenceObject: its alarms and RPCs, the frames that wake it, and REST changes (one RPC each). */
function presenceRate(inputs: ModelInputs, changesPerUserHour: number): number {
  return (inputs.idle.presenceCalls + changesPerUserHour * inputs.perChange.presenceCalls) / HOUR_S;
}

export function predict(inputs: ModelInputs, design: Design, workload: Workload): Prediction {
  const users = workload.onlineUsers;
  const shards = Math.max(1, design.globalShards);
  // Every change (turning away included) moves the member in each of their rosters.
  const moves = workload.changesPerUserHour;

  const presence = load("PresenceObject", users + workload.restUsers, presenceRate(inputs, workload.changesPerUserHour), 0, workload.devicesPerUser, 0, inputs);

  // global: each shard's members renew and push; with one shard its watchers sit on it.
  const shardMembers = busiestShard(users, shards);
  const globalCalls = (shardMembers * roomCallsPerMemberHour(inputs, workload, "global")) / HOUR_S;
  const shardDiffs = diffsPerSecond((shardMembers * moves) / HOUR_S, design.coalesceMs);
  const fanoutObjects = shards > 1 && workload.globalWatchers > 0 ? Math.ceil(workload.globalWatchers / design.socketsPerFanout) : 0;
  const globalOnRoom = shards === 1 ? workload.globalWatchers : 0;
  const global = load("global room (busiest shard)", shards, globalCalls, shardDiffs * globalOnRoom, globalOnRoom, globalOnRoom, inputs);

  const orgMembers = Math.min(workload.largestOrg, users);
  const orgWatchers = orgMembers * workload.orgWatchersPerMember;
  const orgCalls = (orgMembers * roomCallsPerMemberHour(inputs, workload, "org")) / HOUR_S;
  const orgDiffs = diffsPerSecond((orgMembers * moves) / HOUR_S, design.coalesceMs);
  const orgRooms = Math.max(1, Math.ceil(users / Math.max(1, workload.meanOrg)));
  const org = load("largest org room", orgRooms * design.orgShards, orgCalls, orgDiffs * orgWatchers, orgWatchers, orgWatchers, inputs);

  // Fan-out objects: every shard's diffs (one call each) to each, fanned out to its sockets.
  const fanoutIn = shards * diffsPerSecond((users / shards) * (moves / HOUR_S), design.fanoutCoalesceMs);
  const fanoutSockets = Math.min(workload.globalWatchers, design.socketsPerFanout);
  const fanout =
    fanoutObjects > 0
      ? load("fan-out object", fanoutObjects, fanoutIn, fanoutIn * fanoutSockets, fanoutSockets, fanoutSockets, inputs)
      : absent("fan-out object", shards > 1 ? "no watchers of global" : "none: watchers sit on the room");

  const perHour = bill(inputs, design, workload, { shards, orgRooms, fanoutObjects, fanoutIn, globalCalls: (users * roomCallsPerMemberHour(inputs, workload, "global")) / HOUR_S, orgCallsMean: (Math.min(workload.meanOrg, users) * roomCallsPerMemberHour(inputs, workload, "org")) / HOUR_S });
  const monthly = monthlyCost(perHour);
  const perUser = monthlyCost({ requests: perHour.requests / users, rowsWritten: perHour.rowsWritten / users, rowsRead: perHour.rowsRead / users, activeSeconds: perHour.activeSeconds / users });
  const objects = [presence, global, org, fanout];
  const top = objects.reduce((best, entry) => (entry.share > best.share ? entry : best));
  return { workload, design, objects, monthly, perUser, perHour, busiest: { role: top.role, share: top.share, limitedBy: top.limitedBy } };
}

interface Rooms {
  shards: number;
  orgRooms: number;
  fanoutObjects: number;
  fanoutIn: number;
  /** Calls a second into all of global's shards, and into a mean org's room. */
  globalCalls: number;
  orgCallsMean: number;
}

/** Usage per hour of the whole workload: requests, rows and active time. */
function bill(inputs: ModelInputs, design: Design, workload: Workload, rooms: Rooms) {
  const users = workload.onlineUsers;
  const changes = workload.changesPerUserHour;
  const { idle, perChange } = inputs;
  const scopes = scopesOf(workload);
  const roomCalls = (unit: ModelInputs["idle"]) => scopes.reduce((sum, kind) => sum + unit.roomCalls[kind], 0);
  const renewals = scopes.reduce((sum, kind) => sum + renewalsPerHour(idle.roomCalls[kind], changes), 0);
  // The idle rooms' rows are their renewals': as many fewer as changes renew the leases instead.
  const renewed = scopes.reduce((sum, kind) => sum + renewalShare(inputs, workload, kind), 0) / scopes.length;
  const perScope = (rows: number) => (rows / Math.max(1, inputs.scopesMeasured)) * scopes.length;
  const watchers = workload.globalWatchers + users * workload.orgWatchersPerMember;

  const requestCalls =
    users * (idle.presenceCalls - idle.presenceSocketEvents + renewals + changes * (perChange.presenceCalls - perChange.presenceSocketEvents + roomCalls(perChange))) +
    workload.restUsers * workload.restChangesPerUserHour +
    rooms.fanoutObjects * rooms.fanoutIn * HOUR_S;
  const socketMessages =
    users * (idle.presenceSocketEvents + changes * perChange.presenceSocketEvents) + (users * workload.devicesPerUser + watchers) * inputs.pingsPerDeviceHour;
  const rowsWritten =
    users * (idle.rowsWritten.presence + renewed * perScope(idle.rowsWritten.room) + changes * (perChange.rowsWritten.presence + perScope(perChange.rowsWritten.room))) +
    workload.restUsers * workload.restChangesPerUserHour * perChange.rowsWritten.presence;
  const rowsRead =
    users * (idle.rowsRead.presence + renewed * perScope(idle.rowsRead.room) + changes * (perChange.rowsRead.presence + perScope(perChange.rowsRead.room))) +
    workload.restUsers * workload.restChangesPerUserHour * perChange.rowsRead.presence;

  // Active time: each PresenceObject for its calls; each room for its calls' union, at most the whole hour.
  const busy = (callsPerSecond: number) => Math.min(1, (callsPerSecond * inputs.activeMsPerCall.room) / 1000) * HOUR_S;
  const presenceSeconds = users * (idle.presenceActiveSeconds + changes * perChange.presenceActiveSeconds);
  const roomSeconds = rooms.shards * busy(rooms.globalCalls / rooms.shards) + rooms.orgRooms * design.orgShards * busy(rooms.orgCallsMean / design.orgShards) + rooms.fanoutObjects * busy(rooms.fanoutIn);
  return {
    requests: requestCalls + socketMessages / SOCKET_MESSAGES_PER_REQUEST,
    rowsWritten,
    rowsRead,
    activeSeconds: presenceSeconds + roomSeconds,
  };
}

/** The figures the reality check compares, per object, for a workload on a design. */
export interface RunFigures {
  /** Calls a second into one socket user's PresenceObject, and into a REST-only user's (one RPC per PUT). */
  presencePerSocketUser: number;
  presencePerRestUser: number;
  /** Calls a second into the busiest global shard, and the largest org's room. */
  globalRoom: number;
  largestOrgRoom: number;
  /** Diff frames a second from the largest org's room to its watchers. */
  orgFramesPerSecond: number;
}

export function runFigures(prediction: Prediction): RunFigures {
  const role = (name: ObjectRole) => prediction.objects.find((entry) => entry.role === name);
  return {
    presencePerSocketUser: role("PresenceObject")?.requestsPerSecond ?? 0,
    presencePerRestUser: prediction.workload.restChangesPerUserHour / HOUR_S,
    globalRoom: role("global room (busiest shard)")?.requestsPerSecond ?? 0,
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
