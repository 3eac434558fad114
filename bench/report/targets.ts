/** The README's "Done when" figures, each judged from this run's results. */
import type { CostResult, FanoutResult, HeartbeatResult, ScenarioResult, StormResult } from "../scenarios/results.ts";
import { dollars, ms, num } from "./format.ts";

export interface TargetCheck {
  target: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

function check(target: string, measured: [string, boolean] | null): TargetCheck {
  return measured ? { target, measured: measured[0], met: measured[1] } : { target, measured: "not run", met: null };
}

export function checkTargets(results: ScenarioResult[]): TargetCheck[] {
  const ok = results.filter((result) => !("error" in result));
  const fanouts = ok.filter((result): result is FanoutResult => result.scenario === "fanout");
  const storms = ok.filter((result): result is StormResult => result.scenario === "storm");
  const storm = storms.find((result) => result.size.devices === 1000) ?? storms.at(-1);
  const heartbeat = ok.find((result): result is HeartbeatResult => result.scenario === "heartbeat");
  const biggest = fanouts.at(-1);
  const cost = ok.find((result): result is CostResult => result.scenario === "cost");
  const storage = (field: "loads" | "saves"): [string, boolean] | null => {
    const values = fanouts.map((result) => result.service.storagePerChange?.[field] ?? Number.NaN);
    if (values.length === 0) return null;
    return [fanouts.map((result, index) => `${num(values[index], 2)} at ${num(result.size.watchers)}`).join(", "), values.every((value) => value <= 1)];
  };
  return [
    ...fanouts.map(({ size, service, baseline, ratio }) =>
      check(
        `fan-out p99 ≤ 2× the bare-ws floor's, ${num(size.watchers)} watchers`,
        baseline && [`${ms(service.delivery.p99)} ms vs ${ms(baseline.delivery.p99)} ms: ${num(ratio.p99, 1)}×`, ratio.p99 !== null && ratio.p99 <= 2],
      ),
    ),
    check(
      `watch sockets connected ≥ 1,000/s${biggest ? ` (${num(biggest.size.watchers)} watchers)` : ""}`,
      biggest ? [`${num(biggest.service.connectPerSecond)}/s (server CPU ${ms(biggest.service.connectCpuMs)} ms per connect)`, biggest.service.connectPerSecond >= 1000] : null,
    ),
    check(
      `connect storm${storm ? ` of ${num(storm.size.devices)} devices` : ""}: greeted ≥ 500/s`,
      storm
        ? [`${num(storm.socketsPerSecond)}/s (${num(storm.opened)} opened, ${num(storm.failed)} failed; workerd CPU ${ms(storm.cpuMsPerConnect)} ms per connect)`, storm.failed === 0 && storm.socketsPerSecond >= 500]
        : null,
    ),
    check(
      "connect storm: each hello < 1 s after its own connect",
      storm ? [`p50 ${ms(storm.hello.p50)} ms, p99 ${ms(storm.hello.p99)} ms, max ${ms(storm.hello.max)} ms`, storm.failed === 0 && storm.hello.max < 1000] : null,
    ),
    check(
      "object wakes per heartbeat = 0 (alarms apart)",
      heartbeat ? [`${num(heartbeat.wakesPerPing, 4)} over ${num(heartbeat.pingsSent)} pings`, heartbeat.wakesPerPing === 0] : null,
    ),
    check("record loads per status frame ≤ 1 (per fan-out size)", storage("loads")),
    check("record saves per status frame ≤ 1 (per fan-out size)", storage("saves")),
    check(
      `cost per always-online user per month ≤ ${dollars(cost?.target ?? 0.004)} (default timers, 25 s pings, all charges)`,
      cost
        ? [
            `${dollars(cost.cost.total)}: requests ${dollars(cost.cost.requests)}, rows written ${dollars(cost.cost.rowsWritten)}, rows read ${dollars(cost.cost.rowsRead)}, duration ${dollars(cost.cost.duration)} (${num(cost.opened)} users, ${num(cost.steadySeconds / 60, 1)} min)`,
            cost.cost.total <= cost.target,
          ]
        : null,
    ),
  ];
}
