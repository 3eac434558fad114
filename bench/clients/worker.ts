/**
 * A client thread: holds real WebSocket clients (the `ws` package) and does what the main thread
 * asks (bench/clients/messages.ts). Every loop here is bounded by a count and every wait by a timeout.
 */
import { parentPort } from "node:worker_threads";
import WebSocket from "ws";
import { nowMs } from "../clock.ts";
import { forEachLimited } from "../concurrency.ts";
import { MAX_MESSAGES_PER_FRAME } from "../../packages/client/src/protocol.ts";
import type { DeviceFrame, DeviceServerFrame, SubscribeFrame, WatchServerFrame } from "../../src/protocol/frames.ts";
import type { Message } from "../../src/protocol/messages.ts";
import { restChanges } from "./rest.ts";
import { changeTimes } from "./schedule.ts";
import type {
  AckPolicy,
  CloseReport,
  Command,
  Envelope,
  OpenReport,
  PingReport,
  ReceiveReport,
  Reply,
  SendReport,
  SubscribeReport,
  ThreadEvent,
  TrackedSockets,
  TrackReport,
  TrafficReport,
} from "./messages.ts";

interface Watcher {
  ws: WebSocket;
  slot: number;
  lastSeq: number;
  roster: Set<string> | null;
}

interface Device {
  ws: WebSocket;
  slot: number;
  /** How the socket closed, if it did: "<code> <reason>". */
  closed: string | null;
  /** Send times of heartbeats not yet answered, oldest first. */
  pending: number[];
  /** Waiting for the answer to a `subscribe` frame: called with "subscribed", "error <code>" or "closed". */
  answer: ((outcome: string) => void) | null;
}

interface Tracking {
  sockets: TrackedSockets;
  /** How many sockets are tracked (the thread's watchers or devices when tracking began). */
  count: number;
  prefix: string;
  statuses: string[] | null;
  wrongStatus: number;
  changes: number;
  received: Float64Array;
  got: Int32Array;
  seqGaps: number;
}

/** The device receiving messages (`receive`), what it recorded, and the ids it has yet to acknowledge. */
interface Receiving {
  device: Device;
  acks: AckPolicy;
  report: ReceiveReport;
  /** Ids not yet acknowledged, and when each arrived. */
  waiting: string[];
  waitingSince: number[];
  lastAckAt: number;
  timer: { handle: ReturnType<typeof setTimeout>; at: number } | null;
}

const port = parentPort;
if (!port) throw new Error("bench/clients/worker.ts runs as a worker thread");

const watchers: Watcher[] = [];
const devices: Device[] = [];
let tracking: Tracking | null = null;
let rosterTarget: number | null = null;
let rosterReported = false;
let unexpectedCloses: Record<string, number> = {};
let closing = false;
let pingPhase: { rtt: number[]; pongs: number; other: Record<string, number> } | null = null;
let pongWaiter: (() => void) | null = null;
let expectedPongs = 0;
/** The first `subscribed` answer's presence since the last `subscribe` command (reported as a sample). */
let subscribedSample: Record<string, unknown> | null = null;
let receiving: Receiving | null = null;
const quietTraffic = (): TrafficReport => ({ devicePings: 0, watcherPings: 0, pongs: 0, deviceFrames: {}, watchFrames: {}, statusFrames: 0 });
let traffic = quietTraffic();

