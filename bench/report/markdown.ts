import type {
  CostResult,
  FailedResult,
  FanoutResult,
  FanoutTarget,
  FollowPathResult,
  HeartbeatResult,
  MessagePhase,
  MessagesResult,
  MessagesTarget,
  ReadsResult,
  ScenarioResult,
  StorageResult,
  StormResult,
  SubscribersResult,
} from "../scenarios/results.ts";
import type { LoadResult } from "../scenarios/load.ts";
import { costSection, loadSection } from "./scale.ts";
import { ms, num, table, times, wakes } from "./format.ts";
import type { BenchReport } from "./types.ts";

const isFailed = (result: ScenarioResult): result is FailedResult => "error" in result;

function fanoutRow(result: FanoutResult, target: FanoutTarget, withRatio: boolean): string[] {
  const lost = target.delivery.missing;
  return [
    num(result.size.watchers),
    target.target,
    ms(target.delivery.p50),
    ms(target.delivery.p95),
    ms(target.delivery.p99),
    ms(target.delivery.max),
    ms(target.completion.p50),
    ms(target.completion.p99),
    `${num(target.watchersOpened)} in ${target.connectSeconds.toFixed(1)} s`,
    lost === 0 && target.seqGaps === 0 ? "0" : `${lost} lost, ${target.seqGaps} gaps`,
    withRatio ? times(result.ratio.p50) : "",
    withRatio ? times(result.ratio.p99) : "",
  ];
}

