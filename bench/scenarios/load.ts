/**
 * The load model against reality: as many users as this machine holds push status changes through
 * their PresenceObjects while members of the largest org watch its roster, and the calls into each
 * object are counted by name (the tracing entry, server/objectCalls.ts) over a measured window.
 * The same workload, as run (changes actually sent), goes through the model (model/model.ts) with
 * inputs from a `cost` result, and each per-object figure is compared: measured ÷ predicted.
 *
 * Socket users hold one device each (pinging every 25 s) and change status by frames; users in
 * orgs: one large org and many of `orgSize`. Bare workerd keeps about 2 file descriptors per socket
 * (5 while its object is awake, its SQLite files open), so the 20,000 descriptors of `ulimit -n` hold
 * about 6,000 sockets with connects paced; the rest of the users change status over REST
 * (`PUT /v1/presence/me`), which reaches their PresenceObjects but, as they have no device, no room.
 * A few counts-only watchers of `global` make its watch hub exist (aa9ab76: a sharded scope is
 * watched through hubs fed by every shard once a second), so the hub is measured too. The window
 * starts once every device has connected and OFFLINE_AFTER_MS passed; it is best a whole number of
 * sweep periods (SWEEP_MS, 2 min: each `global` shard asks each member once a period), 240 s by
 * default.
 */
import { nowMs, sleep } from "../clock.ts";
import { mergeOpenReports, mergeTraffic } from "../clients/pool.ts";
import type { OpenReport, RestChangesReport, TrafficReport } from "../clients/messages.ts";
import type { ModelInputs } from "../model/inputs.ts";
import { predict, runFigures, type RunFigures } from "../model/model.ts";
import { objectKind } from "../model/platform.ts";
import { DEFAULT_DESIGN, type Design, type Workload } from "../model/workload.ts";
import type { ObjectLoad } from "../server/objectCalls.ts";
import type { BenchServer } from "../server/server.ts";
import { round, roundSummary, summarize, type Summary } from "../stats.ts";
import { token } from "../tokens.ts";
import { KEEPALIVE_MS, SERVER_VARS, withServer, type BenchContext } from "./context.ts";
import { markUsage, usageBetween, type Usage } from "./usage.ts";

const LARGE_ORG = "big";
const MIN_CHANGE_GAP_MS = 1_100;
const WINDOW_MS = 10_000;
/** Counts-only watchers of `global` (through its hub). */
const GLOBAL_WATCHERS = 10;

/** One measured object: calls a second over the window, the busiest 10 s, and what it ran. */
export interface MeasuredObject {
  object: string;
  perSecond: number;
  peakPerSecond: number;
  calls: Record<string, number>;
  /** Calls a second per 10 s of the window. */
  series: number[];
}

export interface LoadResult {
  scenario: "load";
  size: { devices: number; restUsers: number; watchers: number; changesPerUserHour: number; seconds: number };
  opened: number;
  failed: number;
  connectErrors: Record<string, number>;
  connectSeconds: number;
  watchersOpened: number;
  /** Counts-only watchers of `global` opened (on its hub). */
  globalWatchersOpened: number;
  largestOrg: number;
  orgSize: number;
  /** What was sent in the window: status frames from devices, PUTs over REST, and how the PUTs were answered. */
  statusFrames: number;
  restChanges: number;
  restAnswers: Record<string, number>;
  restLatency: Summary;
  /** Changes per user-hour as actually sent (the workload the model is given). */
  socketChangesPerUserHour: number;
  restChangesPerUserHour: number;
  /** workerd's CPU over the window per second (1 = one core busy); its JavaScript runs on one thread. */
  coresBusy: number;
  /** The most file descriptors workerd held (sampled every 2 s), against the process's limit. */
  peakOpenFiles: number;
  usage: Usage;
  traffic: TrafficReport;
  /** The objects of each kind: how many ran anything, mean calls a second per object (over all of the kind's users for PresenceObjects), the busiest. */
  kinds: Record<string, { objects: number; meanPerSecond: number; busiest: MeasuredObject | null }>;
  globalShards: number;
  measured: RunFigures;
  /** The model's figures for this workload, with inputs from `modelInputs`; null when no cost result was found. */
  predicted: RunFigures | null;
  ratio: Partial<Record<keyof RunFigures, number | null>>;
  modelInputs: ModelInputs["source"] | null;
  design: Design | null;
  workload: Workload | null;
}

