import { describe, expect, it } from "vitest";
import type { Member } from "../../src/protocol/presence";
import { COALESCE_MS, DiffFanout } from "../../src/rooms/fanout";
import { sleep } from "../helpers";

const m = (user: string, status: Member["status"] = "online"): Member => ({ user, status, text: null, lastActive: 1 });

/** A room with two fake watcher sockets (viewers v0 and v1) that record what they are sent; `blocks` maps a member to the viewers they blocked. */
function room(blocks: Record<string, string[]> = {}, countsOnly: number[] = []) {
  const held = new Map<string, Member | null>();
  let seq = 0;
  const sent: string[][] = [[], []];
  const sockets = sent.map((frames) => ({ readyState: WebSocket.OPEN, send: (text: string) => frames.push(text) }) as unknown as WebSocket);
  const skipped = new Map<WebSocket, number>();
  const watchers = {
    all: () => sockets,
    countsOnly: () => new Set(countsOnly.map((index) => sockets[index] as WebSocket)),
    viewerOf: (ws: WebSocket) => `v${sockets.indexOf(ws)}`,
    skippedOf: (ws: WebSocket) => skipped.get(ws) ?? 0,
    setSkipped: (ws: WebSocket, n: number) => void skipped.set(ws, n),
  };
  const index = {
    hasAny: () => Object.keys(blocks).length > 0,
    hiddenFrom: (viewer: string) => new Set(Object.keys(blocks).filter((member) => blocks[member]?.includes(viewer))),
    viewersBlockedBy: (members: Iterable<string>) => new Set([...members].flatMap((member) => blocks[member] ?? [])),
  };
  const totals = () => {
    const counts = { online: 0, away: 0, busy: 0 };
    for (const member of held.values()) if (member) counts[member.status] += 1;
    return counts;
  };
  const fanout = new DiffFanout("org:x", { seq: () => seq, setSeq: (next) => (seq = next) }, watchers, (user) => held.get(user) ?? null, index, totals);
  const move = (user: string, after: Member | null) => {
    const before = held.get(user) ?? null;
    held.set(user, after);
    fanout.moved(user, before, after);
  };
  return { fanout, move, sent, frames: (index = 0) => (sent[index] ?? []).map((text) => JSON.parse(text) as { seq: number; joins: Member[]; updates: Member[]; leaves: string[]; members?: Member[]; counts?: Record<string, number> }) };
}

