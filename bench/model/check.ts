/**
 * `node bench/model/run.ts --check`: the model's behaviours on made-up inputs, a table of cases each
 * able to fail. The figures are the issue's own arithmetic: one renewal per user a minute puts a
 * single `global` room at ~1,000 requests a second near 60,000 users; ~250 requests an hour is
 * about $0.027 a month.
 */
import type { ModelInputs, UnitCost } from "./inputs.ts";
import { breakingPoint, busiestShard, diffsPerSecond, predict, renewalsPerHour, type ObjectRole } from "./model.ts";
import { monthlyCost } from "./platform.ts";
import { SHARDED, TODAY, withUsers, STANDARD_WORKLOADS } from "./workload.ts";

const unit = (presenceCalls: number, perScope: number): UnitCost => ({
  presenceCalls,
  presenceSocketEvents: 0,
  roomCalls: { global: perScope, org: perScope, zone: perScope },
  rowsWritten: { presence: presenceCalls, room: perScope * 3 },
  rowsRead: { presence: 0, room: 0 },
  presenceActiveSeconds: presenceCalls * 0.002,
  cpuMs: presenceCalls,
});

/** An idle user: an alarm a minute and a renewal a minute per scope; a change: one frame and one push per scope. */
const INPUTS: ModelInputs = {
  source: { file: "check", generatedAt: "", commit: "", srcDigest: "", quick: true, users: 0, minutes: 0 },
  idle: unit(60, 60),
  perChange: { ...unit(1, 1), presenceSocketEvents: 1 },
  pingsPerDeviceHour: 144,
  idleStatusChangesPerHour: 0,
  scopesMeasured: 3,
  activeMsPerCall: { presence: 2, room: 0.5 },
  cpuMsPerCall: 0.5,
  cpuMsPerFrame: 0.02,
  cpuMsPerFrameFrom: "check",
};

const base = { ...(STANDARD_WORKLOADS[0] as (typeof STANDARD_WORKLOADS)[number]), changesPerUserHour: 0, orgWatchersPerMember: 0, globalWatchers: 0, devicesPerUser: 1 };
const role = (name: ObjectRole, users: number, design = TODAY, workload = base) => predict(INPUTS, design, withUsers(workload, users)).objects.find((entry) => entry.role === name);
const near = (actual: number | null | undefined, expected: number, tolerance: number) => actual !== null && actual !== undefined && Math.abs(actual - expected) <= tolerance;

const CASES: [string, () => boolean][] = [
  ["no changes, no diffs", () => diffsPerSecond(0, 10) === 0],
  ["100 changes a second coalesced over 10 ms make 50 diffs", () => near(diffsPerSecond(100, 10), 50, 1e-9)],
  ["one shard holds everyone", () => busiestShard(1_000, 1) === 1_000],
  ["the busiest of 64 shards of 6,400 holds its 100 plus three deviations", () => near(busiestShard(6_400, 64), 129.8, 0.1)],
  ["a single global room takes one renewal a minute from each of 60,000 users: 1,000 requests/s", () => near(role("global room (busiest shard)", 60_000)?.requestsPerSecond, 1_000, 1e-6)],
  ["so it reaches its request limit at ~60,000 online users", () => near(breakingPoint(INPUTS, TODAY, base, "global room (busiest shard)"), 60_000, 700)],
  ["64 shards take it past 3.5 million", () => (breakingPoint(INPUTS, SHARDED, base, "global room (busiest shard)") ?? 0) > 3_500_000],
  ["a change once per lease period leaves e^-1 ÷ (1 − e^-1) of the renewals", () => near(renewalsPerHour(6, 6), 6 * (Math.exp(-1) / (1 - Math.exp(-1))), 1e-9)],
  ["changes much rarer than the lease leave every renewal", () => near(renewalsPerHour(60, 0.01), 60, 0.01)],
  ["an org room is bounded by its members, not by the users online", () => near(role("largest org room", 1_000_000)?.requestsPerSecond, 5_000 / 60, 1e-6)],
  ["one PresenceObject wakes once a minute", () => near(role("PresenceObject", 10_000)?.requestsPerSecond, 1 / 60, 1e-9)],
  ["250 requests an hour cost about $0.027 a month", () => near(monthlyCost({ requests: 250, rowsWritten: 0, rowsRead: 0, activeSeconds: 0 }).total, 0.0274, 0.0001)],
  ["a row written a minute costs $0.0438 a month and dominates 250 requests", () => monthlyCost({ requests: 250, rowsWritten: 60, rowsRead: 0, activeSeconds: 0 }).dominant === "rowsWritten"],
  [
    "5,000 watchers of an org with a change a second each get 5,000 frames a second",
    () => near(role("largest org room", 5_000, TODAY, { ...base, changesPerUserHour: 3600 / 5_000, orgWatchersPerMember: 1 })?.framesPerSecond, 5_000 / 1.01, 1),
  ],
  ["with one room there is no fan-out object", () => role("fan-out object", 10_000, TODAY, { ...base, globalWatchers: 100 })?.absent !== undefined],
  ["64 shards send their diffs to each fan-out object", () => near(role("fan-out object", 64_000, SHARDED, { ...base, changesPerUserHour: 3.6, globalWatchers: 100 })?.requestsPerSecond, 64 * diffsPerSecond(1, 10), 1e-6)],
  [
    "the bill counts pings 20 to a request",
    () => {
      const quiet = predict({ ...INPUTS, idle: unit(0, 0) }, TODAY, withUsers(base, 1_000));
      return near(quiet.perHour.requests, (1_000 * 144) / 20, 1e-6);
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
