/**
 * Finds the port of the user worker's own workerd behind `wrangler dev`'s proxy, so clients can
 * skip the proxy hop. Why: the proxy (a second workerd) holds about four file descriptors per
 * proxied WebSocket, so with this machine's hard `ulimit -n` of 20,000 it cannot carry 5,000
 * watchers, and its hop is a development artefact that production does not have.
 *
 * How (Linux only): among the processes of wrangler's process group, the workerd started with
 * `--inspector-addr` runs the user worker; its listening sockets come from /proc/<pid>/fd and
 * /proc/net/tcp; the one that answers `GET /v1/health` with this service's health (`ok` and a
 * `version`) is the entry. Returns null when any step fails (callers then go through the proxy).
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

function processGroupOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command: state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[2]);
  } catch {
    return null;
  }
}

/** The workerd processes of a process group: only the one running the user worker (started with `--inspector-addr`) if `userOnly`. */
export function workerdPids(group: number, userOnly: boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || processGroupOf(pid) !== group) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (cmdline[0]?.endsWith("workerd") && (!userOnly || cmdline.some((arg) => arg.startsWith("--inspector-addr")))) pids.push(pid);
    } catch {
      // The process went away.
    }
  }
  return pids;
}

function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // Closed meanwhile.
    }
  }
  const ports: number[] = [];
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const columns = line.trim().split(/\s+/);
    const [local, , state] = [columns[1], columns[2], columns[3]];
    const inode = columns[9];
    if (state !== "0A" || !local || !inode || !inodes.has(inode)) continue;
    ports.push(Number.parseInt(local.split(":")[1] ?? "0", 16));
  }
  return ports;
}

async function isServiceEntry(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v1/health`, { signal: AbortSignal.timeout(3_000) });
    if (!response.ok) return false;
    const body = (await response.json()) as { ok?: unknown; version?: unknown };
    return body.ok === true && typeof body.version === "string";
  } catch {
    return false;
  }
}

/** The user worker's entry port, or null. `group` is the pid of wrangler (spawned as a group leader). */
export async function findUserWorkerPort(group: number): Promise<number | null> {
  if (process.platform !== "linux") return null;
  try {
    for (const pid of workerdPids(group, true)) {
      for (const port of listeningPorts(pid)) if (await isServiceEntry(port)) return port;
    }
  } catch {
    // Anything unexpected: no direct route.
  }
  return null;
}
