import { Worker } from "node:worker_threads";
import { within } from "../clock.ts";
import type {
  CloseReport,
  Command,
  Envelope,
  OpenReport,
  PingReport,
  ReceiveReport,
  Reply,
  RestChangesReport,
  SendReport,
  SubscribeReport,
  ThreadEvent,
  TrackReport,
  TrafficReport,
} from "./messages.ts";

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** Answers by command, so callers get typed values. */
interface Answers {
  openWatchers: OpenReport;
  openDevices: OpenReport;
  track: null;
  subscribe: SubscribeReport;
  send: SendReport;
  sendAll: { sent: number };
  pings: PingReport;
  collect: TrackReport;
  receive: null;
  received: ReceiveReport;
  closeAll: CloseReport;
  traffic: TrafficReport;
  statusChanges: { sent: number };
  restChanges: RestChangesReport;
}

/** One client thread (bench/clients/worker.ts) seen from the main thread. */
export class ClientThread {
  readonly index: number;
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private listeners: ((event: ThreadEvent, thread: number) => void)[] = [];
  private failure: Error | null = null;

  constructor(index: number) {
    this.index = index;
    this.worker = new Worker(new URL("./worker.ts", import.meta.url));
    this.worker.on("message", (message: Reply | ThreadEvent) => {
      if ("event" in message) {
        for (const listener of this.listeners) listener(message, this.index);
        return;
      }
      const waiting = this.waiting.get(message.id);
      if (!waiting) return;
      this.waiting.delete(message.id);
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(new Error(`client thread ${this.index}: ${message.error}`));
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const waiting of this.waiting.values()) waiting.reject(error);
      this.waiting.clear();
    };
    this.worker.on("error", (error: Error) => fail(new Error(`client thread ${this.index} crashed: ${error.message}`)));
    this.worker.on("exit", (code) => fail(new Error(`client thread ${this.index} exited (${code})`)));
  }

  /** Sends a command; rejects if the thread fails or does not answer within `timeoutMs`. */
  call<K extends Command["op"]>(command: Extract<Command, { op: K }>, timeoutMs: number): Promise<Answers[K]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const answer = new Promise<unknown>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.worker.postMessage({ id, command } satisfies Envelope);
    return within(answer, timeoutMs, `client thread ${this.index} ${command.op}`) as Promise<Answers[K]>;
  }

  onEvent(listener: (event: ThreadEvent, thread: number) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((other) => other !== listener);
    };
  }

  async stop(): Promise<void> {
    this.failure ??= new Error(`client thread ${this.index} stopped`);
    await this.worker.terminate();
  }
}

/**
 * The bench's clients: `loadThreads` threads that hold the bulk of the sockets (watchers, a storm's
 * devices) and one `control` thread for the few sockets whose timing matters (the status sender,
 * a roster watcher), so their sends and receipts never queue behind thousands of other frames.
 */
export class ClientPool {
  readonly load: ClientThread[];
  readonly control: ClientThread;

  constructor(loadThreads: number) {
    this.load = Array.from({ length: loadThreads }, (_, index) => new ClientThread(index));
    this.control = new ClientThread(loadThreads);
  }

  get all(): ClientThread[] {
    return [...this.load, this.control];
  }

  /** Splits `items` over the load threads as evenly as possible (thread i gets items i, i+n, ...). */
  split<T>(items: T[]): T[][] {
    const parts = this.load.map(() => [] as T[]);
    items.forEach((item, index) => parts[index % parts.length]?.push(item));
    return parts;
  }

  /** Closes every socket; those whose close handshake is not answered within `timeoutMs` are terminated. */
  async closeAllSockets(timeoutMs = 1_000): Promise<CloseReport> {
    const reports = await Promise.all(this.all.map((thread) => thread.call({ op: "closeAll", timeoutMs }, timeoutMs + 5_000)));
    return reports.reduce((sum, report) => ({ closed: sum.closed + report.closed, terminated: sum.terminated + report.terminated }), {
      closed: 0,
      terminated: 0,
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((thread) => thread.stop()));
  }
}

/** Sums the traffic reports of several threads. */
export function mergeTraffic(reports: TrafficReport[]): TrafficReport {
  const merged: TrafficReport = { devicePings: 0, watcherPings: 0, pongs: 0, deviceFrames: {}, watchFrames: {}, statusFrames: 0 };
  for (const report of reports) {
    merged.devicePings += report.devicePings;
    merged.watcherPings += report.watcherPings;
    merged.pongs += report.pongs;
    merged.statusFrames += report.statusFrames;
    for (const [type, count] of Object.entries(report.deviceFrames)) merged.deviceFrames[type] = (merged.deviceFrames[type] ?? 0) + count;
    for (const [type, count] of Object.entries(report.watchFrames)) merged.watchFrames[type] = (merged.watchFrames[type] ?? 0) + count;
  }
  return merged;
}

/** Merges the open reports of several threads (times stay on the shared clock). */
export function mergeOpenReports(reports: OpenReport[]): OpenReport {
  const merged: OpenReport = { opened: 0, failed: 0, errors: {}, beganAt: [], readyAt: [] };
  for (const report of reports) {
    merged.opened += report.opened;
    merged.failed += report.failed;
    for (const [reason, count] of Object.entries(report.errors)) merged.errors[reason] = (merged.errors[reason] ?? 0) + count;
    merged.beganAt.push(...report.beganAt);
    merged.readyAt.push(...report.readyAt);
  }
  return merged;
}