describe("diff fan-out", () => {
  it("sends the first change after a quiet moment at once, the same frame to every watcher", () => {
    const { move, sent, frames } = room();
    move("a", m("a"));
    expect(frames()).toMatchObject([{ type: "diff", seq: 1, joins: [m("a")] }]);
    expect(sent[1]).toEqual(sent[0]);
  });

  it("merges changes that come within the window into the next diff, as net moves", async () => {
    const { move, frames } = room();
    move("a", m("a"));
    move("b", m("b"));
    move("b", m("b", "busy"));
    expect(frames()).toHaveLength(1);
    await sleep(COALESCE_MS + 20);
    expect(frames()).toMatchObject([{ seq: 1 }, { seq: 2, joins: [m("b", "busy")], updates: [] }]);
  });

  it("flushes a pending diff before building a sync, so the sync's seq follows it", () => {
    const { fanout, move, frames } = room();
    move("a", m("a"));
    move("b", m("b"));
    const sync = fanout.sync([], "v0");
    expect(frames().map((frame) => frame.seq)).toEqual([1, 2]);
    expect(sync.seq).toBe(2);
  });

  it("leaves a member out of the diffs and syncs of a viewer they blocked, sending nothing when nothing is left", async () => {
    const { fanout, move, frames } = room({ a: ["v1"] });
    move("a", m("a"));
    expect(frames(0)).toMatchObject([{ seq: 1, joins: [m("a")] }]);
    expect(frames(1)).toEqual([]);
    await sleep(COALESCE_MS + 5);
    move("b", m("b"));
    // v1 skipped one diff: its own count runs one behind the room's, still rising by one per frame.
    expect(frames(0).map((frame) => frame.seq)).toEqual([1, 2]);
    expect(frames(1)).toMatchObject([{ seq: 1, joins: [m("b")] }]);
    expect(fanout.sync([m("a"), m("b")], "v1").members).toEqual([m("b")]);
    expect(fanout.sync([m("a"), m("b")], "v0").members).toEqual([m("a"), m("b")]);
  });

  it("sends a viewer a diff holding a hidden and a visible member without the hidden one", async () => {
    const { move, frames } = room({ a: ["v1"] });
    move("c", m("c"));
    move("a", m("a"));
    move("b", m("b"));
    await sleep(COALESCE_MS + 20);
    expect(frames(1)).toMatchObject([{ seq: 1, joins: [m("c")] }, { seq: 2, joins: [m("b")], updates: [], leaves: [] }]);
    expect(frames(0)).toMatchObject([{ seq: 1 }, { seq: 2, joins: [m("a"), m("b")] }]);
  });

  it("starts afresh only the watchers whose sight of a member changed, back on the room's seq", async () => {
    const { fanout, move, frames } = room({ a: ["v1"] });
    move("a", m("a"));
    fanout.resync(new Set(["v1"]), () => [m("a"), m("b")]);
    expect(frames(0)).toMatchObject([{ type: "diff", seq: 1 }]);
    expect(frames(1)).toMatchObject([{ type: "sync", seq: 1, members: [m("b")] }]);
    await sleep(COALESCE_MS + 5);
    move("b", m("b"));
    expect(frames(1)).toMatchObject([{ type: "sync" }, { type: "diff", seq: 2, joins: [m("b")] }]);
  });
});

describe("counts-only watchers", () => {
  it("get the counts after each change that moved one, never the members, with a seq rising by one per frame", async () => {
    const { move, frames, fanout } = room({}, [1]);
    move("a", m("a"));
    await sleep(COALESCE_MS + 5);
    move("a", { ...m("a"), text: "lunch" });
    await sleep(COALESCE_MS + 5);
    move("a", m("a", "busy"));
    await sleep(COALESCE_MS + 5);
    move("b", m("b", "away"));
    await sleep(COALESCE_MS + 5);
    expect(frames(0).map((frame) => frame.seq)).toEqual([1, 2, 3, 4]);
    expect(frames(1)).toEqual([
      { type: "diff", scope: "org:x", seq: 1, counts: { online: 1, away: 0, busy: 0, total: 1 } },
      { type: "diff", scope: "org:x", seq: 2, counts: { online: 0, away: 0, busy: 1, total: 1 } },
      { type: "diff", scope: "org:x", seq: 3, counts: { online: 0, away: 1, busy: 1, total: 2 } },
    ]);
    expect(fanout.countsSync("v1")).toEqual({ type: "sync", scope: "org:x", seq: 4, counts: { online: 0, away: 1, busy: 1, total: 2 } });
  });

  it("leave out a member who blocked the viewer, and say nothing when only they moved", async () => {
    const { move, frames, fanout } = room({ b: ["v1"] }, [1]);
    move("a", m("a"));
    await sleep(COALESCE_MS + 5);
    move("b", m("b"));
    await sleep(COALESCE_MS + 5);
    move("b", m("b", "busy"));
    await sleep(COALESCE_MS + 5);
    expect(frames(1)).toEqual([{ type: "diff", scope: "org:x", seq: 1, counts: { online: 1, away: 0, busy: 0, total: 1 } }]);
    expect(fanout.countsSync("v1").counts).toEqual({ online: 1, away: 0, busy: 0, total: 1 });
    expect(fanout.countsSync("v0").counts).toEqual({ online: 1, away: 0, busy: 1, total: 2 });
  });
});