function fanoutSection(results: FanoutResult[]): string[] {
  if (results.length === 0) return [];
  const rows = results.flatMap((result) => [
    fanoutRow(result, result.service, true),
    ...(result.baseline ? [fanoutRow(result, result.baseline, false)] : []),
  ]);
  const changes = results[0]?.size.changes ?? 0;
  return [
    "## Fan-out: status change → diff at every watcher",
    "",
    `One device changes status ${changes} times (closed loop, see Method); latency in ms. "delivery" is over every (watcher, change) pair; "all watchers" is per change, until the last watcher has the diff. Ratio = service ÷ bare-ws floor.`,
    "",
    ...table(
      ["watchers", "target", "p50", "p95", "p99", "max", "all watchers p50", "all watchers p99", "watchers opened", "lost", "ratio p50", "ratio p99"],
      rows,
    ),
    "",
    ...results.flatMap((result) => [
      `- ${num(result.size.watchers)} watchers, per measured status change: wakes ${wakes(result.service.wakesPerChange)}; PresenceObject record loads ${num(result.service.storagePerChange?.loads, 2)}, saves ${num(result.service.storagePerChange?.saves, 2)}`,
      `- ${num(result.size.watchers)} watchers, service watch connects per second: ${num(result.service.connectPerSecond)} overall, ${num(result.service.connectRateFirstTenth)} for the first tenth, ${num(result.service.connectRateLastTenth)} for the last tenth${result.baseline ? ` (floor: ${num(result.baseline.connectPerSecond)} overall)` : ""}; server CPU per watcher connect ${ms(result.service.connectCpuMs)} ms${result.baseline ? ` (floor's node process: ${ms(result.baseline.connectCpuMs)} ms)` : ""}`,
    ]),
    "",
    "![fan-out latency](fanout.svg)",
    "",
  ];
}

function followRow(result: SubscribersResult, path: FollowPathResult): string[] {
  const floor = result.baseline?.[path.path];
  const lost = path.delivery.missing;
  return [
    path.path === "subscription" ? "subscription (`changed`)" : "scope room (`diff`)",
    path.target === "service" ? "service" : "floor",
    `${num(path.opened)}${path.subscribed === null ? "" : ` (${num(path.subscribed)} subscribed in ${num(path.subscribeSeconds, 1)} s)`}`,
    ms(path.lastArrivalMedian),
    path.lastArrivalMs.map(ms).join(", "),
    ms(path.medianArrivalMedian),
    ms(path.firstArrivalMedian),
    ms(path.delivery.p99),
    lost === 0 && path.seqGaps === 0 && path.wrongStatus === 0 ? "0" : `${lost} lost, ${path.seqGaps} gaps, ${path.wrongStatus} wrong status`,
    ms(path.cpuMsPerChange),
    path.target === "service" && floor ? times(ratio(path.lastArrivalMedian, floor.lastArrivalMedian)) : "",
  ];
}

function ratio(a: number, b: number): number | null {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : null;
}

function billingLine(path: FollowPathResult): string {
  const billing = path.billing;
  if (!billing) return "";
  return `${path.path}: ${num(billing.requests, 2)} billed requests per change (${num(billing.calls, 2)} calls, of which ${num(billing.subscriberPushes)} subscriber pushes counted from ${billing.subscriberPushesFrom}, + ${num(billing.webSocketMessages, 2)} socket frames ÷ 20); wake lines ${wakes(path.wakesPerChange)}; PresenceObject loads ${num(path.storagePerChange?.loads, 2)}, saves ${num(path.storagePerChange?.saves, 2)}`;
}

function subscribersSection(results: SubscribersResult[]): string[] {
  if (results.length === 0) return [];
  return [
    "## Subscribers: one user's change to N followers, by subscription and by scope room",
    "",
    "N users follow U: each with one device subscribed to U, or (on a fresh server) all watching U's org scope. U changes status from its own device (busy, then auto, closed loop, see Method); latency in ms from U's status frame to the follower's `changed` (subscription) or `diff` (room). \"last follower\" is per trial, until every follower has it; \"median follower\" and \"first follower\" are each trial's median and earliest arrival. Ratio = service ÷ bare-ws floor (the same clients; the floor serializes one frame and sends it to every socket).",
    "",
    ...table(
      ["path", "target", "followers", "last follower, median", "last follower per trial", "median follower, median", "first follower, median", "p99 over all", "lost", "server CPU per change", "ratio to floor"],
      results.flatMap((result) => [
        followRow(result, result.service.subscription),
        ...(result.baseline ? [followRow(result, result.baseline.subscription)] : []),
        followRow(result, result.service.room),
        ...(result.baseline ? [followRow(result, result.baseline.room)] : []),
      ]),
    ),
    "",
    ...results.flatMap((result) => [
      `- ${num(result.size.subscribers)} followers, subscription ÷ room: ${times(result.ratio.subscriptionToRoom)} for the last follower, ${times(result.ratio.medianSubscriptionToRoom)} for the median follower`,
      `- ${num(result.size.subscribers)} followers, ${billingLine(result.service.subscription)}`,
      `- ${num(result.size.subscribers)} followers, ${billingLine(result.service.room)}`,
      ...(result.service.subscription.subscribeAnswer
        ? [
            `- ${num(result.size.subscribers)} followers, each subscribe's answer (${num(result.service.subscription.subscribeAnswer.count)} devices answered, at most 25 waiting per client thread): p50 ${ms(result.service.subscription.subscribeAnswer.p50)} ms, max ${ms(result.service.subscription.subscribeAnswer.max)} ms${Object.keys(result.service.subscription.subscribeErrors).length ? `; failures ${wakes(result.service.subscription.subscribeErrors)}` : ""}`,
          ]
        : []),
    ]),
    "",
  ];
}

function stormSection(results: StormResult[]): string[] {
  if (results.length === 0) return [];
  return [
    "## Connect storm: K users' devices at once",
    "",
    ...table(
      ["devices", "opened", "failed", "all hello (s)", "sockets/s", "hello p50 (ms)", "hello p99 (ms)", "hello max (ms)", "workerd CPU per connect (ms)", "roster full (s)", "count full (s)", "wakes per connect"],
      results.map((result) => [
        num(result.size.devices),
        num(result.opened),
        result.failed === 0 ? "0" : `${result.failed} (${Object.entries(result.errors).map(([reason, count]) => `${reason}: ${count}`).join(", ")})`,
        result.allHelloSeconds.toFixed(2),
        num(result.socketsPerSecond),
        ms(result.hello.p50),
        ms(result.hello.p99),
        ms(result.hello.max),
        ms(result.cpuMsPerConnect),
        result.rosterFullSeconds === null ? "never" : result.rosterFullSeconds.toFixed(2),
        result.countFullSeconds === null ? "never" : result.countFullSeconds.toFixed(2),
        num(result.wakesPerConnect, 2),
      ]),
    ),
    "",
    ...results.flatMap((result) => [
      `- ${num(result.size.devices)} devices, wakes: ${wakes(result.wakes)}`,
      `- ${num(result.size.devices)} devices, timeline (s after the burst began, first / median / last): ${Object.entries(result.timeline)
        .map(([name, spread]) => (spread ? `${name} ${spread.first} / ${spread.p50} / ${spread.last}` : `${name} –`))
        .join("; ")}`,
    ]),
    "",
  ];
}

function heartbeatSection(results: HeartbeatResult[]): string[] {
  if (results.length === 0) return [];
  return [
    "## Heartbeat cost: pings answered without waking objects",
    "",
    ...table(
      ["devices", "pings sent", "pongs", "phase (s)", "RTT p50 (ms)", "RTT p99 (ms)", "wakes per ping", "alarm wakes", "activity frames", "wakes per activity"],
      results.map((result) => [
        num(result.size.devices),
        num(result.pingsSent),
        num(result.pongs),
        result.size.seconds.toFixed(1),
        ms(result.rtt.p50),
        ms(result.rtt.p99),
        num(result.wakesPerPing, 4),
        num(result.alarmWakes),
        num(result.activityFrames),
        num(result.wakesPerActivity, 2),
      ]),
    ),
    "",
    ...results.flatMap((result) => [
      `- wakes during the ping phase: ${wakes(result.wakesDuringPings)}`,
      `- wakes during the activity control: ${wakes(result.wakesDuringActivity)}`,
      ...(Object.keys(result.otherFrames).length ? [`- non-pong frames during pings: ${wakes(result.otherFrames)}`] : []),
    ]),
    "",
  ];
}

function storageSection(results: StorageResult[]): string[] {
  if (results.length === 0) return [];
  return [
    "## Storage: Durable Object SQLite per online user and member",
    "",
    ...table(
      ["users", "what", "count", "logical bytes", "row payload bytes", "on disk (db+wal+shm)"],
      results.flatMap((result) => [
        [
          num(result.size.users),
          "PresenceObject, per user (mean)",
          num(result.presence.objects),
          num(result.presence.logicalBytes.mean),
          num(result.presence.payloadBytes.mean),
          num(result.presence.diskBytes.mean),
        ],
        ...result.rooms.map((room) => [
          num(result.size.users),
          `RoomObject \`${room.scope}\`, per member added`,
          `${num(room.membersBefore)} → ${num(room.membersAfter)}`,
          num(room.logicalPerMember),
          num(room.payloadPerMember),
          `${num(room.diskAfter)} in all`,
        ]),
      ]),
    ),
    "",
    ...results.flatMap((result) => [
      `- rooms in all at ${num(result.size.users)} members: ${result.rooms.map((room) => `\`${room.scope}\` ${num(room.logicalAfter)} B logical, ${num(room.payloadAfter)} B payload`).join("; ")}`,
      `- shared per-class metadata.sqlite (alarms): ${Object.entries(result.classMetadataBytes).map(([name, bytes]) => `${name} ${num(bytes)} B`).join(", ")}`,
    ]),
    "",
  ];
}

function readsSection(results: ReadsResult[]): string[] {
  if (results.length === 0) return [];
  return [
    "## Reads of never-seen users: what they leave on disk",
    "",
    ...table(
      ["reads", "answers", "latency p50 / p99 (ms)", "loads per read", "saves per read", "PresenceObject files", "PresenceObject bytes", "growth per read", "databases with service tables"],
      results.map((result) => [
        num(result.size.users),
        Object.entries(result.answers).map(([answer, count]) => `${answer}: ${num(count)}`).join(", "),
        `${ms(result.latency.p50)} / ${ms(result.latency.p99)}`,
        num(result.loadsPerRead, 2),
        num(result.savesPerRead, 2),
        `${num(result.before.files)} → ${num(result.after.files)}`,
        `${num(result.before.bytes)} → ${num(result.after.bytes)}`,
        `${num((result.after.bytes - result.before.bytes) / result.size.users)} B`,
        `${num(result.databases.withServiceTables)} of ${num(result.databases.count)} (${num(result.databases.payloadBytes)} B of rows)`,
      ]),
    ),
    "",
    ...results.map((result) => `- ${num(result.size.users)} reads, wakes: ${wakes(result.wakes)}`),
    "",
  ];
}

function answersOf(phase: MessagePhase): string {
  return Object.entries(phase.answers)
    .map(([answer, count]) => `${answer}: ${num(count)}`)
    .join(", ");
}

function lostOf(phase: MessagePhase): string {
  const lost = (phase.answers["200"] ?? 0) - phase.delivered;
  return lost === 0 && phase.duplicates === 0 ? "0" : `${num(lost)} lost, ${num(phase.duplicates)} twice`;
}

function latencyRow(result: MessagesResult, target: MessagesTarget): string[] {
  const { latency } = target;
  const withRatio = target.target === "service" && result.baseline !== null;
  return [
    target.target === "service" ? "service" : "floor",
    num(latency.messages),
    ms(latency.delivery.p50),
    ms(latency.delivery.p95),
    ms(latency.delivery.p99),
    ms(latency.delivery.max),
    `${ms(latency.answer.p50)} / ${ms(latency.answer.p99)}`,
    lostOf(latency),
    ms(latency.cpuMsPerMessage),
    withRatio ? `${times(result.ratio.p50)} / ${times(result.ratio.p99)}` : "",
  ];
}

function rateRow(target: MessagesTarget, phase: MessagePhase): string[] {
  return [
    num(phase.concurrency),
    target.target === "service" ? "service" : "floor",
    `${num(phase.delivered)} of ${num(phase.messages)} in ${num(phase.seconds, 2)} s`,
    num(phase.deliveredPerSecond),
    num(phase.steadyPerSecond),
    `${ms(phase.delivery.p50)} / ${ms(phase.delivery.p99)}`,
    `${ms(phase.answer.p50)} / ${ms(phase.answer.p99)}`,
    answersOf(phase),
    lostOf(phase),
    `${num(phase.ackFrames)} (${num(phase.ackedIds)} ids)`,
    phase.storedAfter === null ? "" : num(phase.storedAfter),
    ms(phase.cpuMsPerMessage),
    num((phase.cpuMsPerMessage * phase.deliveredPerSecond) / 1000, 2),
  ];
}

function messageBillingLine(phase: MessagePhase): string {
  const billing = phase.billing;
  if (!billing) return "";
  const label = phase.kind === "latency" ? "one at a time" : `${num(phase.concurrency)} in flight`;
  const rows =
    billing.rowsWritten === null
      ? "SQL rows: not logged by the server (by the inbox's statements, 4 written: 3 to store the message, 1 to delete it on ack; see Method)"
      : `SQL rows written ${num(billing.rowsWritten, 2)}, read ${num(billing.rowsRead, 2)}`;
  return `- ${label}, per message: ${num(billing.workerRequests, 2)} Workers request + ${num(billing.objectRequests, 3)} Durable Object requests (${num(billing.deliveries, 2)} \`message\` RPC, from ${billing.from.deliveries}; ${num(billing.receipts, 2)} \`receipts\` RPC, from ${billing.from.receipts}; ${num(billing.socketFrames, 3)} ack frames ÷ 20, from ${billing.from.socketFrames}; ${num(billing.otherCalls, 3)} other calls); wake lines ${wakes(phase.wakes)}; ${rows}`;
}

function messagesSection(results: MessagesResult[]): string[] {
  if (results.length === 0) return [];
  const result = results[0] as MessagesResult;
  const limits = result.rateLimits
    .map(({ binding, production, bench }) => `\`${binding}\` ${num(production.limit)} per ${production.period} s in production, ${num(bench.limit)} per ${bench.period} s here`)
    .join("; ");
  const { acks } = result;
  const perSender = result.rateLimits.find((entry) => entry.binding === "MESSAGE_LIMIT")?.production;
  return [
    "## Messages: one sender to one online receiver",
    "",
    `One sender POSTs \`/v1/messages\` (a ${num(result.bodyBytes)}-byte JSON body) to one receiver whose device socket is connected; the receiver's device acknowledges what it gets (\`ack\` once ${num(acks.batch)} wait or the oldest has waited ${num(acks.delayMs)} ms, at most 100 ids a frame, frames at least ${num(acks.gapMs)} ms apart), the sender's device gets the receipts. Latency in ms from the POST's start to the \`message\` frame at the receiver's device (\`delivery\`) and to the POST's answer. **Measured with the rate limits lifted** on this server only: ${limits}; so in production one sender gets at most ${perSender ? num(perSender.limit / perSender.period) : "–"} messages a second on average, whatever the figures below. Floor = a bare node http + \`ws\` server that writes the frame on POST (no auth, no storage).`,
    "",
    "One message at a time (the next POST once the previous frame arrived):",
    "",
    ...table(
      ["target", "messages", "delivery p50", "p95", "p99", "max", "answer p50 / p99", "lost", "server CPU per message", "ratio p50 / p99"],
      results.flatMap((entry) => [latencyRow(entry, entry.service), ...(entry.baseline ? [latencyRow(entry, entry.baseline)] : [])]),
    ),
    "",
    'Rate: a fixed count with several POSTs in flight ("steady" = between the 10th and the 90th percentile arrival; "server cores busy" = CPU per message × messages/s: workerd runs the worker and both objects in one isolate, whose JavaScript runs on one thread at a time):',
    "",
    ...table(
      ["in flight", "target", "delivered", "messages/s", "steady messages/s", "delivery p50 / p99", "answer p50 / p99", "answers", "lost", "ack frames", "stored after", "server CPU per message", "server cores busy"],
      results.flatMap((entry) =>
        entry.service.rates.flatMap((phase, index) => {
          const floor = entry.baseline?.rates[index];
          return [rateRow(entry.service, phase), ...(entry.baseline && floor ? [rateRow(entry.baseline, floor)] : [])];
        }),
      ),
    ),
    "",
    "What the service is billed (\"stored after\": messages left in the receiver's inbox once every ack was sent):",
    "",
    ...results.flatMap((entry) => [entry.service.latency, ...entry.service.rates].map(messageBillingLine)),
    "",
  ];
}

function runtimeLine(report: BenchReport): string {
  if (report.runtime === "workerd") return "**Runtime: bare workerd** (`--runtime workerd`): the bundle on the workerd binary wrangler ships, clients straight to it";
  const route = report.route === "direct" ? "direct to the user worker's workerd (wrangler's proxy skipped)" : `via ${report.route}`;
  return `**Runtime: wrangler dev** (\`--runtime wrangler\`, trace collector off), clients ${route}`;
}

export function renderMarkdown(report: BenchReport): string {
  const { machine } = report;
  const results = report.results;
  const ok = results.filter((result) => !isFailed(result));
  const failed = results.filter(isFailed);
  const lines = [
    "# Benchmark results",
    "",
    `Generated ${report.generatedAt} by \`${report.command}\`${report.quick ? " (quick sizes)" : ""} in ${report.durationSeconds.toFixed(0)} s. Figures are measured, not asserted.`,
    "",
    "## Machine",
    "",
    ...table(
      ["cpus", "memory", "os", "node", "wrangler", "workerd", "ulimit -n", "load avg start → end", "commit"],
      [
        [
          `${machine.cpus} × ${machine.cpuModel}`,
          `${machine.memoryGiB} GiB`,
          machine.os,
          machine.node,
          machine.wrangler,
          machine.workerd,
          machine.openFilesLimit,
          `${machine.loadAverageAtStart.join(" ")} → ${machine.loadAverageAtEnd?.join(" ") ?? "?"}`,
          `${machine.git.commit}${machine.git.dirty ? ` (src modified; digest ${report.srcDigest})` : ""}`,
        ],
      ],
    ),
    "",
    `Server vars (on top of wrangler.toml's): ${Object.entries(report.serverVars).map(([key, value]) => `${key}=${value}`).join(", ")}.`,
    "",
    "## Targets",
    "",
    "From this one run, the bare-ws floor measured alongside each fan-out size.",
    "",
    `${runtimeLine(report)}.`,
    "",
    ...table(
      ["target", "measured", "met"],
      report.targets.map((check) => [check.target, check.measured, check.met === null ? "–" : check.met ? "met" : "not met"]),
    ),
    "",
    ...fanoutSection(ok.filter((result): result is FanoutResult => result.scenario === "fanout")),
    ...subscribersSection(ok.filter((result): result is SubscribersResult => result.scenario === "subscribers")),
    ...stormSection(ok.filter((result): result is StormResult => result.scenario === "storm")),
    ...heartbeatSection(ok.filter((result): result is HeartbeatResult => result.scenario === "heartbeat")),
    ...storageSection(ok.filter((result): result is StorageResult => result.scenario === "storage")),
    ...readsSection(ok.filter((result): result is ReadsResult => result.scenario === "reads")),
    ...messagesSection(ok.filter((result): result is MessagesResult => result.scenario === "messages")),
    ...costSection(ok.filter((result): result is CostResult => result.scenario === "cost")),
    ...loadSection(ok.filter((result): result is LoadResult => result.scenario === "load")),
    ...(failed.length
      ? ["## Failed", "", ...failed.map((result) => `- ${result.scenario} ${JSON.stringify(result.size)}: ${result.error.split("\n")[0]}`), ""]
      : []),
    ...(report.warnings.length ? ["## Warnings", "", ...report.warnings.map((warning) => `- ${warning}`), ""] : []),
    "## Method",
    "",
    ...report.method.map((line) => `- ${line}`),
    "",
  ];
  return lines.join("\n");
}
