/**
 * Cost of always-online users: U users of one org and one zone, each with one device socket that
 * pings every 25 s as the SDK does, on a server at its default timers. Connects are spread over a
 * few seconds (users do not all arrive in one millisecond), their roster joins go quiet, then a
 * steady phase of T minutes with no status change sent: users sit idle (they turn away after
 * AWAY_AFTER_MS, which is part of the bill and reported as the status changes seen).
 *
 * Per always-online user-hour: object calls by kind and entry point, billed requests (every RPC,
 * fetch and alarm 1; frames that woke an object and the auto-responded pings the clients sent,
 * 20 to one), SQL rows written and read, and active time; then dollars per user-month at published
 * prices (model/platform.ts), against the issue's target.
 *
 * Afterwards, for the load model: a change phase (each user sends one status frame, spread over a
 * few seconds, while a few members watch the org's roster) gives what one status change costs, the
 * steady phase's background taken out.
 */
import { nowMs, sleep } from "../clock.ts";
import { mergeOpenReports, mergeTraffic } from "../clients/pool.ts";
import type { OpenReport, TrafficReport } from "../clients/messages.ts";
import { monthlyCost, objectKind, TARGET_DOLLARS_PER_USER_MONTH, type MonthlyCost } from "../model/platform.ts";
import { wakeDelta, type WakeCounts } from "../server/wakes.ts";
import { parseToml } from "../server/toml.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ObjectLoad } from "../server/objectCalls.ts";
import { round } from "../stats.ts";
import { token } from "../tokens.ts";
import { KEEPALIVE_MS, SERVER_VARS, withServer, type BenchContext } from "./context.ts";
import type { CostResult, CostSplit } from "./results.ts";
import { idleCpuPerSecond, lessIdleCpu, markUsage, minusBackground, scaleUsage, usageBetween, type Usage } from "./usage.ts";

const ORG = "cost";
const ZONE = "cost-zone";
/** wrangler.toml's JOIN_PUSH_DELAY_MS: a user joins rosters this long after their hello. */
const JOIN_PUSH_DELAY_MS = 1_000;
/** Status frames of one user at least this far apart (one push a second per user and room). */
const MIN_CHANGE_GAP_MS = 1_100;
const MINUTE_MS = 60_000;
/** How long after the last connect's AWAY_AFTER_MS the steady phase waits for every user to have turned away. */
const AWAY_MARGIN_MS = 20_000;
/** A month of hours, as model/platform.ts bills. */
const HOURS_PER_MONTH = 730;
/** What the cost per user is given at besides the run's own size. */
const AT_USERS = 1_000_000;
/** wrangler.toml's default `global` shards (SCOPE_SHARDS global=64), for the cost at AT_USERS. */
const DEFAULT_GLOBAL_SHARDS = 64;
/** Sweep periods the trade-off table is computed for, seconds. */
const SWEEP_PERIODS_S = [60, 120, 150, 180];

/** Opens `urls` as devices in batches, one batch a second over `spreadMs`, on the load threads. */
async function openSpread(context: BenchContext, urls: string[], spreadMs: number, keepaliveMs: number): Promise<OpenReport> {
  const { pool } = context;
  const batches = Math.max(1, Math.round(spreadMs / 1000));
  const size = Math.ceil(urls.length / batches);
  const started = nowMs();
  const opening: Promise<OpenReport>[] = [];
  for (let batch = 0; batch * size < urls.length; batch++) {
    const wait = started + batch * 1000 - nowMs();
    if (wait > 0) await sleep(wait);
    const part = urls.slice(batch * size, (batch + 1) * size);
    opening.push(
      ...pool.split(part).map((slice, index) => pool.load[index]!.call({ op: "openDevices", urls: slice, concurrency: 50, timeoutMs: 30_000, keepaliveMs }, 120_000)),
    );
  }
  return mergeOpenReports(await Promise.all(opening));
}

async function traffic(context: BenchContext, reset: boolean): Promise<TrafficReport> {
  return mergeTraffic(await Promise.all(context.pool.all.map((thread) => thread.call({ op: "traffic", reset }, 10_000))));
}

