import { afterEach, describe, expect, it, vi } from "vitest";
import { connectDevice, eventually, testEnv, uniqueUser, upgrade, watchScope } from "../helpers";

afterEach(() => vi.restoreAllMocks());

/** The data points written to Analytics Engine (a no-op locally) while a test runs, as [metric, scope, code, value]. */
function recordPoints(): () => [string, string, string, number][] {
  const spy = vi.spyOn(testEnv.METRICS, "writeDataPoint");
  return () => spy.mock.calls.map(([point]) => [...((point?.blobs ?? []) as string[]), point?.doubles?.[0] ?? 0] as [string, string, string, number]);
}

describe("metrics", () => {
  it("count connections, status changes, fan-out sizes and refusals by code", async () => {
    const points = recordPoints();
    const org = uniqueUser("org");
    const scope = `org:${org}`;
    await watchScope(scope, uniqueUser("viewer"), { org });
    await watchScope(scope, uniqueUser("viewer"), { org });
    const { socket } = await connectDevice(uniqueUser(), { org });
    socket.send({ type: "status", status: "busy" });
    expect((await upgrade("/v1/connect?token=nonsense")).status).toBe(401);
    await eventually(() => points().some(([name, , code]) => name === "status_changed" && code === "busy"), 5000, "busy counted");
    await eventually(() => points().some(([name, at, , value]) => name === "fanout" && at === scope && value === 2), 5000, "a diff to two watchers");

    expect(points()).toEqual(
      expect.arrayContaining([
        ["connection_opened", scope, "watch", 1],
        ["connection_opened", "", "device", 1],
        ["status_changed", "", "online", 1],
        ["refusal", "", "invalid_token", 1],
      ]),
    );
  });
});
