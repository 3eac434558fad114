/** bench/results/model/latest.md: the model's inputs, its table for each design and size, what breaks first, the reality check. */
import { dollars, ms, num, table } from "../report/format.ts";
import type { LoadResult } from "../scenarios/load.ts";
import type { ModelInputs } from "./inputs.ts";
import type { ObjectLoad, ObjectRole, Prediction } from "./model.ts";
import { LIMITS, PRICES, TARGET_DOLLARS_PER_USER_MONTH, type MonthlyCost } from "./platform.ts";
import type { Design, Workload } from "./workload.ts";

export interface ModelReport {
  generatedAt: string;
  command: string;
  inputs: ModelInputs;
  designs: Design[];
  workloads: Workload[];
  predictions: Prediction[];
  /** For each design, the online users (of the 1M workload's shape) at which each role reaches its limit; null: not below 100M. */
  breakingPoints: { design: string; role: ObjectRole; users: number | null; byRequests: number | null }[];
  /** The newest `load` result, if any: the model against reality. */
  realityCheck: { file: string; generatedAt: string; commit: string; result: LoadResult } | null;
  /** The `cost` scenario's own figure (as measured, pings and the idle users' turning away included). */
  measuredCost: { perUserMonth: MonthlyCost; target: number; atScale?: { users: number; perUserMonth: MonthlyCost; longRun: MonthlyCost; perShardMonth: MonthlyCost } | null } | null;
}

const percent = (share: number) => (share >= 10 ? `${num(share * 100)}%` : share >= 0.01 ? `${num(share * 100, 1)}%` : `${(share * 100).toPrecision(2)}%`);

function objectCell(load: ObjectLoad): string {
  if (load.absent) return load.absent;
  const mark = (share: number, text: string) => (share === load.share ? `**${text}**` : text);
  const parts = [
    `${num(load.requestsPerSecond, load.requestsPerSecond < 10 ? 3 : 0)} req/s = ${mark(load.requestShare, percent(load.requestShare))}`,
    ...(load.outgoingPerSecond > 0 ? [`${num(load.outgoingPerSecond, load.outgoingPerSecond < 10 ? 2 : 0)} RPCs/s out`] : []),
    `CPU ${mark(load.cpuShare, percent(load.cpuShare))}${load.framesPerSecond > 0 ? ` (${num(load.framesPerSecond)} frames/s)` : ""}`,
    ...(load.rowsWrittenPerSecond >= 1 ? [`${num(load.rowsWrittenPerSecond)} rows written/s`] : []),
    ...(load.socketShare >= 0.01 ? [`${num(load.sockets)} sockets = ${mark(load.socketShare, percent(load.socketShare))}`] : []),
    ...(load.sweepShare > 0 ? [`sweep ${mark(load.sweepShare, percent(load.sweepShare))} of SWEEP_MS`] : []),
  ];
  return `${parts.join("; ")}${load.share > 1 ? " ⚠" : ""}`;
}

const at = (users: number | null) => (users === null ? "not below 100M users" : `at ~${num(users)} online users`);

function costCells(cost: MonthlyCost): string[] {
  return [dollars(cost.requests), dollars(cost.rowsWritten), dollars(cost.rowsRead), dollars(cost.duration), `**${dollars(cost.total)}**`];
}

