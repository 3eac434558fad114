/**
 * Calls into each Durable Object, by object: which object ran which entry point (RPC method, fetch,
 * alarm, socket event) and for how long. Wake lines (wakes.ts) say what kind of object woke, not
 * which one; a per-object load (requests a second at the busiest room) and billed duration need
 * the object's name. So on bare workerd the bench can run the worker behind a generated entry
 * module (`tracingEntry`) that subclasses each Durable Object class and prints one line when an
 * entry point starts and one when it settles; the worker's own code is unchanged. Auto-responded
 * pings run no entry point and print nothing, as they wake nothing.
 */
import { nowMs } from "../clock.ts";

/** `{"call":"RoomObject","name":"global","method":"apply","id":7,"at":...}`, then `{"callEnd":7,"at":...}`; `at` is the worker's Date.now(). */
const START = '{"call":';
const END = '{"callEnd":';

/**
 * The entry module: everything the bundle exports, with each class of `classes` replaced by a
 * subclass whose own entry points log their start and end. Date.now() in workerd moves only when
 * I/O completes, so an end's `at` is when the handler's last awaited I/O finished: the interval
 * covers every await (RPCs, storage) and misses only the CPU after the last one.
 */
export function tracingEntry(bundle: string, classes: string[]): string {
  const bundleUrl = JSON.stringify(`./${bundle}`);
  return `import * as worker from ${bundleUrl};
export * from ${bundleUrl};
export default worker.default;
let nextId = 0;
function entryPoints(Base) {
  const names = new Set();
  for (let proto = Base.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor && proto.constructor.name === "DurableObject") break;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, name).value;
      if (name !== "constructor" && typeof value === "function") names.add(name);
    }
  }
  return names;
}
function traced(Base, className) {
  class Traced extends Base {}
  for (const method of entryPoints(Base)) {
    const original = Base.prototype[method];
    Object.defineProperty(Traced.prototype, method, {
      configurable: true,
      writable: true,
      value: function (...args) {
        const id = ++nextId;
        console.log(JSON.stringify({ call: className, name: this.ctx.id.name ?? this.ctx.id.toString(), method, id, at: Date.now() }));
        const end = () => console.log(JSON.stringify({ callEnd: id, at: Date.now() }));
        let result;
        try {
          result = original.apply(this, args);
        } catch (error) {
          end();
          throw error;
        }
        Promise.resolve(result).then(end, end);
        return result;
      },
    });
  }
  return Traced;
}
${classes.map((name) => `export const ${name} = traced(worker.${name}, ${JSON.stringify(name)});`).join("\n")}
`;
}

/** One object's calls between two snapshots. */
export interface ObjectLoad {
  /** Class and name: "RoomObject global". */
  object: string;
  className: string;
  name: string;
  /** Calls by entry point. */
  calls: Record<string, number>;
  total: number;
  /** Wall-clock time with at least one call running (the union of the calls' intervals), ms. */
  activeMs: number;
}

interface ObjectState {
  className: string;
  name: string;
  calls: Map<string, number>;
  total: number;
  activeMs: number;
  busyUntil: number;
  /** Bench-clock arrival of each call's start line. */
  times: number[];
}

export type CallsSnapshot = Map<string, { calls: Record<string, number>; total: number; activeMs: number }>;

const MAX_TIMES_PER_OBJECT = 200_000;

export class ObjectCalls {
  private readonly objects = new Map<string, ObjectState>();
  private readonly open = new Map<number, { key: string; at: number }>();
  feed(line: string): boolean {
    const start = line.indexOf(START);
    const end = start < 0 ? line.indexOf(END) : -1;
    if (start < 0 && end < 0) return false;
    try {
      const parsed = JSON.parse(line.slice(start >= 0 ? start : end)) as Record<string, unknown>;
      if (start >= 0) this.started(parsed);
      else this.ended(parsed);
    } catch {
      // Not a call line after all.
    }
    return true;
  }

  private started(line: Record<string, unknown>): void {
    const { call, name, method, id, at } = line;
    if (typeof call !== "string" || typeof name !== "string" || typeof method !== "string" || typeof id !== "number" || typeof at !== "number") return;
    const key = `${call} ${name}`;
    let state = this.objects.get(key);
    if (!state) {
      state = { className: call, name, calls: new Map(), total: 0, activeMs: 0, busyUntil: 0, times: [] };
      this.objects.set(key, state);
    }
    state.calls.set(method, (state.calls.get(method) ?? 0) + 1);
    state.total += 1;
    if (state.times.length < MAX_TIMES_PER_OBJECT) state.times.push(nowMs());
    this.open.set(id, { key, at });
  }

  private ended(line: Record<string, unknown>): void {
    const { callEnd, at } = line;
    if (typeof callEnd !== "number" || typeof at !== "number") return;
    const started = this.open.get(callEnd);
    if (!started) return;
    this.open.delete(callEnd);
    const state = this.objects.get(started.key);
    if (!state) return;
    // The union of intervals, taken as they end: overlapping calls count once.
    const from = Math.max(started.at, state.busyUntil);
    if (at > from) state.activeMs += at - from;
    state.busyUntil = Math.max(state.busyUntil, at);
  }

  /** Whether any call line was seen (the server runs behind the tracing entry). */
  get tracing(): boolean {
    return this.objects.size > 0;
  }

  snapshot(): CallsSnapshot {
    const snapshot: CallsSnapshot = new Map();
    for (const [key, state] of this.objects) snapshot.set(key, { calls: Object.fromEntries(state.calls), total: state.total, activeMs: state.activeMs });
    return snapshot;
  }

  /** Per object, what happened between two snapshots (objects with no call left out). */
  delta(before: CallsSnapshot, after: CallsSnapshot): ObjectLoad[] {
    const loads: ObjectLoad[] = [];
    for (const [key, now] of after) {
      const then = before.get(key);
      const calls: Record<string, number> = {};
      for (const [method, count] of Object.entries(now.calls)) {
        const change = count - (then?.calls[method] ?? 0);
        if (change > 0) calls[method] = change;
      }
      const total = now.total - (then?.total ?? 0);
      if (total === 0) continue;
      const state = this.objects.get(key);
      loads.push({ object: key, className: state?.className ?? "", name: state?.name ?? "", calls, total, activeMs: now.activeMs - (then?.activeMs ?? 0) });
    }
    return loads.sort((a, b) => b.total - a.total);
  }

  /** The most calls `object` started within any `windowMs` between `from` and `to` (bench clock), as a rate per second. */
  peakRate(object: string, from: number, to: number, windowMs: number): number {
    const times = (this.objects.get(object)?.times ?? []).filter((at) => at >= from && at <= to);
    let peak = 0;
    let first = 0;
    for (let last = 0; last < times.length; last++) {
      while ((times[last] as number) - (times[first] as number) >= windowMs) first += 1;
      peak = Math.max(peak, last - first + 1);
    }
    return peak / (windowMs / 1000);
  }

  /** Calls `object` started per `windowMs` bucket between `from` and `to` (bench clock), as rates per second. */
  series(object: string, from: number, to: number, windowMs: number): number[] {
    const buckets = new Array<number>(Math.max(1, Math.ceil((to - from) / windowMs))).fill(0);
    for (const at of this.objects.get(object)?.times ?? []) {
      if (at < from || at >= to) continue;
      const index = Math.floor((at - from) / windowMs);
      buckets[index] = (buckets[index] ?? 0) + 1;
    }
    return buckets.map((count) => count / (windowMs / 1000));
  }
}
