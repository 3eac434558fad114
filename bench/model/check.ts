/**
 * `node bench/model/run.ts --check`: the model's behaviours on made-up inputs, a table of cases each
 * able to fail. The figures are the design's own arithmetic (aa9ab76 and after): a `global` shard
 * asks each member once per SWEEP_MS, so a user's object answers 30 sweeps an hour at 2 min; 37.2
 * requests an hour (30 sweeps + 144 pings ÷ 20) is about $0.0041 a month; one room of a million
 * members cannot ask them all within 2 min at 5,000 a slice, 1 s apart.
 */
import type { ModelInputs, UnitCost } from "./inputs.ts";
import { breakingPoint, busiestShard, diffsPerSecond, hubBatchesPerSecond, predict, sweepsPerMemberHour, type ObjectRole } from "./model.ts";
import { monthlyCost } from "./platform.ts";
import { DEFAULT_DESIGN, ONE_GLOBAL_ROOM, withUsers, STANDARD_WORKLOADS } from "./workload.ts";

const unit = (presenceCalls: number, perScope: number): UnitCost => ({
  presenceCalls,
  presenceSocketEvents: 0,
  roomCalls: { global: perScope, org: perScope, zone: perScope },
  rowsWritten: { presence: presenceCalls, room: perScope * 3 },
  rowsRead: { presence: 0, room: 0 },
  presenceActiveSeconds: presenceCalls * 0.002,
  cpuMs: presenceCalls,
});

/** A sweep: one request, nothing written; a change: one frame and one push per scope; a hub writes 3 rows per change. */
const INPUTS: ModelInputs = {
  source: { file: "check", generatedAt: "", commit: "", srcDigest: "", quick: true, users: 0, minutes: 0 },
  idle: unit(30, 0),
  sweepMs: 120_000,
  perSweep: { requests: 1, rowsWritten: 0, rowsRead: 0, activeSeconds: 0 },
  idleRest: { requests: 0, rowsWritten: 0, rowsRead: 0, activeSeconds: 0 },
  shardAlarm: { requests: 1, rowsWritten: 1 },
  hub: { rowsWrittenPerChange: 3, rowsReadPerChange: 0, cpuMsPerChange: 0.1, followRowsWrittenPerMember: 3, followRowsReadPerMember: 0 },
  perChange: { ...unit(1, 1), presenceSocketEvents: 1 },
  pingsPerDeviceHour: 144,
  idleStatusChangesPerHour: 0,
  scopesMeasured: 3,
  activeMsPerCall: { presence: 2, room: 0.5 },
  cpuMsPerCall: 0.5,
  cpuMsPerFrame: 0.02,
  cpuMsPerFrameFrom: "check",
};

const base = { ...(STANDARD_WORKLOADS[0] as (typeof STANDARD_WORKLOADS)[number]), changesPerUserHour: 0, orgWatchersPerMember: 0, globalWatchers: 0, devicesPerUser: 1, deviceReconnectsPerHour: 0 };
const role = (name: ObjectRole, users: number, design = DEFAULT_DESIGN, workload = base) => predict(INPUTS, design, withUsers(workload, users)).objects.find((entry) => entry.role === name);
const near = (actual: number | null | undefined, expected: number, tolerance: number) => actual !== null && actual !== undefined && Math.abs(actual - expected) <= tolerance;

