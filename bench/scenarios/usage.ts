/**
 * What the objects did between two points of a run, as the platform bills it: entry points run
 * (from the tracing entry's call lines when the server runs behind it, else from wake lines),
 * socket messages (frames that woke an object, plus the auto-responded pings the clients counted),
 * SQL rows (the wake lines' `rowsWritten`, `rowsRead`, `alarmsSet`), active time and workerd CPU.
 */
import { objectKind, SOCKET_MESSAGES_PER_REQUEST } from "../model/platform.ts";
import type { CallsSnapshot, ObjectCalls, ObjectLoad } from "../server/objectCalls.ts";
import type { BenchServer } from "../server/server.ts";
import { wakeDelta, type WakeCounts } from "../server/wakes.ts";
import { round } from "../stats.ts";

/** Entry points that are socket events: billed 20 to a request, like the frames that cause them. */
const SOCKET_EVENT = /\.webSocket(Message|Close|Error)$/;

export interface Usage {
  seconds: number;
  /** Where `calls` came from: every entry point (tracing), or wake lines (RPCs that log none, such as `admit`, missing). */
  callsFrom: "call lines" | "wake lines";
  /** Entry points run, by "<kind>.<method>" (kind: presence, global, org, zone, other; see model/platform.ts objectKind) or by wake line. */
  calls: WakeCounts;
  /** Of `calls`: socket events, billed 20 to a request. */
  socketEvents: number;
  /** Of `calls`: RPCs, fetches and alarms, a request each. */
  requestCalls: number;
  /** Keep-alive pings the clients sent (auto-responded: no code runs, billed 20 to a request). */
  pings: number;
  /** requestCalls + (socketEvents + pings) ÷ 20. */
  billedRequests: number;
  /** By object kind of the wake line ("presence", "room"), and in all. */
  rowsWritten: WakeCounts;
  rowsRead: WakeCounts;
  alarmsSet: number;
  /** Rows written by "<object>.<event>" ("presence.alarm"). */
  rowsWrittenByEvent: WakeCounts;
  /** The union of each object's call intervals, summed by kind (tracing only), seconds. */
  activeSeconds: WakeCounts;
  /** Calls by object kind (tracing only): to divide active time by. */
  callsByKind: WakeCounts;
  cpuMs: number;
  wakes: WakeCounts;
}

export interface UsageMark {
  at: number;
  wakes: WakeCounts;
  costs: WakeCounts;
  costsByEvent: WakeCounts;
  calls: CallsSnapshot;
  cpuMs: number;
}

export function markUsage(server: BenchServer, at: number): UsageMark {
  return { at, wakes: server.wakes.snapshot(), costs: server.wakes.costs(), costsByEvent: server.wakes.costsByEvent(), calls: server.calls.snapshot(), cpuMs: server.cpuMs() };
}

function add(record: WakeCounts, key: string, value: number): void {
  record[key] = (record[key] ?? 0) + value;
}

/** Calls by "<kind>.<method>", active seconds and calls by kind, from the objects' loads. */
function fromCalls(loads: ObjectLoad[]) {
  const calls: WakeCounts = {};
  const activeSeconds: WakeCounts = {};
  const callsByKind: WakeCounts = {};
  for (const load of loads) {
    const kind = objectKind(load.className, load.name);
    for (const [method, count] of Object.entries(load.calls)) add(calls, `${kind}.${method}`, count);
    add(activeSeconds, kind, load.activeMs / 1000);
    add(callsByKind, kind, load.total);
  }
  return { calls, activeSeconds, callsByKind };
}

export function usageBetween(calls: ObjectCalls, before: UsageMark, after: UsageMark, pings: number): Usage {
  const wakes = wakeDelta(before.wakes, after.wakes);
  const costs = wakeDelta(before.costs, after.costs);
  const byEvent = wakeDelta(before.costsByEvent, after.costsByEvent);
  const traced = calls.tracing ? fromCalls(calls.delta(before.calls, after.calls)) : null;
  const counted = traced?.calls ?? wakes;
  let socketEvents = 0;
  let requestCalls = 0;
  for (const [key, count] of Object.entries(counted)) {
    if (SOCKET_EVENT.test(key)) socketEvents += count;
    else requestCalls += count;
  }
  const field = (name: string) => {
    const byKind: WakeCounts = {};
    for (const [key, value] of Object.entries(costs)) if (key.endsWith(`.${name}`)) add(byKind, key.slice(0, -name.length - 1), value);
    byKind.total = Object.values(byKind).reduce((sum, value) => sum + value, 0);
    return byKind;
  };
  const rowsWrittenByEvent: WakeCounts = {};
  for (const [key, value] of Object.entries(byEvent)) if (key.endsWith(".rowsWritten")) rowsWrittenByEvent[key.slice(0, -".rowsWritten".length)] = value;
  return {
    seconds: (after.at - before.at) / 1000,
    callsFrom: traced ? "call lines" : "wake lines",
    calls: counted,
    socketEvents,
    requestCalls,
    pings,
    billedRequests: requestCalls + (socketEvents + pings) / SOCKET_MESSAGES_PER_REQUEST,
    rowsWritten: field("rowsWritten"),
    rowsRead: field("rowsRead"),
    alarmsSet: field("alarmsSet").total ?? 0,
    rowsWrittenByEvent,
    activeSeconds: traced?.activeSeconds ?? {},
    callsByKind: traced?.callsByKind ?? {},
    cpuMs: after.cpuMs - before.cpuMs,
    wakes,
  };
}

