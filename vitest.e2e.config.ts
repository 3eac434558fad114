import { defineConfig } from "vitest/config";

/** Files that render React into a document (test/e2e/domEnvironment.ts); the rest run in plain Node. */
const DOM_TESTS = ["test/e2e/reactBindings.test.ts"];

/** End-to-end tests: Node starts `wrangler dev` and a headless Chromium; no Workers pool here. */
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 150_000,
    teardownTimeout: 30_000,
    fileParallelism: false,
    projects: [
      { extends: true, test: { name: "node", include: ["test/e2e/**/*.test.ts"], exclude: DOM_TESTS, environment: "node" } },
      { extends: true, test: { name: "dom", include: DOM_TESTS, environment: "./test/e2e/domEnvironment.ts" } },
    ],
  },
});