/** Mean active time per call of each object kind (tracing only), ms. */
function activeMsPerCall(usage: Usage): Record<string, number> {
  return Object.fromEntries(Object.entries(usage.activeSeconds).map(([kind, seconds]) => [kind, round((seconds * 1000) / Math.max(1, usage.callsByKind[kind] ?? 0), 2)]));
}


/** wrangler.toml's [vars] of the worker the run bundled (the timers the server ran with, SERVER_VARS apart). */
function workerVars(dir: string): Record<string, string> {
  try {
    const tables = parseToml(readFileSync(join(dir, "wrangler.toml"), "utf8"));
    const vars: Record<string, string> = {};
    for (const table of tables.filter((t) => t.name === "vars")) for (const [key, value] of Object.entries(table.keys)) if (typeof value === "string") vars[key] = value;
    return { ...vars, ...SERVER_VARS };
  } catch {
    return { ...SERVER_VARS };
  }
}

/** The wake lines' sums by "<object>.<event>.<field>" between two marks. */
function eventCosts(before: { costsByEvent: WakeCounts }, after: { costsByEvent: WakeCounts }): WakeCounts {
  return wakeDelta(before.costsByEvent, after.costsByEvent);
}

/** Dollars a month for usage per hour. */
function dollarsOf(perHour: { requests: number; rowsWritten: number; rowsRead: number; activeSeconds: number }): MonthlyCost {
  return monthlyCost(perHour);
}

const sum = (record: Record<string, number>) => Object.values(record).reduce((total, value) => total + value, 0);
const r = (value: number, digits = 4) => round(value, digits);

/**
 * The steady phase split: the `global` shards' own alarms (fixed per shard) apart from what scales
 * with users (sweep RPCs, pings, org and zone asks), per user-hour, and the cost per user both at
 * this run's size and at AT_USERS.
 */
