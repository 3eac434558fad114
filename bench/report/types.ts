import type { MachineInfo } from "../machine.ts";
import type { Runtime } from "../server/server.ts";
import type { ScenarioResult } from "../scenarios/results.ts";
import type { TargetCheck } from "./targets.ts";

/** bench/results/latest.json */
export interface BenchReport {
  generatedAt: string;
  /** The command line that produced it. */
  command: string;
  quick: boolean;
  durationSeconds: number;
  machine: MachineInfo;
  /** Digest of the src/ copy every scenario ran (bench/server/snapshot.ts). */
  srcDigest: string;
  /** Vars every scenario's server ran with, on top of wrangler.toml's. */
  serverVars: Record<string, string>;
  /** "workerd": the bundle on the bare workerd binary; "wrangler": under `wrangler dev`. */
  runtime: Runtime;
  /** How clients reached the worker: "direct" (the worker's workerd) or "proxy" (wrangler dev's --port). */
  route: string;
  method: string[];
  /** The README's targets, judged from `results`. */
  targets: TargetCheck[];
  results: ScenarioResult[];
  warnings: string[];
}
