/** The Markdown sections of the cost scenario (always-online users) and the load scenario (the model against reality): docs/SCALE.md's measurements. */
import { monthlyCost, type MonthlyCost } from "../model/platform.ts";
import type { LoadResult } from "../scenarios/load.ts";
import type { CostResult } from "../scenarios/results.ts";
import type { Usage } from "../scenarios/usage.ts";
import { dollars, ms, num, table, wakes } from "./format.ts";

function rounded(counts: Record<string, number>, digits: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([key, value]) => [key, Number(value.toFixed(digits))]));
}

function usageRow(label: string, usage: Usage): string[] {
  return [
    label,
    num(usage.requestCalls, 2),
    num(usage.socketEvents, 2),
    num(usage.pings, 1),
    `**${num(usage.billedRequests, 2)}**`,
    `${num(usage.rowsWritten.total, 2)} (${num(usage.alarmsSet, 2)} setAlarm)`,
    num(usage.rowsRead.total, 1),
    ms(Object.values(usage.activeSeconds).reduce((sum, value) => sum + value, 0) * 1000),
    ms(usage.cpuMs),
  ];
}

function splitLines(result: CostResult): string[] {
  const split = result.split;
  if (!split) return [];
  const cost = (value: MonthlyCost) => `${dollars(value.total)} (requests ${dollars(value.requests)}, rows written ${dollars(value.rowsWritten)}, rows read ${dollars(value.rowsRead)}, duration ${dollars(value.duration)})`;
  const hub = result.hub;
  return [
    `- **fixed, per \`global\` shard**: ${num(split.shards.alarmed)} shards ran ${num(split.shards.alarms)} alarms (${num(split.shards.perShardHour.alarms, 1)} an hour each, ${num(split.shards.rowsWrittenPerAlarm, 2)} rows written per alarm: its setAlarm for the next sweep, which no wake line shows, as a room's line comes at the start of its call and an idle shard is evicted before its next one; counted here, and in the dollars above${result.unseenShardAlarmRowsPerUserHour ? `: ${num(result.unseenShardAlarmRowsPerUserHour, 2)} rows per user-hour at this size` : ""}): ${cost(split.shards.perShardMonth)} per shard a month`,
    `- **per user, shards apart**: ${num(split.perUserHour.requests, 2)} billed requests (${num(split.sweepRpcsPerUserHour, 2)} sweep RPCs, ${num(split.pingsPerUserHour, 0)} pings ÷ 20, ${num(split.rest.requests, 2)} other), ${num(split.perUserHour.rowsWritten, 3)} rows written, ${num(split.perUserHour.rowsRead, 1)} rows read an hour: ${cost(split.perUserMonth)} a month`,
    `- **at ${num(split.atUsers)} users** (per-user part + ${split.atShards} shards' fixed cost ÷ ${num(split.atUsers)}): ${cost(split.atScalePerUserMonth)} per user a month (target ${dollars(result.target)}: ${split.atScalePerUserMonth.total <= result.target ? "met" : "not met"}); in the long run, with org and zone asking a member unheard for 3 leases every 3 leases (+${num(split.longRunExtraPerUserHour.requests, 2)} requests an hour, after this run's window): ${cost(split.atScaleLongRunPerUserMonth)}`,
    `- one member's sweep: ${num(split.perSweep.requests, 3)} requests, ${num(split.perSweep.rowsWritten, 3)} rows written, ${num(split.perSweep.rowsRead, 2)} rows read, ${ms(split.perSweep.activeSeconds * 1000)} ms active`,
    "",
    ...table(
      ["SWEEP_MS", "requests per user-hour", "per user-month at 1M users", "long run (org/zone asks)", "floor: sweeps + pings only", "half-open connection closed", "mean"],
      split.sweepTable.map((row) => [`${num(row.sweepSeconds)} s`, num(row.requestsPerUserHour, 2), dollars(row.perUserMonth), dollars(row.perUserMonthLongRun), dollars(row.floor), `${row.halfOpenWithinS[0]}–${row.halfOpenWithinS[1]} s after its last ping`, `${num(row.halfOpenMeanS)} s`]),
    ),
    "",
    ...(hub
      ? [
          `- **watch hub** (one counts-only watcher of \`global\`, then one status frame per user): ${num(hub.changes)} changes, ${num(hub.takes)} takes (${num(hub.takesPerSecond, 1)}/s), ${num(hub.rowsWrittenPerChange, 2)} rows written and ${num(hub.rowsReadPerChange, 1)} read per change in the hub, ${num(hub.activeMsPerTake, 2)} ms active per take; a change with the hub: ${num(hub.perChangeWithHub.billedRequests, 2)} billed requests, ${num(hub.perChangeWithHub.rowsWritten.total, 2)} rows written (without: ${num(result.change.perChange.billedRequests, 2)}, ${num(result.change.perChange.rowsWritten.total, 2)}); opening the watcher: ${num(hub.follow.followCalls)} follows (the shards wrote ${num(hub.follow.rowsWrittenByEvent["room.follow"] ?? 0)} rows listing the hub); the hub's own copy of ${num(hub.follow.members)} members shows on its next wake line (a room's line comes at the start of its call), the first take, so the rows per change above include it: at the change phase's rows per room push (${num((result.change.perChange.rowsWritten.room ?? 0) / 3, 2)}) per member copied, ${num(Math.max(0, hub.rowsWrittenPerChange - (hub.follow.members * (result.change.perChange.rowsWritten.room ?? 0)) / 3 / Math.max(1, hub.changes)), 2)} rows written per change are the changes' own`,
        ]
      : ["- watch hub: not measured (the hub phase failed; see warnings)"]),
  ];
}

