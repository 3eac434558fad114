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
  /**
   * The thread's watchers (`diff`s) or devices (`changed` frames) start recording the arrival of a
   * user whose text is `<prefix><index>`; `statuses[index]`, when given, is the status it must show.
   */
  | { op: "track"; sockets: TrackedSockets; prefix: string; changes: number; statuses?: string[] }
  /**
   * Every device sends `{"type":"subscribe","users":[...]}`, at most `concurrency` waiting for their
   * answer at once; each is done at its `subscribed` (or an `error` frame, or `timeoutMs`).
   */
  | { op: "subscribe"; users: string[]; concurrency: number; timeoutMs: number }
  /** One device sends one text frame; the answer is the send time (clock.ts). */
  | { op: "send"; device: number; text: string }
  /** Every device sends `text` once. */
  | { op: "sendAll"; text: string }
  /** Every device sends `perDevice` heartbeats `intervalMs` apart, staggered; answers when all pongs are back. */
  | { op: "pings"; perDevice: number; intervalMs: number; timeoutMs: number }
  /** What the watchers recorded since `track`. */
  | { op: "collect" }
  /**
   * Device `device` of this thread receives messages: it records the arrival of each message whose
   * body is `{"seq": s}` (s below `capacity`), live (`message`) or stored (`inbox`), reports each
   * first arrival as a `message` event and acknowledges every message as `acks` says. Meanwhile
   * every device of the thread counts the frames it gets, by type (a sender's receipts).
   */
  | { op: "receive"; device: number; capacity: number; acks: AckPolicy }
  /** Acknowledges what is still waiting (within `timeoutMs`), stops receiving and reports. */
  | { op: "received"; timeoutMs: number }
  /** Closes every socket of this thread. */
  | { op: "closeAll"; timeoutMs: number }
  /** What the thread's sockets sent and got since the last reset: keep-alive pings, pongs, frames by type. */
  | { op: "traffic"; reset: boolean }
  /**
   * Every device sends `perDevice` status frames on average (the fraction as a chance of one more), at
   * random times within `spreadMs`, at least `minGapMs` apart: busy and auto in turn, each with text `<prefix><n>`.
   */
  | { op: "statusChanges"; perDevice: number; spreadMs: number; minGapMs: number; prefix: string }
  /** `PUT /v1/presence/me` by each token's user, `perUser` times on average at random times within `spreadMs` (bench/clients/rest.ts). */
  | { op: "restChanges"; httpUrl: string; tokens: string[]; perUser: number; spreadMs: number; concurrency: number; prefix: string };

/** What a thread's sockets sent and received (traffic op). */
export interface TrafficReport {
  /** Keep-alive `ping`s sent by devices and by watchers, and the pongs they got. */
  devicePings: number;
  watcherPings: number;
  pongs: number;
  /** Frames devices got, by type (`presence` by the status it shows: "presence away"). */
  deviceFrames: Record<string, number>;
  /** Frames watchers got, by type. */
  watchFrames: Record<string, number>;
  /** Status frames sent by statusChanges. */
  statusFrames: number;
}

export interface RestChangesReport {
  sent: number;
  /** Answers by status ("200"), failures by error name. */
  answers: Record<string, number>;
  latencyMs: number[];
}

export interface OpenReport {
  opened: number;
  failed: number;
  /** Failure reasons ("http 503", "ECONNRESET", "timeout"...) with their counts. */
  errors: Record<string, number>;
  /** When each socket's handshake began and when its first frame arrived (NaN: failed), in request order. */
  beganAt: number[];
  readyAt: number[];
}

/** Which of a thread's sockets `track` records: watch sockets (`diff`) or device sockets (`changed`). */
export type TrackedSockets = "watchers" | "devices";

export interface TrackReport {
  /** How many sockets were tracked. */
  sockets: number;
  changes: number;
  /** Receive time of change `c` at tracked socket `s` is `received[c * sockets + s]` (NaN: never arrived). */
  received: Float64Array;
  /** Arrivals whose status was not the one `track` expected for that change. */
  wrongStatus: number;
  /** Diffs whose `seq` was not the previous one + 1 (a missed frame). */
  seqGaps: number;
  /** Sockets that closed while they should have been open, by close code. */
  unexpectedCloses: Record<string, number>;
}

/**
 * When a receiving device acknowledges: once `batch` messages wait or the oldest has waited
 * `delayMs`, at most 100 ids a frame (the protocol's limit), never two frames within `gapMs`
 * (the service takes at most 20 frames a second from a socket).
 */
export interface AckPolicy {
  batch: number;
  delayMs: number;
  gapMs: number;
}

export interface ReceiveReport {
  /** Arrival of the message with body `{"seq": s}` is `arrivals[s]` (NaN: never arrived). */
  arrivals: Float64Array;
  /** `message` frames received, and messages that came in `inbox` frames. */
  messageFrames: number;
  inboxMessages: number;
  /** Messages whose seq had already arrived (a redelivery). */
  duplicates: number;
  /** `ack` frames sent and the ids they named. */
  ackFrames: number;
  ackedIds: number;
  /** Frames the thread's devices got meanwhile, by type ("receipt delivered", "error rate_limited"); pongs and messages apart. */
  frames: Record<string, number>;
}

export interface PingReport {
  sent: number;
  pongs: number;
  /** Round trip of each heartbeat: pong arrival minus the send time of the oldest unanswered ping. */
  rttMs: number[];
  /** Non-pong frames devices received during the phase, by `type`. */
  otherFrames: Record<string, number>;
}

export interface SubscribeReport {
  /** Devices answered `subscribed`, and the others by reason ("error too_many_subscriptions", "timeout", "closed"). */
  subscribed: number;
  failed: number;
  errors: Record<string, number>;
  /** Per device: subscribe frame sent → `subscribed` received (NaN: failed). */
  answerMs: number[];
  /** The answers' `presence`, as each device got it, for the first device only (a sample to check visibility). */
  sample: Record<string, unknown> | null;
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
  /** Every tracked socket of the thread has seen change `index`. */
  | { event: "changeDone"; index: number; at: number }
  /** The roster-tracking watcher holds `size` members (sent once, when it first reaches its target). */
  | { event: "roster"; size: number; at: number }
  /** The receiving device got the message with body `{"seq": seq}` (its first arrival). */
  | { event: "message"; seq: number; at: number };

export type Envelope = { id: number; command: Command };
