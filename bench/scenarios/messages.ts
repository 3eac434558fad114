/**
 * Messages: one sender POSTs `/v1/messages` to one receiver whose device socket is connected (both
 * in one org, so the sender may see the receiver). The receiver's device gets each as a `message`
 * frame and acknowledges them in batches, as a client must (every message stays stored until a
 * device acknowledges it, and an inbox holds at most 1,000). The sender's device gets the receipts.
 *
 * - latency: one message at a time (the next POST once the previous frame arrived), a warm-up
 *   left out: POST began → frame at the receiver's device, and → the POST's answer;
 * - rate: a fixed count with C POSTs in flight, for each C: frames arriving at the receiver's
 *   device per second, and each POST's answer time.
 * The same clients then drive the bare node floor (bench/baseline), which writes the frame on POST.
 *
 * MESSAGE_LIMIT (per sender) and REST_LIMIT (per caller) would cap one sender far below what the
 * service can deliver, so this scenario's server runs with both lifted; the result says what they
 * are in production (wrangler.toml, which stays as it is).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BaselineServer } from "../baseline/control.ts";
import { nowMs, sleep } from "../clock.ts";
import type { ReceiveReport } from "../clients/messages.ts";
import type { ClientPool } from "../clients/pool.ts";
import { forEachLimited } from "../concurrency.ts";
import { declaredRateLimits, type RateLimit, type RateLimits } from "../server/rateLimits.ts";
import { totalWakes, wakeDelta, type WakeCounter, type WakeCounts } from "../server/wakes.ts";
import { inspectObjects } from "../storage/inspect.ts";
import { ratio, round, roundSummary, summarize } from "../stats.ts";
import { token } from "../tokens.ts";
import type { SendMessageRequest } from "../../src/protocol/messages.ts";
import { KEEPALIVE_MS, withServer, type BenchContext } from "./context.ts";
import type { MessageBilling, MessagePhase, MessagesResult, MessagesTarget } from "./results.ts";

const ORG = "msgs";
const SENDER = "msg-sender";
const RECEIVER = "msg-receiver";
/** A chat line of ordinary length; each body is `{"seq": n, "text": TEXT}`. */
const TEXT = "Are we still on for lunch tomorrow? I can book a table for 12:30 if that works.";
/** wrangler.toml's JOIN_PUSH_DELAY_MS: the two devices' joins to their org roster go out this long after their hellos. */
const JOIN_PUSH_DELAY_MS = 1_000;
/** The receiver's device on the control thread: the second opened, after the sender's. */
const RECEIVER_DEVICE = 1;
/** How long frames may take after their POSTs were answered before the phase goes on without them (they count as lost). */
const ARRIVAL_GRACE_MS = 10_000;

/** Rate limits this scenario's server runs with: far above anything one sender reaches here. */
const LIFTED: RateLimits = {
  MESSAGE_LIMIT: { limit: 1_000_000, period: 10 },
  REST_LIMIT: { limit: 1_000_000, period: 10 },
};

interface Target {
  name: "service" | "baseline";
  httpUrl: string;
  wsUrl: string;
  wakes: WakeCounter | null;
  cpuMs: () => number;
  /** Service only: the server's persistence directory, to see that acknowledged messages left the inbox. */
  persistDir: string | null;
}

interface Posted {
  began: number;
  answered: number;
  /** "200", "429 inbox_full", or a failed request's error name. */
  answer: string;
}

function bodyOf(seq: number): SendMessageRequest {
  return { to: RECEIVER, body: { seq, text: TEXT } };
}

async function post(httpUrl: string, senderToken: string, seq: number): Promise<Posted> {
  const began = nowMs();
  try {
    const response = await fetch(`${httpUrl}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${senderToken}`, "content-type": "application/json" },
      body: JSON.stringify(bodyOf(seq)),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const answered = nowMs();
    if (response.ok) return { began, answered, answer: "200" };
    let code = "";
    try {
      code = ` ${(JSON.parse(text) as { error?: { code?: string } }).error?.code ?? ""}`;
    } catch {
      // Not the service's error shape: the status alone.
    }
    return { began, answered, answer: `${response.status}${code}`.trim() };
  } catch (error) {
    return { began, answered: Number.NaN, answer: (error as Error).name };
  }
}