async function openPaced(context: BenchContext, urls: string[], perSecond: number): Promise<{ report: OpenReport; lastAt: number }> {
  const { pool } = context;
  const started = nowMs();
  const opening: Promise<OpenReport>[] = [];
  for (let batch = 0; batch * perSecond < urls.length; batch++) {
    const wait = started + batch * 1000 - nowMs();
    if (wait > 0) await sleep(wait);
    const part = urls.slice(batch * perSecond, (batch + 1) * perSecond);
    opening.push(...pool.split(part).map((slice, index) => pool.load[index]!.call({ op: "openDevices", urls: slice, concurrency: 50, timeoutMs: 60_000, keepaliveMs: KEEPALIVE_MS }, 180_000)));
    if (batch % 10 === 9) context.log(`    ${Math.min(urls.length, (batch + 1) * perSecond)} of ${urls.length} devices asked to connect`);
  }
  const report = mergeOpenReports(await Promise.all(opening));
  return { report, lastAt: nowMs() };
}

function measuredObject(server: BenchServer, load: ObjectLoad, from: number, to: number): MeasuredObject {
  const seconds = (to - from) / 1000;
  return {
    object: load.object,
    perSecond: round(load.total / seconds, 3),
    peakPerSecond: round(server.calls.peakRate(load.object, from, to, WINDOW_MS), 2),
    calls: load.calls,
    series: server.calls.series(load.object, from, to, WINDOW_MS).map((rate) => round(rate, 2)),
  };
}

function ratioOf(measured: number, predicted: number): number | null {
  return predicted > 0 && Number.isFinite(measured) ? round(measured / predicted, 2) : null;
}

