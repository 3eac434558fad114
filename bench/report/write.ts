import { mkdir, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { repoRoot } from "../paths.ts";
import type { FanoutResult } from "../scenarios/results.ts";
import { renderFanoutChart } from "./chart.ts";
import { renderMarkdown } from "./markdown.ts";
import type { BenchReport } from "./types.ts";

/** Writes latest.json, latest.md and (when fan-out ran) fanout.svg; returns their paths. */
export async function writeReport(report: BenchReport, outDir: string): Promise<string[]> {
  const dir = isAbsolute(outDir) ? outDir : join(repoRoot, outDir);
  await mkdir(dir, { recursive: true });
  const fanout = report.results.filter((result): result is FanoutResult => result.scenario === "fanout" && !("error" in result));
  const subtitle = `${report.runtime === "workerd" ? "bare workerd" : "wrangler dev"}, ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, node ${report.machine.node}, workerd ${report.machine.workerd}, ${fanout[0]?.size.changes ?? 0} changes per size`;
  const files: [string, string][] = [
    ["latest.json", `${JSON.stringify(report, null, 2)}\n`],
    ["latest.md", renderMarkdown(report)],
    ...(fanout.length > 0 ? [["fanout.svg", `${renderFanoutChart(fanout, subtitle)}\n`] as [string, string]] : []),
  ];
  for (const [name, content] of files) await writeFile(join(dir, name), content);
  return files.map(([name]) => join(dir, name));
}