function designSection(report: ModelReport, design: Design): string[] {
  const rows = report.predictions.filter((prediction) => prediction.design.name === design.name);
  const roles = rows[0]?.objects.map((entry) => entry.role) ?? [];
  const breaks = report.breakingPoints.filter((entry) => entry.design === design.name);
  return [
    `### ${design.name}`,
    "",
    "Busiest object of each kind: calls a second into it that run code, as a share of ~1,000 requests/s; the RPCs it makes (a shard's sweep questions and hub batches); its CPU as a share of one thread, at this machine's CPU per call (in or out) and per frame sent to a watcher, plus a hub's measured CPU per change; its sockets as a share of the 10,000 planned per object; a shard's sweep (slices of 5,000, 1 s apart) as a share of SWEEP_MS. The largest share is in bold; ⚠ marks one past its limit.",
    "",
    ...table(
      ["online users", ...roles, "first to break"],
      rows.map((prediction) => [
        num(prediction.workload.onlineUsers),
        ...prediction.objects.map(objectCell),
        `${prediction.busiest.role}: ${percent(prediction.busiest.share)} of its ${prediction.busiest.limitedBy === "cpu" ? "CPU" : prediction.busiest.limitedBy === "sweep" ? "sweep period" : prediction.busiest.limitedBy}`,
      ]),
    ),
    "",
    "Monthly bill at published prices (all objects, pings and watchers included):",
    "",
    ...table(
      ["online users", "requests", "rows written", "rows read", "duration", "total a month", "per user a month", "of which the hub's copy", "of which fixed (shard and org alarms)", "largest line"],
      rows.map((prediction) => [
        num(prediction.workload.onlineUsers),
        ...costCells(prediction.monthly),
        dollars(prediction.perUser.total),
        dollars(prediction.hubPerUser.total),
        dollars(prediction.fixedMonthly.total / prediction.workload.onlineUsers),
        prediction.perUser.dominant,
      ]),
    ),
    "",
    `Without any watcher of \`global\` (no hub) the bill per user would be ${rows.map((prediction) => `${dollars(prediction.perUser.total - prediction.hubPerUser.total)} at ${num(prediction.workload.onlineUsers)}`).join(", ")}. The hub's copy: ${rows[0] ? `${dollars(rows[0].hubPerUser.rowsWritten)} of rows written per user a month` : "–"} (rows written per change per hub × ${num(rows[0]?.workload.changesPerUserHour)} changes an hour × 730 h), per hub.`,
    "",
    `Where each kind reaches its first limit, and its ~1,000 requests/s alone (this workload's shape, users scaled, orgs capped at ${num(rows[0]?.workload.largestOrg)}): ${breaks.map((entry) => `${entry.role} ${at(entry.users)} (requests: ${at(entry.byRequests)})`).join("; ")}.`,
    "",
    `The longest single request, one diff to every watcher of one object: ${rows
      .at(-1)
      ?.objects.filter((entry) => !entry.absent && entry.longestRequestCpuMs > 0)
      .map((entry) => `${entry.role} ${ms(entry.longestRequestCpuMs)} ms`)
      .join(", ") || "none"} of this machine's CPU, against ${num(LIMITS.cpuMsPerRequest / 1000)} s per request.`,
    "",
  ];
}

