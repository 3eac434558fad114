/**
 * Subscribers: N users follow one user U, in two ways, each on a fresh server.
 * - subscription: each user has one device socket subscribed to U (`subscribe` → `subscribed`); a
 *   change of U goes from U's PresenceObject to each subscribing user's PresenceObject (one RPC per
 *   user), which sends `changed` to that user's device;
 * - room: the same N users watch U's org scope instead (`sync`, then `diff`s); a change of U is one
 *   push to the RoomObject, which sends one diff to every watcher.
 * U then changes status (busy, then back to auto, with a new text each time) from its own device;
 * measured per trial: U's status frame sent → the last follower has the new status, and the median
 * follower's arrival. The same client code drives the bare ws floor (bench/baseline) both ways.
 *
 * Closed loop, as fan-out: the next change goes out only after every follower has the previous one
 * and a gap (default 1,100 ms) passed, above the one push a second per user and room. U is a member
 * of the room (GET /count says so) before any follower connects, and the server's wake lines have
 * gone quiet (the followers' own joins to the org roster, JOIN_PUSH_DELAY_MS after their hellos)
 * before the first trial.
 */
import type { BaselineServer } from "../baseline/control.ts";
import { nowMs, sleep } from "../clock.ts";
import { mergeOpenReports, type ClientPool } from "../clients/pool.ts";
import type { TrackedSockets, TrackReport } from "../clients/messages.ts";
import type { StatusFrame } from "../../src/protocol/frames.ts";
import { pollCount } from "../server/rest.ts";
import { wakeDelta, type WakeCounter, type WakeCounts } from "../server/wakes.ts";
import { percentile, ratio, round, roundSummary, summarize } from "../stats.ts";
import { token } from "../tokens.ts";
import { ChangeWaiter } from "./changeWaiter.ts";
import { KEEPALIVE_MS, withServer, type BenchContext } from "./context.ts";
import type { ChangeBilling, FollowPath, FollowPathResult, SubscribersResult } from "./results.ts";

const ORG = "subs";
const SCOPE = `org:${ORG}`;
const TARGET_USER = "subs-target";
const TEXT_PREFIX = "subs trial ";
/** wrangler.toml's JOIN_PUSH_DELAY_MS: a user joins rosters this long after their hello. */
const JOIN_PUSH_DELAY_MS = 1_000;

interface Target {
  name: "service" | "baseline";
  wsUrl: string;
  /** The service's REST base, to see U in the room before followers connect (null for the floor). */
  httpUrl: string | null;
  wakes: WakeCounter | null;
  cpuMs: () => number;
}

interface Tokens {
  target: string;
  followers: string[];
}

/** Trial `index`: busy, then back to auto (which shows as online), each with a text naming the trial. */
function trialFrame(index: number): { text: string; shows: string } {
  const status = index % 2 === 0 ? "busy" : "auto";
  const frame: StatusFrame = { type: "status", status, text: `${TEXT_PREFIX}${index}` };
  return { text: JSON.stringify(frame), shows: status === "busy" ? "busy" : "online" };
}

function median(values: number[]): number {
  return percentile(Float64Array.from(values.filter(Number.isFinite)).sort(), 0.5);
}

/** Wake keys that are billed as a request each (RPC calls, HTTP requests, alarms): everything but socket events. */
const isCall = (key: string) => !/\.webSocket(Message|Close|Error)$/.test(key);