export async function runLoad(context: BenchContext, inputs: ModelInputs | null): Promise<LoadResult> {
  const { secret, options, pool } = context;
  const { devices, restUsers, watchers, changesPerUserHour, seconds, connectPerSecond, orgSize } = options.load;
  if (options.runtime !== "workerd") throw new Error("load: needs --runtime workerd (objects are told apart by the tracing entry)");
  const largestOrg = Math.max(watchers, Math.round(devices * 0.4));
  const orgOf = (index: number) => (index < largestOrg ? LARGE_ORG : `small-${Math.floor((index - largestOrg) / orgSize)}`);
  context.log(`    signing ${devices + restUsers} tokens`);
  const deviceTokens = await Promise.all(Array.from({ length: devices }, (_, index) => token(secret, { sub: `load-${index}`, org: orgOf(index) })));
  const restTokens = await Promise.all(Array.from({ length: restUsers }, (_, index) => token(secret, { sub: `rest-${index}`, org: `rest-${Math.floor(index / orgSize)}` })));

  return withServer(
    context,
    "load",
    async (server) => {
      let peakOpenFiles = 0;
      const sampler = setInterval(() => (peakOpenFiles = Math.max(peakOpenFiles, server.openFiles())), 2_000);
      try {
        const watchUrls = deviceTokens.slice(0, watchers).map((jwt) => `${server.wsUrl}/v1/scopes/${encodeURIComponent(`org:${LARGE_ORG}`)}/watch?token=${jwt}`);
        const watching = mergeOpenReports(
          await Promise.all(pool.split(watchUrls).map((part, index) => pool.load[index]!.call({ op: "openWatchers", urls: part, concurrency: 50, timeoutMs: 30_000, keepaliveMs: KEEPALIVE_MS }, 120_000))),
        );
        const globalUrls = deviceTokens.slice(0, GLOBAL_WATCHERS).map((jwt) => `${server.wsUrl}/v1/scopes/global/watch?members=false&token=${jwt}`);
        const globalWatching = mergeOpenReports([await pool.control.call({ op: "openWatchers", urls: globalUrls, concurrency: 10, timeoutMs: 30_000, keepaliveMs: KEEPALIVE_MS }, 60_000)]);
        if (globalWatching.failed > 0) context.warnings.push(`load: ${globalWatching.failed} of ${GLOBAL_WATCHERS} watchers of global failed (${JSON.stringify(globalWatching.errors)})`);
        const connectStarted = nowMs();
        const urls = deviceTokens.map((jwt, index) => `${server.wsUrl}/v1/connect?token=${jwt}&device=load-${index}&type=web`);
        const { report: opened, lastAt } = await openPaced(context, urls, connectPerSecond);
        const connectSeconds = (lastAt - connectStarted) / 1000;
        context.log(`    ${opened.opened}/${devices} devices and ${watching.opened}/${watchers} watchers open in ${connectSeconds.toFixed(0)} s${opened.failed ? ` (${JSON.stringify(opened.errors)})` : ""}`);
        if (opened.opened === 0) throw new Error(`no device connected (${JSON.stringify(opened.errors)})`);
        if (opened.failed > 0) context.warnings.push(`load: ${opened.failed} of ${devices} devices failed to connect (${JSON.stringify(opened.errors)})`);

        // OFFLINE_AFTER_MS after the last connect before the window opens (joins done, every shard's sweep in its rhythm).
        const warm = lastAt + Number(SERVER_VARS.OFFLINE_AFTER_MS) + 5_000 - nowMs();
        context.log(`    waiting ${(warm / 1000).toFixed(0)} s (OFFLINE_AFTER_MS after the last connect)`);
        if (warm > 0) await sleep(warm);

        await Promise.all(pool.all.map((thread) => thread.call({ op: "traffic", reset: true }, 10_000)));
        const before = markUsage(server, nowMs());
        const perUser = (changesPerUserHour * seconds) / 3600;
        const spreadMs = seconds * 1000 - 2_000;
        const framing = Promise.all(
          pool.load.map((thread) => thread.call({ op: "statusChanges", perDevice: perUser, spreadMs, minGapMs: MIN_CHANGE_GAP_MS, prefix: "load " }, seconds * 1000 + 60_000)),
        );
        const putting: Promise<RestChangesReport> =
          restUsers > 0
            ? pool.control.call({ op: "restChanges", httpUrl: server.httpUrl, tokens: restTokens, perUser, spreadMs, concurrency: 32, prefix: "rest " }, seconds * 1000 + 120_000)
            : Promise.resolve({ sent: 0, answers: {}, latencyMs: [] });
        context.log(`    window of ${seconds} s: ${(perUser * opened.opened).toFixed(0)} status frames and ${(perUser * restUsers).toFixed(0)} PUTs planned`);
        const windowEnd = before.at + seconds * 1000;
        const [frames, puts] = await Promise.all([framing, putting, sleep(Math.max(0, windowEnd - nowMs()))]);
        const after = markUsage(server, Math.max(nowMs(), windowEnd));
        // The org's watchers are on the load threads, global's on the control thread: their diffs apart.
        const loadTraffic = mergeTraffic(await Promise.all(pool.load.map((thread) => thread.call({ op: "traffic", reset: true }, 10_000))));
        const controlTraffic = await pool.control.call({ op: "traffic", reset: true }, 10_000);
        const traffic = mergeTraffic([loadTraffic, controlTraffic]);
        const windowSeconds = (after.at - before.at) / 1000;
        const usage = usageBetween(server.calls, before, after, traffic.devicePings + traffic.watcherPings);
        const coresBusy = round(usage.cpuMs / 1000 / windowSeconds, 2);
        if (coresBusy > 0.9) context.warnings.push(`load: workerd was busy ${coresBusy} cores over the window: the machine, not the objects, may cap what was measured`);

        const loads = server.calls.delta(before.calls, after.calls);
        const groups: Record<string, ObjectLoad[]> = {};
        // With `global` sharded, the object named "global" is no shard: it keeps the device tally (src/presence/connections.ts).
        const groupsSharded = loads.some((load) => load.name.startsWith("global#") && !load.name.includes("#hub"));
        for (const load of loads) {
          const kind = objectKind(load.className, load.name);
          const group =
            kind === "presence"
              ? load.name.startsWith("rest-")
                ? "presence (REST users)"
                : "presence (socket users)"
              : load.name === "global" && kind === "global" && groupsSharded
                ? "device tally (global)"
                : load.name === `org:${LARGE_ORG}`
                ? "largest org room"
                : load.name.includes("#hub")
                  ? `${kind} hub`
                  : `${kind} room`;
          (groups[group] ??= []).push(load);
        }
        const population: Record<string, number> = { "presence (socket users)": opened.opened, "presence (REST users)": restUsers };
        const kinds: LoadResult["kinds"] = {};
        for (const [group, members] of Object.entries(groups)) {
          const total = members.reduce((sum, load) => sum + load.total, 0);
          const busiest = members.reduce<ObjectLoad | undefined>((top, load) => (top === undefined || load.total > top.total ? load : top), undefined);
          kinds[group] = {
            objects: members.length,
            meanPerSecond: round(total / Math.max(1, population[group] ?? members.length) / windowSeconds, 4),
            busiest: busiest ? measuredObject(server, busiest, before.at, after.at) : null,
          };
        }
        const globalShards = groups["global room"]?.length ?? 0;
        const sentFrames = frames.reduce((sum, report) => sum + report.sent, 0);
        const socketRate = (sentFrames / Math.max(1, opened.opened) / windowSeconds) * 3600;
        // The PUTs that reached their object (answered 200), not those sent: a refused or failed one (out of file descriptors) reaches none.
        const restRate = ((puts.answers["200"] ?? 0) / Math.max(1, restUsers) / windowSeconds) * 3600;
        const measured: RunFigures = {
          presencePerSocketUser: kinds["presence (socket users)"]?.meanPerSecond ?? 0,
          presencePerRestUser: kinds["presence (REST users)"]?.meanPerSecond ?? 0,
          globalRoom: kinds["global room"]?.busiest?.perSecond ?? 0,
          globalSweepsPerShard: round((usage.calls["presence.sweep"] ?? 0) / Math.max(1, globalShards) / windowSeconds, 3),
          hub: kinds["global hub"]?.busiest?.perSecond ?? 0,
          largestOrgRoom: kinds["largest org room"]?.busiest?.perSecond ?? 0,
          orgFramesPerSecond: round((loadTraffic.watchFrames.diff ?? 0) / windowSeconds, 2),
        };

        let predicted: RunFigures | null = null;
        let design: Design | null = null;
        let workload: Workload | null = null;
        if (inputs) {
          design = { ...DEFAULT_DESIGN, name: `as run: global over ${Math.max(1, globalShards)} room(s)`, globalShards: Math.max(1, globalShards) };
          workload = {
            name: "this run",
            onlineUsers: opened.opened,
            devicesPerUser: 1,
            changesPerUserHour: socketRate,
            largestOrg,
            meanOrg: orgSize,
            zones: false,
            orgWatchersPerMember: watching.opened / largestOrg,
            globalWatchers: globalWatching.opened,
            deviceReconnectsPerHour: 0,
            restUsers,
            restChangesPerUserHour: restRate,
          };
          predicted = runFigures(predict(inputs, design, workload));
        } else context.warnings.push("load: no cost result found for the model's inputs (run --only cost,load, or keep bench/results/cost/latest.json); no prediction");
        const ratio: LoadResult["ratio"] = {};
        if (predicted) for (const key of Object.keys(measured) as (keyof RunFigures)[]) ratio[key] = ratioOf(measured[key], predicted[key]);
        context.log(`    workerd ${coresBusy} cores busy; measured ${JSON.stringify(measured)}${predicted ? `; ratio measured ÷ predicted ${JSON.stringify(ratio)}` : ""}`);

        return {
          scenario: "load",
          size: { devices, restUsers, watchers, changesPerUserHour, seconds },
          opened: opened.opened,
          failed: opened.failed,
          connectErrors: opened.errors,
          connectSeconds: round(connectSeconds, 1),
          watchersOpened: watching.opened,
          globalWatchersOpened: globalWatching.opened,
          largestOrg,
          orgSize,
          statusFrames: sentFrames,
          restChanges: puts.sent,
          restAnswers: puts.answers,
          restLatency: roundSummary(summarize(puts.latencyMs)),
          socketChangesPerUserHour: round(socketRate, 2),
          restChangesPerUserHour: round(restRate, 2),
          coresBusy,
          usage,
          traffic,
          kinds,
          globalShards,
          measured,
          predicted,
          ratio,
          modelInputs: inputs?.source ?? null,
          design,
          workload,
          peakOpenFiles,
        } satisfies LoadResult;
      } finally {
        clearInterval(sampler);
      }
    },
    { traceObjects: true },
  );
}
