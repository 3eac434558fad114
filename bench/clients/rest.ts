/**
 * Users who change their status over REST only (`PUT /v1/presence/me`, no socket): each token's user
 * sends its changes at its own random times (busy and auto in turn, a new text each time), at most
 * `concurrency` requests in flight from this thread. Each PUT is one RPC into the user's PresenceObject.
 */
import type { UpdateMeRequest } from "../../src/protocol/rest.ts";
import { nowMs } from "../clock.ts";
import type { Command, RestChangesReport } from "./messages.ts";
import { changeTimes } from "./schedule.ts";

/** A user's changes reach a room at most once a second; REST users' changes are kept as far apart. */
const MIN_GAP_MS = 1_100;

export async function restChanges(command: Extract<Command, { op: "restChanges" }>): Promise<RestChangesReport> {
  const report: RestChangesReport = { sent: 0, answers: {}, latencyMs: [] };
  const due = command.tokens
    .flatMap((token, user) => changeTimes(command.perUser, command.spreadMs, MIN_GAP_MS).map((at) => ({ at, token, user })))
    .sort((a, b) => a.at - b.at);
  const started = nowMs();
  let next = 0;
  let serial = 0;
  const lane = async () => {
    while (next < due.length) {
      const change = due[next++] as (typeof due)[number];
      const wait = started + change.at - nowMs();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      serial += 1;
      const body: UpdateMeRequest = { status: serial % 2 === 0 ? "auto" : "busy", text: `${command.prefix}${serial}` };
      const began = nowMs();
      report.sent += 1;
      try {
        const response = await fetch(`${command.httpUrl}/v1/presence/me`, {
          method: "PUT",
          headers: { authorization: `Bearer ${change.token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        const key = String(response.status);
        report.answers[key] = (report.answers[key] ?? 0) + 1;
        report.latencyMs.push(nowMs() - began);
      } catch (error) {
        const key = (error as Error).name;
        report.answers[key] = (report.answers[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, command.concurrency) }, lane));
  return report;
}
