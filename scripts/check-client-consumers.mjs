#!/usr/bin/env node
/**
 * The packed @edge-presence/client as its users get it. In a fresh temporary directory outside the
 * repo it packs the package and installs the tarball (and typescript, vite, react from the registry)
 * into
 * 1. a Node TypeScript project (`module`/`moduleResolution: nodenext`, no `skipLibCheck`): type-checks
 *    a small script, then runs it against a `wrangler dev` this check starts. The script connects with
 *    Node's global `WebSocket`, sees `hello` (its own presence), subscribes to a user, watches its
 *    org's roster until it shows itself, closes both, and must then exit 0 by itself (a timer or socket
 *    the SDK left behind would keep it running). It runs a second time, as another user, with
 *    WebSockets made to fail (`BLOCK_WEBSOCKETS=1` swaps Node's `WebSocket` for one that errors and
 *    closes with 1006 before it opens, as behind a proxy that refuses upgrades): it must then be online
 *    over the REST fallback (state `rest`, a device of type `rest`), subscribe, see itself in the polled
 *    roster, and exit 0 by itself all the same;
 * 2. a Vite + React app (`moduleResolution: bundler`, DOM) using the React bindings
 *    (`@edge-presence/client/react`), plus a service worker checked with the `webworker` lib:
 *    `tsc --noEmit`, then `vite build`.
 * The dev server and the directory are removed however it ends. Usage: node scripts/check-client-consumers.mjs [--keep]
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDevServer } from "../test/e2e/wranglerDev.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PACKAGE_DIR = join(ROOT, "packages/client");
const keep = process.argv.includes("--keep");
const started = Date.now();
const step = (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

const rootManifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
/** The repo's own TypeScript for the Node project; a Vite app gets the 5.x line most apps are on. */
const TYPESCRIPT = rootManifest.devDependencies.typescript;
const NPM = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["npm"];

function run(command, args, cwd, options = {}) {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000, ...options });
  } catch (error) {
    throw new Error(`${[command, ...args].join(" ")} failed in ${cwd}:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
}
const npm = (args, cwd) => run(NPM[0], [...NPM.slice(1), ...args, "--no-audit", "--no-fund", "--loglevel=error"], cwd);
/** A binary the project installed, run with this Node (so it works whatever the PATH). */
const bin = (project, script, args) => run(process.execPath, [join(project, "node_modules", script), ...args], project);

const work = await mkdtemp(join(tmpdir(), "edge-presence-client-"));
let server;
try {
  step(`packing into ${work}`);
  run(process.execPath, [join(ROOT, "scripts/build-client.ts"), "--package"], ROOT);
  const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], PACKAGE_DIR));
  const tarball = join(work, packed.filename);

  const node = await nodeProject(join(work, "node"));
  const vite = await viteProject(join(work, "vite"));

  step("installing the tarball into both projects");
  npm(["install", tarball, `typescript@${TYPESCRIPT}`, "@types/node@22"], node);
  npm(["install", tarball, "react@19", "react-dom@19", "vite@8", "typescript@5.9", "@types/react@19", "@types/react-dom@19"], vite);
  const installed = JSON.parse(await readFile(join(node, "node_modules/@edge-presence/client/package.json"), "utf8"));
  // devDependencies are published as written but never installed; a dependency would be.
  if (installed.dependencies) throw new Error("the installed package.json carries dependencies");

  step("node (nodenext): tsc");
  bin(node, "typescript/bin/tsc", ["-p", "."]);
  step("vite + react: tsc --noEmit (app, service worker), vite build");
  bin(vite, "typescript/bin/tsc", ["--noEmit", "-p", "."]);
  bin(vite, "typescript/bin/tsc", ["--noEmit", "-p", "tsconfig.sw.json"]);
  bin(vite, "vite/bin/vite.js", ["build", "--logLevel", "warn"]);
  const assets = await readdir(join(vite, "dist/assets"));
  const appJs = await Promise.all(assets.filter((file) => file.endsWith(".js")).map((file) => readFile(join(vite, "dist/assets", file), "utf8")));
  if (!appJs.some((text) => text.includes("/v1/scopes/"))) throw new Error("the Vite build does not contain the SDK's watch code");

  step("starting wrangler dev");
  server = await startDevServer({ DEV_TOKENS: "true" });

  step(`node: connecting to ${server.url}`);
  const output = await runToExit(process.execPath, ["dist/check.js", server.url, await devToken(server.url, "consumer-check")], node, 30_000);
  console.log(output.trimEnd().replace(/^/gm, "    "));
  // Another user, so nothing the first run left online (its grace window) can stand in for this one.
  step("node: again with WebSockets made to fail (the REST fallback)");
  const restOutput = await runToExit(process.execPath, ["dist/check.js", server.url, await devToken(server.url, "consumer-check-rest")], node, 60_000, { BLOCK_WEBSOCKETS: "1" });
  console.log(restOutput.trimEnd().replace(/^/gm, "    "));
  step("client consumers OK");
} finally {
  await server?.stop();
  if (keep) console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}

/** A dev token for `sub`, a member of the `consumers` org. */
async function devToken(url, sub) {
  const response = await fetch(`${url}/v1/dev/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sub, org: "consumers", name: "Consumer check" }),
  });
  if (!response.ok) throw new Error(`POST /v1/dev/token: ${response.status} ${await response.text()}`);
  return (await response.json()).token;
}