function scaleCounts(counts: WakeCounts, factor: number, digits: number): WakeCounts {
  return Object.fromEntries(Object.entries(counts).map(([key, value]) => [key, round(value * factor, digits)]));
}

/** `usage` × `factor` (per user-hour, per change), rounded for the report. */
export function scaleUsage(usage: Usage, factor: number, digits = 4): Usage {
  const scale = (value: number) => round(value * factor, digits);
  return {
    ...usage,
    calls: scaleCounts(usage.calls, factor, digits),
    socketEvents: scale(usage.socketEvents),
    requestCalls: scale(usage.requestCalls),
    pings: scale(usage.pings),
    billedRequests: scale(usage.billedRequests),
    rowsWritten: scaleCounts(usage.rowsWritten, factor, digits),
    rowsRead: scaleCounts(usage.rowsRead, factor, digits),
    alarmsSet: scale(usage.alarmsSet),
    rowsWrittenByEvent: scaleCounts(usage.rowsWrittenByEvent, factor, digits),
    activeSeconds: scaleCounts(usage.activeSeconds, factor, 6),
    callsByKind: scaleCounts(usage.callsByKind, factor, digits),
    cpuMs: scale(usage.cpuMs),
    wakes: scaleCounts(usage.wakes, factor, digits),
  };
}

/** What workerd's process spends with nothing to do (timers, polling), per second: measured over `ms` before any client connects. */
export async function idleCpuPerSecond(server: BenchServer, ms: number): Promise<number> {
  const before = server.cpuMs();
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (server.cpuMs() - before) / ((Date.now() - started) / 1000);
}

/** `usage` with workerd's idle CPU over its duration taken out. */
export function lessIdleCpu(usage: Usage, idleCpuMsPerSecond: number): Usage {
  return { ...usage, cpuMs: Math.max(0, usage.cpuMs - idleCpuMsPerSecond * usage.seconds) };
}

/** `a − b × factor` for every count (the background a phase would have had anyway), never below 0; the request totals follow from what is left. */
export function minusBackground(usage: Usage, background: Usage, factor: number): Usage {
  const less = (a: number, b: number) => Math.max(0, a - b * factor);
  const counts = (a: WakeCounts, b: WakeCounts) => {
    const out: WakeCounts = {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const value = less(a[key] ?? 0, b[key] ?? 0);
      if (value > 0) out[key] = value;
    }
    return out;
  };
  const calls = counts(usage.calls, background.calls);
  const socketEvents = Object.entries(calls).reduce((sum, [key, count]) => sum + (SOCKET_EVENT.test(key) ? count : 0), 0);
  const requestCalls = Object.values(calls).reduce((sum, count) => sum + count, 0) - socketEvents;
  const pings = less(usage.pings, background.pings);
  return {
    ...usage,
    calls,
    socketEvents,
    requestCalls,
    pings,
    billedRequests: requestCalls + (socketEvents + pings) / SOCKET_MESSAGES_PER_REQUEST,
    rowsWritten: counts(usage.rowsWritten, background.rowsWritten),
    rowsRead: counts(usage.rowsRead, background.rowsRead),
    alarmsSet: less(usage.alarmsSet, background.alarmsSet),
    rowsWrittenByEvent: counts(usage.rowsWrittenByEvent, background.rowsWrittenByEvent),
    activeSeconds: counts(usage.activeSeconds, background.activeSeconds),
    callsByKind: counts(usage.callsByKind, background.callsByKind),
    cpuMs: less(usage.cpuMs, background.cpuMs),
    wakes: counts(usage.wakes, background.wakes),
  };
}
