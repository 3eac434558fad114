import { fork } from "node:child_process";
import { within } from "../clock.ts";
import { stopGroup, trackGroup } from "../server/processes.ts";
import { processCpuMs } from "../server/server.ts";

export interface BaselineServer {
  wsUrl: string;
  /** The same as `http://`, for `POST /v1/messages`. */
  httpUrl: string;
  /** CPU time (ms) the floor's process has used so far. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Starts bench/baseline/server.ts as its own process (own event loop, like workerd) on a free port. */
export async function startBaseline(): Promise<BaselineServer> {
  const child = fork(new URL("./server.ts", import.meta.url), [], { detached: true, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  trackGroup(child);
  try {
    const port = await within(
      new Promise<number>((resolve, reject) => {
        child.once("message", (message: { port?: number }) => (message.port ? resolve(message.port) : reject(new Error("no port"))));
        child.once("exit", (code) => reject(new Error(`baseline server exited (${code})`)));
      }),
      15_000,
      "baseline server to listen",
    );
    return { wsUrl: `ws://127.0.0.1:${port}`, httpUrl: `http://127.0.0.1:${port}`, cpuMs: () => processCpuMs(child.pid === undefined ? [] : [child.pid]), stop: () => stopGroup(child) };
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
}
