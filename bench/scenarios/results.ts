import type { AckPolicy } from "../clients/messages.ts";
import type { MonthlyCost } from "../model/platform.ts";
import type { RateLimit } from "../server/rateLimits.ts";
import type { WakeCounts } from "../server/wakes.ts";
import type { Summary } from "../stats.ts";
import type { Usage } from "./usage.ts";
import type { LoadResult } from "./load.ts";

/** One fan-out run against one target (the service or the bare ws floor). */
export interface FanoutTarget {
  target: "service" | "baseline";
  watchersOpened: number;
  watchersFailed: number;
  connectErrors: Record<string, number>;
  /** Time to open every watcher (batched), and the rate that makes. */
  connectSeconds: number;
  connectPerSecond: number;
  /** Sockets per second among the first and the last tenth of watchers to get their sync (does connecting slow down as the room fills?). */
  connectRateFirstTenth: number | null;
  connectRateLastTenth: number | null;
  /** CPU time (utime + stime) of the server process(es) per watcher opened, over the connect phase. */
  connectCpuMs: number | null;
  changesMeasured: number;
  /** Status frame sent → diff received, one sample per (watcher, change). */
  delivery: Summary;
  /** Per change: status frame sent → the last watcher received the diff. */
  completion: Summary;
  /** Per change: status frame sent → the first watcher received the diff. */
  first: Summary;
  /** Changes not seen by every watcher within the per-change timeout. */
  changesTimedOut: number;
  seqGaps: number;
  unexpectedCloses: Record<string, number>;
  /** Service only: wake lines per measured status change, by object and event (null for the floor). */
  wakesPerChange: WakeCounts | null;
  /** Service only: PresenceObject record loads and saves (summed from its wake lines) per measured status change. */
  storagePerChange: { loads: number; saves: number } | null;
}

export interface FanoutResult {
  scenario: "fanout";
  size: { watchers: number; changes: number };
  service: FanoutTarget;
  baseline: FanoutTarget | null;
  /** Service latency divided by the floor's, for the delivery percentiles and the completion median. */
  ratio: { p50: number | null; p95: number | null; p99: number | null; completionP50: number | null };
}

export interface StormResult {
  scenario: "storm";
  size: { devices: number };
  opened: number;
  failed: number;
  errors: Record<string, number>;
  /** First handshake began → last `hello` arrived. */
  allHelloSeconds: number;
  socketsPerSecond: number;
  /** Per socket: handshake began → `hello`. */
  hello: Summary;
  /** CPU time of the server's workerd processes (utime + stime) from the burst until its wake lines went quiet (count polls included), and per device opened. */
  cpuMs: number;
  cpuMsPerConnect: number | null;
  /** Burst start → a watcher's roster (sync + diffs) holds every device's user. */
  rosterFullSeconds: number | null;
  /** Burst start → `GET /v1/scopes/<scope>/count` first answered total = K (polled every 100 ms). */
  countFullSeconds: number | null;
  countPolls: number;
  /** Where the time goes, seconds after the burst began: first/median/last arrival of each. */
  timeline: Record<string, { first: number; p50: number; last: number } | null>;
  wakes: WakeCounts;
  wakesPerConnect: number;
}

export interface HeartbeatResult {
  scenario: "heartbeat";
  size: { devices: number; pings: number; seconds: number };
  pingsSent: number;
  pongs: number;
  rtt: Summary;
  /** Wake lines between the snapshots around the ping phase, alarms included. */
  wakesDuringPings: WakeCounts;
  /** Wakes that are not alarms, divided by pings sent: the target is 0. */
  wakesPerPing: number;
  /** Alarm wakes in the ping phase, reported apart (heartbeat-expiry checks, not pings). */
  alarmWakes: number;
  /** Non-pong frames devices received during the ping phase. */
  otherFrames: Record<string, number>;
  /** The control: one `activity` frame per device, which must wake each user's object once. */
  activityFrames: number;
  wakesDuringActivity: WakeCounts;
  wakesPerActivity: number;
}

export interface SizeStats {
  mean: number;
  min: number;
  max: number;
}

export interface PresenceStorage {
  objects: number;
  /** page_count × page_size: the SQLite database as the object sees it (WAL frames included). */
  logicalBytes: SizeStats;
  /** .sqlite + -wal + -shm files on disk as the runtime leaves them. */
  diskBytes: SizeStats;
  /** Bytes of row payload in the service's own tables and indexes (dbstat). */
  payloadBytes: SizeStats;
  pages: SizeStats;
}