export function costSection(results: CostResult[]): string[] {
  return results.flatMap((result) => {
    const { cost, perUserHour } = result;
    const seen = Object.entries(result.statusChangesSeen);
    const share = (value: number) => `${num((value / cost.total) * 100)}%`;
    return [
      "## Cost of always-online users",
      "",
      `${num(result.opened)} users of one org and one zone, each with one device pinging every 25 s (auto-responded), connected over ${result.connectSpreadSeconds} s; then ${num(result.steadySeconds / 60, 1)} minutes with no status change sent, the server at its default timers (${Object.entries(result.serverVars).map(([key, value]) => `${key}=${value}`).join(", ")}). Billed requests: every RPC, fetch and alarm 1, socket events that ran code and the auto-responded pings 1/20. Rows from the wake lines' \`rowsWritten\` (setAlarm included) and \`rowsRead\`; active time from the tracing entry (the union of each object's call intervals on workerd's clock).`,
      "",
      ...table(
        ["per", "calls (RPC, fetch, alarm)", "socket events", "pings", "billed requests", "rows written", "rows read", "active ms", "workerd CPU ms"],
        [usageRow("always-online user-hour", perUserHour), usageRow("connect (hello, roster joins)", result.perConnect), usageRow("status change", result.change.perChange)],
      ),
      "",
      `**Per always-online user per month: ${dollars(cost.total)}** (target ${dollars(result.target)}: ${cost.total <= result.target ? "met" : `${num(cost.total / result.target, 1)}× over`}) = requests ${dollars(cost.requests)} (${share(cost.requests)}) + rows written ${dollars(cost.rowsWritten)} (${share(cost.rowsWritten)}) + rows read ${dollars(cost.rowsRead)} (${share(cost.rowsRead)}) + duration ${dollars(cost.duration)} (${share(cost.duration)}); **${cost.dominant}** dominates.`,
      "",
      `- calls per user-hour by object and entry point (${perUserHour.callsFrom}): ${wakes(rounded(perUserHour.calls, 2))}`,
      `- rows written per user-hour by wake line: ${wakes(rounded(perUserHour.rowsWrittenByEvent, 2))}`,
      `- active time per call: ${wakes(result.activeMsPerCall)} ms; PresenceObjects await their room pushes, and production adds the round trip to wherever each room lives: every further 10 ms per PresenceObject call adds ${dollars(monthlyCost({ requests: 0, rowsWritten: 0, rowsRead: 0, activeSeconds: (perUserHour.callsByKind.presence ?? 0) * 0.01 }).total)} per user-month`,
      `- status changes the idle users' devices saw during the steady phase: ${seen.length ? seen.map(([type, count]) => `${type.replace("presence ", "")} ${num(count)}`).join(", ") : "none"} (each user turned away before it); other frames: ${wakes(result.otherFramesSeen)}; pongs ${num(result.pongs)}`,
      ...(result.away
        ? [`- turning away (before the steady phase, ${num(result.away.seconds)} s, ${wakes(result.away.changesSeen)} seen), per change: ${num(result.away.perChange.billedRequests, 2)} billed requests, ${num(result.away.perChange.rowsWritten.total, 2)} rows written, ${num(result.away.perChange.rowsRead.total, 1)} rows read; calls ${wakes(rounded(result.away.perChange.calls, 3))}`]
        : []),
      `- workerd CPU: its idle ${ms(result.idleCpuMsPerSecond)} ms/s (measured before any client) taken out of each phase; the rest includes answering pings and printing the bench's log lines`,
      ...splitLines(result),
      `- status change phase: ${num(result.change.changes)} status frames (one per user) while ${num(result.change.watchers)} members watched the org's roster (${num(result.change.diffsPerWatcher, 1)} diffs each); the steady background taken out; calls per change ${wakes(rounded(result.change.perChange.calls, 3))}`,
      "",
    ];
  });
}