/** The receiving device's `message` events (first arrivals by seq), so a loop can wait for them. */
class Arrivals {
  private readonly seen = new Set<number>();
  private waiter: { done: () => boolean; resolve: () => void } | null = null;
  private readonly unsubscribe: () => void;

  constructor(pool: ClientPool) {
    this.unsubscribe = pool.control.onEvent((event) => {
      if (event.event !== "message") return;
      this.seen.add(event.seq);
      if (this.waiter?.done()) this.waiter.resolve();
    });
  }

  /** Resolves true once message `seq` arrived, false after `timeoutMs`. */
  of(seq: number, timeoutMs: number): Promise<boolean> {
    return this.until(() => this.seen.has(seq), timeoutMs);
  }

  /** Resolves true once `count` messages arrived, false after `timeoutMs`. */
  count(count: number, timeoutMs: number): Promise<boolean> {
    return this.until(() => this.seen.size >= count, timeoutMs);
  }

  private async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arrived = await Promise.race([
      new Promise<boolean>((resolve) => (this.waiter = { done, resolve: () => resolve(true) })),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    this.waiter = null;
    return arrived;
  }

  close(): void {
    this.unsubscribe();
  }
}

/** Messages still stored for the receiver, polled until none is left or `timeoutMs` passed. */
async function storedFor(persistDir: string, timeoutMs: number): Promise<number> {
  const deadline = nowMs() + timeoutMs;
  for (;;) {
    const inbox = inspectObjects(persistDir, [RECEIVER]).find((db) => db.name === RECEIVER)?.rows.inbox ?? 0;
    if (inbox === 0 || nowMs() >= deadline) return inbox;
    await sleep(100);
  }
}

/** Wake keys that are billed as a request each (RPC calls, HTTP requests, alarms): everything but socket events. */
const isCall = (key: string) => !/\.webSocket(Message|Close|Error)$/.test(key);

function billingOf(messages: number, answers: Record<string, number>, wakes: WakeCounts, costs: WakeCounts, received: ReceiveReport): MessageBilling {
  const per = (value: number) => round(value / messages, 3);
  // A POST reaches the receiver's object unless the limits or the request's validation refuse it first.
  const reachedObject = (answers["200"] ?? 0) + (answers["403 forbidden"] ?? 0) + (answers["429 inbox_full"] ?? 0);
  const deliveries = wakes["presence.message"] ?? reachedObject;
  // The sender has one device: each `receipts` RPC (one per message here) is one receipt frame there.
  const receipts = wakes["presence.receipts"] ?? (received.frames["receipt delivered"] ?? 0) + (received.frames["receipt read"] ?? 0);
  const socketFrames = wakes["presence.webSocketMessage"] ?? received.ackFrames;
  const otherCalls = totalWakes(wakes, (key) => isCall(key) && key !== "presence.message" && key !== "presence.receipts");
  return {
    workerRequests: per(Object.entries(answers).reduce((sum, [answer, count]) => sum + (/^\d+/.test(answer) ? count : 0), 0)),
    deliveries: per(deliveries),
    receipts: per(receipts),
    socketFrames: per(socketFrames),
    otherCalls: per(otherCalls),
    objectRequests: per(deliveries + receipts + otherCalls + socketFrames / 20),
    from: {
      deliveries: "presence.message" in wakes ? "wake lines" : "answers",
      receipts: "presence.receipts" in wakes ? "wake lines" : "frames received",
      socketFrames: "presence.webSocketMessage" in wakes ? "wake lines" : "frames sent",
    },
    rowsRead: "presence.rowsRead" in costs ? per(costs["presence.rowsRead"] ?? 0) : null,
    rowsWritten: "presence.rowsWritten" in costs ? per(costs["presence.rowsWritten"] ?? 0) : null,
  };
}

/** Arrivals per second between the 10th and the 90th percentile arrival. */
function steadyRate(arrivals: number[]): number | null {
  if (arrivals.length < 20) return null;
  const sorted = Float64Array.from(arrivals).sort();
  const [low, high] = [Math.floor(sorted.length * 0.1), Math.ceil(sorted.length * 0.9) - 1];
  const span = ((sorted[high] as number) - (sorted[low] as number)) / 1000;
  return span > 0 ? round((high - low) / span, 1) : null;
}

/**
 * One phase: `count` messages with `concurrency` in flight, or one at a time, each POST once the
 * previous frame arrived (`kind` latency). Seqs count from 0 in every phase, and the receiving
 * device records and acknowledges afresh, so the clients' counts cover the phase alone.
 */
async function phase(
  context: BenchContext,
  target: Target,
  senderToken: string,
  { kind, concurrency, count, label }: { kind: MessagePhase["kind"]; concurrency: number; count: number; label: string },
): Promise<MessagePhase> {
  const { pool, options } = context;
  await pool.control.call({ op: "receive", device: RECEIVER_DEVICE, capacity: count, acks: options.messages.acks }, 10_000);
  const arrivals = new Arrivals(pool);
  const posted: Posted[] = new Array<Posted>(count);
  if (target.wakes) await target.wakes.waitQuiet(300, 5_000);
  const snapshot = () => ({ wakes: target.wakes?.snapshot() ?? {}, costs: target.wakes?.costs() ?? {}, cpu: target.cpuMs() });
  const before = snapshot();
  try {
    if (kind === "latency") {
      for (let seq = 0; seq < count; seq++) {
        posted[seq] = await post(target.httpUrl, senderToken, seq);
        await arrivals.of(seq, ARRIVAL_GRACE_MS);
      }
    } else {
      await forEachLimited(count, concurrency, async (seq) => {
        posted[seq] = await post(target.httpUrl, senderToken, seq);
      });
      await arrivals.count(posted.filter((entry) => entry.answer === "200").length, ARRIVAL_GRACE_MS);
    }
  } finally {
    arrivals.close();
  }
  const received = await pool.control.call({ op: "received", timeoutMs: 10_000 }, 20_000);
  const storedAfter = target.persistDir ? await storedFor(target.persistDir, 5_000) : null;
  if (target.wakes) await target.wakes.waitQuiet(300, 5_000);
  const after = snapshot();

  const answers: Record<string, number> = {};
  for (const { answer } of posted) answers[answer] = (answers[answer] ?? 0) + 1;
  const arrivedAt = Array.from(received.arrivals);
  const landed = arrivedAt.filter(Number.isFinite);
  const seconds = landed.length > 0 ? (Math.max(...landed) - Math.min(...posted.map((entry) => entry.began))) / 1000 : Number.NaN;
  const wakes = target.wakes ? wakeDelta(before.wakes, after.wakes) : null;
  const result: MessagePhase = {
    kind,
    concurrency,
    messages: count,
    answers,
    delivered: landed.length,
    seconds: round(seconds, 2),
    deliveredPerSecond: round(landed.length / seconds, 1),
    steadyPerSecond: steadyRate(landed),
    answer: roundSummary(summarize(posted.map(({ began, answered }) => answered - began))),
    delivery: roundSummary(summarize(posted.map(({ began }, seq) => (arrivedAt[seq] as number) - began))),
    duplicates: received.duplicates,
    ackFrames: received.ackFrames,
    ackedIds: received.ackedIds,
    storedAfter,
    frames: received.frames,
    wakes,
    cpuMsPerMessage: round((after.cpu - before.cpu) / count, 3),
    billing: wakes ? billingOf(count, answers, wakes, wakeDelta(before.costs, after.costs), received) : null,
  };
  const lost = (answers["200"] ?? 0) - landed.length;
  const billed = result.billing ? `; ${result.billing.objectRequests} object requests per message` : "";
  context.log(
    `    ${target.name} ${label}: ${landed.length}/${count} delivered${lost > 0 ? ` (${lost} accepted but never arrived)` : ""} at ${result.deliveredPerSecond}/s; delivery p50 ${result.delivery.p50} ms, p99 ${result.delivery.p99} ms; answer p50 ${result.answer.p50} ms, p99 ${result.answer.p99} ms; ${JSON.stringify(answers)}${billed}`,
  );
  return result;
}

async function measure(context: BenchContext, target: Target, tokens: { sender: string; receiver: string }): Promise<MessagesTarget> {
  const { pool, options } = context;
  const { count, concurrency, samples, warmup } = options.messages;
  const urls = [
    `${target.wsUrl}/v1/connect?token=${tokens.sender}&device=msg-sender&type=desktop`,
    `${target.wsUrl}/v1/connect?token=${tokens.receiver}&device=msg-receiver&type=desktop`,
  ];
  const opened = await pool.control.call({ op: "openDevices", urls, concurrency: 1, timeoutMs: 30_000, keepaliveMs: KEEPALIVE_MS }, 40_000);
  if (opened.opened !== 2) throw new Error(`${target.name}: the sender's and the receiver's devices did not both connect (${JSON.stringify(opened.errors)})`);
  // The devices' joins to their org roster go out JOIN_PUSH_DELAY_MS after their hellos.
  await sleep(JOIN_PUSH_DELAY_MS);
  if (target.wakes) await target.wakes.waitQuiet(500, 10_000);
  try {
    // Warm-up (objects, SQLite tables, connections), not reported.
    await phase(context, target, tokens.sender, { kind: "latency", concurrency: 1, count: warmup, label: "warm-up" });
    const latency = await phase(context, target, tokens.sender, { kind: "latency", concurrency: 1, count: samples, label: "one at a time" });
    const rates: MessagePhase[] = [];
    for (const inFlight of concurrency) rates.push(await phase(context, target, tokens.sender, { kind: "rate", concurrency: inFlight, count, label: `${inFlight} in flight` }));
    return { target: target.name, latency, rates };
  } finally {
    await pool.closeAllSockets();
  }
}

export async function runMessages(context: BenchContext, baseline: BaselineServer | null): Promise<MessagesResult> {
  const { count, samples, acks } = context.options.messages;
  const tokens = {
    sender: await token(context.secret, { sub: SENDER, org: ORG, name: "Message Sender" }),
    receiver: await token(context.secret, { sub: RECEIVER, org: ORG, name: "Message Receiver" }),
  };
  const production = declaredRateLimits(readFileSync(join(context.worker.dir, "wrangler.toml"), "utf8"));
  const service = await withServer(
    context,
    "messages",
    (server) =>
      measure(context, { name: "service", httpUrl: server.httpUrl, wsUrl: server.wsUrl, wakes: server.wakes, cpuMs: server.cpuMs, persistDir: server.persistDir }, tokens),
    { rateLimits: LIFTED },
  );
  const floor = baseline
    ? await measure(context, { name: "baseline", httpUrl: baseline.httpUrl, wsUrl: baseline.wsUrl, wakes: null, cpuMs: baseline.cpuMs, persistDir: null }, tokens)
    : null;
  const latencyRatio = (key: "p50" | "p95" | "p99") => (floor ? ratio(service.latency.delivery[key], floor.latency.delivery[key]) : null);
  return {
    scenario: "messages",
    size: { messages: count, samples },
    rateLimits: Object.entries(LIFTED).map(([binding, bench]) => ({ binding, production: production[binding] as RateLimit, bench })),
    acks,
    bodyBytes: JSON.stringify(bodyOf(0).body).length,
    service,
    baseline: floor,
    ratio: { p50: latencyRatio("p50"), p95: latencyRatio("p95"), p99: latencyRatio("p99") },
  };
}
