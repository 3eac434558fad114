/**
 * Connect storm: K users' devices connect at once (split over the client threads, a bounded number
 * of handshakes in flight per thread). Measured: sockets per second until every one has its
 * `hello`, each hello's time from its own handshake start, how long until the scope shows all K
 * users, seen two ways (a watcher's roster, sync + diffs, and `GET /v1/scopes/<scope>/count` polled
 * every 100 ms), and the CPU time workerd spent from the burst until its wake lines went quiet.
 */
import { nowMs } from "../clock.ts";
import { mergeOpenReports } from "../clients/pool.ts";
import { pollCount } from "../server/rest.ts";
import { totalWakes, wakeDelta } from "../server/wakes.ts";
import { percentile, round, roundSummary, summarize } from "../stats.ts";
import { token } from "../tokens.ts";
import { KEEPALIVE_MS, withServer, type BenchContext } from "./context.ts";
import type { StormResult } from "./results.ts";

const ORG = "storm";
const SCOPE = `org:${ORG}`;
const COUNT_POLL_MS = 100;

export async function runStorm(context: BenchContext, devices: number): Promise<StormResult> {
  const { pool, secret, options } = context;
  const tokens = await Promise.all(
    Array.from({ length: devices }, (_, index) => token(secret, { sub: `storm-${index}`, org: ORG, name: `Storm User ${index}` })),
  );
  const readerToken = await token(secret, { sub: "storm-reader", org: ORG });
  return withServer(context, `storm ${devices}`, async (server) => {
    const urls = tokens.map((jwt, index) => `${server.wsUrl}/v1/connect?token=${jwt}&device=storm-${index}&type=web`);
    const watchUrl = `${server.wsUrl}/v1/scopes/${encodeURIComponent(SCOPE)}/watch?token=${readerToken}`;

    const roster: { at: number | null } = { at: null };
    const unsubscribe = pool.control.onEvent((event) => {
      if (event.event === "roster") roster.at = event.at;
    });
    try {
      const watcher = await pool.control.call({ op: "openWatchers", urls: [watchUrl], concurrency: 1, timeoutMs: 30_000, rosterTarget: devices, keepaliveMs: KEEPALIVE_MS }, 40_000);
      if (watcher.opened !== 1) throw new Error(`the roster watcher did not connect (${JSON.stringify(watcher.errors)})`);
      await server.wakes.waitQuiet(300, 5_000);
      const [wakesBefore, cpuBefore] = [server.wakes.snapshot(), server.cpuMs()];

      const timeoutMs = 60_000 + devices * 30;
      const started = nowMs();
      const opening = Promise.all(
        pool
          .split(urls)
          .map((part, index) => pool.load[index]!.call({ op: "openDevices", urls: part, concurrency: options.storm.concurrency, timeoutMs: 60_000, keepaliveMs: KEEPALIVE_MS }, timeoutMs)),
      );
      const counting = pollCount(server.httpUrl, SCOPE, readerToken, devices, COUNT_POLL_MS, timeoutMs);
      const opened = mergeOpenReports(await opening);
      const count = await counting;
      await server.wakes.waitQuiet(500, 10_000);
      const wakes = wakeDelta(wakesBefore, server.wakes.snapshot());
      const cpuMs = server.cpuMs() - cpuBefore;

      const firstBegan = Math.min(...opened.beganAt.filter(Number.isFinite));
      const lastHello = Math.max(...opened.readyAt.filter(Number.isFinite));
      const allHelloSeconds = (lastHello - firstBegan) / 1000;
      const hello = opened.readyAt.map((at, index) => at - (opened.beganAt[index] as number));
      const connects = wakes["presence.fetch"] ?? 0;
      const reachedRoster = roster.at;
      const spread = (times: number[]) => {
        const sorted = times.filter(Number.isFinite).sort((a, b) => a - b);
        if (sorted.length === 0) return null;
        const at = (value: number) => round((value - started) / 1000, 3);
        return { first: at(sorted[0] as number), p50: at(percentile(sorted, 0.5)), last: at(sorted[sorted.length - 1] as number) };
      };
      const timeline = {
        hello: spread(opened.readyAt),
        "presence.fetch": spread(server.wakes.arrivals("presence.fetch", started)),
        "room.apply": spread(server.wakes.arrivals("room.apply", started)),
      };
      context.log(
        `    ${opened.opened}/${devices} hello in ${allHelloSeconds.toFixed(2)} s; count full after ${count.reachedAt === null ? "never" : `${((count.reachedAt - started) / 1000).toFixed(2)} s`}; workerd CPU ${cpuMs} ms`,
      );
      return {
        scenario: "storm",
        size: { devices },
        opened: opened.opened,
        failed: opened.failed,
        errors: opened.errors,
        allHelloSeconds: round(allHelloSeconds, 3),
        socketsPerSecond: round(opened.opened / allHelloSeconds, 1),
        hello: roundSummary(summarize(hello)),
        cpuMs,
        cpuMsPerConnect: opened.opened > 0 ? round(cpuMs / opened.opened, 2) : null,
        rosterFullSeconds: reachedRoster === null ? null : round((reachedRoster - started) / 1000, 3),
        countFullSeconds: count.reachedAt === null ? null : round((count.reachedAt - started) / 1000, 3),
        countPolls: count.polls,
        timeline,
        wakes,
        wakesPerConnect: connects > 0 ? round(totalWakes(wakes, (key) => key !== "room.count") / connects, 2) : 0,
      } satisfies StormResult;
    } finally {
      unsubscribe();
    }
  });
}
