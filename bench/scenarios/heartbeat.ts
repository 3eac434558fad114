/**
 * Heartbeat cost: D connected devices send H `ping`s in all over a phase shorter than
 * OFFLINE_AFTER_MS (so no heartbeat-expiry alarm is due yet). Wake lines are counted between a
 * snapshot before and after the phase: pings are auto-responded by the runtime, so the target is
 * zero. A control phase (one `activity` frame per device) shows the counter does count real wakes.
 */
import type { DeviceFrame } from "../../src/protocol/frames.ts";
import { nowMs } from "../clock.ts";
import { mergeOpenReports } from "../clients/pool.ts";
import type { PingReport } from "../clients/messages.ts";
import { totalWakes, wakeDelta } from "../server/wakes.ts";
import { round, roundSummary, summarize } from "../stats.ts";
import { token } from "../tokens.ts";
import { SERVER_VARS, withServer, type BenchContext } from "./context.ts";
import type { HeartbeatResult } from "./results.ts";

const ORG = "heartbeat";
/** Margin kept between the end of the ping phase and the first heartbeat-expiry alarm. */
const ALARM_MARGIN_MS = 15_000;

const isAlarm = (key: string) => key.endsWith(".alarm");

export async function runHeartbeat(context: BenchContext): Promise<HeartbeatResult> {
  const { pool, secret } = context;
  const { devices, pings, seconds } = context.options.heartbeat;
  const tokens = await Promise.all(Array.from({ length: devices }, (_, index) => token(secret, { sub: `hb-${index}`, org: ORG })));
  return withServer(context, "heartbeat", async (server) => {
    const urls = tokens.map((jwt, index) => `${server.wsUrl}/v1/connect?token=${jwt}&device=hb-${index}&type=mobile`);
    const connectStarted = nowMs();
    const opened = mergeOpenReports(
      await Promise.all(
        pool.split(urls).map((part, index) => pool.load[index]!.call({ op: "openDevices", urls: part, concurrency: 100, timeoutMs: 30_000 }, 120_000)),
      ),
    );
    if (opened.opened === 0) throw new Error(`no device connected (${JSON.stringify(opened.errors)})`);
    if (opened.failed > 0) context.warnings.push(`heartbeat: ${opened.failed} of ${devices} devices failed to connect (${JSON.stringify(opened.errors)})`);
    await server.wakes.waitQuiet(1_000, 20_000);

    // The phase must end well before the first device's heartbeat-expiry alarm (connect + OFFLINE_AFTER_MS).
    const budgetMs = Number(SERVER_VARS.OFFLINE_AFTER_MS) - (nowMs() - connectStarted) - ALARM_MARGIN_MS;
    let phaseMs = seconds * 1000;
    if (phaseMs > budgetMs) {
      phaseMs = Math.max(1_000, budgetMs);
      context.warnings.push(`heartbeat: ping phase shortened to ${(phaseMs / 1000).toFixed(1)} s to end before OFFLINE_AFTER_MS alarms`);
    }
    const perDevice = Math.max(1, Math.ceil(pings / opened.opened));
    const intervalMs = phaseMs / perDevice;
    context.log(`    ${opened.opened} devices × ${perDevice} pings, one every ${intervalMs.toFixed(0)} ms per device`);

    const before = server.wakes.snapshot();
    const reports: PingReport[] = await Promise.all(
      pool.load.map((thread) => thread.call({ op: "pings", perDevice, intervalMs, timeoutMs: phaseMs + 10_000 }, phaseMs + 30_000)),
    );
    await server.wakes.waitQuiet(1_000, 10_000);
    const wakesDuringPings = wakeDelta(before, server.wakes.snapshot());
    const sent = reports.reduce((sum, report) => sum + report.sent, 0);
    const pongs = reports.reduce((sum, report) => sum + report.pongs, 0);
    const otherFrames: Record<string, number> = {};
    for (const report of reports) for (const [type, count] of Object.entries(report.otherFrames)) otherFrames[type] = (otherFrames[type] ?? 0) + count;

    const beforeActivity = server.wakes.snapshot();
    const activity = await Promise.all(pool.load.map((thread) => thread.call({ op: "sendAll", text: JSON.stringify({ type: "activity" } satisfies DeviceFrame) }, 10_000)));
    await server.wakes.waitQuiet(1_000, 10_000);
    const wakesDuringActivity = wakeDelta(beforeActivity, server.wakes.snapshot());
    const activityFrames = activity.reduce((sum, report) => sum + report.sent, 0);

    return {
      scenario: "heartbeat",
      size: { devices, pings, seconds: round(phaseMs / 1000, 1) },
      pingsSent: sent,
      pongs,
      rtt: roundSummary(summarize(reports.flatMap((report) => report.rttMs))),
      wakesDuringPings,
      wakesPerPing: sent > 0 ? round(totalWakes(wakesDuringPings, (key) => !isAlarm(key)) / sent, 4) : 0,
      alarmWakes: totalWakes(wakesDuringPings, isAlarm),
      otherFrames,
      activityFrames,
      wakesDuringActivity,
      wakesPerActivity: activityFrames > 0 ? round(totalWakes(wakesDuringActivity, (key) => !isAlarm(key)) / activityFrames, 3) : 0,
    } satisfies HeartbeatResult;
  });
}