function splitSteady(steady: Usage, loads: ObjectLoad[], events: WakeCounts, users: number, sweepMs: number, leaseMs: number): CostSplit {
  const hours = steady.seconds / 3600;
  const userHours = users * hours;
  const globalShards = loads.filter((load) => objectKind(load.className, load.name) === "global" && !load.name.includes("#hub"));
  const shardAlarms = globalShards.reduce((total, load) => total + (load.calls.alarm ?? 0), 0);
  const shardsAlarmed = globalShards.filter((load) => (load.calls.alarm ?? 0) > 0).length;
  const roomAlarms = loads.filter((load) => load.className === "RoomObject").reduce((total, load) => total + (load.calls.alarm ?? 0), 0);
  const roomAlarmRowsWritten = events["room.alarm.rowsWritten"] ?? 0;
  const roomAlarmRowsRead = events["room.alarm.rowsRead"] ?? 0;
  // A room's wake line comes at the start of its call, so what the call writes shows on the object's next line, and is lost when the
  // object is evicted before one: an idle shard's alarm (its setAlarm for the next sweep, one row written) never shows. Each shard
  // alarm sets the next (src/storage/alarm.ts OneAlarm.set): at least one row written each.
  const rowsWrittenPerAlarm = Math.max(1, roomAlarms > 0 ? roomAlarmRowsWritten / roomAlarms : 0);
  const shardActiveSeconds = globalShards.reduce((total, load) => total + load.activeMs / 1000, 0);
  // Fixed per shard-hour: its alarms and the rows they write (the setAlarm); rows read by a sweep grow with its members, so stay per user.
  const perShardHour = {
    alarms: shardsAlarmed > 0 ? shardAlarms / shardsAlarmed / hours : 0,
    requests: shardsAlarmed > 0 ? shardAlarms / shardsAlarmed / hours : 0,
    rowsWritten: shardsAlarmed > 0 ? (shardAlarms * rowsWrittenPerAlarm) / shardsAlarmed / hours : 0,
    rowsRead: 0,
    activeSeconds: shardsAlarmed > 0 ? shardActiveSeconds / shardsAlarmed / hours : 0,
  };
  const perShardMonth = dollarsOf(perShardHour);
  const fixedPerHour = { requests: perShardHour.requests * shardsAlarmed, rowsWritten: perShardHour.rowsWritten * shardsAlarmed, activeSeconds: perShardHour.activeSeconds * shardsAlarmed };
  const allActive = sum(steady.activeSeconds);
  const perUserHour = {
    requests: (steady.billedRequests - fixedPerHour.requests * hours) / userHours,
    // Only the shard alarms' rows a wake line showed are in the total: take those out, not the unseen ones added to the fixed part.
    rowsWritten: Math.max(0, (steady.rowsWritten.total ?? 0) - Math.min(fixedPerHour.rowsWritten * hours, roomAlarmRowsWritten)) / userHours,
    rowsRead: (steady.rowsRead.total ?? 0) / userHours,
    activeSeconds: (allActive - fixedPerHour.activeSeconds * hours) / userHours,
  };
  const sweepRpcs = (steady.calls["presence.sweep"] ?? 0) / userHours;
  const sweepsPerUserHour = 3600_000 / sweepMs;
  // One sweep of one member: the RPC into its object, and what it read and wrote on either side (the shard's rows read included).
  const perSweep = {
    requests: sweepRpcs > 0 ? sweepRpcs / sweepsPerUserHour : 0,
    rowsWritten: ((events["presence.sweep.rowsWritten"] ?? 0) / userHours) / sweepsPerUserHour,
    rowsRead: (((events["presence.sweep.rowsRead"] ?? 0) + roomAlarmRowsRead) / userHours) / sweepsPerUserHour,
    activeSeconds: ((steady.activeSeconds.presence ?? 0) / userHours) / sweepsPerUserHour,
  };
  const pingsPerHour = steady.pings / userHours;
  // What is neither a sweep nor a ping (pushes, token alarms, org/zone asks in the window), per user-hour.
  const rest = {
    requests: Math.max(0, perUserHour.requests - sweepRpcs - pingsPerHour / 20),
    rowsWritten: Math.max(0, perUserHour.rowsWritten - perSweep.rowsWritten * sweepsPerUserHour),
    rowsRead: Math.max(0, perUserHour.rowsRead - perSweep.rowsRead * sweepsPerUserHour),
    activeSeconds: Math.max(0, perUserHour.activeSeconds - perSweep.activeSeconds * sweepsPerUserHour),
  };
  // Org and zone rooms ask members unheard for three leases, every three leases (src/rooms/room.ts sweepEveryMs since cde82aa): an
  // always-online idle user is asked by each twice an hour at the default LEASE_MS, from 3 × LEASE_MS after their last change on
  // (later than this run's window: added at a sweep's measured cost).
  const otherScopes = 2;
  const asksPerHour = (otherScopes * 3600_000) / (3 * leaseMs);
  const longRunExtra = { requests: asksPerHour * perSweep.requests, rowsWritten: asksPerHour * perSweep.rowsWritten, rowsRead: asksPerHour * perSweep.rowsRead, activeSeconds: asksPerHour * perSweep.activeSeconds };
  const plus = (a: typeof perUserHour, b: typeof perUserHour, factor = 1) => ({
    requests: a.requests + b.requests * factor,
    rowsWritten: a.rowsWritten + b.rowsWritten * factor,
    rowsRead: a.rowsRead + b.rowsRead * factor,
    activeSeconds: a.activeSeconds + b.activeSeconds * factor,
  });
  const fixedAt = (shards: number, atUsers: number) => ({ requests: (perShardHour.requests * shards) / atUsers, rowsWritten: (perShardHour.rowsWritten * shards) / atUsers, rowsRead: 0, activeSeconds: (perShardHour.activeSeconds * shards) / atUsers });
  const atMillion = plus(perUserHour, fixedAt(DEFAULT_GLOBAL_SHARDS, AT_USERS));
  const atMillionLongRun = plus(atMillion, longRunExtra);
  const sweepTable = SWEEP_PERIODS_S.map((seconds) => {
    const sweeps = 3600 / seconds;
    const base = plus(plus(rest, { requests: pingsPerHour / 20, rowsWritten: 0, rowsRead: 0, activeSeconds: 0 }), perSweep, sweeps);
    const fixed = fixedAt(DEFAULT_GLOBAL_SHARDS, AT_USERS);
    const scaled = { requests: fixed.requests * (sweepMs / 1000 / seconds), rowsWritten: fixed.rowsWritten * (sweepMs / 1000 / seconds), rowsRead: 0, activeSeconds: fixed.activeSeconds * (sweepMs / 1000 / seconds) };
    const atScale = plus(base, scaled);
    const offlineS = 60;
    return {
      sweepSeconds: seconds,
      requestsPerUserHour: r(atScale.requests, 2),
      perUserMonth: r(dollarsOf(atScale).total, 5),
      perUserMonthLongRun: r(dollarsOf(plus(atScale, longRunExtra)).total, 5),
      floor: r(((3600 / seconds + pingsPerHour / 20) * HOURS_PER_MONTH * 0.15) / 1e6, 5),
      halfOpenWithinS: [offlineS, offlineS + seconds] as [number, number],
      halfOpenMeanS: offlineS + seconds / 2,
    };
  });
  const round4 = (v: typeof perUserHour) => ({ requests: r(v.requests), rowsWritten: r(v.rowsWritten), rowsRead: r(v.rowsRead, 2), activeSeconds: r(v.activeSeconds, 6) });
  return {
    shards: { alarmed: shardsAlarmed, alarms: shardAlarms, perShardHour: { ...round4(perShardHour), alarms: r(perShardHour.alarms, 2) }, rowsWrittenPerAlarm: r(rowsWrittenPerAlarm, 2), perShardMonth, roomAlarms },
    perUserHour: round4(perUserHour),
    perUserMonth: dollarsOf(perUserHour),
    sweepRpcsPerUserHour: r(sweepRpcs),
    pingsPerUserHour: r(pingsPerHour, 2),
    perSweep: round4(perSweep),
    rest: round4(rest),
    longRunExtraPerUserHour: round4(longRunExtra),
    atUsers: AT_USERS,
    atShards: DEFAULT_GLOBAL_SHARDS,
    atScalePerUserMonth: dollarsOf(atMillion),
    atScaleLongRunPerUserMonth: dollarsOf(atMillionLongRun),
    sweepTable,
  };
}