function emit(event: ThreadEvent): void {
  port?.postMessage(event);
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

const PONG_GRACE_MS = 10_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

const SOCKET_OPTIONS = { perMessageDeflate: false, handshakeTimeout: 30_000 } as const;

/** Opens one socket; resolves with its first text frame's arrival time, or rejects with a short reason. */
function openSocket(url: string, timeoutMs: number, onFrame: (ws: WebSocket, text: string, at: number) => void): Promise<{ ws: WebSocket; at: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, SOCKET_OPTIONS);
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(reason));
    };
    const timer = setTimeout(() => fail("timeout"), timeoutMs);
    ws.on("unexpected-response", (_request, response) => fail(`http ${response.statusCode ?? "?"}`));
    ws.on("error", (error: NodeJS.ErrnoException) => fail(error.code ?? error.message.slice(0, 40)));
    ws.on("close", (code) => {
      if (!settled) fail(`closed ${code}`);
      else if (!closing) bump(unexpectedCloses, String(code));
    });
    ws.on("message", (data, isBinary) => {
      const at = nowMs();
      if (isBinary) return;
      const text = data.toString();
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ ws, at });
      }
      onFrame(ws, text, at);
    });
  });
}

function changeIndex(text: string | null, prefix: string): number {
  const index = text?.startsWith(prefix) ? Number(text.slice(prefix.length)) : Number.NaN;
  return Number.isInteger(index) ? index : -1;
}

/** Records that tracked socket `slot` has the user at `text` with `status` (a change's first arrival only). */
function record(track: Tracking, slot: number, text: string | null, status: string, at: number): void {
  const index = changeIndex(text, track.prefix);
  if (index < 0 || index >= track.changes || slot >= track.count) return;
  const cell = index * track.count + slot;
  if (!Number.isNaN(track.received[cell])) return;
  track.received[cell] = at;
  if (track.statuses && track.statuses[index] !== status) track.wrongStatus += 1;
  track.got[index] = (track.got[index] ?? 0) + 1;
  if (track.got[index] === track.count) emit({ event: "changeDone", index, at });
}

function onWatchFrame(watcher: Watcher, text: string, at: number): void {
  if (text === "pong") {
    traffic.pongs += 1;
    return;
  }
  let frame: WatchServerFrame;
  try {
    frame = JSON.parse(text) as WatchServerFrame;
  } catch {
    return;
  }
  bump(traffic.watchFrames, frame.type);
  // Members watches (the bench opens no counts-only one) carry members; counts frames only move the seq.
  if (frame.type === "sync") {
    watcher.lastSeq = frame.seq;
    if (watcher.roster && "members" in frame) for (const member of frame.members) watcher.roster.add(member.user);
  } else if (frame.type === "diff" && !("joins" in frame)) {
    watcher.lastSeq = frame.seq;
  } else if (frame.type === "diff") {
    const seq = frame.seq;
    const track = tracking?.sockets === "watchers" ? tracking : null;
    if (track) {
      if (seq !== watcher.lastSeq + 1) track.seqGaps += 1;
      for (const member of [...frame.updates, ...frame.joins]) record(track, watcher.slot, member.text, member.status, at);
    }
    watcher.lastSeq = seq;
    if (watcher.roster) {
      for (const member of frame.joins) watcher.roster.add(member.user);
      for (const user of frame.leaves) watcher.roster.delete(user);
    }
  }
  if (watcher.roster && rosterTarget !== null && !rosterReported && watcher.roster.size >= rosterTarget) {
    rosterReported = true;
    emit({ event: "roster", size: watcher.roster.size, at });
  }
}

function onDeviceFrame(device: Device, text: string, at: number): void {
  if (text === "pong") {
    traffic.pongs += 1;
    const sentAt = device.pending.shift();
    if (pingPhase) {
      pingPhase.pongs += 1;
      if (sentAt !== undefined) pingPhase.rtt.push(at - sentAt);
      if (pingPhase.pongs >= expectedPongs) pongWaiter?.();
    }
    return;
  }
  let frame: DeviceServerFrame | null = null;
  try {
    frame = JSON.parse(text) as DeviceServerFrame;
  } catch {
    // counted as unparsable below
  }
  if (pingPhase) bump(pingPhase.other, frame?.type ?? "unparsable");
  bump(traffic.deviceFrames, frame?.type === "presence" ? `presence ${frame.presence.status}` : (frame?.type ?? "unparsable"));
  if (receiving) countFrame(receiving, device, frame, at);
  if (frame?.type === "subscribed") device.answer?.("subscribed");
  else if (frame?.type === "error") device.answer?.(`error ${frame.code}`);
  else if (frame?.type === "changed" && tracking?.sockets === "devices") record(tracking, device.slot, frame.presence.text, frame.presence.status, at);
  if (frame?.type === "subscribed" && subscribedSample === null) subscribedSample = frame.presence;
}

