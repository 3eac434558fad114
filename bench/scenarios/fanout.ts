/**
 * Fan-out: N watchers on one scope, one user's device changes status M times; how long until the
 * diff reaches every watcher. The same client code then drives the bare ws floor (bench/baseline).
 *
 * Each change is sent only after every watcher has the previous one and a gap has passed (a closed
 * loop), so latency is never queueing behind older changes. The gap (default 1,100 ms) is above the
 * service's one push a second per user and room, so no change waits for that throttle.
 */
import type { BaselineServer } from "../baseline/control.ts";
import { nowMs, sleep } from "../clock.ts";
import { mergeOpenReports } from "../clients/pool.ts";
import type { StatusFrame } from "../../src/protocol/frames.ts";
import type { TrackReport } from "../clients/messages.ts";
import { wakeDelta, type WakeCounter, type WakeCounts } from "../server/wakes.ts";
import { ratio, round, roundSummary, summarize } from "../stats.ts";
import { token } from "../tokens.ts";
import { KEEPALIVE_MS, withServer, type BenchContext } from "./context.ts";
import { ChangeWaiter } from "./changeWaiter.ts";
import type { FanoutResult, FanoutTarget } from "./results.ts";

const SCOPE = "org:fanout";
const ORG = "fanout";
const SENDER = "fan-sender";
const TEXT_PREFIX = "bench change ";

interface Target {
  name: "service" | "baseline";
  wsUrl: string;
  wakes: WakeCounter | null;
  /** CPU time (ms) the server's processes have used so far. */
  cpuMs: () => number;
}

/** Sockets per second over the first or last tenth of sync arrivals (null when too few to tell). */
function tenthRate(readyAt: number[], which: "first" | "last"): number | null {
  const sorted = readyAt.filter(Number.isFinite).sort((a, b) => a - b);
  const tenth = Math.floor(sorted.length / 10);
  if (tenth < 50) return null;
  const part = which === "first" ? sorted.slice(0, tenth + 1) : sorted.slice(sorted.length - tenth - 1);
  const span = ((part[part.length - 1] as number) - (part[0] as number)) / 1000;
  return span > 0 ? round(tenth / span, 1) : null;
}

function statusFrame(index: number): string {
  return JSON.stringify({ type: "status", status: index % 2 === 0 ? "busy" : "online", text: `${TEXT_PREFIX}${index}` } satisfies StatusFrame);
}

