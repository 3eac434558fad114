/**
 * `npm run bench [-- --quick] [-- --help]`: starts the worker (on bare workerd, or `--runtime wrangler`)
 * per scenario, drives it with real WebSocket clients from worker threads, and writes
 * bench/results/latest.{json,md} and fanout.svg.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { parseOptions, USAGE, type BenchOptions } from "./args.ts";
import { startBaseline, type BaselineServer } from "./baseline/control.ts";
import { ClientPool } from "./clients/pool.ts";
import { nowMs } from "./clock.ts";
import { describeMachine } from "./machine.ts";
import { METHOD } from "./report/method.ts";
import { checkTargets } from "./report/targets.ts";
import type { BenchReport } from "./report/types.ts";
import { writeReport } from "./report/write.ts";
import { SERVER_VARS, type BenchContext } from "./scenarios/context.ts";
import { modelInputs, readReports, runModel } from "./model/run.ts";
import { runCost } from "./scenarios/cost.ts";
import { runFanout } from "./scenarios/fanout.ts";
import { runLoad } from "./scenarios/load.ts";
import { runHeartbeat } from "./scenarios/heartbeat.ts";
import { runMessages } from "./scenarios/messages.ts";
import { runReads } from "./scenarios/reads.ts";
import type { ScenarioResult } from "./scenarios/results.ts";
import { runStorage } from "./scenarios/storage.ts";
import { runStorm } from "./scenarios/storm.ts";
import { runSubscribers } from "./scenarios/subscribers.ts";
import { killAllGroups } from "./server/processes.ts";
import { snapshotWorker, type WorkerSnapshot } from "./server/snapshot.ts";
import { repoRoot } from "./paths.ts";
import type { MachineInfo } from "./machine.ts";
import { localSecret } from "./tokens.ts";

/** Sockets the biggest scenario needs at once, times the descriptors each costs across processes. */
function checkFileLimit(options: BenchOptions, limit: string, warnings: string[]): void {
  const largest = Math.max(
    options.scenarios.includes("fanout") ? Math.max(...options.fanout.sizes) : 0,
    options.scenarios.includes("subscribers") ? options.subscribers.users : 0,
    options.scenarios.includes("storm") ? Math.max(...options.storm.sizes) : 0,
    options.scenarios.includes("heartbeat") ? options.heartbeat.devices : 0,
    options.scenarios.includes("storage") ? options.storage.users : 0,
    options.scenarios.includes("cost") ? options.cost.users : 0,
    options.scenarios.includes("load") ? options.load.devices + options.load.watchers : 0,
  );
  // workerd holds about 2 descriptors per socket; wrangler dev's proxy about 4 (client side and worker side).
  const needed = largest * (options.runtime === "wrangler" && options.route === "proxy" ? 4 : 2) + 1_000;
  const available = Number(limit);
  if (Number.isFinite(available) && available < needed) {
    warnings.push(`ulimit -n is ${limit}; ${largest} sockets may need about ${needed}: raise it (ulimit -n ${needed}) if connections fail with EMFILE`);
  }
}

async function runScenario(context: BenchContext, name: string, size: Record<string, number>, fn: () => Promise<ScenarioResult>): Promise<ScenarioResult> {
  const started = nowMs();
  context.log(`${name} ${JSON.stringify(size)}`);
  try {
    const result = await fn();
    context.log(`  done in ${((nowMs() - started) / 1000).toFixed(1)} s`);
    return result;
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    context.log(`  FAILED: ${message}`);
    context.warnings.push(`${name} ${JSON.stringify(size)} failed: ${message.split("\n")[0]}`);
    return { scenario: name, size, error: message };
  }
}

interface RunInfo {
  options: BenchOptions;
  started: number;
  machine: MachineInfo;
  snapshot: WorkerSnapshot;
  routes: Set<string>;
  warnings: string[];
}