/** Runs a process (with `env` added to this one's) to its own exit, which must be 0 within `timeoutMs`; its output. */
function runToExit(command, args, cwd, timeoutMs, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")} did not exit within ${timeoutMs} ms (something kept it alive):\n${output}`));
    }, timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${args.join(" ")} exited with ${code ?? signal}:\n${output}`));
    });
  });
}

async function writeFiles(dir, files) {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), typeof text === "string" ? text : `${JSON.stringify(text, null, 2)}\n`);
  }
  return dir;
}

function nodeProject(dir) {
  return writeFiles(dir, {
    "package.json": { name: "client-consumer-node", private: true, type: "module" },
    "tsconfig.json": {
      compilerOptions: {
        target: "es2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        lib: ["es2022"],
        types: ["node"],
        strict: true,
        skipLibCheck: false,
        outDir: "dist",
        rootDir: "src",
      },
      include: ["src"],
    },
    "src/check.ts": `import { PresenceClient, watch, type ConnectionState, type Member, type PresenceView } from "@edge-presence/client";

const [baseUrl, token] = process.argv.slice(2);
if (!baseUrl || !token) throw new Error("usage: [BLOCK_WEBSOCKETS=1] node dist/check.js <baseUrl> <token>");
const blocked = process.env.BLOCK_WEBSOCKETS === "1";
const expected: ConnectionState = blocked ? "rest" : "open";

if (blocked) {
  // As behind a proxy that refuses WebSocket upgrades: every socket fails before it opens, as a browser reports it.
  class BlockedWebSocket extends EventTarget {
    readyState = 0;
    constructor(_url: string) {
      super();
      setTimeout(() => {
        this.readyState = 3;
        this.dispatchEvent(new Event("error"));
        this.dispatchEvent(Object.assign(new Event("close"), { code: 1006 }));
      }, 10);
    }
    send(): void {
      throw new Error("not open");
    }
    close(): void {}
  }
  Object.assign(globalThis, { WebSocket: BlockedWebSocket });
}