export function loadSection(results: LoadResult[]): string[] {
  return results.flatMap((result) => {
    const labels: Record<string, string> = {
      presencePerSocketUser: "PresenceObject of a socket user, calls/s (mean)",
      presencePerRestUser: "PresenceObject of a REST-only user, calls/s (mean)",
      globalRoom: "busiest `global` shard, calls/s in",
      globalSweepsPerShard: "sweep RPCs a `global` shard makes, /s (mean)",
      hub: "`global`'s watch hub, calls/s in",
      largestOrgRoom: `largest org's room (${num(result.largestOrg)} members), calls/s`,
      orgFramesPerSecond: `diff frames/s to its ${num(result.watchersOpened)} watchers`,
    };
    const rows = Object.entries(result.measured).map(([key, value]) => {
      const ratio = result.ratio[key as keyof typeof result.ratio];
      return [labels[key] ?? key, num(result.predicted?.[key as keyof typeof result.measured], 3), num(value, 3), ratio === null || ratio === undefined ? "–" : `${num(ratio, 2)}×`, ratio === null || ratio === undefined ? "–" : ratio >= 0.5 && ratio <= 2 ? "yes" : "no"];
    });
    return [
      "## Load: the model against reality",
      "",
      `${num(result.opened)} users with one device socket (${num(result.failed)} failed), connected at ${num(result.size.devices / Math.max(1, result.connectSeconds))}/s over ${num(result.connectSeconds)} s: ${num(result.largestOrg)} in one org, the rest in orgs of ${num(result.orgSize)}; ${num(result.size.restUsers)} users with no socket changing status over REST; ${num(result.watchersOpened)} watchers of the largest org, ${num(result.globalWatchersOpened ?? 0)} counts-only watchers of \`global\` (its hub). After OFFLINE_AFTER_MS, a ${num(result.size.seconds)} s window: ${num(result.statusFrames)} status frames (${num(result.socketChangesPerUserHour, 1)} per user-hour) and ${num(result.restChanges)} PUTs (${num(result.restChangesPerUserHour, 1)} per user-hour; answers ${wakes(result.restAnswers)}, p50 ${ms(result.restLatency.p50)} ms, p99 ${ms(result.restLatency.p99)} ms). workerd busy ${num(result.coresBusy, 2)} cores, holding at most ${num(result.peakOpenFiles)} file descriptors.`,
      "",
      ...table(["object", "predicted", "measured", "measured ÷ predicted", "within 2×"], rows),
      "",
      ...Object.entries(result.kinds).map(
        ([kind, entry]) =>
          `- ${kind}: ${num(entry.objects)} objects ran calls, ${num(entry.meanPerSecond, 4)} calls/s each on average${entry.busiest ? `; busiest ${entry.busiest.object}: ${num(entry.busiest.perSecond, 2)}/s (busiest 10 s: ${num(entry.busiest.peakPerSecond, 1)}/s; ${wakes(entry.busiest.calls)}; per 10 s: ${entry.busiest.series.map((rate) => num(rate, 1)).join(" ")})` : ""}`,
      ),
      `- window: ${num(result.usage.billedRequests)} billed requests, ${num(result.usage.rowsWritten.total)} rows written; calls ${wakes(result.usage.calls)}`,
      `- model inputs: ${result.modelInputs ? `${result.modelInputs.file} (${result.modelInputs.generatedAt}, src ${result.modelInputs.commit})` : "none found"}`,
      "",
    ];
  });
}