export async function runCost(context: BenchContext): Promise<CostResult> {
  const { secret, options } = context;
  const { users, minutes, connectSpreadSeconds, watchers, changeSpreadSeconds } = options.cost;
  const tokens = await Promise.all(Array.from({ length: users }, (_, index) => token(secret, { sub: `cost-${index}`, org: ORG, zone: ZONE, name: `Cost User ${index}` })));
  const traceObjects = options.runtime === "workerd";
  const vars = workerVars(context.worker.dir);
  if (!traceObjects) context.warnings.push("cost: under wrangler dev, calls are counted from wake lines (RPCs that log none, such as `admit`, are missing) and active time is not measured");
  return withServer(
    context,
    "cost",
    async (server) => {
      const urls = tokens.map((jwt, index) => `${server.wsUrl}/v1/connect?token=${jwt}&device=cost-${index}&type=web`);
      // workerd's own idle CPU, taken out of every phase's: at a few hundred users it is a good part of the total.
      const idleCpu = await idleCpuPerSecond(server, 5_000);

      // Connect, spread over a few seconds; joins go out JOIN_PUSH_DELAY_MS after each hello.
      const connectMark = markUsage(server, nowMs());
      const opened = await openSpread(context, urls, connectSpreadSeconds * 1000, KEEPALIVE_MS);
      if (opened.opened === 0) throw new Error(`no device connected (${JSON.stringify(opened.errors)})`);
      if (opened.failed > 0) context.warnings.push(`cost: ${opened.failed} of ${users} devices failed to connect (${JSON.stringify(opened.errors)})`);
      await sleep(JOIN_PUSH_DELAY_MS);
      const quiet = await server.wakes.waitQuiet(1_500, 30_000);
      if (!quiet) context.warnings.push("cost: wake lines did not go quiet after the joins; the steady phase starts anyway");
      const connectPings = (await traffic(context, true)).devicePings;
      const connect = lessIdleCpu(usageBetween(server.calls, connectMark, markUsage(server, nowMs()), connectPings), idleCpu);
      context.log(`    ${opened.opened}/${users} devices connected over ${connectSpreadSeconds} s; steady phase of ${minutes} min`);

      // Every user turns away AWAY_AFTER_MS after their connect: a status change of its own, measured apart, before the steady phase.
      const awayMark = markUsage(server, nowMs());
      const awayAfterMs = Number(SERVER_VARS.AWAY_AFTER_MS);
      const awayBy = connectMark.at + connectSpreadSeconds * 1000 + awayAfterMs + AWAY_MARGIN_MS;
      context.log(`    waiting ${((awayBy - nowMs()) / 1000).toFixed(0)} s for every user to turn away (AWAY_AFTER_MS ${awayAfterMs / 1000} s after their connect)`);
      let awaySeen = 0;
      for (let waited = 0; ; waited++) {
        const left = awayBy - nowMs();
        const seen = (await traffic(context, false)).deviceFrames;
        awaySeen = Object.entries(seen).filter(([type]) => type.startsWith("presence ")).reduce((total, [, count]) => total + count, 0);
        if (left <= 0 && (awaySeen >= opened.opened || waited > 400)) break;
        await sleep(Math.min(Math.max(left, 1_000), 15_000));
      }
      if (awaySeen < opened.opened) context.warnings.push(`cost: ${awaySeen} of ${opened.opened} users were seen turning away before the steady phase`);
      await server.wakes.waitQuiet(1_500, 30_000);
      const awayEnd = markUsage(server, nowMs());
      const awayTraffic = await traffic(context, true);
      const awayRaw = lessIdleCpu(usageBetween(server.calls, awayMark, awayEnd, awayTraffic.devicePings), idleCpu);
      const awayChangesSeen = Object.fromEntries(Object.entries(awayTraffic.deviceFrames).filter(([type]) => type.startsWith("presence ")));
      context.log(`    ${awaySeen} status changes seen (${JSON.stringify(awayChangesSeen)}); steady phase of ${minutes} min`);

      // Steady: nothing sent but the pings; every user away already.
      const steadyMark = markUsage(server, nowMs());
      for (let minute = 1; minute <= minutes; minute++) {
        await sleep(MINUTE_MS);
        const wakes = Object.values(server.wakes.snapshot()).reduce((sum, value) => sum + value, 0);
        context.log(`    minute ${minute}/${minutes}: ${wakes} wake lines so far`);
      }
      const steadyEnd = markUsage(server, nowMs());
      const steadyTraffic = await traffic(context, true);
      const steady = lessIdleCpu(usageBetween(server.calls, steadyMark, steadyEnd, steadyTraffic.devicePings), idleCpu);
      const userHours = (opened.opened * steady.seconds) / 3600;
      const perUserHour = scaleUsage(steady, 1 / userHours);
      const steadyEvents = eventCosts(steadyMark, steadyEnd);
      const sweepMs = Number(vars.SWEEP_MS ?? 120_000);
      const leaseMs = Number(vars.LEASE_MS ?? 600_000);
      const split = splitSteady(steady, server.calls.delta(steadyMark.calls, steadyEnd.calls), steadyEvents, opened.opened, sweepMs, leaseMs);
      // The shards' setAlarm rows no wake line showed (see splitSteady), added to the bill.
      const unseenRows = Math.max(0, split.shards.alarms * split.shards.rowsWrittenPerAlarm - (steadyEvents["room.alarm.rowsWritten"] ?? 0)) / userHours;
      const cost = monthlyCost({
        requests: perUserHour.billedRequests,
        rowsWritten: (perUserHour.rowsWritten.total ?? 0) + unseenRows,
        rowsRead: perUserHour.rowsRead.total ?? 0,
        activeSeconds: Object.values(perUserHour.activeSeconds).reduce((sum, value) => sum + value, 0),
      });
      const statusChangesSeen = Object.fromEntries(Object.entries(steadyTraffic.deviceFrames).filter(([type]) => type.startsWith("presence ")));
      const away = minusBackground(awayRaw, steady, awayRaw.seconds / steady.seconds);
      context.log(
        `    per user-hour: ${perUserHour.billedRequests.toFixed(1)} billed requests, ${(perUserHour.rowsWritten.total ?? 0).toFixed(1)} rows written; $${cost.total.toFixed(5)} per user-month as measured (${cost.dominant} dominates); at 1M users $${split.atScalePerUserMonth.total.toFixed(5)} (long run $${split.atScaleLongRunPerUserMonth.total.toFixed(5)}); ${split.shards.alarmed} shards at $${split.shards.perShardMonth.total.toFixed(4)} a month each`,
      );

      // One status change per user while a few members watch the org's roster.
      const watcherUrls = tokens.slice(0, watchers).map((jwt) => `${server.wsUrl}/v1/scopes/${encodeURIComponent(`org:${ORG}`)}/watch?token=${jwt}`);
      const watching = mergeOpenReports([await context.pool.control.call({ op: "openWatchers", urls: watcherUrls, concurrency: 20, timeoutMs: 30_000, keepaliveMs: KEEPALIVE_MS }, 60_000)]);
      await sleep(1_000);
      await traffic(context, true);
      const changeMark = markUsage(server, nowMs());
      const sent = await Promise.all(
        context.pool.load.map((thread) =>
          thread.call({ op: "statusChanges", perDevice: 1, spreadMs: changeSpreadSeconds * 1000, minGapMs: MIN_CHANGE_GAP_MS, prefix: "cost change " }, changeSpreadSeconds * 1000 + 30_000),
        ),
      );
      // Pushes go out within a second (one a second per user and room); diffs within COALESCE_MS.
      await sleep(3_000);
      const changeTraffic = await traffic(context, true);
      const changes = sent.reduce((sum, report) => sum + report.sent, 0);
      const changeRaw = lessIdleCpu(usageBetween(server.calls, changeMark, markUsage(server, nowMs()), changeTraffic.devicePings + changeTraffic.watcherPings), idleCpu);
      const change = minusBackground(changeRaw, steady, changeRaw.seconds / steady.seconds);
      const diffs = changeTraffic.watchFrames.diff ?? 0;

      // The hub: one counts-only watcher of `global` makes its hub follow every shard (a copy of the roster), then one more status frame per user.
      let hub: CostResult["hub"] = null;
      try {
        const followMark = markUsage(server, nowMs());
        const globalUrl = `${server.wsUrl}/v1/scopes/global/watch?members=false&token=${tokens[0]}`;
        const hubWatch = mergeOpenReports([await context.pool.control.call({ op: "openWatchers", urls: [globalUrl], concurrency: 1, timeoutMs: 30_000, keepaliveMs: KEEPALIVE_MS }, 60_000)]);
        if (hubWatch.opened !== 1) throw new Error(`the watcher of global did not open (${JSON.stringify(hubWatch.errors)})`);
        await server.wakes.waitQuiet(1_500, 30_000);
        const followEnd = markUsage(server, nowMs());
        const followTraffic = await traffic(context, true);
        const follow = usageBetween(server.calls, followMark, followEnd, followTraffic.devicePings + followTraffic.watcherPings);
        const followLoads = server.calls.delta(followMark.calls, followEnd.calls);
        const hubMark = markUsage(server, nowMs());
        const hubSent = await Promise.all(
          context.pool.load.map((thread) =>
            thread.call({ op: "statusChanges", perDevice: 1, spreadMs: changeSpreadSeconds * 1000, minGapMs: MIN_CHANGE_GAP_MS, prefix: "cost hub change " }, changeSpreadSeconds * 1000 + 30_000),
          ),
        );
        await sleep(3_000);
        await server.wakes.waitQuiet(1_500, 15_000);
        const hubEnd = markUsage(server, nowMs());
        const hubTraffic = await traffic(context, true);
        const hubChanges = hubSent.reduce((total, report) => total + report.sent, 0);
        const hubRaw = lessIdleCpu(usageBetween(server.calls, hubMark, hubEnd, hubTraffic.devicePings + hubTraffic.watcherPings), idleCpu);
        const withHub = minusBackground(hubRaw, steady, hubRaw.seconds / steady.seconds);
        const hubLoads = server.calls.delta(hubMark.calls, hubEnd.calls).filter((load) => load.name.includes("#hub"));
        const events = eventCosts(hubMark, hubEnd);
        const followEvents = eventCosts(followMark, followEnd);
        const takes = hubLoads.reduce((total, load) => total + (load.calls.take ?? 0), 0);
        const perChange = (value: number) => round(value / Math.max(1, hubChanges), 4);
        hub = {
          changes: hubChanges,
          takes,
          takesPerSecond: round(takes / hubRaw.seconds, 2),
          hubCallsPerChange: perChange(hubLoads.reduce((total, load) => total + load.total, 0)),
          rowsWrittenPerChange: perChange(events["room.take.rowsWritten"] ?? 0),
          rowsReadPerChange: perChange(events["room.take.rowsRead"] ?? 0),
          activeMsPerTake: round((hubLoads.reduce((total, load) => total + load.activeMs, 0)) / Math.max(1, takes), 2),
          countFramesToWatcher: hubTraffic.watchFrames.diff ?? 0,
          perChangeWithHub: scaleUsage(withHub, 1 / Math.max(1, hubChanges)),
          follow: {
            members: opened.opened,
            followCalls: followLoads.reduce((total, load) => total + (load.calls.follow ?? 0), 0),
            hubCalls: followLoads.filter((load) => load.name.includes("#hub")).reduce((total, load) => total + load.total, 0),
            rowsWritten: follow.rowsWritten.total ?? 0,
            rowsWrittenByEvent: follow.rowsWrittenByEvent,
            rowsRead: follow.rowsRead.total ?? 0,
            rowsWrittenPerMember: round((follow.rowsWritten.total ?? 0) / Math.max(1, opened.opened), 2),
            events: Object.fromEntries(Object.entries(followEvents).filter(([key]) => key.endsWith(".rowsWritten") || key.endsWith(".rowsRead"))),
          },
        };
        context.log(`    hub: ${takes} takes for ${hubChanges} changes, ${hub.rowsWrittenPerChange} rows written per change in the hub; follow wrote ${hub.follow.rowsWritten} rows for ${opened.opened} members`);
      } catch (error) {
        context.warnings.push(`cost: hub phase failed: ${error instanceof Error ? error.message : String(error)}`);
      }

      return {
        scenario: "cost",
        size: { users, minutes },
        serverVars: Object.fromEntries(Object.entries(vars).filter(([key]) => /_MS$|SHARDS|HUBS/.test(key))),
        opened: opened.opened,
        failed: opened.failed,
        connectSpreadSeconds,
        idleCpuMsPerSecond: round(idleCpu, 2),
        steadySeconds: round(steady.seconds, 1),
        statusChangesSeen,
        away: {
          changesSeen: awayChangesSeen,
          seconds: round(awayRaw.seconds, 1),
          perChange: scaleUsage(away, 1 / Math.max(1, awaySeen)),
        },
        unseenShardAlarmRowsPerUserHour: round(unseenRows, 4),
        split,
        hub,
        otherFramesSeen: Object.fromEntries(Object.entries(steadyTraffic.deviceFrames).filter(([type]) => !type.startsWith("presence "))),
        pongs: steadyTraffic.pongs,
        perUserHour,
        activeMsPerCall: activeMsPerCall(steady),
        cost,
        target: TARGET_DOLLARS_PER_USER_MONTH,
        perConnect: scaleUsage(connect, 1 / opened.opened),
        change: {
          changes,
          watchers: watching.opened,
          diffsPerWatcher: round(diffs / Math.max(1, watching.opened), 2),
          perChange: scaleUsage(change, 1 / Math.max(1, changes)),
          activeMsPerCall: activeMsPerCall(change),
        },
      } satisfies CostResult;
    },
    { traceObjects },
  );
}
