import { defineConfig } from "vitest/config";

/** End-to-end tests: Node starts `wrangler dev` and a headless Chromium; no Workers pool here. */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 150_000,
    teardownTimeout: 30_000,
    fileParallelism: false,
  },
});
