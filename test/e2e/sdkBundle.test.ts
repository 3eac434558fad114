import { describe, expect, it } from "vitest";
import { BUNDLE_PATH, buildSdkBundle, checkedInBundle } from "../../scripts/build-client.ts";

describe("the dashboard's SDK bundle", () => {
  it("is built from the current packages/client/src (rebuild with `npm run build:client`)", async () => {
    const [fresh, checkedIn] = await Promise.all([buildSdkBundle(), checkedInBundle()]);
    expect(checkedIn === fresh, `${BUNDLE_PATH} is stale: run \`npm run build:client\``).toBe(true);
  });
});
