/**
 * Storage: bytes of Durable Object SQLite per online user (their PresenceObject) and per member of
 * a scope (its RoomObject). U users connect in two halves; every database is measured after each
 * half (bench/storage/inspect.ts), so a room's cost per member is the growth between the two
 * points divided by the members added, net of the fixed cost of an empty schema.
 */
import { mergeOpenReports } from "../clients/pool.ts";
import { pollCount } from "../server/rest.ts";
import type { BenchServer } from "../server/server.ts";
import { round } from "../stats.ts";
import { classMetadataBytes, inspectObjects, type ObjectDatabase } from "../storage/inspect.ts";
import { token } from "../tokens.ts";
import { KEEPALIVE_MS, withServer, type BenchContext } from "./context.ts";
import type { RoomStorage, SizeStats, StorageResult } from "./results.ts";

const ORG = "storage";
const SCOPES = [`org:${ORG}`, "global"];
const USER_PREFIX = "store-";

function sizeStats(values: number[]): SizeStats {
  if (values.length === 0) return { mean: Number.NaN, min: Number.NaN, max: Number.NaN };
  return {
    mean: round(values.reduce((sum, value) => sum + value, 0) / values.length, 1),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

function room(databases: ObjectDatabase[], scope: string): ObjectDatabase | undefined {
  return databases.find((db) => db.className === "RoomObject" && db.name === scope);
}

async function connectUsers(context: BenchContext, server: BenchServer, urls: string[], target: number, readerToken: string): Promise<number> {
  const { pool } = context;
  const opened = mergeOpenReports(
    await Promise.all(
      pool.split(urls).map((part, index) => pool.load[index]!.call({ op: "openDevices", urls: part, concurrency: 100, timeoutMs: 30_000, keepaliveMs: KEEPALIVE_MS }, 120_000)),
    ),
  );
  if (opened.failed > 0) context.warnings.push(`storage: ${opened.failed} devices failed to connect (${JSON.stringify(opened.errors)})`);
  const count = await pollCount(server.httpUrl, SCOPES[0] as string, readerToken, target, 200, 60_000);
  if (count.reachedAt === null) context.warnings.push(`storage: the scope count reached ${count.last?.total ?? "?"} of ${target}`);
  // Let every push, alarm write and WAL append land before measuring.
  await server.wakes.waitQuiet(1_000, 20_000);
  return opened.opened;
}

export async function runStorage(context: BenchContext): Promise<StorageResult> {
  const { secret } = context;
  const { users } = context.options.storage;
  const tokens = await Promise.all(
    Array.from({ length: users }, (_, index) => token(secret, { sub: `${USER_PREFIX}${index}`, org: ORG, name: `Storage User ${index}` })),
  );
  const readerToken = await token(secret, { sub: "storage-reader", org: ORG });
  return withServer(context, "storage", async (server) => {
    const urls = tokens.map((jwt, index) => `${server.wsUrl}/v1/connect?token=${jwt}&device=store-${index}&type=desktop`);
    const half = Math.max(1, Math.floor(users / 2));
    const names = [...SCOPES, ...tokens.map((_, index) => `${USER_PREFIX}${index}`)];
    let connected = await connectUsers(context, server, urls.slice(0, half), half, readerToken);
    const before = inspectObjects(server.persistDir, names);
    connected += await connectUsers(context, server, urls.slice(half), users, readerToken);
    const after = inspectObjects(server.persistDir, names);

    const presence = after.filter((db) => db.className === "PresenceObject" && db.name?.startsWith(USER_PREFIX));
    const rooms: RoomStorage[] = SCOPES.map((scope) => {
      const early = room(before, scope);
      const late = room(after, scope);
      const membersBefore = early?.rows.members ?? 0;
      const membersAfter = late?.rows.members ?? 0;
      const added = membersAfter - membersBefore;
      return {
        scope,
        found: late !== undefined,
        membersBefore,
        membersAfter,
        logicalBefore: early?.logicalBytes ?? 0,
        logicalAfter: late?.logicalBytes ?? 0,
        payloadBefore: early?.payloadBytes ?? 0,
        payloadAfter: late?.payloadBytes ?? 0,
        diskAfter: late?.diskBytes ?? 0,
        logicalPerMember: added > 0 && late && early ? round((late.logicalBytes - early.logicalBytes) / added, 1) : null,
        payloadPerMember: added > 0 && late && early ? round((late.payloadBytes - early.payloadBytes) / added, 1) : null,
      };
    });
    context.log(`    ${presence.length} presence databases, rooms: ${rooms.map((r) => `${r.scope} ${r.membersAfter} members`).join(", ")}`);
    return {
      scenario: "storage",
      size: { users },
      connected,
      presence: {
        objects: presence.length,
        logicalBytes: sizeStats(presence.map((db) => db.logicalBytes)),
        diskBytes: sizeStats(presence.map((db) => db.diskBytes)),
        payloadBytes: sizeStats(presence.map((db) => db.payloadBytes)),
        pages: sizeStats(presence.map((db) => db.pages)),
      },
      rooms,
      classMetadataBytes: classMetadataBytes(server.persistDir),
    } satisfies StorageResult;
  });
}
