import type { Env } from "../env";

/**
 * Metrics as Workers Analytics Engine data points: `index1` and `blob1` name the metric, `blob2` the
 * scope, `blob3` a code (status, refusal code, socket kind), `double1` the value. README and docs/OBSERVABILITY.md have the SQL.
 */

export type MetricName =
  | "connection_opened"
  | "connection_closed"
  | "status_changed"
  | "fanout"
  | "refusal"
  | "webhook_delivered"
  | "webhook_failed";

export interface MetricLabels {
  scope?: string;
  code?: string;
}

/** Writes one data point; metrics never fail what is being measured. */
export function metric(env: Pick<Env, "METRICS">, name: MetricName, labels: MetricLabels = {}, value = 1): void {
  try {
    env.METRICS?.writeDataPoint({ indexes: [name], blobs: [name, labels.scope ?? "", labels.code ?? ""], doubles: [value] });
  } catch {
    // Analytics Engine is best effort by design: a lost point must not fail a connect or a push.
  }
}
