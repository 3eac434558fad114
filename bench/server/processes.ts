import type { ChildProcess } from "node:child_process";

/**
 * Every child process group the bench started, so that an error, SIGINT or a plain exit can
 * always take them down (each is spawned `detached`, i.e. as the leader of its own group).
 */
const groups = new Set<number>();

export function trackGroup(child: ChildProcess): void {
  if (child.pid !== undefined) groups.add(child.pid);
  child.once("exit", () => {
    if (child.pid !== undefined) groups.delete(child.pid);
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the group, then SIGKILL if its leader has not exited within `graceMs`. */
export async function stopGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once("exit", () => resolve()));
  signalGroup(pid, "SIGTERM");
  const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
  // The leader may exit before its children (workerd): make sure nothing of the group survives.
  signalGroup(pid, "SIGKILL");
  groups.delete(pid);
}

/** Last resort, synchronous (usable from an `exit` handler): SIGKILL every group still tracked. */
export function killAllGroups(): void {
  for (const pid of groups) signalGroup(pid, "SIGKILL");
  groups.clear();
}
