// Generated from packages/client/src by esbuild: do not edit. Rebuild with `npm run build:client`.

// packages/client/src/protocol.ts
var MAX_FRAME_BYTES = 4096;
var PING = "ping";
var PONG = "pong";
var DEVICE_REPLACED = 4001;
var DISCONNECTED = 4004;
var MAX_SUBSCRIPTIONS = 500;
var MAX_RELATION_CHANGE = 100;
var MAX_MESSAGES_PER_FRAME = 100;
var TYPING_INTERVAL_MS = 1e3;
function sameMember(a, b) {
  if (a === null || b === null) return a === b;
  return a.user === b.user && a.status === b.status && a.text === b.text && a.lastActive === b.lastActive && a.name === b.name;
}
function isEmptyDiff(diff) {
  return diff.joins.length + diff.updates.length + diff.leaves.length === 0;
}

// packages/client/src/emitter.ts
var Emitter = class {
  #listeners = /* @__PURE__ */ new Map();
  on(event, listener) {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, set = /* @__PURE__ */ new Set());
    set.add(listener);
    return () => this.off(event, listener);
  }
  off(event, listener) {
    this.#listeners.get(event)?.delete(listener);
  }
  /** Calls every listener; one that throws is reported on its own and never stops the others. False when one threw. */
  emit(event, payload) {
    let ok = true;
    for (const listener of [...this.#listeners.get(event) ?? []]) {
      try {
        listener(payload);
      } catch (error) {
        ok = false;
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    return ok;
  }
  clear() {
    this.#listeners.clear();
  }
};

// packages/client/src/backoff.ts
var DEFAULT_BACKOFF = { baseMs: 500, capMs: 3e4 };
function reconnectDelayMs(attempt, policy, random = Math.random) {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

// packages/client/src/pathWithQuery.ts
function pathWithQuery(path, query) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== void 0) search.set(key, String(value));
  return `${path}${`${search}` && `?${search}`}`;
}

// packages/client/src/serviceUrl.ts
function serviceUrl(baseUrl, path) {
  const origin = baseUrl ?? globalThis.location?.origin;
  if (!origin) throw new Error("baseUrl is required outside a browser page");
  const url = new URL(path, origin);
  url.protocol = url.protocol.replace(/^ws/, "http");
  return url;
}

// packages/client/src/socket.ts
var SOCKET_OPEN = 1;
var openBrowserSocket = (url) => new WebSocket(url);
function socketUrl(baseUrl, path, query) {
  const url = serviceUrl(baseUrl, pathWithQuery(path, query));
  url.protocol = url.protocol.replace(/^http/, "ws");
  return url.toString();
}

// packages/client/src/connectionOptions.ts
var DEFAULT_PING_INTERVAL_MS = 25e3;
var DEFAULT_PONG_TIMEOUT_MS = 1e4;
async function resolveToken(source) {
  return typeof source === "string" ? source : await source();
}
function connectionSettings(options) {
  return {
    openSocket: options.openSocket ?? openBrowserSocket,
    pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    pongTimeoutMs: options.pongTimeoutMs ?? DEFAULT_PONG_TIMEOUT_MS,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    random: options.random ?? Math.random
  };
}

// packages/client/src/frameBatches.ts
var utf8 = new TextEncoder();
function frameBatches(emptyFrame, items, maxItems = Infinity) {
  const batches = [];
  const emptyFrameBytes = byteLength(JSON.stringify(emptyFrame));
  let batch = [];
  let bytes = emptyFrameBytes;
  for (const item of items) {
    const itemBytes = byteLength(JSON.stringify(item)) + 1;
    if (batch.length > 0 && (bytes + itemBytes > MAX_FRAME_BYTES || batch.length >= maxItems)) {
      batches.push(batch);
      batch = [];
      bytes = emptyFrameBytes;
    }
    batch.push(item);
    bytes += itemBytes;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
function byteLength(text) {
  return utf8.encode(text).length;
}

// packages/client/src/DeliveredMessages.ts
var DeliveredMessages = class {
  /** Every id handed to the app in this client's life. */
  #seen = /* @__PURE__ */ new Set();
  #kept = /* @__PURE__ */ new Set();
  #unsentReads = /* @__PURE__ */ new Set();
  #unsentAcks = /* @__PURE__ */ new Set();
  /** The messages not seen before, in order (each once); the ones seen before are acknowledged again unless kept. */
  arrived(messages) {
    const fresh = [];
    for (const message of messages) {
      if (!this.#seen.has(message.id)) {
        this.#seen.add(message.id);
        fresh.push(message);
      } else if (!this.#kept.has(message.id)) {
        this.#unsentAcks.add(message.id);
      }
    }
    return fresh;
  }
  /** A listener threw on this message: it is not acknowledged, and is handed to the app again when it comes again. */
  failed(id) {
    this.#seen.delete(id);
  }
  /** The app's listeners ran: these messages are acknowledged, but for those it keeps until read. */
  handled(messages) {
    for (const { id } of messages) if (!this.#kept.has(id)) this.#unsentAcks.add(id);
  }
  /** The service keeps this message until `read` names it, as long as its acknowledgement has not gone out yet. */
  keep(id) {
    this.#kept.add(id);
    this.#unsentAcks.delete(id);
  }
  /** The user read these: a `read` for each, and kept ones are acknowledged after it. */
  read(ids) {
    for (const id of ids) {
      this.#unsentReads.add(id);
      if (this.#kept.delete(id)) this.#unsentAcks.add(id);
    }
  }
  get owed() {
    return this.#unsentReads.size > 0 || this.#unsentAcks.size > 0;
  }
  /**
   * Sends what is owed, reads first (the service marks a message read only while it is stored, and an
   * ack removes it), in frames of at most MAX_MESSAGES_PER_FRAME ids. Stops at the first frame `send`
   * could not send; the rest stays owed. Returns whether any frame went out.
   */
  flush(send) {
    let sent = false;
    for (const [type, ids] of [
      ["read", this.#unsentReads],
      ["ack", this.#unsentAcks]
    ]) {
      for (const batch of frameBatches({ type, ids: [] }, [...ids], MAX_MESSAGES_PER_FRAME)) {
        if (!send({ type, ids: batch })) return sent;
        sent = true;
        for (const id of batch) ids.delete(id);
      }
    }
    return sent;
  }
};

// packages/client/src/payload.ts
function payloadOf({ type: _, ...payload }) {
  return payload;
}

// packages/client/src/tokenExpiry.ts
function timeClaim(token, claim) {
  try {
    const json = atob((token.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/"));
    const value = JSON.parse(json)[claim];
    return typeof value === "number" ? value * 1e3 : null;
  } catch {
    return null;
  }
}
var tokenExpiry = (token) => timeClaim(token, "exp");
var tokenIssuedAt = (token) => timeClaim(token, "iat");
function refreshAt(expiresAt, now) {
  return expiresAt - Math.min(6e4, Math.max(0, expiresAt - now) / 5);
}

// packages/client/src/ReconnectingSocket.ts
var STABLE_AFTER_MS = 1e4;
var NO_PONG = 4100;
var RESYNC = 4101;
var NEVER_OPENED = 1006;
var ReconnectingSocket = class {
  #events = new Emitter();
  #socket = null;
  /** Rises with every try and on close, so late results of an abandoned try are ignored. */
  #generation = 0;
  #attempt = 0;
  /** When the open socket opened; Infinity while none is open. */
  #openedAt = Infinity;
  // Clearing a timer that already ran is harmless, so only the pong timer, whose absence `#ping` reads, is ever unset.
  #retryTimer;
  #pingTimer;
  #pongTimer;
  #refreshTimer;
  /** When the token the open socket lives on expires (Infinity: unknown, so never refreshed). */
  #tokenExpiresAt = Infinity;
  /** When the token the open socket lives on was issued (0: unknown). */
  #tokenIssuedAt = 0;
  /** After a sign-out everywhere (4004): only a token issued later than the revoked one may connect (-Infinity: any). */
  #revokedIssuedAt = -Infinity;
  #current = "connecting";
  #options;
  constructor(options) {
    this.#options = options;
  }
  on = this.#events.on.bind(this.#events);
  get state() {
    return this.#current;
  }
  /** Opens the first socket; nothing is emitted before this returns. */
  start() {
    void this.#connect();
  }
  /** Sends a JSON frame if a socket is open; false if it could not go out now. */
  send(frame) {
    const socket = this.#socket;
    if (socket?.readyState !== SOCKET_OPEN || this.state !== "open") return false;
    try {
      socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }
  /** Drops the current socket and opens another after the usual backoff (a missed frame, say). */
  reconnect() {
    if (this.#socket) this.#dropped(this.#socket, RESYNC);
  }
  /** Closes for good: no socket, no timer and no event is left behind. */
  close() {
    if (this.state === "closed") return;
    this.#generation += 1;
    this.#stopTimers();
    const socket = this.#socket;
    this.#socket = null;
    if (socket) closeQuietly(socket);
    this.#setState({ state: "closed" });
  }
  async #connect() {
    const generation = ++this.#generation;
    if (this.state !== "connecting") this.#setState({ state: "connecting" });
    let socket;
    try {
      const token = await this.#options.token();
      if (generation !== this.#generation) return;
      const issuedAt = tokenIssuedAt(token) ?? 0;
      if (issuedAt <= this.#revokedIssuedAt) {
        this.#scheduleRetry(DISCONNECTED);
        return;
      }
      this.#revokedIssuedAt = -Infinity;
      this.#tokenExpiresAt = tokenExpiry(token) ?? Infinity;
      this.#tokenIssuedAt = issuedAt;
      socket = await this.#options.openSocket(this.#options.url(token));
    } catch {
      if (generation === this.#generation) this.#scheduleRetry(NEVER_OPENED);
      return;
    }
    if (generation !== this.#generation) {
      closeQuietly(socket);
      return;
    }
    this.#socket = socket;
    socket.addEventListener("open", () => {
      if (this.#socket === socket) this.#opened();
    });
    socket.addEventListener("message", (event) => {
      if (this.#socket === socket) this.#received(event.data);
    });
    socket.addEventListener("close", (event) => this.#dropped(socket, event.code));
    if (socket.readyState === SOCKET_OPEN) this.#opened();
  }
  #opened() {
    if (this.state === "open") return;
    this.#openedAt = Date.now();
    this.#pingTimer = setInterval(() => this.#ping(), this.#options.pingIntervalMs);
    this.#ping();
    this.#scheduleRefresh();
    this.#setState({ state: "open" });
  }
  /** Sends a fresh token ahead of `exp`, so the server never closes the socket for an expired one (4003). */
  #scheduleRefresh() {
    if (this.#tokenExpiresAt === Infinity) return;
    const generation = this.#generation;
    this.#refreshTimer = setTimeout(async () => {
      let token;
      try {
        token = await this.#options.token();
      } catch {
        return;
      }
      const expiresAt = tokenExpiry(token) ?? 0;
      if (generation !== this.#generation || expiresAt <= this.#tokenExpiresAt) return;
      if (this.send({ type: "token", token })) this.#tokenExpiresAt = expiresAt;
      this.#scheduleRefresh();
    }, Math.max(0, refreshAt(this.#tokenExpiresAt, Date.now()) - Date.now()));
  }
  #ping() {
    const socket = this.#socket;
    if (!socket) return;
    try {
      socket.send(PING);
    } catch {
      return;
    }
    this.#pongTimer ??= setTimeout(() => this.#dropped(socket, NO_PONG), this.#options.pongTimeoutMs);
  }
  #received(data) {
    clearTimeout(this.#pongTimer);
    this.#pongTimer = void 0;
    if (typeof data !== "string" || data === PONG) return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    this.#events.emit("frame", frame);
  }
  #dropped(socket, code) {
    if (this.#socket !== socket) return;
    if (code === DISCONNECTED) this.#revokedIssuedAt = this.#tokenIssuedAt;
    this.#socket = null;
    closeQuietly(socket);
    if (Date.now() - this.#openedAt >= STABLE_AFTER_MS) this.#attempt = 0;
    this.#openedAt = Infinity;
    this.#stopTimers();
    if (this.#options.shouldReconnect(code)) {
      this.#scheduleRetry(code);
    } else {
      this.#generation += 1;
      this.#setState({ state: "closed", code });
    }
  }
  #scheduleRetry(code) {
    const retryInMs = reconnectDelayMs(this.#attempt, this.#options.backoff, this.#options.random);
    this.#attempt += 1;
    this.#setState({ state: "reconnecting", code, retryInMs });
    this.#retryTimer = setTimeout(() => void this.#connect(), retryInMs);
  }
  #stopTimers() {
    clearTimeout(this.#retryTimer);
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    clearTimeout(this.#refreshTimer);
    this.#pongTimer = void 0;
  }
  #setState(change) {
    this.#current = change.state;
    this.#events.emit("state", change);
  }
};
function closeQuietly(socket) {
  try {
    socket.close(1e3);
  } catch {
  }
}

// packages/client/src/RestError.ts
var RestError = class _RestError extends Error {
  /** The response's HTTP status. */
  status;
  /** Null when the body was not the service's error shape (a proxy's error page, say). */
  code;
  name = "RestError";
  /** A refusal with this status, code and message (see `RestError.from` for one read from a response). */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
  /** Reads the `{"error":{"code","message"}}` body of a refused request. */
  static async from(response) {
    const body = await response.json().catch(() => null);
    const error = body?.error;
    if (typeof error?.code === "string" && typeof error.message === "string") return new _RestError(response.status, error.code, error.message);
    return new _RestError(response.status, null, `request failed with status ${response.status}`);
  }
};

// packages/client/src/Rest.ts
var Rest = class {
  #options;
  constructor(options) {
    this.#options = options;
  }
  /** `attempts`: how many times the request goes out when `fetch` itself fails (no answer came); more than 1 only for requests safe to repeat. */
  async request(method, path, body, attempts = 1) {
    return bodyOf(await this.#send(method, path, body, {}, attempts));
  }
  /** A conditional GET: `held` itself when the answer is still the one it holds (a 304 with no body), else the new answer. */
  async poll(path, held) {
    const response = await this.#send("GET", path, void 0, held?.etag ? { "If-None-Match": held.etag } : {}, 1);
    if (held && response.status === 304) return held;
    return { etag: response.headers?.get("ETag") ?? null, body: await bodyOf(response) };
  }
  async #send(method, path, body, headers, attempts) {
    headers.Authorization = `Bearer ${await resolveToken(this.#options.token)}`;
    if (body) headers["Content-Type"] = "application/json";
    const url = serviceUrl(this.#options.baseUrl, path).toString();
    const fetch = this.#options.fetch ?? globalThis.fetch;
    const init = { method, headers, body: body && JSON.stringify(body) };
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await fetch(url, init);
      } catch (error) {
        if (attempt >= attempts) throw error;
      }
    }
  }
};
async function bodyOf(response) {
  if (!response.ok) throw await RestError.from(response);
  return await response.json();
}

// packages/client/src/RestDevice.ts
var HEARTBEAT = "/v1/presence/me/heartbeat";
var OWN = "";
var BATCH = 100;
var RestDevice = class {
  #rest;
  #id;
  /** How often to beat when the service does not say. */
  #beatEveryMs;
  #host;
  #live = false;
  #beatDueAt = 0;
  /** The answers held for `If-None-Match`, by path: the device's own presence, and each batch of subscribed users. */
  #reads = /* @__PURE__ */ new Map();
  /** What was told last, as JSON, of each subscribed user and of the device's own presence (as OWN), so an unchanged view tells nothing. */
  #told = /* @__PURE__ */ new Map();
  #turns = Promise.resolve();
  constructor(rest, device, beatEveryMs, host) {
    this.#rest = rest;
    this.#id = `${device.slice(0, 59)}.rest`;
    this.#beatEveryMs = beatEveryMs;
    this.#host = host;
  }
  /** Answered while its last heartbeat keeps the device online. */
  async round(first, answered) {
    if (first) {
      this.#live = true;
      this.#reads.clear();
      this.#told.clear();
    }
    const users = [...this.#host.subscriptions].sort();
    const batches = [];
    while (users.length > 0) batches.push(users.splice(0, BATCH).join(","));
    await Promise.all([
      this.sendStatus(),
      Date.now() < this.#beatDueAt ? null : this.#beat(false, answered),
      this.#inTurn(async () => {
        if (Date.now() < this.#beatDueAt) answered();
        const own = await this.#read("/v1/presence/me");
        if (own) this.#tell(OWN, own);
      }),
      ...batches.map(async (batch) => {
        const read = await this.#read(`/v1/presence?users=${batch}`);
        for (const view of Object.values(read?.presence ?? {})) this.#tell(view.user, view);
      })
    ]);
    return this.#beatDueAt - Date.now();
  }
  end() {
    if (!this.#live) return;
    this.#live = false;
    this.#beatDueAt = 0;
    this.#inTurn(() => this.#rest.request("DELETE", pathWithQuery(HEARTBEAT, { device: this.#id }))).catch(() => void 0);
  }
  /** The user is active on this device: a heartbeat says so now. */
  activity() {
    this.#beat(true).catch(() => void 0);
  }
  /** Forgets what was read for `user`, so subscribing again reads them afresh. */
  forget(user) {
    this.#told.delete(user);
    this.#reads.clear();
  }
  /** Sends the pending status, if any: one that got no answer goes out again with the next round, one refused (as a refused frame) does not. */
  async sendStatus() {
    const frame = this.#host.pendingStatus();
    if (!frame) return;
    await this.#inTurn(async () => {
      try {
        this.#tell(OWN, await this.#rest.request("PUT", "/v1/presence/me", payloadOf(frame)));
      } catch (error) {
        if (!(error instanceof RestError)) throw error;
      }
      this.#host.applied(frame);
    });
  }
  #beat(active, answered) {
    return this.#inTurn(async () => {
      if (!this.#live) return;
      const answer = await this.#rest.request("POST", HEARTBEAT, { device: this.#id, active });
      this.#beatDueAt = Date.now() + (answer.heartbeatMs || this.#beatEveryMs);
      answered?.();
      this.#tell(OWN, answer.presence);
    });
  }
  /** The body at `path` when it changed since the last read (a 304 is null), while the device lives. */
  async #read(path) {
    const held = this.#reads.get(path);
    const read = await this.#rest.poll(path, held);
    if (read === held || !this.#live) return null;
    this.#reads.set(path, read);
    return read.body;
  }
  /** Tells `view` of `user` (OWN: the device's own presence) when it differs from what was told last, while the device lives. */
  #tell(user, view) {
    const text = JSON.stringify(view);
    if (this.#told.get(user) === text || !this.#live) return;
    this.#told.set(user, text);
    if (user === OWN) this.#host.presence(view);
    else this.#host.changed(view);
  }
  /** Runs `request` once every request before it settled. */
  #inTurn(request) {
    const done = this.#turns.then(request);
    this.#turns = done.catch(() => void 0);
    return done;
  }
};

// packages/client/src/RestFallback.ts
var NEVER_OPENED2 = 1006;
var DEFAULT_AFTER_FAILURES = 2;
var DEFAULT_POLL_INTERVAL_MS = 1e4;
var RestFallback = class {
  #rounds;
  #emit;
  #afterFailures;
  #pollIntervalMs;
  #current;
  /** The socket's own state, as it last reported it. */
  #socket;
  #failures = 0;
  /** While polling, a token of this polling's own, so a round that outlived it shows and schedules nothing; null while not polling. */
  #session = null;
  /** The next round's; undefined while one runs (or none is due). */
  #timer;
  /** A round was asked for while one ran: the next follows at once. */
  #soon = false;
  constructor(connection, options, rounds, emit) {
    this.#rounds = rounds;
    this.#emit = emit;
    this.#afterFailures = options === false ? Infinity : options?.afterFailures ?? DEFAULT_AFTER_FAILURES;
    this.#pollIntervalMs = (options || void 0)?.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#current = connection.state;
    this.#socket = { state: connection.state };
    connection.on("state", (change) => this.#changed(change));
  }
  get state() {
    return this.#current;
  }
  /** While polling, runs a round now (or right after the one running) instead of at the next poll: there is something new to read. */
  refresh() {
    if (!this.#session) return;
    this.#soon = true;
    if (this.#timer === void 0) return;
    clearTimeout(this.#timer);
    void this.#run(false);
  }
  #changed(change) {
    const { state } = change;
    if (state === "open") this.#failures = 0;
    else if (state === "reconnecting" && change.code === NEVER_OPENED2 && this.#socket.state !== "open") this.#failures += 1;
    this.#socket = change;
    if (state === "open" || state === "closed") this.#stop();
    else if (!this.#session && state === "reconnecting" && this.#failures >= this.#afterFailures) this.#start();
    if (this.#current !== "rest" || state === "open" || state === "closed") this.#show(change);
  }
  #start() {
    this.#session = {};
    void this.#run(true);
  }
  #stop() {
    if (!this.#session) return;
    this.#session = null;
    clearTimeout(this.#timer);
    this.#timer = void 0;
    this.#rounds.end?.();
  }
  async #run(first) {
    const session = this.#session;
    this.#timer = void 0;
    this.#soon = false;
    let answered = false;
    const answer = () => {
      answered = true;
      if (session === this.#session && this.#current !== "rest") this.#show({ state: "rest", code: NEVER_OPENED2 });
    };
    const dueInMs = await this.#rounds.round(first, answer).catch(() => Infinity);
    if (session !== this.#session) return;
    if (!answered && this.#current === "rest") this.#show(this.#socket);
    this.#timer = setTimeout(() => void this.#run(false), this.#soon ? 0 : Math.min(this.#pollIntervalMs, dueInMs));
  }
  #show(change) {
    this.#current = change.state;
    this.#emit(change);
  }
};

// packages/client/src/Settings.ts
var Settings = class {
  #rest;
  /** Reads and changes the settings of the user `options.token` signs in (a `PresenceClient` has one as `settings`). */
  constructor(options) {
    this.#rest = new Rest(options);
  }
  /** Who may see the user (`visibility`) and who may see when they were last active (`lastSeen`). */
  privacy() {
    return this.#rest.request("GET", "/v1/privacy/me");
  }
  /** Changes the settings given, keeps the others; resolves to all of them. */
  setPrivacy(change) {
    return this.#rest.request("PUT", "/v1/privacy/me", change);
  }
  /** The users this user shares with: those a `contacts` setting lets see them. */
  contacts() {
    return this.#rest.request("GET", "/v1/contacts/me");
  }
  /** Resolves to the contacts after the whole change. */
  changeContacts(change) {
    return this.#changeRelations("/v1/contacts/me", change);
  }
  /** The users who see this user as an unknown user, whatever the privacy settings say. */
  blocks() {
    return this.#rest.request("GET", "/v1/blocks/me");
  }
  /** Resolves to the blocked users after the whole change. */
  changeBlocks(change) {
    return this.#changeRelations("/v1/blocks/me", change);
  }
  /** One request per MAX_RELATION_CHANGE users added and removed; the requests that went out before a refused one stay applied. */
  async #changeRelations(path, change) {
    const add = change.add ?? [];
    const remove = change.remove ?? [];
    for (let start = 0; ; start += MAX_RELATION_CHANGE) {
      const end = start + MAX_RELATION_CHANGE;
      const relations = await this.#rest.request("PUT", path, { add: add.slice(start, end), remove: remove.slice(start, end) });
      if (end >= Math.max(add.length, remove.length)) return relations;
    }
  }
};

// packages/client/src/subscriptionFrames.ts
function subscriptionFrames(told, wanted) {
  return [
    ...framesCarrying("unsubscribe", [...told].filter((user) => !wanted.has(user))),
    ...framesCarrying("subscribe", [...wanted].filter((user) => !told.has(user)))
  ];
}
function framesCarrying(type, users) {
  return frameBatches({ type, users: [] }, users).map((batch) => ({ type, users: batch }));
}

// packages/client/src/PresenceClient.ts
var FLUSH_SPACING_MS = 250;
var PresenceClient = class {
  /** This device's id, as given in the options or generated. */
  device;
  /** The user's privacy, contacts and blocked users, over REST with this client's token. */
  settings;
  #events = new Emitter();
  #connection;
  #fallback;
  #restDevice;
  #ownPresence = null;
  #focusing = /* @__PURE__ */ new Set();
  /** The partner this device has in focus; a fresh socket starts without one, so it is sent again. */
  #partner = null;
  /** A status chosen while no socket was open, sent once one is. */
  #pendingStatus = null;
  #subscribed = /* @__PURE__ */ new Set();
  #views = /* @__PURE__ */ new Map();
  /** Whom the open socket was told to follow since its `hello`; null until then, and from a drop on. */
  #told = null;
  #subscriptionsQueued = false;
  #rest;
  #delivered = new DeliveredMessages();
  #flushQueued = false;
  #flushTimer;
  #flushedAt = -Infinity;
  #typedAt = -Infinity;
  constructor(options) {
    this.device = options.device ?? crypto.randomUUID();
    const deviceType = options.deviceType ?? "web";
    const settings = connectionSettings(options);
    this.#connection = new ReconnectingSocket({
      ...settings,
      token: () => resolveToken(options.token),
      url: (token) => socketUrl(options.baseUrl, "/v1/connect", { token, device: this.device, type: deviceType }),
      shouldReconnect: (code) => code !== DEVICE_REPLACED
    });
    this.#rest = new Rest(options);
    this.settings = new Settings(options);
    this.#restDevice = new RestDevice(this.#rest, this.device, settings.pingIntervalMs, {
      subscriptions: this.#subscribed,
      pendingStatus: () => this.#pendingStatus,
      applied: (frame) => {
        if (this.#pendingStatus === frame) this.#pendingStatus = null;
      },
      presence: (view) => this.#ownPresenceIs(view),
      changed: (view) => this.#heard(view)
    });
    this.#connection.on("frame", (frame) => this.#received(frame));
    this.#fallback = new RestFallback(this.#connection, options.restFallback, this.#restDevice, (change) => {
      if (change.state !== "open") this.#told = null;
      this.#events.emit("state", change);
    });
    this.#connection.start();
  }
  /** Calls `listener` on every `event` (see {@link PresenceClientEvents}) until removed; returns the function that removes it. */
  on = this.#events.on.bind(this.#events);
  /** Removes a listener `on` added for `event`. */
  off = this.#events.off.bind(this.#events);
  /** The user's presence as the service last told it, or null before the first `hello`. */
  get presence() {
    return this.#ownPresence;
  }
  /** Who has this user in focus right now. */
  get focusedBy() {
    return this.#focusing;
  }
  /** The connection's state now: `open` on a socket, `rest` over the REST fallback (see {@link ConnectionState}). */
  get state() {
    return this.#fallback.state;
  }
  /** The users this device follows, on this socket and every later one. */
  get subscriptions() {
    return this.#subscribed;
  }
  /** A subscribed user's presence as the service last told it, or undefined before it has. */
  presenceOf(user) {
    return this.#subscribed.has(user) ? this.#views.get(user) : void 0;
  }
  /**
   * `auto` (or `online`) goes back to automatic; `text` left out keeps the current text, `""` clears it.
   * With `until` (epoch ms, at most 7 days ahead) the chosen status and text lapse at that time.
   */
  setStatus(status, text, until) {
    const frame = { type: "status", status, text, until };
    this.#pendingStatus = this.#connection.send(frame) ? null : frame;
    if (this.state === "rest") this.#restDevice.sendStatus().catch(() => void 0);
  }
  /**
   * Follows these users' presence through `changed` events. Calls in one task go out together, in as
   * few frames as fit. Throws a RangeError, following no one new, past MAX_SUBSCRIPTIONS (500) users.
   */
  subscribe(users) {
    const wanted = [...users];
    if ((/* @__PURE__ */ new Set([...this.#subscribed, ...wanted])).size > MAX_SUBSCRIPTIONS) {
      throw new RangeError(`a device may subscribe to at most ${MAX_SUBSCRIPTIONS} users`);
    }
    for (const user of wanted) this.#subscribed.add(user);
    this.#queueSubscriptions();
  }
  /** Stops following these users and forgets their presence. */
  unsubscribe(users) {
    for (const user of users) {
      this.#subscribed.delete(user);
      this.#restDevice.forget(user);
    }
    this.#queueSubscriptions();
  }
  /**
   * The user has `partner` in focus on this device (say, a chat with them open): they get a `focus`
   * notice, and messages from them arrive read. Sent again on every new socket; waits for a socket.
   */
  focus(partner) {
    this.#partner = partner;
    this.#connection.send({ type: "focus", partner });
  }
  /** The user no longer has anyone in focus on this device. */
  blur() {
    this.#partner = null;
    this.#connection.send({ type: "blur" });
  }
  /**
   * Sends `body` (any JSON, at most 8 KiB as text) to `to`: live to every device they have connected,
   * else kept until one connects. A request that got no answer (a network error) is sent once more with
   * the same id, so it is never delivered twice. A refusal throws a `RestError`: `forbidden` (no such
   * user, as far as this user may know), `inbox_full` or `rate_limited`.
   */
  send(to, body, options = {}) {
    return this.#rest.request("POST", "/v1/messages", { to, body, id: options.id ?? crypto.randomUUID() }, 2);
  }
  /**
   * A scope's members by status over time, oldest point first: each point holds the most members of
   * each status in any minute of its step. Readable wherever the scope's count is (`global` included).
   * A refusal throws a `RestError`: `forbidden_scope` for a scope not the user's, `invalid_request` for a bad span.
   */
  scopeHistory(scope, options = {}) {
    const { from, to, step } = options;
    return this.#rest.request("GET", pathWithQuery(`/v1/scopes/${encodeURIComponent(scope)}/history`, { from, to, step }), void 0, 2);
  }
  /**
   * The user read these messages: their senders get a read receipt. The service marks only messages it
   * still keeps, so one acknowledged already (read later) needs `keepUntilRead` when it arrives.
   */
  markRead(ids) {
    this.#delivered.read(ids);
    this.#scheduleFlush();
  }
  /**
   * From a `message` listener: the message is not acknowledged when the listeners ran but when
   * `markRead` names it, so the service keeps it (it comes again after a reload, on any device) and its
   * sender gets a read receipt when the user reads it later.
   */
  keepUntilRead(id) {
    this.#delivered.keep(id);
  }
  /** The user is typing to `to`; call it on every keystroke: at most one notice a second goes out. */
  typing(to) {
    const now = Date.now();
    if (now - this.#typedAt < TYPING_INTERVAL_MS) return;
    if (this.#connection.send({ type: "typing", to })) this.#typedAt = now;
  }
  /** The user did something on this device; throttle calls (see `trackActivity`). */
  activity() {
    if (!this.#connection.send({ type: "activity" }) && this.state === "rest") this.#restDevice.activity();
  }
  /** Disconnects for good; the user goes offline once the grace window passes, unless another device is on. */
  close() {
    this.#connection.close();
    this.#events.clear();
    clearTimeout(this.#flushTimer);
  }
  #received(frame) {
    switch (frame.type) {
      case "hello":
        this.#forgetFocus();
        this.#ownPresenceIs(frame.presence);
        this.#restore();
        break;
      case "presence":
        this.#ownPresenceIs(frame.presence);
        break;
      case "subscribed":
        for (const view of Object.values(frame.presence)) this.#heard(view);
        break;
      case "changed":
        this.#heard(frame.presence);
        break;
      case "message":
        this.#deliver([frame.message], false);
        break;
      case "inbox":
        this.#deliver(frame.messages, true);
        break;
      case "focus":
        if (frame.active) this.#focusing.add(frame.user);
        else this.#focusing.delete(frame.user);
        this.#events.emit("focus", payloadOf(frame));
        break;
      case "error":
      case "receipt":
      case "typing":
        this.#events.emit(frame.type, payloadOf(frame));
        break;
    }
  }
  /**
   * Hands the messages new to this client to the app, then acknowledges them (and any that came
   * again). One a `message` listener threw on is not acknowledged: the service sends it again.
   */
  #deliver(messages, fromInbox) {
    const fresh = this.#delivered.arrived(messages);
    const handled = [];
    for (const message of fresh) {
      if (this.#events.emit("message", message)) handled.push(message);
      else this.#delivered.failed(message.id);
    }
    if (fromInbox && fresh.length > 0) this.#events.emit("inbox", fresh);
    this.#delivered.handled(handled);
    this.#scheduleFlush();
  }
  /** The acknowledgements and reads of one task go out together, and no sooner than FLUSH_SPACING_MS after the last. */
  #scheduleFlush() {
    if (this.#flushQueued || !this.#delivered.owed || this.#connection.state === "closed") return;
    this.#flushQueued = true;
    const flush = () => {
      this.#flushQueued = false;
      if (this.#delivered.flush((frame) => this.#connection.send(frame))) this.#flushedAt = Date.now();
    };
    const wait = this.#flushedAt + FLUSH_SPACING_MS - Date.now();
    if (wait > 0) this.#flushTimer = setTimeout(flush, wait);
    else queueMicrotask(flush);
  }
  /** Sends what this device had told the service over a socket that has since been replaced. */
  #restore() {
    if (this.#partner !== null) this.focus(this.#partner);
    if (this.#pendingStatus !== null && this.#connection.send(this.#pendingStatus)) this.#pendingStatus = null;
    this.#told = /* @__PURE__ */ new Set();
    this.#sendSubscriptions();
    this.#scheduleFlush();
  }
  #ownPresenceIs(view) {
    this.#ownPresence = view;
    this.#events.emit("presence", view);
  }
  /** A view for a user unsubscribed since is an answer overtaken by the unsubscribe: dropped. */
  #heard(view) {
    if (!this.#subscribed.has(view.user)) return;
    this.#views.set(view.user, view);
    this.#events.emit("changed", view);
  }
  /** A loop of `subscribe` calls costs as many frames as one call with all its users. */
  #queueSubscriptions() {
    if (this.#subscriptionsQueued) return;
    this.#subscriptionsQueued = true;
    queueMicrotask(() => {
      this.#subscriptionsQueued = false;
      for (const user of this.#views.keys()) if (!this.#subscribed.has(user)) this.#views.delete(user);
      this.#sendSubscriptions();
      this.#fallback.refresh();
    });
  }
  /** Tells the open socket what changed since it was last told; a socket that is not greeted yet hears it all after `hello`. */
  #sendSubscriptions() {
    const told = this.#told;
    if (told === null) return;
    for (const frame of subscriptionFrames(told, this.#subscribed)) {
      if (!this.#connection.send(frame)) return;
      for (const user of frame.users) {
        if (frame.type === "subscribe") told.add(user);
        else told.delete(user);
      }
    }
  }
  /** Focus notices from before a reconnect may be stale; the ones still true come again after `hello`. */
  #forgetFocus() {
    for (const user of [...this.#focusing]) {
      this.#focusing.delete(user);
      this.#events.emit("focus", { user, active: false });
    }
  }
};

// packages/client/src/MemberPages.ts
var MemberPages = class {
  #rest;
  /** The scope's members route, without the query. */
  #path;
  #polled;
  #pages = /* @__PURE__ */ new Map();
  constructor(rest, scope, polled) {
    this.#rest = rest;
    this.#path = `/v1/scopes/${encodeURIComponent(scope)}/members`;
    this.#polled = polled;
  }
  /** A first round forgets every page, so it hands over the members whatever they are; none is due sooner than the next poll. */
  async round(first, answered) {
    if (first) this.#pages.clear();
    const members = await this.#read();
    answered();
    this.#polled(members);
    return Infinity;
  }
  /** Every member, or null when no page changed since the last read. */
  async #read() {
    const pages = /* @__PURE__ */ new Map();
    let changed = false;
    let cursor = "";
    let restarts = 0;
    while (cursor !== null) {
      const path = pathWithQuery(this.#path, { limit: 200, cursor: cursor || void 0 });
      const held = this.#pages.get(path);
      let page;
      try {
        page = await this.#rest.poll(path, held);
      } catch (error) {
        if (!(error instanceof RestError) || error.status !== 400 || ++restarts > 3) throw error;
        pages.clear();
        cursor = "";
        continue;
      }
      changed ||= page !== held;
      pages.set(path, page);
      cursor = page.body.next;
    }
    changed ||= pages.size !== this.#pages.size;
    this.#pages = pages;
    return changed ? [...pages.values()].flatMap((page) => page.body.members) : null;
  }
};

// packages/client/src/roster.ts
function applyDiff(roster, diff) {
  if (diff.seq !== roster.seq + 1) return { ok: false, expectedSeq: roster.seq + 1, seq: diff.seq };
  const members = new Map(roster.members);
  for (const member of [...diff.joins, ...diff.updates]) members.set(member.user, member);
  for (const user of diff.leaves) members.delete(user);
  return { ok: true, roster: { seq: diff.seq, members }, change: { joins: diff.joins, updates: diff.updates, leaves: diff.leaves } };
}
function applyFrame(roster, frame) {
  if (frame.type === "sync") {
    const members = new Map(frame.members.map((member) => [member.user, member]));
    return { ok: true, roster: { seq: frame.seq, members }, change: changeBetween(roster?.members ?? /* @__PURE__ */ new Map(), members) };
  }
  if (roster === null) return { ok: false, expectedSeq: null, seq: frame.seq };
  return applyDiff(roster, frame);
}
function changeBetween(before, after) {
  const change = { joins: [], updates: [], leaves: [] };
  for (const [user, member] of after) {
    const previous = before.get(user);
    if (!previous) change.joins.push(member);
    else if (!sameMember(previous, member)) change.updates.push(member);
  }
  for (const user of before.keys()) if (!after.has(user)) change.leaves.push(user);
  return change;
}
function countMembers(members) {
  const counts = { online: 0, away: 0, busy: 0 };
  let total = 0;
  for (const member of members) {
    counts[member.status] += 1;
    total += 1;
  }
  return { ...counts, total };
}

// packages/client/src/RosterWatch.ts
var RosterWatch = class {
  /** Opens a live roster of `scope` (see {@link watch}). */
  constructor(scope, options) {
    this.scope = scope;
    this.#connection = new ReconnectingSocket({
      ...connectionSettings(options),
      token: () => resolveToken(options.token),
      url: (token) => socketUrl(options.baseUrl, `/v1/scopes/${encodeURIComponent(scope)}/watch`, { token }),
      shouldReconnect: () => true
    });
    this.#connection.on("frame", (frame) => this.#received(frame));
    const pages = new MemberPages(new Rest(options), scope, (members) => this.#polled(members));
    this.#fallback = new RestFallback(this.#connection, options.restFallback, pages, (change) => {
      if (change.state !== "open") this.#current = false;
      this.#events.emit("state", change);
    });
    this.#connection.start();
  }
  scope;
  #events = new Emitter();
  #connection;
  #fallback;
  #roster = null;
  #current = false;
  /** Calls `listener` on every `event` (see {@link RosterWatchEvents}) until removed; returns the function that removes it. */
  on = this.#events.on.bind(this.#events);
  /** Removes a listener `on` added for `event`. */
  off = this.#events.off.bind(this.#events);
  /** The scope's members as last shown: none before the first `sync` or poll. */
  get members() {
    return [...this.#roster?.members.values() ?? []];
  }
  /** `user` as a member of the scope, or undefined when they are not one (or not visible to this user). */
  member(user) {
    return this.#roster?.members.get(user);
  }
  /** How many members are online, away and busy, of `members`. */
  get counts() {
    return countMembers(this.#roster?.members.values() ?? []);
  }
  /** True while the roster is known to be up to date: synced on the open socket with no frame missed, or over REST read by the last poll. */
  get synced() {
    return this.#current;
  }
  /** The connection's state now: `open` on a socket, `rest` over the REST fallback (see {@link ConnectionState}). */
  get state() {
    return this.#fallback.state;
  }
  /** Stops watching; nothing is emitted after this. */
  close() {
    this.#connection.close();
    this.#events.clear();
  }
  #received(frame) {
    if (frame.type === "error") {
      this.#events.emit("error", payloadOf(frame));
      return;
    }
    const step = applyFrame(this.#current || frame.type === "sync" ? this.#roster : null, frame);
    this.#show(step, frame.type === "sync", frame.type === "diff");
  }
  /**
   * Members read over REST (null: as read last), shown as a socket shows them: what moved since the
   * roster was last known up to date as a resync, what later polls moved as diffs. A poll that ends
   * after a socket opened shows nothing: the socket's `sync` does.
   */
  #polled(members) {
    if (this.state === "open") return;
    const resync = !this.#current;
    this.#current = true;
    if (members) this.#show(applyFrame(this.#roster, { type: "sync", scope: this.scope, seq: 0, members }), resync, false);
  }
  /** Shows what a step moved, or reconnects for a fresh `sync` after a missed frame; an empty change shows only when a `diff` carried it. */
  #show(step, resync, fromDiff) {
    if (!step.ok) {
      this.#current = false;
      this.#events.emit("gap", { expectedSeq: step.expectedSeq, seq: step.seq });
      this.#connection.reconnect();
      return;
    }
    this.#roster = step.roster;
    this.#current = true;
    if (fromDiff || !isEmptyDiff(step.change)) this.#events.emit("change", { ...step.change, resync });
  }
};
function watch(scope, options) {
  return new RosterWatch(scope, options);
}

// packages/client/src/activity.ts
var DEFAULT_ACTIVITY_THROTTLE_MS = 12e3;
var INPUT_EVENTS = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart"];
function trackActivity(client, options = {}) {
  const target = options.target ?? globalThis.document;
  if (!target) throw new Error("trackActivity needs a document (or a target) to listen to");
  const throttleMs = options.throttleMs ?? DEFAULT_ACTIVITY_THROTTLE_MS;
  const now = options.now ?? Date.now;
  let lastReportedAt = -Infinity;
  const report = (force) => {
    if (target.visibilityState === "hidden") return;
    const time = now();
    if (!force && time - lastReportedAt < throttleMs) return;
    lastReportedAt = time;
    client.activity();
  };
  const onInput = () => report(false);
  const onVisibility = () => report(true);
  for (const type of INPUT_EVENTS) target.addEventListener(type, onInput, { passive: true });
  target.addEventListener("visibilitychange", onVisibility);
  return () => {
    for (const type of INPUT_EVENTS) target.removeEventListener(type, onInput);
    target.removeEventListener("visibilitychange", onVisibility);
  };
}
export {
  NO_PONG,
  PresenceClient,
  RESYNC,
  RestError,
  RosterWatch,
  Settings,
  applyDiff,
  applyFrame,
  countMembers,
  trackActivity,
  watch
};
