import { parseArgs } from "node:util";
import type { AckPolicy } from "./clients/messages.ts";
import type { Route, Runtime } from "./server/server.ts";

export const SCENARIOS = ["fanout", "subscribers", "storm", "heartbeat", "storage", "reads", "messages", "cost", "load", "model"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** What runs without --only: cost (10 min of idle users), load (several minutes at the machine's limit) and the model are asked for by name. */
export const DEFAULT_SCENARIOS: ScenarioName[] = ["fanout", "subscribers", "storm", "heartbeat", "storage", "reads", "messages"];

export interface BenchOptions {
  quick: boolean;
  scenarios: ScenarioName[];
  /** Client threads holding the bulk of the sockets (plus one control thread). */
  threads: number;
  fanout: { sizes: number[]; changes: number; warmup: number; gapMs: number; connectConcurrency: number; baseline: boolean };
  /** Users following one user U: each subscribed by one device, then the same users watching U's scope instead. */
  subscribers: { users: number; trials: number; warmup: number; gapMs: number; connectConcurrency: number; subscribeConcurrency: number; baseline: boolean };
  storm: { sizes: number[]; concurrency: number };
  heartbeat: { devices: number; pings: number; seconds: number };
  storage: { users: number };
  reads: { users: number; concurrency: number };
  /** One sender to one online receiver: `samples` one at a time, then `count` at each concurrency. */
  messages: { count: number; concurrency: number[]; samples: number; warmup: number; acks: AckPolicy; baseline: boolean };
  /** Always-online users: U users idle for T minutes, then one status change each while `watchers` members watch their org. */
  cost: { users: number; minutes: number; connectSpreadSeconds: number; watchers: number; changeSpreadSeconds: number };
  /** The model's reality check: socket users, REST-only users, watchers of the largest org, changes per user-hour, the window. */
  load: { devices: number; restUsers: number; watchers: number; changesPerUserHour: number; seconds: number; connectPerSecond: number; orgSize: number };
  /** SCOPE_SHARDS for every server (src/config.ts), when given; else the worker's own default. */
  scopeShards: string | null;
  /** A git ref to bundle the worker from instead of the working tree. */
  src: string | null;
  keepState: boolean;
  outDir: string;
  /** "workerd": the bundle on the bare workerd binary; "wrangler": under `wrangler dev`. */
  runtime: Runtime;
  /** wrangler only. "direct": clients talk to the user worker's workerd; "proxy": through wrangler dev's --port. */
  route: Route;
}

export const USAGE = `npm run bench -- [options]

  --quick                   every chosen scenario at its smallest size (about a minute)
  --only LIST               scenarios to run, comma-separated: ${SCENARIOS.join(",")} (default:
                            ${DEFAULT_SCENARIOS.join(",")}; cost, load and model only by name). model runs
                            the load model on the latest results instead of a server (bench/model/run.ts)
  --fanout N,N,...          watcher counts for fan-out (default 100,1000,5000; quick 100)
  --changes M               measured status changes per fan-out size (default 25; quick 20)
  --gap-ms MS               pause after every watcher (or subscriber) has a change, before the next one (default
                            1100: a user's changes reach a room at most once a second; less measures that throttle)
  --no-baseline             skip the bare ws broadcast floor (fan-out, subscribers and messages)
  --subscribers N           users following one user U, first by subscription (one device each), then by watching
                            U's scope (default 1000; quick 200)
  --trials M                measured status changes of U per path (default 5; quick 3), after 1 warm-up
  --storm K,K,...           device counts for the connect storm (default 200,1000; quick 200)
  --storm-concurrency C     handshakes in flight per client thread during the storm (default 100: with 2
                            threads ~200 at once; real clients do not all start in the same millisecond)
  --heartbeat-devices D     devices for the heartbeat phase (default 500; quick 50)
  --heartbeat-pings H       pings in all across those devices (default 10000; quick 1000)
  --heartbeat-seconds S     length of the ping phase (default 10; quick 5); kept below OFFLINE_AFTER_MS
  --storage-users U         users connected for the storage measurement (default 500; quick 50)
  --reads N                 never-seen users read with GET /v1/presence/<id> (default 1000; quick 200)
  --messages N              messages one sender POSTs to one online receiver at each concurrency (default 2000;
                            quick 300); the receiver's device acknowledges them in batches
  --message-concurrency C,C POSTs in flight for the messages rate (default 1,8,32; quick 1,8)
  --samples N               messages sent one at a time for the messages latency (default 200; quick 50),
                            after 20 warm-up ones
  --cost-users U            always-online users for the cost scenario (default 200; quick 50)
  --cost-minutes T          its steady phase, minutes, timers at their defaults (default 10; quick 2)
  --load-devices S          load: users with one device socket each (default 4000; quick 1000); ~2 file
                            descriptors per socket in workerd (5 while its object is awake), so ulimit -n caps it
                            (5000 ran out of descriptors at cde82aa: 64 shards and a hub hold files open too)
  --load-rest R             load: users who change status over REST only (default 15000; quick 2000)
  --load-watchers W         load: watchers of the largest org's roster (default 250; quick 100)
  --load-changes C          load: status changes per user-hour, socket and REST users alike (default 30)
  --load-seconds D          load: the measured window (default 240, two sweep periods; quick 60)
  --load-connect-rate N     load: devices connected per second (default 100)
  --scope-shards SPEC       SCOPE_SHARDS for every server (e.g. global=64); default: the worker's own
  --src REF                 bundle the worker from git commit REF instead of the working tree (.dev.vars
                            still from the working tree); results name the commit
  --threads T               client threads holding sockets, besides one control thread (default 2)
  --connect-concurrency C   watch handshakes in flight per client thread (default 100)
  --runtime R               workerd (default): the frozen bundle on the bare workerd binary wrangler ships,
                            configured from wrangler.toml; wrangler: under \`wrangler dev\` (dev-only layers
                            in front of the worker cost CPU per connection, see bench/README.md)
  --route direct|proxy      wrangler only. direct (default): clients skip wrangler dev's proxy and connect
                            to the worker's own workerd; proxy: through --port (adds a hop and ~4 fds per
                            socket, so 5,000 watchers exceed a 20,000 ulimit -n)
  --keep-state              keep each server's persistence directory (printed) for inspection
  --out DIR                 where results go (default bench/results; --only model: bench/results/model)
  --help                    this text`;

function positiveInts(value: string, flag: string): number[] {
  const numbers = value.split(",").map((part) => Number(part.trim()));
  if (numbers.length === 0 || numbers.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`${flag}: expected positive integers, got "${value}"`);
  return numbers;
}

function positiveInt(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const [n] = positiveInts(value, flag);
  return n as number;
}

export function parseOptions(argv: string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      fanout: { type: "string" },
      changes: { type: "string" },
      "gap-ms": { type: "string" },
      "no-baseline": { type: "boolean", default: false },
      subscribers: { type: "string" },
      trials: { type: "string" },
      storm: { type: "string" },
      "storm-concurrency": { type: "string" },
      "heartbeat-devices": { type: "string" },
      "heartbeat-pings": { type: "string" },
      "heartbeat-seconds": { type: "string" },
      "storage-users": { type: "string" },
      reads: { type: "string" },
      messages: { type: "string" },
      "message-concurrency": { type: "string" },
      samples: { type: "string" },
      threads: { type: "string" },
      "connect-concurrency": { type: "string" },
      "cost-users": { type: "string" },
      "cost-minutes": { type: "string" },
      "load-devices": { type: "string" },
      "load-rest": { type: "string" },
      "load-watchers": { type: "string" },
      "load-changes": { type: "string" },
      "load-seconds": { type: "string" },
      "load-connect-rate": { type: "string" },
      "scope-shards": { type: "string" },
      src: { type: "string" },
      "keep-state": { type: "boolean", default: false },
      runtime: { type: "string", default: "workerd" },
      route: { type: "string", default: "direct" },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return "help";
  const quick = values.quick === true;
  if (values.route !== "direct" && values.route !== "proxy") throw new Error(`--route: expected direct or proxy, got "${values.route}"`);
  const route = values.route;
  if (values.runtime !== "workerd" && values.runtime !== "wrangler") throw new Error(`--runtime: expected workerd or wrangler, got "${values.runtime}"`);
  if (values.runtime === "workerd" && route === "proxy") throw new Error("--route proxy: only with --runtime wrangler (bare workerd has no proxy)");
  const scenarios = values.only === undefined ? [...DEFAULT_SCENARIOS] : values.only.split(",").map((name) => name.trim());
  for (const name of scenarios) if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`--only: unknown scenario "${name}"`);
  return {
    quick,
    scenarios: scenarios as ScenarioName[],
    threads: positiveInt(values.threads, 2, "--threads"),
    fanout: {
      sizes: values.fanout === undefined ? (quick ? [100] : [100, 1000, 5000]) : positiveInts(values.fanout, "--fanout"),
      changes: positiveInt(values.changes, quick ? 20 : 25, "--changes"),
      warmup: 3,
      gapMs: positiveInt(values["gap-ms"], 1100, "--gap-ms"),
      connectConcurrency: positiveInt(values["connect-concurrency"], 100, "--connect-concurrency"),
      baseline: values["no-baseline"] !== true,
    },
    subscribers: {
      users: positiveInt(values.subscribers, quick ? 200 : 1000, "--subscribers"),
      trials: positiveInt(values.trials, quick ? 3 : 5, "--trials"),
      warmup: 1,
      gapMs: positiveInt(values["gap-ms"], 1100, "--gap-ms"),
      connectConcurrency: positiveInt(values["connect-concurrency"], 100, "--connect-concurrency"),
      // Each subscribe is an RPC into U's one object: a bounded queue, as real clients arrive over time.
      subscribeConcurrency: 25,
      baseline: values["no-baseline"] !== true,
    },
    storm: {
      sizes: values.storm === undefined ? (quick ? [200] : [200, 1000]) : positiveInts(values.storm, "--storm"),
      concurrency: positiveInt(values["storm-concurrency"], 100, "--storm-concurrency"),
    },
    heartbeat: {
      devices: positiveInt(values["heartbeat-devices"], quick ? 50 : 500, "--heartbeat-devices"),
      pings: positiveInt(values["heartbeat-pings"], quick ? 1000 : 10_000, "--heartbeat-pings"),
      seconds: positiveInt(values["heartbeat-seconds"], quick ? 5 : 10, "--heartbeat-seconds"),
    },
    storage: { users: positiveInt(values["storage-users"], quick ? 50 : 500, "--storage-users") },
    reads: { users: positiveInt(values.reads, quick ? 200 : 1000, "--reads"), concurrency: 20 },
    messages: {
      count: positiveInt(values.messages, quick ? 300 : 2000, "--messages"),
      concurrency: values["message-concurrency"] === undefined ? (quick ? [1, 8] : [1, 8, 32]) : positiveInts(values["message-concurrency"], "--message-concurrency"),
      samples: positiveInt(values.samples, quick ? 50 : 200, "--samples"),
      warmup: 20,
      // At most 100 ids a frame; 60 ms apart keeps a socket under the service's 20 frames a second.
      acks: { batch: 50, delayMs: 50, gapMs: 60 },
      baseline: values["no-baseline"] !== true,
    },
    cost: {
      users: positiveInt(values["cost-users"], quick ? 50 : 200, "--cost-users"),
      minutes: positiveInt(values["cost-minutes"], quick ? 2 : 10, "--cost-minutes"),
      connectSpreadSeconds: quick ? 5 : 20,
      watchers: quick ? 10 : 20,
      changeSpreadSeconds: quick ? 5 : 15,
    },
    load: {
      devices: positiveInt(values["load-devices"], quick ? 1000 : 4000, "--load-devices"),
      restUsers: values["load-rest"] === "0" ? 0 : positiveInt(values["load-rest"], quick ? 2000 : 15_000, "--load-rest"),
      watchers: positiveInt(values["load-watchers"], quick ? 100 : 250, "--load-watchers"),
      changesPerUserHour: positiveInt(values["load-changes"], 30, "--load-changes"),
      seconds: positiveInt(values["load-seconds"], quick ? 60 : 240, "--load-seconds"),
      connectPerSecond: positiveInt(values["load-connect-rate"], 100, "--load-connect-rate"),
      orgSize: 100,
    },
    scopeShards: values["scope-shards"] ?? null,
    src: values.src ?? null,
    keepState: values["keep-state"] === true,
    // The model alone writes its own report, beside the results it reads rather than over them.
    outDir: values.out ?? (scenarios.every((name) => name === "model") ? "bench/results/model" : "bench/results"),
    runtime: values.runtime,
    route,
  };
}