function billingOf(wakesPerChange: WakeCounts, subscriberFrames: number, path: FollowPath): ChangeBilling {
  const webSocketMessages = (wakesPerChange["presence.webSocketMessage"] ?? 0) + (wakesPerChange["room.webSocketMessage"] ?? 0);
  const logged = wakesPerChange["presence.subscriptionChanged"];
  const loggedCalls = Object.entries(wakesPerChange).reduce((sum, [key, value]) => sum + (isCall(key) ? value : 0), 0);
  const subscriberPushes = path === "room" ? (logged ?? 0) : (logged ?? subscriberFrames);
  const calls = loggedCalls + (logged === undefined && path === "subscription" ? subscriberFrames : 0);
  return {
    webSocketMessages: round(webSocketMessages, 2),
    calls: round(calls, 2),
    subscriberPushes: round(subscriberPushes, 2),
    subscriberPushesFrom: logged === undefined && path === "subscription" ? "frames received" : "wake lines",
    requests: round(webSocketMessages / 20 + calls, 2),
  };
}

/** Opens the followers on the load threads: device sockets (subscription) or watch sockets (room). */
async function openFollowers(pool: ClientPool, urls: string[], sockets: TrackedSockets, concurrency: number) {
  const parts = pool.split(urls);
  const op = sockets === "devices" ? "openDevices" : "openWatchers";
  const reports = await Promise.all(
    parts.map((part, index) => pool.load[index]!.call({ op, urls: part, concurrency, timeoutMs: 30_000, keepaliveMs: KEEPALIVE_MS }, 120_000 + urls.length * 50)),
  );
  return { opened: mergeOpenReports(reports), activeThreads: new Set(parts.flatMap((part, index) => (part.length > 0 ? [index] : []))) };
}