/** While receiving: messages to the receiving device are recorded and acknowledged; other frames counted by type. */
function countFrame(session: Receiving, device: Device, frame: DeviceServerFrame | null, at: number): void {
  if (device === session.device && frame?.type === "message") {
    session.report.messageFrames += 1;
    return took(session, [frame.message], at);
  }
  if (device === session.device && frame?.type === "inbox") {
    session.report.inboxMessages += frame.messages.length;
    return took(session, frame.messages, at);
  }
  const kind = frame === null ? "unparsable" : frame.type === "error" ? `error ${frame.code}` : frame.type === "receipt" ? `receipt ${frame.state}` : frame.type;
  bump(session.report.frames, kind);
}

function took(session: Receiving, messages: Message[], at: number): void {
  const { arrivals } = session.report;
  for (const message of messages) {
    session.waiting.push(message.id);
    session.waitingSince.push(at);
    const seq = (message.body as { seq?: unknown } | null)?.seq;
    if (typeof seq !== "number" || !Number.isInteger(seq) || seq < 0 || seq >= arrivals.length) continue;
    if (!Number.isNaN(arrivals[seq])) {
      session.report.duplicates += 1;
      continue;
    }
    arrivals[seq] = at;
    emit({ event: "message", seq, at });
  }
  pumpAcks(session);
}

/** Sends the next ack frame if one is due and the gap since the last allows it, else sets a timer for when it will be. */
function pumpAcks(session: Receiving): void {
  if (session.waiting.length === 0) return;
  const now = nowMs();
  const due = session.waiting.length >= session.acks.batch ? now : (session.waitingSince[0] as number) + session.acks.delayMs;
  const at = Math.max(due, session.lastAckAt + session.acks.gapMs);
  if (at > now) {
    if (session.timer && session.timer.at <= at) return;
    if (session.timer) clearTimeout(session.timer.handle);
    session.timer = { handle: setTimeout(() => ((session.timer = null), pumpAcks(session)), at - now), at };
    return;
  }
  if (sendAck(session, now)) pumpAcks(session);
}

/** Sends one ack frame of the oldest waiting ids; false when the socket is no longer open. */
function sendAck(session: Receiving, now: number): boolean {
  if (session.device.ws.readyState !== WebSocket.OPEN) return false;
  const ids = session.waiting.splice(0, MAX_MESSAGES_PER_FRAME);
  session.waitingSince.splice(0, ids.length);
  session.device.ws.send(JSON.stringify({ type: "ack", ids } satisfies Extract<DeviceFrame, { type: "ack" }>));
  session.report.ackFrames += 1;
  session.report.ackedIds += ids.length;
  session.lastAckAt = now;
  return true;
}

/** Sends `ping` every `intervalMs` until the socket closes (a bounded loop: it ends with the socket). */
function keepAlive(ws: WebSocket, intervalMs: number | undefined, kind: "device" | "watcher"): void {
  if (!intervalMs) return;
  let interval: ReturnType<typeof setInterval> | undefined;
  const ping = () => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send("ping");
    if (kind === "device") traffic.devicePings += 1;
    else traffic.watcherPings += 1;
  };
  const first = setTimeout(() => {
    interval = setInterval(ping, intervalMs);
    ping();
  }, Math.random() * intervalMs);
  ws.once("close", () => {
    clearTimeout(first);
    clearInterval(interval);
  });
}

