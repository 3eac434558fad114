/** What the main thread and client threads (bench/clients/worker.ts) say to each other. */

/**
 * `keepaliveMs`: each socket then sends `ping` that often (first one at a random point of the
 * interval), as real clients do; the service closes sockets silent for OFFLINE_AFTER_MS.
 * Pings are auto-responded, so they wake no object.
 */
export type Command =
  /** Opens watch sockets (at most `concurrency` handshakes in flight); each is ready at its `sync`. */
  | { op: "openWatchers"; urls: string[]; concurrency: number; timeoutMs: number; rosterTarget?: number; keepaliveMs?: number }
  /** Opens device sockets (at most `concurrency` handshakes in flight); each is ready at its `hello`. */
  | { op: "openDevices"; urls: string[]; concurrency: number; timeoutMs: number; keepaliveMs?: number }
  /** Watchers start recording when `diff`s carrying a member whose text is `<prefix><index>` arrive. */
  | { op: "track"; prefix: string; changes: number }
  /** One device sends one text frame; the answer is the send time (clock.ts). */
  | { op: "send"; device: number; text: string }
  /** Every device sends `text` once. */
  | { op: "sendAll"; text: string }
  /** Every device sends `perDevice` heartbeats `intervalMs` apart, staggered; answers when all pongs are back. */
  | { op: "pings"; perDevice: number; intervalMs: number; timeoutMs: number }
  /** What the watchers recorded since `track`. */
  | { op: "collect" }
  /** Closes every socket of this thread. */
  | { op: "closeAll"; timeoutMs: number };

export interface OpenReport {
  opened: number;
  failed: number;
  /** Failure reasons ("http 503", "ECONNRESET", "timeout"...) with their counts. */
  errors: Record<string, number>;
  /** When each socket's handshake began and when its first frame arrived (NaN: failed), in request order. */
  beganAt: number[];
  readyAt: number[];
}

export interface TrackReport {
  watchers: number;
  changes: number;
  /** Receive time of change `c` at watcher `w` is `received[c * watchers + w]` (NaN: never arrived). */
  received: Float64Array;
  /** Diffs whose `seq` was not the previous one + 1 (a missed frame). */
  seqGaps: number;
  /** Sockets that closed while they should have been open, by close code. */
  unexpectedCloses: Record<string, number>;
}

export interface PingReport {
  sent: number;
  pongs: number;
  /** Round trip of each heartbeat: pong arrival minus the send time of the oldest unanswered ping. */
  rttMs: number[];
  /** Non-pong frames devices received during the phase, by `type`. */
  otherFrames: Record<string, number>;
}

export interface CloseReport {
  closed: number;
  terminated: number;
}

export interface SendReport {
  sentAt: number;
}

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export type ThreadEvent =
  /** Every watcher of the thread has seen change `index`. */
  | { event: "changeDone"; index: number; at: number }
  /** The roster-tracking watcher holds `size` members (sent once, when it first reaches its target). */
  | { event: "roster"; size: number; at: number };

export type Envelope = { id: number; command: Command };