async function measurePath(context: BenchContext, target: Target, path: FollowPath, tokens: Tokens): Promise<FollowPathResult> {
  const { pool, options } = context;
  const { trials, warmup, gapMs, connectConcurrency, subscribeConcurrency } = options.subscribers;
  const total = warmup + trials;
  const followers = tokens.followers.length;
  const sockets: TrackedSockets = path === "subscription" ? "devices" : "watchers";
  const label = `${target.name} ${path}`;

  const targetUrl = `${target.wsUrl}/v1/connect?token=${tokens.target}&device=subs-target&type=desktop`;
  const sender = await pool.control.call({ op: "openDevices", urls: [targetUrl], concurrency: 1, timeoutMs: 30_000, keepaliveMs: KEEPALIVE_MS }, 40_000);
  if (sender.opened !== 1) throw new Error(`${label}: U did not connect (${JSON.stringify(sender.errors)})`);
  if (target.httpUrl) {
    const joined = await pollCount(target.httpUrl, SCOPE, tokens.target, 1, 100, 10_000);
    if (joined.reachedAt === null) throw new Error(`${label}: U never showed in ${SCOPE}'s count (last ${JSON.stringify(joined.last)})`);
  }

  const urls = tokens.followers.map((jwt, index) =>
    path === "subscription" ? `${target.wsUrl}/v1/connect?token=${jwt}&device=subs-${index}&type=web` : `${target.wsUrl}/v1/scopes/${encodeURIComponent(SCOPE)}/watch?token=${jwt}`,
  );
  const connectStarted = nowMs();
  const { opened, activeThreads } = await openFollowers(pool, urls, sockets, connectConcurrency);
  const connectSeconds = (nowMs() - connectStarted) / 1000;
  context.log(`    ${label}: ${opened.opened}/${followers} ${sockets} open in ${connectSeconds.toFixed(1)} s`);
  if (opened.opened === 0) throw new Error(`${label}: no follower connected (${JSON.stringify(opened.errors)})`);

  let subscribe: { subscribed: number; seconds: number; answerMs: number[]; errors: Record<string, number> } | null = null;
  if (path === "subscription") {
    const started = nowMs();
    const reports = await Promise.all(
      pool.load.map((thread) => thread.call({ op: "subscribe", users: [TARGET_USER], concurrency: subscribeConcurrency, timeoutMs: 30_000 }, 60_000 + followers * 50)),
    );
    const errors: Record<string, number> = {};
    for (const report of reports) for (const [reason, count] of Object.entries(report.errors)) errors[reason] = (errors[reason] ?? 0) + count;
    subscribe = {
      subscribed: reports.reduce((sum, report) => sum + report.subscribed, 0),
      seconds: (nowMs() - started) / 1000,
      answerMs: reports.flatMap((report) => report.answerMs),
      errors,
    };
    const sample = reports.find((report) => report.sample)?.sample?.[TARGET_USER] as { status?: string } | undefined;
    context.log(`    ${label}: ${subscribe.subscribed}/${opened.opened} subscribed in ${subscribe.seconds.toFixed(1)} s; U shows as ${sample?.status ?? "?"}`);
    if (subscribe.subscribed === 0) throw new Error(`${label}: no device subscribed (${JSON.stringify(errors)})`);
    if (sample?.status === "offline") context.warnings.push(`subscribers: ${label}: subscribers see U as offline (not visible to them?)`);
  }
  // The followers' own joins to the org roster go out JOIN_PUSH_DELAY_MS after their hellos.
  if (target.wakes) {
    await sleep(JOIN_PUSH_DELAY_MS);
    await target.wakes.waitQuiet(500, 30_000);
  } else await sleep(300);

  const shows = Array.from({ length: total }, (_, index) => trialFrame(index).shows);
  await Promise.all(pool.load.map((thread) => thread.call({ op: "track", sockets, prefix: TEXT_PREFIX, changes: total, statuses: shows }, 10_000)));
  const waiter = new ChangeWaiter(pool, activeThreads);
  let before = { wakes: {} as WakeCounts, costs: {} as WakeCounts, cpu: target.cpuMs() };
  const sentAt: number[] = [];
  let timedOut = 0;
  try {
    for (let index = 0; index < total; index++) {
      if (index === warmup) before = { wakes: target.wakes?.snapshot() ?? {}, costs: target.wakes?.costs() ?? {}, cpu: target.cpuMs() };
      const { sentAt: at } = await pool.control.call({ op: "send", device: 0, text: trialFrame(index).text }, 10_000);
      sentAt.push(at);
      if (!(await waiter.wait(index, 10_000 + followers * 4))) timedOut += 1;
      await sleep(gapMs);
    }
  } finally {
    waiter.close();
  }
  if (target.wakes) await target.wakes.waitQuiet(300, 5_000);
  const cpuMsPerChange = round((target.cpuMs() - before.cpu) / trials, 2);

  const reports: TrackReport[] = await Promise.all(pool.load.map((thread) => thread.call({ op: "collect" }, 30_000)));
  const delivery: number[] = [];
  const lastArrivalMs: number[] = [];
  const medianArrivalMs: number[] = [];
  const firstArrivalMs: number[] = [];
  for (let trial = warmup; trial < total; trial++) {
    const arrivals: number[] = [];
    for (const report of reports) {
      for (let slot = 0; slot < report.sockets; slot++) arrivals.push((report.received[trial * report.sockets + slot] as number) - (sentAt[trial] as number));
    }
    delivery.push(...arrivals);
    lastArrivalMs.push(round(arrivals.some(Number.isNaN) ? Number.NaN : Math.max(...arrivals)));
    medianArrivalMs.push(round(median(arrivals)));
    firstArrivalMs.push(round(Math.min(...arrivals.filter(Number.isFinite))));
  }
  const unexpectedCloses: Record<string, number> = {};
  for (const report of reports) for (const [code, count] of Object.entries(report.unexpectedCloses)) unexpectedCloses[code] = (unexpectedCloses[code] ?? 0) + count;
  const arrivedPerChange = delivery.filter(Number.isFinite).length / trials;

  let wakesPerChange: WakeCounts | null = null;
  let storagePerChange: FollowPathResult["storagePerChange"] = null;
  let billing: ChangeBilling | null = null;
  if (target.wakes) {
    const delta = wakeDelta(before.wakes, target.wakes.snapshot());
    wakesPerChange = Object.fromEntries(Object.entries(delta).map(([key, value]) => [key, round(value / trials, 2)]));
    const costs = wakeDelta(before.costs, target.wakes.costs());
    storagePerChange = { loads: round((costs["presence.loads"] ?? 0) / trials, 2), saves: round((costs["presence.saves"] ?? 0) / trials, 2) };
    billing = billingOf(wakesPerChange, arrivedPerChange, path);
  }
  await pool.closeAllSockets();
  const result: FollowPathResult = {
    path,
    target: target.name,
    opened: opened.opened,
    failed: opened.failed,
    connectErrors: opened.errors,
    connectSeconds: round(connectSeconds, 2),
    subscribed: subscribe?.subscribed ?? null,
    subscribeSeconds: subscribe ? round(subscribe.seconds, 2) : null,
    subscribeAnswer: subscribe ? roundSummary(summarize(subscribe.answerMs)) : null,
    subscribeErrors: subscribe?.errors ?? {},
    trials,
    lastArrivalMs,
    medianArrivalMs,
    firstArrivalMs,
    lastArrivalMedian: round(median(lastArrivalMs)),
    medianArrivalMedian: round(median(medianArrivalMs)),
    firstArrivalMedian: round(median(firstArrivalMs)),
    delivery: roundSummary(summarize(delivery)),
    trialsTimedOut: timedOut,
    wrongStatus: reports.reduce((sum, report) => sum + report.wrongStatus, 0),
    seqGaps: reports.reduce((sum, report) => sum + report.seqGaps, 0),
    unexpectedCloses,
    wakesPerChange,
    storagePerChange,
    cpuMsPerChange,
    billing,
  };
  context.log(
    `    ${label}: last follower ${lastArrivalMs.join(", ")} ms (median ${result.lastArrivalMedian}); median follower ${result.medianArrivalMedian} ms; first follower ${result.firstArrivalMedian} ms; CPU ${cpuMsPerChange} ms per change${billing ? `; ${billing.requests} billed requests per change` : ""}`,
  );
  return result;
}