async function openMany(
  kind: "device" | "watcher",
  urls: string[],
  concurrency: number,
  timeoutMs: number,
  keepaliveMs: number | undefined,
  register: (ws: WebSocket) => (text: string, at: number) => void,
): Promise<OpenReport> {
  const report: OpenReport = {
    opened: 0,
    failed: 0,
    errors: {},
    beganAt: new Array<number>(urls.length).fill(Number.NaN),
    readyAt: new Array<number>(urls.length).fill(Number.NaN),
  };
  await forEachLimited(urls.length, concurrency, async (index) => {
    const url = urls[index] as string;
    report.beganAt[index] = nowMs();
    let handler: ((text: string, at: number) => void) | null = null;
    try {
      const { ws, at } = await openSocket(url, timeoutMs, (ws, text, frameAt) => {
        handler ??= register(ws);
        handler(text, frameAt);
      });
      report.readyAt[index] = at;
      report.opened += 1;
      keepAlive(ws, keepaliveMs, kind);
    } catch (error) {
      report.failed += 1;
      bump(report.errors, (error as Error).message);
    }
  });
  return report;
}

async function openWatchers(command: Extract<Command, { op: "openWatchers" }>): Promise<OpenReport> {
  if (command.rosterTarget !== undefined) {
    rosterTarget = command.rosterTarget;
    rosterReported = false;
  }
  return openMany("watcher", command.urls, command.concurrency, command.timeoutMs, command.keepaliveMs, (ws) => {
    const watcher: Watcher = { ws, slot: watchers.length, lastSeq: 0, roster: command.rosterTarget === undefined ? null : new Set() };
    watchers.push(watcher);
    return (text, at) => onWatchFrame(watcher, text, at);
  });
}

async function openDevices(command: Extract<Command, { op: "openDevices" }>): Promise<OpenReport> {
  return openMany("device", command.urls, command.concurrency, command.timeoutMs, command.keepaliveMs, (ws) => {
    const device: Device = { ws, slot: devices.length, pending: [], closed: null, answer: null };
    ws.on("close", (code, reason) => {
      device.closed = `${code} ${reason.toString()}`.trim();
      device.answer?.("closed");
    });
    devices.push(device);
    return (text, at) => onDeviceFrame(device, text, at);
  });
}

function track(command: Extract<Command, { op: "track" }>): null {
  const count = command.sockets === "watchers" ? watchers.length : devices.length;
  const cells = command.changes * count;
  tracking = {
    sockets: command.sockets,
    count,
    statuses: command.statuses ?? null,
    wrongStatus: 0,
    prefix: command.prefix,
    changes: command.changes,
    received: new Float64Array(cells).fill(Number.NaN),
    got: new Int32Array(command.changes),
    seqGaps: 0,
  };
  unexpectedCloses = {};
  return null;
}

function collect(): TrackReport {
  const track = tracking;
  const report: TrackReport = {
    sockets: track?.count ?? 0,
    changes: track?.changes ?? 0,
    received: track?.received ?? new Float64Array(0),
    wrongStatus: track?.wrongStatus ?? 0,
    seqGaps: track?.seqGaps ?? 0,
    unexpectedCloses,
  };
  tracking = null;
  return report;
}

function send(command: Extract<Command, { op: "send" }>): SendReport {
  const device = devices[command.device];
  if (!device || device.ws.readyState !== WebSocket.OPEN) throw new Error(`device ${command.device} is not open (closed: ${device?.closed ?? "?"})`);
  const sentAt = nowMs();
  device.ws.send(command.text);
  return { sentAt };
}

function sendAll(command: Extract<Command, { op: "sendAll" }>): { sent: number } {
  let sent = 0;
  for (const device of devices) {
    if (device.ws.readyState !== WebSocket.OPEN) continue;
    device.ws.send(command.text);
    sent += 1;
  }
  return { sent };
}