function once<T>(what: string, subscribe: (done: (value: T) => void) => () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    // Long enough for a roster polled over REST (every 10 s by default) to show a join.
    const timer = setTimeout(() => reject(new Error(\`no \${what} within 25 s\`)), 25_000);
    const stop = subscribe((value) => {
      clearTimeout(timer);
      stop();
      resolve(value);
    });
  });
}

// The default openSocket is \`new WebSocket(url)\`: Node's global WebSocket.
const me = new PresenceClient({ baseUrl, token, device: "node-check", deviceType: "desktop" });
const hello: PresenceView = await once("hello", (done) => me.on("presence", done));
console.log(\`hello: \${hello.user} is \${hello.status} on \${hello.devices.map((device) => device.type).join(", ")} (state \${me.state})\`);
if (me.state !== expected || hello.status !== "online") throw new Error(\`expected to be online with state \${expected}\`);
if (blocked && !hello.devices.some((device) => device.type === "rest")) throw new Error("expected a device of type rest");

const changed = once<PresenceView>("changed", (done) => me.on("changed", done));
me.subscribe(["someone-else"]);
const other = await changed;
console.log(\`subscribed: \${other.user} is \${other.status}\`);

const roster = watch("org:consumers", { baseUrl, token });
const members: Member[] = await once("roster", (done) => {
  const check = () => {
    if (roster.synced && roster.members.some((member) => member.user === hello.user)) done(roster.members);
  };
  const offChange = roster.on("change", check);
  const offState = roster.on("state", check);
  return () => {
    offChange();
    offState();
  };
});
console.log(\`roster org:consumers: \${members.map((member) => \`\${member.user} (\${member.status})\`).join(", ")}; counts \${JSON.stringify(roster.counts)}\`);

const states: ConnectionState[] = [me.state, roster.state];
if (states.some((state) => state !== expected)) throw new Error(\`expected state \${expected}, not \${states.join(", ")}\`);
me.close();
roster.close();
console.log(\`closed (was \${states.join(", ")}); exiting on its own\`);
`,
  });
}

function viteProject(dir) {
  return writeFiles(dir, {
    "package.json": { name: "client-consumer-vite", private: true, type: "module" },
    "tsconfig.json": {
      compilerOptions: {
        target: "es2022",
        module: "esnext",
        moduleResolution: "bundler",
        lib: ["es2022", "dom", "dom.iterable"],
        types: [],
        jsx: "react-jsx",
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        isolatedModules: true,
        verbatimModuleSyntax: true,
      },
      include: ["src"],
      exclude: ["src/sw.ts"],
    },
    "tsconfig.sw.json": {
      compilerOptions: {
        target: "es2022",
        module: "esnext",
        moduleResolution: "bundler",
        lib: ["es2022", "webworker"],
        types: [],
        strict: true,
        skipLibCheck: false,
        noEmit: true,
      },
      files: ["src/sw.ts"],
    },
    "index.html": `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>client consumer</title></head>
<body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>
`,
    "src/main.tsx": `import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { PresenceProvider } from "@edge-presence/client/react";
import { Roster } from "./Roster";

const token = () => fetch("/session/presence-token").then((r) => r.text());

// The provider makes the client when it mounts and closes it when it unmounts; rosters reuse its options.
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <PresenceProvider options={{ token, device: crypto.randomUUID(), deviceType: "web" }}>
      <Roster scope="org:acme" />
    </PresenceProvider>
  </StrictMode>,
);
`,
    "src/Roster.tsx": `import { useEffect } from "react";
import { trackActivity, type ConnectionState, type Member, type ScopeId } from "@edge-presence/client";
import { usePresence, usePresenceClient, useRoster, useTyping, useUser, useUsers, type RosterSnapshot } from "@edge-presence/client/react";

export function Roster({ scope }: { scope: ScopeId }) {
  const client = usePresenceClient();
  const { presence, state } = usePresence();
  const roster: RosterSnapshot = useRoster(scope);
  useEffect(() => (client ? trackActivity(client) : undefined), [client]);
  return (
    <section>
      <p>You are {presence?.status ?? "connecting"} ({describe(state)})</p>
      <button onClick={() => client?.setStatus("busy")}>Busy</button>
      <p>{roster.counts.online} online of {roster.counts.total}</p>
      <ul>{roster.members.map((member) => <MemberRow key={member.user} member={member} />)}</ul>
      <Contacts users={["bob", "carol"]} />
    </section>
  );
}

function describe(state: ConnectionState): string {
  return state === "rest" ? "over REST" : state;
}

function MemberRow({ member }: { member: Member }) {
  const view = useUser(member.user);
  const typing = useTyping(member.user);
  return <li>{member.name ?? member.user}: {view?.status ?? member.status}{typing ? " (typing…)" : ""}</li>;
}

function Contacts({ users }: { users: string[] }) {
  const views = useUsers(users);
  return <ul>{users.map((user) => <li key={user}>{user}: {views.get(user)?.status ?? "…"}</li>)}</ul>;
}
`,
    "src/sw.ts": `/// <reference lib="webworker" />
import { watch, type RosterCounts } from "@edge-presence/client";

declare const self: ServiceWorkerGlobalScope;

// A service worker keeps a roster's counts for the pages it controls.
let counts: RosterCounts | null = null;
self.addEventListener("activate", () => {
  const roster = watch("org:acme", { baseUrl: self.location.origin, token: () => fetch("/session/presence-token").then((r) => r.text()) });
  roster.on("change", () => {
    counts = roster.counts;
  });
});
self.addEventListener("message", (event) => event.source?.postMessage(counts));
`,
  });
}
