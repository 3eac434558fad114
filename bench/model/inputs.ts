/**
 * The load model's measured inputs, taken from bench results (the `cost` scenario, and the fan-out
 * or subscribers scenario for the CPU of one outgoing frame): what one always-online user costs per
 * hour when idle, what one status change costs, per object kind.
 */
import type { BenchReport } from "../report/types.ts";
import type { CostResult, FanoutResult, SubscribersResult } from "../scenarios/results.ts";
import type { Usage } from "../scenarios/usage.ts";

export type ScopeKind = "global" | "org" | "zone";
const SCOPE_KINDS: ScopeKind[] = ["global", "org", "zone"];

/** What one unit of something costs, split as the model needs it. */
export interface UnitCost {
  /** Calls into the user's PresenceObject that run code (RPCs, alarms, frames that wake it). */
  presenceCalls: number;
  /** Of presenceCalls: socket events (billed 20 to a request). */
  presenceSocketEvents: number;
  /** Calls into rooms, by kind of scope (summed over shards). */
  roomCalls: Record<ScopeKind, number>;
  rowsWritten: { presence: number; room: number };
  rowsRead: { presence: number; room: number };
  /** Active time of the user's PresenceObject, seconds. */
  presenceActiveSeconds: number;
  /** workerd CPU, all objects and the worker, ms. */
  cpuMs: number;
}

export interface ModelInputs {
  /** Where they came from: results file, when it was made, and what src/ it measured. */
  source: { file: string; generatedAt: string; commit: string; srcDigest: string; quick: boolean; users: number; minutes: number };
  /**
   * One always-online user with one device, idle, per hour, as measured after every user turned away
   * (the steady phase): the sweeps' RPCs into its object, the `global` shards' alarms shared among
   * the run's users (the model counts those per shard instead: `shardAlarm`).
   */
  idle: UnitCost;
  /** SWEEP_MS the cost run's server had (the idle figures are at this period). */
  sweepMs: number;
  /** One member asked by one sweep: requests (the RPC), rows read and written on both sides, the PresenceObject's active seconds. */
  perSweep: { requests: number; rowsWritten: number; rowsRead: number; activeSeconds: number };
  /** Per idle user-hour, what is neither a sweep nor a ping (token alarms, anything else): requests, rows. */
  idleRest: { requests: number; rowsWritten: number; rowsRead: number; activeSeconds: number };
  /** One `global` shard's alarm: a request, and the rows it writes (its setAlarm) whatever its members. */
  shardAlarm: { requests: number; rowsWritten: number };
  /** A watch hub, from the cost run's hub phase (one counts-only watcher of `global`); null when that phase did not run. */
  hub: { rowsWrittenPerChange: number; rowsReadPerChange: number; cpuMsPerChange: number; followRowsWrittenPerMember: number; followRowsReadPerMember: number } | null;
  /** One status change sent from a device (watchers of the org's roster included). */
  perChange: UnitCost;
  /** Auto-responded pings per device-hour (the SDK's 25 s). */
  pingsPerDeviceHour: number;
  /** Status changes per user-hour the idle users made by themselves during the phase (turning away). */
  idleStatusChangesPerHour: number;
  /** Scopes each measured user was in (global, org, zone: 3), so rows can be taken per scope. */
  scopesMeasured: number;
  /** Mean active time per call, ms. */
  activeMsPerCall: { presence: number; room: number };
  /** workerd CPU per call into any object, ms: the change phase's CPU, less its frames to watchers, ÷ its calls (the steady phase's would carry the pings' CPU). */
  cpuMsPerCall: number;
  /** workerd CPU per frame a room sends to a watcher, ms, and where it came from. */
  cpuMsPerFrame: number;
  cpuMsPerFrameFrom: string;
}

const zeroByScope = (): Record<ScopeKind, number> => ({ global: 0, org: 0, zone: 0 });

/** Splits a usage into the model's unit; room calls counted from wake lines ("room.apply") are shared evenly among `scopes`. */
function unitOf(usage: Usage, scopes: ScopeKind[]): UnitCost {
  const roomCalls = zeroByScope();
  let presenceCalls = 0;
  let presenceSocketEvents = 0;
  for (const [key, count] of Object.entries(usage.calls)) {
    const kind = key.slice(0, key.indexOf("."));
    const method = key.slice(key.indexOf(".") + 1);
    if (kind === "presence") {
      presenceCalls += count;
      if (method.startsWith("webSocket")) presenceSocketEvents += count;
    } else if (kind === "global" || kind === "org" || kind === "zone") roomCalls[kind] += count;
    else if (kind === "room") for (const scope of scopes) roomCalls[scope] += count / scopes.length;
  }
  return {
    presenceCalls,
    presenceSocketEvents,
    roomCalls,
    rowsWritten: { presence: usage.rowsWritten.presence ?? 0, room: usage.rowsWritten.room ?? 0 },
    rowsRead: { presence: usage.rowsRead.presence ?? 0, room: usage.rowsRead.room ?? 0 },
    presenceActiveSeconds: usage.activeSeconds.presence ?? 0,
    cpuMs: usage.cpuMs,
  };
}