/** Every device subscribes to `users`, a bounded number awaiting their answer at once. */
async function subscribe(command: Extract<Command, { op: "subscribe" }>): Promise<SubscribeReport> {
  const frame = JSON.stringify({ type: "subscribe", users: command.users } satisfies SubscribeFrame);
  const report: SubscribeReport = { subscribed: 0, failed: 0, errors: {}, answerMs: new Array<number>(devices.length).fill(Number.NaN), sample: null };
  subscribedSample = null;
  const targets = [...devices];
  await forEachLimited(targets.length, command.concurrency, async (index) => {
    const device = targets[index] as Device;
    if (device.ws.readyState !== WebSocket.OPEN) {
      report.failed += 1;
      bump(report.errors, "not open");
      return;
    }
    const sentAt = nowMs();
    const outcome = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve("timeout"), command.timeoutMs);
      device.answer = (answer) => {
        clearTimeout(timer);
        resolve(answer);
      };
      device.ws.send(frame);
    });
    device.answer = null;
    if (outcome === "subscribed") {
      report.subscribed += 1;
      report.answerMs[index] = nowMs() - sentAt;
    } else {
      report.failed += 1;
      bump(report.errors, outcome);
    }
  });
  report.sample = subscribedSample;
  return report;
}

function receive(command: Extract<Command, { op: "receive" }>): null {
  const device = devices[command.device];
  if (!device || device.ws.readyState !== WebSocket.OPEN) throw new Error(`device ${command.device} is not open (closed: ${device?.closed ?? "?"})`);
  if (receiving?.timer) clearTimeout(receiving.timer.handle);
  receiving = {
    device,
    acks: command.acks,
    report: { arrivals: new Float64Array(command.capacity).fill(Number.NaN), messageFrames: 0, inboxMessages: 0, duplicates: 0, ackFrames: 0, ackedIds: 0, frames: {} },
    waiting: [],
    waitingSince: [],
    lastAckAt: Number.NEGATIVE_INFINITY,
    timer: null,
  };
  return null;
}

async function received(command: Extract<Command, { op: "received" }>): Promise<ReceiveReport> {
  const session = receiving;
  if (!session) throw new Error("not receiving");
  if (session.timer) clearTimeout(session.timer.handle);
  session.timer = null;
  // Everything still waiting is acknowledged now, as fast as the gap allows (a bounded loop: each pass sends a frame or ends).
  const deadline = nowMs() + command.timeoutMs;
  while (session.waiting.length > 0 && nowMs() < deadline) {
    await delay(Math.max(0, session.lastAckAt + session.acks.gapMs - nowMs()));
    if (!sendAck(session, nowMs())) break;
  }
  receiving = null;
  return session.report;
}

async function pings(command: Extract<Command, { op: "pings" }>): Promise<PingReport> {
  const phase = { rtt: [] as number[], pongs: 0, other: {} as Record<string, number> };
  pingPhase = phase;
  expectedPongs = Number.POSITIVE_INFINITY;
  let sent = 0;
  const open = devices.filter((device) => device.ws.readyState === WebSocket.OPEN);
  const timers: ReturnType<typeof setTimeout>[] = [];
  const allSent = Promise.all(
    open.map(
      (device, index) =>
        new Promise<void>((resolve) => {
          let count = 0;
          const tick = () => {
            if (count >= command.perDevice || device.ws.readyState !== WebSocket.OPEN) return resolve();
            count += 1;
            sent += 1;
            device.pending.push(nowMs());
            device.ws.send("ping");
            timers.push(setTimeout(tick, command.intervalMs));
          };
          // Stagger devices evenly over one interval so the heartbeats form a steady stream.
          timers.push(setTimeout(tick, (index / Math.max(1, open.length)) * command.intervalMs));
        }),
    ),
  );
  await Promise.race([allSent, delay(command.timeoutMs)]);
  expectedPongs = sent;
  // The last pongs are at most a round trip behind the last ping; wait a bounded while for them.
  if (phase.pongs < expectedPongs) await Promise.race([new Promise<void>((resolve) => (pongWaiter = resolve)), delay(PONG_GRACE_MS)]);
  for (const timer of timers) clearTimeout(timer);
  pongWaiter = null;
  pingPhase = null;
  for (const device of devices) device.pending = [];
  return { sent, pongs: phase.pongs, rttMs: phase.rtt, otherFrames: phase.other };
}

