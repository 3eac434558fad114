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
import { monthlyCost, TARGET_DOLLARS_PER_USER_MONTH } from "../model/platform.ts";
import { round } from "../stats.ts";
import { token } from "../tokens.ts";
import { KEEPALIVE_MS, SERVER_VARS, withServer, type BenchContext } from "./context.ts";
import type { CostResult } from "./results.ts";
import { idleCpuPerSecond, lessIdleCpu, markUsage, minusBackground, scaleUsage, usageBetween, type Usage } from "./usage.ts";

const ORG = "cost";
const ZONE = "cost-zone";
/** wrangler.toml's JOIN_PUSH_DELAY_MS: a user joins rosters this long after their hello. */
const JOIN_PUSH_DELAY_MS = 1_000;
/** Status frames of one user at least this far apart (one push a second per user and room). */
const MIN_CHANGE_GAP_MS = 1_100;
const MINUTE_MS = 60_000;

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

export async function runCost(context: BenchContext): Promise<CostResult> {
  const { secret, options } = context;
  const { users, minutes, connectSpreadSeconds, watchers, changeSpreadSeconds } = options.cost;
  const tokens = await Promise.all(Array.from({ length: users }, (_, index) => token(secret, { sub: `cost-${index}`, org: ORG, zone: ZONE, name: `Cost User ${index}` })));
  const traceObjects = options.runtime === "workerd";
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

      // Steady: nothing sent but the pings.
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
      const cost = monthlyCost({
        requests: perUserHour.billedRequests,
        rowsWritten: perUserHour.rowsWritten.total ?? 0,
        rowsRead: perUserHour.rowsRead.total ?? 0,
        activeSeconds: Object.values(perUserHour.activeSeconds).reduce((sum, value) => sum + value, 0),
      });
      const statusChangesSeen = Object.fromEntries(Object.entries(steadyTraffic.deviceFrames).filter(([type]) => type.startsWith("presence ")));
      context.log(
        `    per user-hour: ${perUserHour.billedRequests.toFixed(1)} billed requests, ${(perUserHour.rowsWritten.total ?? 0).toFixed(1)} rows written; $${cost.total.toFixed(5)} per user-month (${cost.dominant} dominates)`,
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

      return {
        scenario: "cost",
        size: { users, minutes },
        serverVars: SERVER_VARS,
        opened: opened.opened,
        failed: opened.failed,
        connectSpreadSeconds,
        idleCpuMsPerSecond: round(idleCpu, 2),
        steadySeconds: round(steady.seconds, 1),
        statusChangesSeen,
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
