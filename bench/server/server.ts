/**
 * What every scenario gets from the server under test, whichever runtime runs it: the frozen bundle
 * on the bare workerd binary (bench/server/workerd.ts, the default) or under `wrangler dev`
 * (bench/server/wrangler.ts).
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { RateLimits } from "./rateLimits.ts";
import { ObjectCalls } from "./objectCalls.ts";
import { WakeCounter } from "./wakes.ts";

export type Runtime = "workerd" | "wrangler";
export type Route = "direct" | "proxy";

export interface BenchServer {
  runtime: Runtime;
  /** Where clients go: `http://127.0.0.1:<port>` of the worker's workerd (or of wrangler's proxy with --route proxy). */
  httpUrl: string;
  /** The same as `ws://`. */
  wsUrl: string;
  /** "direct": clients reach the workerd that runs the worker; "proxy": through wrangler dev's --port. */
  route: Route;
  /** One line for the log: what runs and where clients go. */
  describe: string;
  /** The fresh persistence directory of this instance (Durable Object SQLite under `v3/do/<script>-<Class>/`). */
  persistDir: string;
  wakes: WakeCounter;
  /** Calls into each object by name, when the server runs behind the tracing entry (`traceObjects`); else empty. */
  calls: ObjectCalls;
  /** Lines that say the dev server reloaded (a source file changed under it): results are then suspect. */
  reloads: string[];
  /** CPU time (user + system, ms) the server's workerd processes have used so far. */
  cpuMs(): number;
  /** File descriptors the server's workerd processes hold now (Linux; 0 elsewhere). */
  openFiles(): number;
  /** The last lines of output, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Vars on top of the worker's own; LOG_WAKES and DEV_TOKENS are always on. */
  vars?: Record<string, string>;
  /** Keep the persistence directory after stopping (for inspection). */
  keepState?: boolean;
  /** Rate-limit bindings to run with instead of wrangler.toml's, by name: for a figure the limit would cap (rateLimits.ts). */
  rateLimits?: RateLimits;
  /** workerd only: run the worker behind an entry that logs each object's calls (objectCalls.ts). */
  traceObjects?: boolean;
  /** wrangler only: "direct" skips wrangler's proxy (bench/server/direct.ts). */
  route?: Route;
  /** The frozen copy of the worker (bench/server/snapshot.ts) and its bundle, relative to it. */
  cwd: string;
  script: string;
}

/** A fresh persistence directory, on tmpfs (/dev/shm) when there is one: new objects create files synchronously. */
export function freshPersistDir(): Promise<string> {
  return mkdtemp(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "presence-bench-"));
}

/** utime + stime of each process, in ms (Linux counts them in USER_HZ = 100 ticks a second); 0 once it is gone. */
export function processCpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Not Linux, or the process exited.
    }
  }
  return ticks * 10;
}

/** Open file descriptors of each process (/proc/<pid>/fd), summed; 0 when unreadable. */
export function processOpenFiles(pids: number[]): number {
  let count = 0;
  for (const pid of pids) {
    try {
      count += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // Not Linux, or the process exited.
    }
  }
  return count;
}

const TAIL_LINES = 40;

/** Feeds a server's output to a wake counter and keeps a tail of the other lines; `onLine` sees stdout too. */
export function followOutput(child: ChildProcess, onLine: (line: string) => void = () => {}): { wakes: WakeCounter; calls: ObjectCalls; tail: () => string } {
  const wakes = new WakeCounter();
  const calls = new ObjectCalls();
  const lines: string[] = [];
  const keep = (line: string) => {
    // Leave out the thousands of wake and call lines and successful upgrades.
    if (calls.feed(line) || line.includes('{"wake"') || line.includes("101 Switching Protocols")) return;
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
  };
  if (child.stdout) createInterface({ input: child.stdout }).on("line", (line) => (wakes.feed(line), keep(line), onLine(line)));
  if (child.stderr) createInterface({ input: child.stderr }).on("line", keep);
  return { wakes, calls, tail: () => lines.join("\n") };
}

/** Rejects when `child` exits (ignore it once the server is up). */
export function exitOf(child: ChildProcess, what: string): Promise<never> {
  const exited = new Promise<never>((_, reject) => child.once("exit", (code, signal) => reject(new Error(`${what} exited early (code ${code}, signal ${signal})`))));
  exited.catch(() => {});
  return exited;
}