function trafficReport(command: Extract<Command, { op: "traffic" }>): TrafficReport {
  const report = traffic;
  if (command.reset) traffic = quietTraffic();
  return report;
}

/** Every open device sends its status frames at its own times (busy and auto in turn); answers once all went out. */
async function statusChanges(command: Extract<Command, { op: "statusChanges" }>): Promise<{ sent: number }> {
  let sent = 0;
  let serial = 0;
  const open = devices.filter((device) => device.ws.readyState === WebSocket.OPEN);
  await Promise.all(
    open.map(async (device) => {
      let elapsed = 0;
      for (const at of changeTimes(command.perDevice, command.spreadMs, command.minGapMs)) {
        await delay(at - elapsed);
        elapsed = at;
        if (device.ws.readyState !== WebSocket.OPEN) return;
        serial += 1;
        device.ws.send(JSON.stringify({ type: "status", status: serial % 2 === 0 ? "auto" : "busy", text: `${command.prefix}${serial}` } satisfies DeviceFrame));
        sent += 1;
        traffic.statusFrames += 1;
      }
    }),
  );
  return { sent };
}

async function closeAll(command: Extract<Command, { op: "closeAll" }>): Promise<CloseReport> {
  closing = true;
  const sockets = [...watchers.map((w) => w.ws), ...devices.map((d) => d.ws)];
  const waits = sockets.map((ws) =>
    ws.readyState === WebSocket.CLOSED ? Promise.resolve() : new Promise<void>((resolve) => ws.once("close", () => resolve())),
  );
  for (const ws of sockets) if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, "bench done");
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.all(waits), new Promise<void>((resolve) => (timer = setTimeout(resolve, command.timeoutMs)))]);
  clearTimeout(timer);
  let terminated = 0;
  for (const ws of sockets) {
    if (ws.readyState !== WebSocket.CLOSED) {
      ws.terminate();
      terminated += 1;
    }
  }
  watchers.length = 0;
  devices.length = 0;
  tracking = null;
  rosterTarget = null;
  if (receiving?.timer) clearTimeout(receiving.timer.handle);
  receiving = null;
  closing = false;
  return { closed: sockets.length - terminated, terminated };
}

async function run(command: Command): Promise<unknown> {
  switch (command.op) {
    case "openWatchers":
      return openWatchers(command);
    case "openDevices":
      return openDevices(command);
    case "track":
      return track(command);
    case "subscribe":
      return subscribe(command);
    case "send":
      return send(command);
    case "sendAll":
      return sendAll(command);
    case "pings":
      return pings(command);
    case "collect":
      return collect();
    case "receive":
      return receive(command);
    case "received":
      return received(command);
    case "closeAll":
      return closeAll(command);
    case "traffic":
      return trafficReport(command);
    case "statusChanges":
      return statusChanges(command);
    case "restChanges":
      return restChanges(command);
  }
}

port.on("message", (envelope: Envelope) => {
  run(envelope.command).then(
    (value) => {
      // Recorded times (TrackReport.received, ReceiveReport.arrivals) move to the main thread rather than being copied.
      const transfer = value && typeof value === "object" ? Object.values(value).flatMap((field) => (field instanceof Float64Array ? [field.buffer as ArrayBuffer] : [])) : [];
      port.postMessage({ id: envelope.id, ok: true, value } satisfies Reply, transfer);
    },
    (error: unknown) => port.postMessage({ id: envelope.id, ok: false, error: String((error as Error)?.message ?? error) } satisfies Reply),
  );
});
