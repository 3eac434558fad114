/** Summary statistics over latency samples (ms). Missing samples (NaN) are counted, never averaged in. */
export interface Summary {
  count: number;
  missing: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least q of the samples at or below it. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

export function summarize(samples: ArrayLike<number>): Summary {
  const values: number[] = [];
  let missing = 0;
  for (let i = 0; i < samples.length; i++) {
    const value = samples[i] as number;
    if (Number.isFinite(value)) values.push(value);
    else missing += 1;
  }
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    missing,
    min: sorted.length ? (sorted[0] as number) : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

/** Rounds for reports: 3 significant decimals are plenty for milliseconds measured on a shared machine. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function roundSummary(summary: Summary): Summary {
  return {
    count: summary.count,
    missing: summary.missing,
    min: round(summary.min),
    mean: round(summary.mean),
    p50: round(summary.p50),
    p95: round(summary.p95),
    p99: round(summary.p99),
    max: round(summary.max),
  };
}

/** a / b, or null when either is not a usable number. */
export function ratio(a: number, b: number): number | null {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return round(a / b, 2);
}