/** Fan-out CPU per frame: the subscribers scenario's room path (CPU per change ÷ followers), else the largest fan-out size's, else a default. */
function frameCpu(reports: BenchReport[]): { ms: number; from: string } {
  for (const report of reports) {
    const subscribers = report.results.find((result): result is SubscribersResult => result.scenario === "subscribers" && !("error" in result));
    if (subscribers) {
      return {
        ms: subscribers.service.room.cpuMsPerChange / Math.max(1, subscribers.service.room.opened),
        from: `subscribers scenario (${report.generatedAt}): room path, server CPU per change ÷ ${subscribers.service.room.opened} watchers`,
      };
    }
    const fanout = report.results.filter((result): result is FanoutResult => result.scenario === "fanout" && !("error" in result)).at(-1);
    if (fanout?.service.connectCpuMs) return { ms: fanout.service.connectCpuMs / 20, from: "fan-out scenario: a twentieth of a watcher connect's CPU (rough)" };
  }
  return { ms: 0.04, from: "default 0.04 ms (no subscribers or fan-out results found)" };
}

/** The model's inputs from a `cost` result and the report it is in; `others` are searched for the fan-out CPU. */
export function inputsFromCost(file: string, report: BenchReport, cost: CostResult, others: BenchReport[]): ModelInputs {
  // The scopes each user was in: those their status change pushed to (the steady phase, since aa9ab76, has only the sweeps and `global`'s alarms).
  const scopes = SCOPE_KINDS.filter((kind) => Object.keys(cost.change.perChange.calls).some((key) => key.startsWith(`${kind}.`)));
  const measuredScopes: ScopeKind[] = scopes.length > 0 ? scopes : SCOPE_KINDS;
  const perChange = unitOf(cost.change.perChange, measuredScopes);
  const userHours = (cost.opened * cost.steadySeconds) / 3600;
  const seen = Object.values(cost.statusChangesSeen).reduce((sum, count) => sum + count, 0) / Math.max(userHours, 1e-9);
  const idle = unitOf(cost.perUserHour, measuredScopes);
  const cpu = frameCpu([report, ...others]);
  const changeCalls = Object.values(cost.change.perChange.calls).reduce((sum, count) => sum + count, 0);
  const framesPerChange = (cost.change.watchers * cost.change.diffsPerWatcher) / Math.max(1, cost.change.changes);
  const split = cost.split;
  const sweepMs = Number(cost.serverVars.SWEEP_MS ?? 120_000);
  const hub = cost.hub;
  const hubCpu = hub ? Math.max(0, hub.perChangeWithHub.cpuMs - cost.change.perChange.cpuMs) : 0;
  return {
    source: {
      file,
      generatedAt: report.generatedAt,
      commit: `${report.machine.git.commit}${report.machine.git.dirty ? " (src modified)" : ""}`,
      srcDigest: report.srcDigest,
      quick: report.quick,
      users: cost.opened,
      minutes: cost.size.minutes,
    },
    idle,
    sweepMs,
    perSweep: split?.perSweep ?? { requests: 1, rowsWritten: 0, rowsRead: 0, activeSeconds: 0 },
    idleRest: split?.rest ?? { requests: 0, rowsWritten: 0, rowsRead: 0, activeSeconds: 0 },
    shardAlarm: { requests: 1, rowsWritten: split?.shards.rowsWrittenPerAlarm ?? 1 },
    hub: hub
      ? {
          // A room's wake line comes at the start of its call: the hub's first copy (made while it opened the watch socket) shows on
          // its next line, the first take. Taken out at a push's rows per room (the change phase's) for each member copied.
          rowsWrittenPerChange: Math.max(0, hub.rowsWrittenPerChange - (hub.follow.members * (cost.change.perChange.rowsWritten.room ?? 0)) / Math.max(1, measuredScopes.length) / Math.max(1, hub.changes)),
          rowsReadPerChange: hub.rowsReadPerChange,
          // The hub phase's CPU per change less the org-watched change phase's: what the hub (its takes, copy, counts diffs) added.
          cpuMsPerChange: hubCpu,
          followRowsWrittenPerMember: hub.follow.rowsWrittenPerMember,
          followRowsReadPerMember: (hub.follow.events["room.follow.rowsRead"] ?? 0) / Math.max(1, hub.follow.members),
        }
      : null,
    perChange,
    pingsPerDeviceHour: cost.perUserHour.pings,
    idleStatusChangesPerHour: seen,
    scopesMeasured: measuredScopes.length,
    activeMsPerCall: { presence: cost.activeMsPerCall.presence ?? 0, room: roomActiveMs(cost) },
    cpuMsPerCall: changeCalls > 0 ? Math.max(0, cost.change.perChange.cpuMs - framesPerChange * cpu.ms) / changeCalls : 0,
    cpuMsPerFrame: cpu.ms,
    cpuMsPerFrameFrom: cpu.from,
  };
}

/** Mean active time per room call over the room kinds measured. */
function roomActiveMs(cost: CostResult): number {
  let seconds = 0;
  let calls = 0;
  for (const kind of SCOPE_KINDS) {
    seconds += cost.perUserHour.activeSeconds[kind] ?? 0;
    calls += cost.perUserHour.callsByKind[kind] ?? 0;
  }
  return calls > 0 ? (seconds * 1000) / calls : 0;
}

/** The newest `cost` result among `reports` (with their file names). */
export function findCost(reports: { file: string; report: BenchReport }[]): { file: string; report: BenchReport; cost: CostResult } | null {
  const found = reports
    .flatMap(({ file, report }) =>
      report.results.filter((result): result is CostResult => result.scenario === "cost" && !("error" in result)).map((cost) => ({ file, report, cost })),
    )
    .sort((a, b) => b.report.generatedAt.localeCompare(a.report.generatedAt));
  return found[0] ?? null;
}
