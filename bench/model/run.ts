/**
 * `node bench/model/run.ts [--out DIR] [--results DIR] [--cost FILE] [--load FILE] [--shards 1,64] [--check]` (or `npm run bench --
 * --only model`): the load model on the newest `cost` result found under the results directory, for
 * 10k, 100k and 1M online users on each design (the default since aa9ab76, `global` over 64 shards
 * with one watch hub; and `global` as one room; or `global` over each of `--shards` rooms); with the newest `load` result as its
 * reality check. Writes latest.json and latest.md (default bench/results/model). `--check` runs the
 * model's self-test instead. `--cost` and `--load` pin the bench reports (latest.json) to take the
 * inputs and the reality check from.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../paths.ts";
import type { BenchReport } from "../report/types.ts";
import type { LoadResult } from "../scenarios/load.ts";
import { checkModel } from "./check.ts";
import { findCost, inputsFromCost } from "./inputs.ts";
import type { ModelInputs } from "./inputs.ts";
import { breakingPoint, predict, runFigures, type RunFigures } from "./model.ts";
import { renderModel, type ModelReport } from "./report.ts";
import { DEFAULT_DESIGN, ONE_GLOBAL_ROOM, STANDARD_WORKLOADS, type Design } from "./workload.ts";

/** Every bench report (latest.json) under `dir`, with its path relative to the repository. */
export function readReports(dir: string): { file: string; report: BenchReport }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith("latest.json"))
    .flatMap((path) => {
      try {
        const report = JSON.parse(readFileSync(join(dir, path), "utf8")) as BenchReport;
        return Array.isArray(report.results) ? [{ file: relative(repoRoot, join(dir, path)), report }] : [];
      } catch {
        return [];
      }
    });
}

/** The model's inputs from the newest cost result among `reports`, or null. */
export function modelInputs(reports: { file: string; report: BenchReport }[]) {
  const found = findCost(reports);
  return found ? inputsFromCost(found.file, found.report, found.cost, reports.map((entry) => entry.report)) : null;
}

/**
 * The load result's prediction made again with this model, from the cost result the run took its
 * inputs from (found by when it was generated), else from `fallback`: the check follows the model.
 */
function repredicted(check: NonNullable<ModelReport["realityCheck"]>, reports: { file: string; report: BenchReport }[], fallback: ModelInputs): NonNullable<ModelReport["realityCheck"]> {
  const { result } = check;
  if (!result.design || !result.workload) return check;
  const source = reports.find(({ report }) => report.generatedAt === result.modelInputs?.generatedAt);
  const cost = source ? findCost([source]) : null;
  const inputs = source && cost ? inputsFromCost(source.file, source.report, cost.cost, reports.map((entry) => entry.report)) : fallback;
  const predicted = runFigures(predict(inputs, result.design, result.workload));
  const ratio: LoadResult["ratio"] = {};
  for (const key of Object.keys(result.measured) as (keyof RunFigures)[]) ratio[key] = predicted[key] > 0 ? Math.round((result.measured[key] / predicted[key]) * 100) / 100 : null;
  return { ...check, result: { ...result, predicted, ratio, modelInputs: inputs.source } };
}

function newestLoad(reports: { file: string; report: BenchReport }[]): ModelReport["realityCheck"] {
  const found = reports
    .flatMap(({ file, report }) =>
      report.results
        .filter((result): result is LoadResult => result.scenario === "load" && !("error" in result))
        .map((result) => ({ file, generatedAt: report.generatedAt, commit: `${report.machine.git.commit}${report.machine.git.dirty ? " (src modified)" : ""}`, result })),
    )
    .sort((a, b) => b.generatedAt.localeCompare(a.generatedAt));
  return found[0] ?? null;
}

function readReport(path: string): { file: string; report: BenchReport } {
  const full = isAbsolute(path) ? path : join(repoRoot, path);
  return { file: relative(repoRoot, full), report: JSON.parse(readFileSync(full, "utf8")) as BenchReport };
}

/** Which results the model reads: every report under a directory, or the cost and load results pinned to files. */
export interface ModelSources {
  resultsDir: string;
  /** A report holding the cost result to take the inputs from (default: the newest under resultsDir). */
  costFile?: string;
  /** A report holding the load result to check against (default: the newest under resultsDir). */
  loadFile?: string;
}

/** Runs the model and writes its report; returns the files written. */
export async function runModel(sources: ModelSources, outDir: string, command: string, globalShards: number[] | null = null): Promise<string[]> {
  const all = readReports(sources.resultsDir);
  const reports = sources.costFile ? [readReport(sources.costFile), ...all.filter((entry) => !findCost([entry]))] : all;
  const checks = sources.loadFile ? [readReport(sources.loadFile)] : all;
  const inputs = modelInputs(reports);
  const reality = newestLoad(checks);
  if (!inputs) throw new Error(`no cost result in ${sources.costFile ?? sources.resultsDir}: run \`npm run bench -- --only cost --out bench/results/cost\` first`);
  const designs: Design[] = globalShards
    ? globalShards.map((shards) => ({ ...DEFAULT_DESIGN, name: `global over ${shards} shard(s)`, globalShards: shards }))
    : [DEFAULT_DESIGN, ONE_GLOBAL_ROOM];
  const predictions = designs.flatMap((design) => STANDARD_WORKLOADS.map((workload) => predict(inputs, design, workload)));
  const largest = STANDARD_WORKLOADS.at(-1) as (typeof STANDARD_WORKLOADS)[number];
  const breakingPoints = designs.flatMap((design) =>
    (predictions[0]?.objects ?? []).map((entry) => ({
      design: design.name,
      role: entry.role,
      users: breakingPoint(inputs, design, largest, entry.role),
      byRequests: breakingPoint(inputs, design, largest, entry.role, (load) => load.requestShare),
    })),
  );
  const cost = findCost(reports);
  const report: ModelReport = {
    generatedAt: new Date().toISOString(),
    command,
    inputs,
    designs,
    workloads: STANDARD_WORKLOADS,
    predictions,
    breakingPoints,
    realityCheck: reality && repredicted(reality, [...all, ...reports], inputs),
    measuredCost: cost
      ? { perUserMonth: cost.cost.cost, target: cost.cost.target, atScale: cost.cost.split ? { users: cost.cost.split.atUsers, perUserMonth: cost.cost.split.atScalePerUserMonth, longRun: cost.cost.split.atScaleLongRunPerUserMonth, perShardMonth: cost.cost.split.shards.perShardMonth } : null }
      : null,
  };
  const dir = isAbsolute(outDir) ? outDir : join(repoRoot, outDir);
  await mkdir(dir, { recursive: true });
  const files = [join(dir, "latest.json"), join(dir, "latest.md")];
  await writeFile(files[0] as string, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files[1] as string, renderModel(report));
  return files;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      out: { type: "string", default: "bench/results/model" },
      results: { type: "string", default: "bench/results" },
      shards: { type: "string" },
      cost: { type: "string" },
      load: { type: "string" },
      check: { type: "boolean", default: false },
    },
  });
  if (values.check) return checkModel().length === 0 ? 0 : 1;
  const results = isAbsolute(values.results) ? values.results : join(repoRoot, values.results);
  const shards = values.shards === undefined ? null : values.shards.split(",").map(Number);
  if (shards?.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--shards: expected positive integers, got "${values.shards}"`);
  const files = await runModel({ resultsDir: results, costFile: values.cost, loadFile: values.load }, values.out, ["node bench/model/run.ts", ...process.argv.slice(2)].join(" "), shards);
  console.log(`wrote ${files.join(", ")}`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
