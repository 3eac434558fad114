/**
 * Reads of never-seen users: N `GET /v1/presence/<id>` for ids no one ever connected as (a bounded
 * number in flight, at most 100 per reader). Measured: what the reads cost the PresenceObjects (wakes, record loads and
 * saves), how much the persistence directory of the PresenceObject class grew, and whether any
 * object database holds a service table (target: nothing stored for a user who never connected).
 */
import { nowMs } from "../clock.ts";
import { forEachLimited } from "../concurrency.ts";
import { wakeDelta } from "../server/wakes.ts";
import { round, roundSummary, summarize } from "../stats.ts";
import { classDiskUsage, inspectObjects } from "../storage/inspect.ts";
import { token } from "../tokens.ts";
import { withServer, type BenchContext } from "./context.ts";
import type { ReadsResult } from "./results.ts";

const READS_PER_READER = 100;

export async function runReads(context: BenchContext): Promise<ReadsResult> {
  const { users, concurrency } = context.options.reads;
  // REST calls are limited per caller (wrangler.toml's REST_LIMIT, 300 per 10 s): each reader makes at most READS_PER_READER.
  const readers = await Promise.all(
    Array.from({ length: Math.ceil(users / READS_PER_READER) }, (_, index) => token(context.secret, { sub: `reads-reader-${index}`, org: "reads" })),
  );
  return withServer(context, "reads", async (server) => {
    await server.wakes.waitQuiet(300, 5_000);
    const before = classDiskUsage(server.persistDir, "PresenceObject");
    const [wakesBefore, costsBefore] = [server.wakes.snapshot(), server.wakes.costs()];
    const answers: Record<string, number> = {};
    const latency: number[] = [];
    await forEachLimited(users, concurrency, async (index) => {
      const started = nowMs();
      let answer: string;
      try {
        const response = await fetch(`${server.httpUrl}/v1/presence/never-seen-${index}`, {
          headers: { authorization: `Bearer ${readers[Math.floor(index / READS_PER_READER)]}` },
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        answer = `HTTP ${response.status}`;
      } catch (error) {
        answer = (error as Error).name;
      }
      latency.push(nowMs() - started);
      answers[answer] = (answers[answer] ?? 0) + 1;
    });
    // Let every write and WAL append land before looking at the disk.
    await server.wakes.waitQuiet(1_000, 10_000);
    const after = classDiskUsage(server.persistDir, "PresenceObject");
    const costs = wakeDelta(costsBefore, server.wakes.costs());
    const databases = inspectObjects(server.persistDir).filter((db) => db.className === "PresenceObject");
    context.log(`    ${JSON.stringify(answers)}; PresenceObject files ${before.files} → ${after.files}, bytes ${before.bytes} → ${after.bytes}`);
    return {
      scenario: "reads",
      size: { users },
      answers,
      latency: roundSummary(summarize(latency)),
      wakes: wakeDelta(wakesBefore, server.wakes.snapshot()),
      loadsPerRead: round((costs["presence.loads"] ?? 0) / users, 3),
      savesPerRead: round((costs["presence.saves"] ?? 0) / users, 3),
      before,
      after,
      databases: {
        count: databases.length,
        withServiceTables: databases.filter((db) => Object.keys(db.rows).length > 0).length,
        payloadBytes: databases.reduce((sum, db) => sum + db.payloadBytes, 0),
      },
    } satisfies ReadsResult;
  });
}