function reportOf(run: RunInfo, results: ScenarioResult[]): BenchReport {
  const { options, machine, snapshot } = run;
  return {
    generatedAt: new Date().toISOString(),
    command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
    quick: options.quick,
    durationSeconds: Math.round((nowMs() - run.started) / 1000),
    machine: {
      ...machine,
      ...(snapshot.commit ? { git: { commit: `${snapshot.commit.slice(0, 7)} (--src ${options.src})`, dirty: false } } : {}),
      loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100),
    },
    srcDigest: snapshot.srcDigest,
    serverVars: { ...SERVER_VARS, ...(options.scopeShards ? { SCOPE_SHARDS: options.scopeShards } : {}), LOG_WAKES: "true", DEV_TOKENS: "true" },
    runtime: options.runtime,
    route: [...run.routes].join(", ") || options.route,
    method: METHOD,
    targets: checkTargets(results),
    results,
    warnings: run.warnings,
  };
}

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === "help") {
    console.log(USAGE);
    return 0;
  }
  const options = parsed;
  const started = nowMs();
  const modelOnly = options.scenarios.every((name) => name === "model");
  if (modelOnly) {
    const files = await runModel({ resultsDir: join(repoRoot, "bench/results") }, options.outDir, ["npm run bench --", ...process.argv.slice(2)].join(" "));
    console.log(`wrote ${files.join(", ")}`);
    return 0;
  }
  const machine = describeMachine();
  const warnings: string[] = [];
  checkFileLimit(options, machine.openFilesLimit, warnings);
  for (const warning of warnings) console.warn(`warning: ${warning}`);
  console.log(
    `bench: ${options.scenarios.join(", ")}${options.quick ? " (quick)" : ""} on ${machine.cpus} cpus, node ${machine.node}, ${options.runtime === "workerd" ? `bare workerd ${machine.workerd}` : `wrangler dev ${machine.wrangler}`}`,
  );

  const snapshot = await snapshotWorker(options.src);
  console.log(`worker bundled and frozen for this run: ${snapshot.commit ? `commit ${snapshot.commit.slice(0, 7)}, ` : ""}src digest ${snapshot.srcDigest} (${snapshot.dir})`);
  if (!options.keepState) process.once("exit", () => rmSync(snapshot.dir, { recursive: true, force: true }));
  const pool = new ClientPool(options.threads);
  const context: BenchContext = {
    options,
    secret: localSecret(),
    pool,
    warnings,
    worker: { dir: snapshot.dir, script: snapshot.script },
    routes: new Set(),
    log: (message) => console.log(message),
  };
  const results: ScenarioResult[] = [];
  let baseline: BaselineServer | null = null;
  try {
    if (options.scenarios.includes("fanout")) {
      if (options.fanout.baseline) baseline = await startBaseline();
      for (const watchers of options.fanout.sizes) {
        results.push(await runScenario(context, "fanout", { watchers, changes: options.fanout.changes }, () => runFanout(context, watchers, baseline)));
      }
      await baseline?.stop();
      baseline = null;
    }
    if (options.scenarios.includes("subscribers")) {
      const { users, trials } = options.subscribers;
      // A fresh floor process: no sockets or subscriptions left over from fan-out.
      if (options.subscribers.baseline) baseline = await startBaseline();
      results.push(await runScenario(context, "subscribers", { subscribers: users, trials }, () => runSubscribers(context, baseline)));
      await baseline?.stop();
      baseline = null;
    }
    if (options.scenarios.includes("storm")) {
      for (const devices of options.storm.sizes) results.push(await runScenario(context, "storm", { devices }, () => runStorm(context, devices)));
    }
    if (options.scenarios.includes("heartbeat")) {
      const { devices, pings, seconds } = options.heartbeat;
      results.push(await runScenario(context, "heartbeat", { devices, pings, seconds }, () => runHeartbeat(context)));
    }
    if (options.scenarios.includes("storage")) {
      results.push(await runScenario(context, "storage", { users: options.storage.users }, () => runStorage(context)));
    }
    if (options.scenarios.includes("reads")) {
      results.push(await runScenario(context, "reads", { users: options.reads.users }, () => runReads(context)));
    }
    if (options.scenarios.includes("cost")) {
      const { users, minutes } = options.cost;
      results.push(await runScenario(context, "cost", { users, minutes }, () => runCost(context)));
    }
    if (options.scenarios.includes("load")) {
      const { devices, restUsers, watchers, changesPerUserHour, seconds } = options.load;
      // The model's inputs: this run's cost result if it has one, else the newest under bench/results.
      const thisRun = { file: "this run", report: reportOf({ options, started, machine, snapshot, routes: context.routes, warnings }, results) };
      const inputs = modelInputs([thisRun, ...readReports(join(repoRoot, "bench/results"))]);
      results.push(await runScenario(context, "load", { devices, restUsers, watchers, changesPerUserHour, seconds }, () => runLoad(context, inputs)));
    }
    if (options.scenarios.includes("messages")) {
      const { count, samples } = options.messages;
      if (options.messages.baseline) baseline = await startBaseline();
      results.push(await runScenario(context, "messages", { messages: count, samples }, () => runMessages(context, baseline)));
      await baseline?.stop();
      baseline = null;
    }
  } finally {
    await baseline?.stop();
    await pool.stop();
    if (!options.keepState) await snapshot.remove();
  }

  const report = reportOf({ options, started, machine, snapshot, routes: context.routes, warnings }, results);
  const files = await writeReport(report, options.outDir);
  console.log(`\nwrote ${files.join(", ")}`);
  if (options.scenarios.includes("model")) {
    const modelFiles = await runModel({ resultsDir: join(repoRoot, "bench/results") }, join(options.outDir, "model"), report.command);
    console.log(`wrote ${modelFiles.join(", ")}`);
  }
  for (const warning of warnings) console.warn(`warning: ${warning}`);
  return results.some((result) => "error" in result) ? 1 : 0;
}

// Whatever happens, no workerd, wrangler or floor server outlives the bench.
process.on("exit", killAllGroups);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping servers`);
    killAllGroups();
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    killAllGroups();
    process.exit(1);
  },
);