/** Both paths on fresh servers, then both on the floor (if running) with the same clients. */
export async function runSubscribers(context: BenchContext, baseline: BaselineServer | null): Promise<SubscribersResult> {
  const { users, trials } = context.options.subscribers;
  const tokens: Tokens = {
    target: await token(context.secret, { sub: TARGET_USER, org: ORG, name: "Subscribed User" }),
    followers: await Promise.all(Array.from({ length: users }, (_, index) => token(context.secret, { sub: `subs-${index}`, org: ORG }))),
  };
  const onService = (path: FollowPath) =>
    withServer(context, `subscribers ${users} ${path}`, (server) =>
      measurePath(context, { name: "service", wsUrl: server.wsUrl, httpUrl: server.httpUrl, wakes: server.wakes, cpuMs: server.cpuMs }, path, tokens),
    );
  const service = { subscription: await onService("subscription"), room: await onService("room") };
  let floor: SubscribersResult["baseline"] = null;
  if (baseline) {
    const target: Target = { name: "baseline", wsUrl: baseline.wsUrl, httpUrl: null, wakes: null, cpuMs: baseline.cpuMs };
    try {
      floor = { subscription: await measurePath(context, target, "subscription", tokens), room: await measurePath(context, target, "room", tokens) };
    } finally {
      await context.pool.closeAllSockets();
    }
  }
  return {
    scenario: "subscribers",
    size: { subscribers: users, trials },
    service,
    baseline: floor,
    ratio: {
      subscriptionToRoom: ratio(service.subscription.lastArrivalMedian, service.room.lastArrivalMedian),
      subscriptionToFloor: floor ? ratio(service.subscription.lastArrivalMedian, floor.subscription.lastArrivalMedian) : null,
      roomToFloor: floor ? ratio(service.room.lastArrivalMedian, floor.room.lastArrivalMedian) : null,
      medianSubscriptionToRoom: ratio(service.subscription.medianArrivalMedian, service.room.medianArrivalMedian),
    },
  };
}