export interface RoomStorage {
  scope: string;
  found: boolean;
  /** Members (rows with present = 1) at the two measurement points. */
  membersBefore: number;
  membersAfter: number;
  logicalBefore: number;
  logicalAfter: number;
  payloadBefore: number;
  payloadAfter: number;
  diskAfter: number;
  /** (after − before) / (members added): what one more member costs. */
  logicalPerMember: number | null;
  payloadPerMember: number | null;
}

export interface StorageResult {
  scenario: "storage";
  size: { users: number };
  connected: number;
  presence: PresenceStorage;
  rooms: RoomStorage[];
  /** Per class: the shared metadata.sqlite (alarms) in bytes, page_count × page_size. */
  classMetadataBytes: Record<string, number>;
}

export interface ReadsResult {
  scenario: "reads";
  size: { users: number };
  /** Answers by HTTP status ("HTTP 200"), failed requests by error name. */
  answers: Record<string, number>;
  latency: Summary;
  wakes: WakeCounts;
  /** PresenceObject record loads and saves (summed from its wake lines) per read. */
  loadsPerRead: number;
  savesPerRead: number;
  /** Files and bytes under `<persist>/v3/do/*PresenceObject*` before and after the reads. */
  before: { files: number; bytes: number };
  after: { files: number; bytes: number };
  /** PresenceObject databases after the reads; those holding any table of the service's own; its row payload in all. */
  databases: { count: number; withServiceTables: number; payloadBytes: number };
}

/** How a change reaches the users who follow U: each by their own subscription, or all through U's scope roster. */
export type FollowPath = "subscription" | "room";

/** What the platform bills for one status change (Durable Object requests; outgoing frames are free). */
export interface ChangeBilling {
  /** Frames received by objects' sockets (U's status frame): billed 20 to a request. */
  webSocketMessages: number;
  /** RPC calls, HTTP requests and alarms the objects ran: a request each. */
  calls: number;
  /** Of `calls`: subscriber pushes (`subscriptionChanged` RPCs), from their wake lines or, when the server logs none, one per subscriber that got the frame (each has one device). */
  subscriberPushes: number;
  subscriberPushesFrom: "wake lines" | "frames received";
  /** webSocketMessages / 20 + calls. */
  requests: number;
}

/** One path (subscription or room) against one target (the service or the bare ws floor). */
export interface FollowPathResult {
  path: FollowPath;
  target: "service" | "baseline";
  /** Follower sockets: subscribed devices, or watchers. */
  opened: number;
  failed: number;
  connectErrors: Record<string, number>;
  connectSeconds: number;
  /** Subscription path only: devices answered `subscribed`, the time to subscribe them all (bounded in flight), each one's answer time. */
  subscribed: number | null;
  subscribeSeconds: number | null;
  subscribeAnswer: Summary | null;
  subscribeErrors: Record<string, number>;
  trials: number;
  /** Per measured trial: U's status frame sent → the last follower socket has the new status. */
  lastArrivalMs: number[];
  /** Per measured trial: the median follower's arrival, and the first follower's. */
  medianArrivalMs: number[];
  firstArrivalMs: number[];
  /** Medians over the trials of the three above. */
  lastArrivalMedian: number;
  medianArrivalMedian: number;
  firstArrivalMedian: number;
  /** Every (follower, trial) arrival. */
  delivery: Summary;
  trialsTimedOut: number;
  /** Arrivals that showed another status than the trial's. */
  wrongStatus: number;
  seqGaps: number;
  unexpectedCloses: Record<string, number>;
  /** Service only: wake lines per measured change, by object and event. */
  wakesPerChange: WakeCounts | null;
  /** Service only: PresenceObject record loads and saves per measured change. */
  storagePerChange: { loads: number; saves: number } | null;
  /** Server CPU (workerd's, or the floor's node process) per measured change: utime + stime over the trials, gaps included. */
  cpuMsPerChange: number;
  billing: ChangeBilling | null;
}

export interface SubscribersResult {
  scenario: "subscribers";
  size: { subscribers: number; trials: number };
  service: { subscription: FollowPathResult; room: FollowPathResult };
  baseline: { subscription: FollowPathResult; room: FollowPathResult } | null;
  /** Ratios of the last-arrival medians (and of the median-arrival medians). */
  ratio: {
    subscriptionToRoom: number | null;
    subscriptionToFloor: number | null;
    roomToFloor: number | null;
    medianSubscriptionToRoom: number | null;
  };
}