const CASES: [string, () => boolean][] = [
  ["no changes, no diffs", () => diffsPerSecond(0, 10) === 0],
  ["100 changes a second coalesced over 10 ms make 50 diffs", () => near(diffsPerSecond(100, 10), 50, 1e-9)],
  ["one shard holds everyone", () => busiestShard(1_000, 1) === 1_000],
  ["the busiest of 64 shards of 6,400 holds its 100 plus three deviations", () => near(busiestShard(6_400, 64), 129.8, 0.1)],
  ["a member's object answers 30 sweeps an hour at SWEEP_MS 2 min", () => near(sweepsPerMemberHour(DEFAULT_DESIGN, 1, 6).global, 30, 1e-9)],
  ["an idle member is asked by its org twice an hour (every 3 leases of 10 min)", () => near(sweepsPerMemberHour(DEFAULT_DESIGN, 1, 0).other, 2, 1e-9)],
  ["six changes an hour leave e^-3 of those asks", () => near(sweepsPerMemberHour(DEFAULT_DESIGN, 1, 6).other, 2 * Math.exp(-3), 1e-9)],
  ["an idle always-online user's object: 30 sweeps + 2 org asks an hour", () => near(role("PresenceObject", 10_000)?.requestsPerSecond, 32 / 3600, 1e-9)],
  ["no renewals: a shard of idle members takes only its alarms (and slices)", () => near(role("global room (busiest shard)", 64_000)?.requestsPerSecond, 1 / 120, 1e-9)],
  ["a shard asks its members once per sweep: 1,298 members of 64,000 over 64 shards ≈ 10.8 RPCs/s out", () => near(role("global room (busiest shard)", 64_000)?.outgoingPerSecond, busiestShard(64_000, 64) / 120, 1e-6)],
  ["one global room of 1M members needs 200 slices, 1 s apart: longer than a 2 min sweep", () => (role("global room (busiest shard)", 1_000_000, ONE_GLOBAL_ROOM)?.sweepShare ?? 0) > 1],
  ["64 shards sweep 1M members well within the period", () => (role("global room (busiest shard)", 1_000_000)?.sweepShare ?? 1) < 0.1],
  ["a shard with a change every second on average sends a hub half a batch a second (each batch waits 1 s from its first change)", () => near(hubBatchesPerSecond(1, 1_000), 0.5, 1e-9)],
  ["a hub gets at most one batch a second from each of 64 shards", () => (role("watch hub", 1_000_000, DEFAULT_DESIGN, { ...base, changesPerUserHour: 6, globalWatchers: 100 })?.requestsPerSecond ?? 99) <= 64 + 64 / 600 + 1e-9],
  ["1M users with 1.5 devices each reconnecting once an hour tally 833 device-count changes a second on one object", () => near(role("device tally (`global`)", 1_000_000, DEFAULT_DESIGN, { ...base, devicesPerUser: 1.5, deviceReconnectsPerHour: 1 })?.requestsPerSecond, 1_000_000 * 1.5 * 2 / 3600, 1e-6)],
  ["no watcher of global, no hub", () => role("watch hub", 10_000, DEFAULT_DESIGN, base)?.absent !== undefined],
  ["with one global room, watchers sit on it: no hub", () => role("watch hub", 10_000, ONE_GLOBAL_ROOM, { ...base, globalWatchers: 100 })?.absent !== undefined],
  [
    "a hub adds its rows per change: 3 rows × 6 changes an hour × 730 = $0.013 per user a month",
    () => near(predict(INPUTS, DEFAULT_DESIGN, withUsers({ ...base, changesPerUserHour: 6, globalWatchers: 100 }, 1_000_000)).hubPerUser.rowsWritten, (3 * 6 * 730) / 1e6, 1e-9),
  ],
  ["an org room is bounded by its members, not by the users online", () => near(role("largest org room", 1_000_000, DEFAULT_DESIGN, { ...base, changesPerUserHour: 6 })?.requestsPerSecond, (5_000 * 6) / 3600 + 1 / 1800, 1e-6)],
  ["37.2 requests an hour (30 sweeps + 144 pings ÷ 20) cost about $0.0041 a month", () => near(monthlyCost({ requests: 37.2, rowsWritten: 0, rowsRead: 0, activeSeconds: 0 }).total, 0.00407, 0.00001)],
  ["a row written a minute costs $0.0438 a month and dominates 250 requests", () => monthlyCost({ requests: 250, rowsWritten: 60, rowsRead: 0, activeSeconds: 0 }).dominant === "rowsWritten"],
  [
    "5,000 watchers of an org with a change a second each get 5,000 frames a second",
    () => near(role("largest org room", 5_000, DEFAULT_DESIGN, { ...base, changesPerUserHour: 3600 / 5_000, orgWatchersPerMember: 1 })?.framesPerSecond, 5_000 / 1.01, 1),
  ],
  ["64 shards put a shard's request limit beyond 100 million idle users", () => breakingPoint(INPUTS, DEFAULT_DESIGN, base, "global room (busiest shard)", (load) => load.requestShare) === null],
  [
    "the bill counts pings 20 to a request, and the shards' alarms apart",
    () => {
      const quiet = predict({ ...INPUTS, perSweep: { requests: 0, rowsWritten: 0, rowsRead: 0, activeSeconds: 0 } }, DEFAULT_DESIGN, withUsers(base, 1_000));
      const alarms = 64 * 30 + Math.ceil(1_000 / 500) * 2;
      return near(quiet.perHour.requests, (1_000 * 144) / 20 + alarms, 1e-6);
    },
  ],
];

/** Runs every case; returns the failures' names. */
export function checkModel(): string[] {
  const failed: string[] = [];
  for (const [name, test] of CASES) {
    const ok = test();
    console.log(`${ok ? "ok  " : "FAIL"} ${name}`);
    if (!ok) failed.push(name);
  }
  return failed;
}
