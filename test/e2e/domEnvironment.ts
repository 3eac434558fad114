import type { Environment } from "vitest/runtime";

/**
 * A document for React DOM in a Node test: happy-dom's `window` and `document` as globals, and
 * nothing else of it. The rest stays Node's (`fetch`, `URL`, timers), and files load as Node modules
 * (vitest's own `happy-dom` environment transforms them for a browser, which turns
 * `new URL(…, import.meta.url)` into a page URL), because these tests drive a real server from Node.
 *
 *   // @vitest-environment ./test/e2e/domEnvironment.ts
 */
export default {
  name: "dom-in-node",
  viteEnvironment: "ssr",
  async setup(global: Record<string, unknown>) {
    const { Window } = await import("happy-dom");
    const window = new Window({ url: "http://localhost/" });
    Object.assign(global, { window, document: window.document });
    return {
      async teardown() {
        await window.happyDOM.abort();
        window.close();
        delete global.window;
        delete global.document;
      },
    };
  },
} satisfies Environment;