/**
 * What the platform bills per message, averaged over a phase's messages: Workers and Durable Object
 * requests (frames objects send are free), and SQL rows when the server logs them.
 */
export interface MessageBilling {
  /** The `POST /v1/messages`: a Workers request each. */
  workerRequests: number;
  /** RPCs into the receiver's object (`message`). */
  deliveries: number;
  /** RPCs into the sender's object (`receipts`). */
  receipts: number;
  /** Frames objects' sockets received (the receiver's `ack`s): billed 20 to a request. */
  socketFrames: number;
  /** Other wake lines that are a request each (alarms, other RPCs). */
  otherCalls: number;
  /** Durable Object requests: deliveries + receipts + otherCalls + socketFrames / 20. */
  objectRequests: number;
  /** Where each count came from: the server's wake lines when it logs the event, else what the clients saw. */
  from: { deliveries: "wake lines" | "answers"; receipts: "wake lines" | "frames received"; socketFrames: "wake lines" | "frames sent" };
  /** SQL rows summed from the wake lines' `rowsRead` and `rowsWritten`; null when the server logs none. */
  rowsRead: number | null;
  rowsWritten: number | null;
}

/** One phase of the messages scenario against one target: POSTs from one sender to one online receiver. */
export interface MessagePhase {
  /** "latency": one message at a time, the next POST after the previous frame arrived; "rate": `concurrency` POSTs in flight. */
  kind: "latency" | "rate";
  concurrency: number;
  /** Measured messages (a latency phase's warm-up left out). */
  messages: number;
  /** Answers by status ("200", "429 inbox_full"), failed requests by error name. */
  answers: Record<string, number>;
  /** Messages whose frame reached the receiver's device. */
  delivered: number;
  /** First POST began → last frame arrived; delivered ÷ that. */
  seconds: number;
  deliveredPerSecond: number;
  /** Between the 10th and the 90th percentile arrival (ramp-up and tail left out); null with fewer than 20 arrivals. */
  steadyPerSecond: number | null;
  /** Per message: POST began → its answer. */
  answer: Summary;
  /** Per message: POST began → the `message` frame at the receiver's device (queueing included when several are in flight). */
  delivery: Summary;
  duplicates: number;
  /** `ack` frames the receiver sent, and the ids they named. */
  ackFrames: number;
  ackedIds: number;
  /** Service only: messages still stored once every ack was sent and the wake lines went quiet (0: each one deleted on ack). */
  storedAfter: number | null;
  /** Frames the sender's and receiver's devices got besides the messages, by type ("receipt delivered"). */
  frames: Record<string, number>;
  /** Service only: wake lines over the phase. */
  wakes: WakeCounts | null;
  /** Server CPU (workerd's, or the floor's node process) per message over the phase. */
  cpuMsPerMessage: number;
  /** Service only: per message. */
  billing: MessageBilling | null;
}

export interface MessagesTarget {
  target: "service" | "baseline";
  latency: MessagePhase;
  rates: MessagePhase[];
}

export interface MessagesResult {
  scenario: "messages";
  size: { messages: number; samples: number };
  /** The rate-limit bindings the service ran with, against wrangler.toml's (production) values. */
  rateLimits: { binding: string; production: RateLimit; bench: RateLimit }[];
  acks: AckPolicy;
  /** The body every message carries, as JSON text (its `seq` varies). */
  bodyBytes: number;
  service: MessagesTarget;
  baseline: MessagesTarget | null;
  /** Service latency ÷ the floor's (one message at a time). */
  ratio: { p50: number | null; p95: number | null; p99: number | null };
}