async function measure(context: BenchContext, target: Target, watchers: number): Promise<FanoutTarget> {
  const { pool, options } = context;
  const { changes, warmup, gapMs, connectConcurrency } = options.fanout;
  const total = warmup + changes;
  const senderToken = await token(context.secret, { sub: SENDER, org: ORG });
  const watchToken = await token(context.secret, { sub: "fan-watcher", org: ORG });
  const senderUrl = `${target.wsUrl}/v1/connect?token=${senderToken}&device=bench-sender&type=desktop`;
  const watchUrl = `${target.wsUrl}/v1/scopes/${encodeURIComponent(SCOPE)}/watch?token=${watchToken}`;

  const sender = await pool.control.call({ op: "openDevices", urls: [senderUrl], concurrency: 1, timeoutMs: 30_000, keepaliveMs: KEEPALIVE_MS }, 40_000);
  if (sender.opened !== 1) throw new Error(`${target.name}: the sender did not connect (${JSON.stringify(sender.errors)})`);
  // Let the sender's join reach the room before watchers sync.
  if (target.wakes) await target.wakes.waitQuiet(300, 5_000);
  else await sleep(300);

  const parts = pool.split(Array.from({ length: watchers }, () => watchUrl));
  const [connectStarted, cpuBefore] = [nowMs(), target.cpuMs()];
  const opened = mergeOpenReports(
    await Promise.all(
      parts.map((urls, index) =>
        pool.load[index]!.call({ op: "openWatchers", urls, concurrency: connectConcurrency, timeoutMs: 30_000, keepaliveMs: KEEPALIVE_MS }, 120_000 + watchers * 50),
      ),
    ),
  );
  const connectSeconds = (nowMs() - connectStarted) / 1000;
  const connectCpuMs = opened.opened > 0 ? round((target.cpuMs() - cpuBefore) / opened.opened, 3) : null;
  context.log(`    ${target.name}: ${opened.opened}/${watchers} watchers open in ${connectSeconds.toFixed(1)} s, ${connectCpuMs} ms CPU each`);
  if (opened.opened === 0) throw new Error(`${target.name}: no watcher connected (${JSON.stringify(opened.errors)})`);

  await Promise.all(pool.load.map((thread) => thread.call({ op: "track", sockets: "watchers", prefix: TEXT_PREFIX, changes: total }, 10_000)));
  const activeThreads = new Set(parts.flatMap((urls, index) => (urls.length > 0 ? [index] : [])));
  const waiter = new ChangeWaiter(pool, activeThreads);
  if (target.wakes) await target.wakes.waitQuiet(300, 5_000);
  // Wakes and storage are counted over the measured changes only (the warm-up's lines are in by then).
  let before = { wakes: {} as WakeCounts, costs: {} as WakeCounts };
  const sentAt: number[] = [];
  let timedOut = 0;
  const changeTimeoutMs = 10_000 + watchers * 4;
  try {
    for (let index = 0; index < total; index++) {
      if (index === warmup && target.wakes) before = { wakes: target.wakes.snapshot(), costs: target.wakes.costs() };
      const { sentAt: at } = await pool.control.call({ op: "send", device: 0, text: statusFrame(index) }, 10_000);
      sentAt.push(at);
      if (!(await waiter.wait(index, changeTimeoutMs))) timedOut += 1;
      await sleep(gapMs);
    }
  } finally {
    waiter.close();
  }
  let wakesPerChange: WakeCounts | null = null;
  let storagePerChange: FanoutTarget["storagePerChange"] = null;
  if (target.wakes) {
    await target.wakes.waitQuiet(300, 5_000);
    const delta = wakeDelta(before.wakes, target.wakes.snapshot());
    wakesPerChange = Object.fromEntries(Object.entries(delta).map(([key, value]) => [key, round(value / changes, 2)]));
    const costs = wakeDelta(before.costs, target.wakes.costs());
    storagePerChange = { loads: round((costs["presence.loads"] ?? 0) / changes, 2), saves: round((costs["presence.saves"] ?? 0) / changes, 2) };
  }

  const reports: TrackReport[] = await Promise.all(pool.load.map((thread) => thread.call({ op: "collect" }, 30_000)));
  const delivery: number[] = [];
  const completion: number[] = [];
  const first: number[] = [];
  let seqGaps = 0;
  const unexpectedCloses: Record<string, number> = {};
  for (let change = warmup; change < total; change++) {
    let last = Number.NEGATIVE_INFINITY;
    let earliest = Number.POSITIVE_INFINITY;
    let missing = false;
    for (const report of reports) {
      for (let slot = 0; slot < report.sockets; slot++) {
        const latency = (report.received[change * report.sockets + slot] as number) - (sentAt[change] as number);
        delivery.push(latency);
        if (Number.isNaN(latency)) missing = true;
        else {
          last = Math.max(last, latency);
          earliest = Math.min(earliest, latency);
        }
      }
    }
    completion.push(missing ? Number.NaN : last);
    first.push(Number.isFinite(earliest) ? earliest : Number.NaN);
  }
  for (const report of reports) {
    seqGaps += report.seqGaps;
    for (const [code, count] of Object.entries(report.unexpectedCloses)) unexpectedCloses[code] = (unexpectedCloses[code] ?? 0) + count;
  }
  await pool.closeAllSockets();
  return {
    target: target.name,
    watchersOpened: opened.opened,
    watchersFailed: opened.failed,
    connectErrors: opened.errors,
    connectSeconds: round(connectSeconds, 2),
    connectPerSecond: round(opened.opened / connectSeconds, 1),
    connectRateFirstTenth: tenthRate(opened.readyAt, "first"),
    connectRateLastTenth: tenthRate(opened.readyAt, "last"),
    connectCpuMs,
    changesMeasured: changes,
    delivery: roundSummary(summarize(delivery)),
    completion: roundSummary(summarize(completion)),
    first: roundSummary(summarize(first)),
    changesTimedOut: timedOut,
    seqGaps,
    unexpectedCloses,
    wakesPerChange,
    storagePerChange,
  };
}

/** One fan-out size: the service on a fresh server, then the floor (if running) with the same clients. */
export async function runFanout(context: BenchContext, watchers: number, baseline: BaselineServer | null): Promise<FanoutResult> {
  const { changes } = context.options.fanout;
  const service = await withServer(context, `fanout ${watchers}`, (server) =>
    measure(context, { name: "service", wsUrl: server.wsUrl, wakes: server.wakes, cpuMs: server.cpuMs }, watchers),
  );
  let floor: FanoutTarget | null = null;
  if (baseline) {
    try {
      floor = await measure(context, { name: "baseline", wsUrl: baseline.wsUrl, wakes: null, cpuMs: baseline.cpuMs }, watchers);
    } finally {
      await context.pool.closeAllSockets();
    }
  }
  return {
    scenario: "fanout",
    size: { watchers, changes },
    service,
    baseline: floor,
    ratio: {
      p50: floor ? ratio(service.delivery.p50, floor.delivery.p50) : null,
      p95: floor ? ratio(service.delivery.p95, floor.delivery.p95) : null,
      p99: floor ? ratio(service.delivery.p99, floor.delivery.p99) : null,
      completionP50: floor ? ratio(service.completion.p50, floor.completion.p50) : null,
    },
  };
}