function inputsSection(inputs: ModelInputs): string[] {
  const scopes = (record: Record<string, number>) =>
    Object.entries(record)
      .filter(([, value]) => value > 0)
      .map(([kind, value]) => `${kind} ${num(value, 2)}`)
      .join(", ") || "none";
  const unit = (label: string, cost: ModelInputs["idle"]) => [
    label,
    `${num(cost.presenceCalls, 2)} (${num(cost.presenceSocketEvents, 2)} socket events)`,
    scopes(cost.roomCalls),
    `${num(cost.rowsWritten.presence, 2)} + ${num(cost.rowsWritten.room, 2)}`,
    `${num(cost.rowsRead.presence, 1)} + ${num(cost.rowsRead.room, 1)}`,
    ms(cost.presenceActiveSeconds * 1000),
    ms(cost.cpuMs),
  ];
  return [
    "## Inputs",
    "",
    `Measured on this machine by the \`cost\` scenario: ${inputs.source.file}, generated ${inputs.source.generatedAt}, src at commit ${inputs.source.commit} (digest ${inputs.source.srcDigest}), ${num(inputs.source.users)} users for ${inputs.source.minutes} min${inputs.source.quick ? " (quick sizes)" : ""}.`,
    "",
    ...table(
      ["per", "PresenceObject calls", "room calls by scope", "rows written (presence + rooms)", "rows read (presence + rooms)", "presence active ms", "workerd CPU ms"],
      [unit("always-online user-hour, idle", inputs.idle), unit("status change", inputs.perChange)],
    ),
    "",
    `- idle = the steady phase as measured, after every user turned away (${num(inputs.idleStatusChangesPerHour, 2)} status changes per user-hour left in it), the \`global\` shards' alarms in it; the model takes a sweep's cost instead: per member asked ${num(inputs.perSweep.requests, 3)} requests, ${num(inputs.perSweep.rowsWritten, 3)} rows written, ${num(inputs.perSweep.rowsRead, 2)} rows read (at SWEEP_MS ${num(inputs.sweepMs / 1000)} s as measured); the rest of an idle user-hour ${num(inputs.idleRest.requests, 3)} requests, ${num(inputs.idleRest.rowsWritten, 3)} rows written; a shard's alarm ${num(inputs.shardAlarm.requests)} request and ${num(inputs.shardAlarm.rowsWritten, 2)} rows written`,
    `- watch hub (the cost run's hub phase, one counts-only watcher of \`global\`): ${inputs.hub ? `${num(inputs.hub.rowsWrittenPerChange, 2)} rows written and ${num(inputs.hub.rowsReadPerChange, 1)} read per change, ${ms(inputs.hub.cpuMsPerChange)} ms of workerd CPU per change (the phase's CPU per change less the org-watched change phase's), ${num(inputs.hub.followRowsWrittenPerMember, 2)} rows written per member on its first copy (a re-follow each lease writes no row for a member it holds)` : "not measured (no hub phase in the cost result)"}`,
    `- auto-responded pings: ${num(inputs.pingsPerDeviceHour)} per device-hour (the SDK's 25 s); billed 20 to a request, never run code`,
    `- active time per call: PresenceObject ${ms(inputs.activeMsPerCall.presence)} ms, room ${ms(inputs.activeMsPerCall.room)} ms (tracing entry: the union of each object's call intervals, workerd's own clock)`,
    `- workerd CPU per call ${ms(inputs.cpuMsPerCall)} ms (the change phase's CPU less its frames to watchers, ÷ its calls; the same for a room's call as a PresenceObject's, so pessimistic for rooms); per frame sent to a watcher ${ms(inputs.cpuMsPerFrame)} ms, from ${inputs.cpuMsPerFrameFrom}`,
    "",
    `Published: ~${num(LIMITS.requestsPerSecond)} requests/s per object (soft), ${num(LIMITS.socketsPerObject)} hibernatable sockets per object (${num(LIMITS.plannedSocketsPerObject)} planned), ${num(LIMITS.cpuMsPerRequest / 1000)} s CPU per request; $${PRICES.perMillionRequests} per million requests (socket messages 20:1, alarms, RPC), $${PRICES.perMillionRowsWritten.toFixed(2)} per million rows written, $${PRICES.perMillionRowsRead} per million rows read, $${PRICES.perMillionGbSeconds} per million GB-s (128 MB per object).`,
    "",
  ];
}

function workloadsSection(workloads: Workload[], designs: Design[]): string[] {
  const first = workloads[0];
  if (!first) return [];
  return [
    "## Workloads and designs",
    "",
    `${workloads.map((workload) => num(workload.onlineUsers)).join(", ")} online users; each with ${first.devicesPerUser} devices, ${first.changesPerUserHour} status changes an hour (turning away and back included), in \`global\` and one org (orgs of 50–5,000 online members: the largest ${num(first.largestOrg)}, the mean ${num(first.meanOrg)})${first.zones ? " and a zone" : ""}; ${first.orgWatchersPerMember} watch socket per user on their org's roster, ${num(first.globalWatchers)} watchers of \`global\`.`,
    "",
    ...designs.map(
      (design) =>
        `- **${design.name}**: \`global\` over ${design.globalShards} room(s), orgs over ${design.orgShards}; ${design.globalShards > 1 ? `watchers of \`global\` on ${design.watchHubs} watch hub(s) of ≤ ${num(design.socketsPerHub)} sockets, each fed by every shard that had a change at most once every ${num(design.hubFeedMs)} ms and re-following every shard each lease` : "watchers on the room itself"}; every \`global\` room asks each member once per ${num(design.sweepMs / 1000)} s (slices of ${num(design.sweepSlice)}, 1 s apart), org rooms ask members unheard for ${num((3 * design.leaseMs) / 60_000)} min every ${num((3 * design.leaseMs) / 60_000)} min; no renewals; diffs coalesced over ${design.coalesceMs} ms`,
    ),
    "",
  ];
}