/** Always-online users: what an idle user with one pinging device costs per hour and per month. */
export interface CostResult {
  scenario: "cost";
  size: { users: number; minutes: number };
  /** The timers the server ran with (the defaults). */
  serverVars: Record<string, string>;
  opened: number;
  failed: number;
  connectSpreadSeconds: number;
  /** workerd's CPU with no client, per second, measured before the connects and taken out of every phase's CPU. */
  idleCpuMsPerSecond: number;
  steadySeconds: number;
  /** Frames the users' own devices got during the steady phase saying their status moved (none expected: every user turned away before it). */
  statusChangesSeen: Record<string, number>;
  /** The users' one turning away (AWAY_AFTER_MS after connecting), before the steady phase: the frames seen and what one cost, the steady background taken out. */
  away: { changesSeen: Record<string, number>; seconds: number; perChange: Usage };
  /** Rows per user-hour the shards' alarms wrote that no wake line showed (their setAlarm), added to `cost`; set after the run that first found them. */
  unseenShardAlarmRowsPerUserHour?: number;
  /** The steady phase split into the `global` shards' fixed alarms and what scales with users; the cost per user at 1M users; the sweep-period table. */
  split: CostSplit;
  /** One counts-only watcher of `global` (its hub follows every shard), then a status frame per user: what the hub's copy costs; null when the phase failed (see warnings). */
  hub: {
    changes: number;
    takes: number;
    takesPerSecond: number;
    hubCallsPerChange: number;
    rowsWrittenPerChange: number;
    rowsReadPerChange: number;
    activeMsPerTake: number;
    countFramesToWatcher: number;
    perChangeWithHub: Usage;
    follow: { members: number; followCalls: number; hubCalls: number; rowsWritten: number; rowsWrittenByEvent: Record<string, number>; rowsRead: number; rowsWrittenPerMember: number; events: Record<string, number> };
  } | null;
  otherFramesSeen: Record<string, number>;
  pongs: number;
  /** The steady phase per always-online user-hour. */
  perUserHour: Usage;
  /** Active time per call, by object kind (ms): the union of each object's call intervals ÷ its calls. */
  activeMsPerCall: Record<string, number>;
  /** perUserHour at published prices, per user-month. */
  cost: MonthlyCost;
  target: number;
  /** The connect phase (hello, roster joins) per device. */
  perConnect: Usage;
  /** One status frame per user while `watchers` members watched the org's roster; the steady background taken out. */
  change: {
    changes: number;
    watchers: number;
    diffsPerWatcher: number;
    perChange: Usage;
    activeMsPerCall: Record<string, number>;
  };
}

type PerHour = { requests: number; rowsWritten: number; rowsRead: number; activeSeconds: number };

/** The cost scenario's steady phase split into what is fixed per `global` shard and what scales with users. */
export interface CostSplit {
  /** The `global` shards that ran alarms in the steady phase, their alarms, what one shard costs an hour and a month (alarm + setAlarm row), rows written per room alarm; all rooms' alarms. */
  shards: { alarmed: number; alarms: number; perShardHour: PerHour & { alarms: number }; rowsWrittenPerAlarm: number; perShardMonth: MonthlyCost; roomAlarms: number };
  /** Per always-online user-hour, the shards' fixed alarms taken out. */
  perUserHour: PerHour;
  perUserMonth: MonthlyCost;
  sweepRpcsPerUserHour: number;
  pingsPerUserHour: number;
  /** One member's sweep: the RPC, rows (the shard's reads included), the PresenceObject's active time. */
  perSweep: PerHour;
  /** Per user-hour, neither sweep nor ping. */
  rest: PerHour;
  /** Per user-hour, what org and zone rooms add in the long run (each asks a member unheard for 3 × LEASE_MS, every 3 × LEASE_MS), at a sweep's cost. */
  longRunExtraPerUserHour: PerHour;
  atUsers: number;
  atShards: number;
  /** Per user-month at `atUsers` users: per-user part + `atShards` shards' fixed cost ÷ atUsers; and with the long-run org/zone asks. */
  atScalePerUserMonth: MonthlyCost;
  atScaleLongRunPerUserMonth: MonthlyCost;
  /** SWEEP_MS → cost per user-month at `atUsers` (and long run), the bare floor (sweeps + pings), and when a half-open connection is closed (s after its last ping). */
  sweepTable: { sweepSeconds: number; requestsPerUserHour: number; perUserMonth: number; perUserMonthLongRun: number; floor: number; halfOpenWithinS: [number, number]; halfOpenMeanS: number }[];
}

export interface FailedResult {
  scenario: string;
  size: Record<string, number>;
  error: string;
}

export type ScenarioResult =
  | FanoutResult
  | StormResult
  | HeartbeatResult
  | StorageResult
  | ReadsResult
  | SubscribersResult
  | MessagesResult
  | CostResult
  | LoadResult
  | FailedResult;