function realitySection(check: ModelReport["realityCheck"]): string[] {
  if (!check) return ["## Reality check", "", "No `load` result found: run `npm run bench -- --only cost,load`.", ""];
  const { result } = check;
  const labels: Record<string, string> = {
    presencePerSocketUser: "PresenceObject of a socket user (calls/s, mean)",
    presencePerRestUser: "PresenceObject of a REST-only user (calls/s, mean)",
    globalRoom: "busiest `global` shard (calls/s in)",
    globalSweepsPerShard: "sweep RPCs a `global` shard makes (/s, mean)",
    hub: `\`global\`'s watch hub (calls/s in: batches, follows)`,
    largestOrgRoom: `largest org's room, ${num(result.largestOrg)} members (calls/s)`,
    orgFramesPerSecond: `diff frames/s to its ${num(result.watchersOpened)} watchers`,
  };
  const rows = Object.entries(result.measured).map(([key, value]) => {
    const predicted = result.predicted?.[key as keyof typeof result.measured];
    const ratio = result.ratio[key as keyof typeof result.ratio];
    return [labels[key] ?? key, num(predicted, 3), num(value, 3), ratio === null || ratio === undefined ? "–" : `${num(ratio, 2)}×`, ratio === null || ratio === undefined ? "–" : ratio >= 0.5 && ratio <= 2 ? "yes" : "no"];
  });
  return [
    "## Reality check",
    "",
    `${check.file}, generated ${check.generatedAt}, src at ${check.commit}; predicted by this model with inputs from ${result.modelInputs ? `${result.modelInputs.file} (${result.modelInputs.generatedAt})` : "–"}: ${num(result.opened)} users with one device socket (${num(result.largestOrg)} in one org, the rest in orgs of ${num(result.orgSize)}), ${num(result.size.restUsers)} users changing status over REST only, ${num(result.watchersOpened)} watchers of the largest org, ${num(result.globalWatchersOpened ?? 0)} counts-only watchers of \`global\` (on its hub); ${num(result.socketChangesPerUserHour, 1)} changes per socket user-hour and ${num(result.restChangesPerUserHour, 1)} per REST user-hour as sent, over ${num(result.size.seconds)} s; workerd ${num(result.coresBusy, 2)} cores busy.`,
    "",
    ...table(["object", "predicted", "measured", "measured ÷ predicted", "within 2×"], rows),
    "",
  ];
}

export function renderModel(report: ModelReport): string {
  const measured = report.measuredCost;
  return [
    "# Load model",
    "",
    `Generated ${report.generatedAt} by \`${report.command}\`. Figures describe the design as measured: src at commit ${report.inputs.source.commit}; re-run the \`cost\` scenario and this model after a change of design.`,
    "",
    ...(measured
      ? [
          `**Measured cost per always-online user per month** (\`cost\` scenario, as run: 25 s pings and the \`global\` shards' alarms shared by its users included, turning away measured apart): **${dollars(measured.perUserMonth.total)}** against a target of ${dollars(measured.target)} (requests ${dollars(measured.perUserMonth.requests)}, rows written ${dollars(measured.perUserMonth.rowsWritten)}, rows read ${dollars(measured.perUserMonth.rowsRead)}, duration ${dollars(measured.perUserMonth.duration)}; ${measured.perUserMonth.dominant} dominates).${measured.atScale ? ` At ${num(measured.atScale.users)} users (each shard's fixed ${dollars(measured.atScale.perShardMonth.total)} a month spread over them): **${dollars(measured.atScale.perUserMonth.total)}** (requests ${dollars(measured.atScale.perUserMonth.requests)}, rows read ${dollars(measured.atScale.perUserMonth.rowsRead)}), ${measured.atScale.perUserMonth.total <= measured.target ? "within" : "over"} the target; ${dollars(measured.atScale.longRun.total)} in the long run (org and zone rooms asking a member unheard for 30 min).` : ""}`,
          "",
        ]
      : []),
    ...inputsSection(report.inputs),
    ...workloadsSection(report.workloads, report.designs),
    "## Busiest objects and the bill",
    "",
    ...report.designs.flatMap((design) => designSection(report, design)),
    ...realitySection(report.realityCheck),
    `Target: ${dollars(TARGET_DOLLARS_PER_USER_MONTH)} per always-online user per month, all charges in.`,
    "",
  ].join("\n");
}
