import type { Config } from "../config";
import type { Env } from "../env";
import { UserHistory } from "../history/userHistory";
import type { DayReport } from "../history/onlineDays";
import { metric } from "../observability/metrics";
import type { StorageMeter } from "../observability/meter";
import { logWake } from "../observability/wakes";
import type { SubscribeFrame, UnsubscribeFrame } from "../protocol/frames";
import type { PresenceView } from "../protocol/presence";
import type { Privacy, RelationsChange } from "../protocol/rest";
import { OneAlarm } from "../storage/alarm";
import { sightOf, viewFor, type Viewer } from "../visibility/rule";
import { logConnections, tallyDevices } from "./connections";
import { pushToRooms, tellPartners } from "./delivery";
import { attachedDevice, MAX_DEVICES, type DeviceSockets } from "./deviceSockets";
import { dropFocus, type FocusNotice } from "./focus";
import { Following } from "./following";
import { Mail, type Incoming, type Received } from "./mail";
import { Relations, type RelationKind, type RelationsResult } from "./relations";
import { afterFailedPushes, sweepAnswer } from "./roomSync";
import type { SweepAnswer } from "../rooms/roster";
import { isRevoked } from "./record";
import { liveDevices, type BeatAnswer, type RestBeat } from "./restDevices";
import { PresenceStore } from "./store";
import { focusPass, mayFocus, subjectOf, asViewer, type FocusPass } from "./subject";
import type { StampedView, UserViewer } from "./subscribers";
import { devicesDue, nextAlarmAt, transition, type PresenceEvent, type Step } from "./transition";
import { announce } from "../webhooks/producer";
import { erasedChange } from "./visibleStatus";

/**
 * What a PresenceObject does with each event, apart from the runtime's entry points: load, ask
 * `transition`, save if changed, then send to the user's devices, push to rooms, tell focus partners
 * and subscribers, and set the one alarm.
 */
export class UserPresence {
  readonly store: PresenceStore;
  readonly relations: Relations;
  readonly following: Following;
  readonly mail: Mail;
  readonly history: UserHistory;
  private readonly alarmClock: OneAlarm;

  constructor(
    ctx: DurableObjectState,
    private readonly env: Env,
    private readonly config: Config,
    private readonly sockets: DeviceSockets,
    readonly user: string,
    private readonly meter: StorageMeter | null = null,
  ) {
    this.store = new PresenceStore(ctx.storage.sql);
    this.relations = new Relations(ctx.storage.sql);
    this.following = new Following(ctx.storage.sql, env, user);
    this.alarmClock = new OneAlarm(ctx.storage);
    this.history = new UserHistory(ctx.storage.sql);
    const cloaked = () => this.store.load()?.state.manual === "invisible";
    this.mail = new Mail(ctx.storage.sql, env, config, user, sockets, cloaked, (work) => ctx.waitUntil(work), () => (this.store.load() ? this.subject() : null));
  }

  alarmFired(): void {
    this.alarmClock.fired();
  }

  /** The user as the visibility rule sees them now. */
  subject() {
    return subjectOf(this.user, this.store.load(), this.relations);
  }

  /** The user as a viewer, through `device`'s token (any of theirs when null). */
  viewer(device: string | null): UserViewer {
    return asViewer(this.subject(), this.store.load(), device, this.config.globalVisibility);
  }

  /** The user's presence as `viewer` may see it. */
  async viewedBy(viewer: Viewer, wake: string): Promise<PresenceView> {
    const step = await this.handle(wake, { type: "read" });
    return viewFor(sightOf(subjectOf(this.user, step.record, this.relations), viewer), step.own, step.others);
  }

  /** The user's online time per day as `viewer` may see it: only those who may see when they were last seen (self, full sight); anyone else gets none. */
  async onlineDays(viewer: Viewer, days: number): Promise<DayReport[]> {
    const { record } = await this.handle("history", { type: "read" });
    const sight = sightOf(subjectOf(this.user, record, this.relations), viewer);
    return sight === "self" || sight === "full" ? this.history.days(days, record?.visible ?? null, Date.now()) : [];
  }

  /** The one path of every event; `relationsChanged` also re-tells subscribers when the record did not change. */
  async handle(wake: string, event: PresenceEvent, relationsChanged = false): Promise<Step> {
    const before = { ...this.store.counts };
    const devicesBefore = this.store.load()?.shown?.devices.length ?? 0;
    if (event.type === "connect") this.following.subscriptions.dropDevice(event.device);
    if (event.type === "alarm") this.mail.expire(Date.now());
    const step = transition({ user: this.user, record: this.store.load(), live: this.sockets.live(), event, now: Date.now(), timers: this.config, shards: this.config.scopeShards });
    if (step.changed && step.record) this.store.save(step.record);
    if (step.change) {
      this.history.changed(step.change);
      metric(this.env, "status_changed", { code: step.change.status });
    }
    const devices = step.record?.shown?.devices.length ?? 0;
    logConnections(this.env, this.user, event, step.closes);
    this.sockets.send(step.messages);
    this.sockets.close(step.closes);
    if (event.type === "leave" || event.type === "alarm" || event.type === "sweep" || event.type === "disconnect") {
      this.following.subscriptions.keepOnly(new Set(this.sockets.live().map((device) => device.id)));
    }
    const subject = subjectOf(this.user, step.record, this.relations);
    const blocks = step.pushes.some((push) => push.withBlocks) ? [...this.relations.list("blocks")] : [];
    const global = this.config.globalVisibility;
    const [failed, refused] = await Promise.all([
      pushToRooms(this.env, this.user, step.pushes, blocks),
      tellPartners(this.env, this.user, step.notices, (notice) => focusPass(subject, asViewer(subject, step.record, notice.device, global), notice.partner)),
      step.changed || relationsChanged ? this.following.subscribers.changed((viewer) => viewFor(sightOf(subject, viewer), step.own, step.others)) : null,
      event.type === "connect" ? this.mail.greet(event.device) : null,
      announce(this.env, this.config, this.user, step.change),
      devices === devicesBefore ? null : tallyDevices(this.env, this.user, devices, this.config.scopeShards),
    ]);
    if (failed.length > 0) this.store.update((record) => ({ ...record, rooms: afterFailedPushes(record.rooms, failed, Date.now(), Math.random) }));
    if (refused.length > 0) this.refuseFocus(refused);
    const current = this.store.load();
    const presenceAt = failed.length === 0 && refused.length === 0 ? step.alarmAt : current && nextAlarmAt(current, liveDevices(this.sockets.live(), current.restDevices), Date.now(), this.config);
    await this.alarmClock.set([presenceAt, this.mail.nextDue()]);
    logWake(this.config, "presence", wake, { loads: this.store.counts.loads - before.loads, saves: this.store.counts.saves - before.saves }, this.meter);
    return step;
  }

  /**
   * A room sweeps its members: devices silent for `OFFLINE_AFTER_MS` (a half-open connection) or
   * with an expired token close now, and the answer says what `room` should hold for the user. When
   * no device is due, the answer comes from the record alone: nothing else is read, nothing written.
   */
  async sweep(room: string): Promise<SweepAnswer> {
    if (this.store.load() !== null && devicesDue(this.sockets.live(), Date.now(), this.config)) await this.handle("sweep", { type: "sweep" });
    else logWake(this.config, "presence", "sweep", {}, this.meter);
    const record = this.store.load();
    return record ? sweepAnswer(record.rooms, room, record.rev) : { member: null, rev: 0 };
  }

  /**
   * A REST device's heartbeat: it is live (a new one if the user has room for it) until
   * `OFFLINE_AFTER_MS` after this, or, with `leave`, ends now. A socket of the same device id is
   * replaced (4001), as by a newer connection of that device.
   */
  async heartbeat(beat: RestBeat): Promise<BeatAnswer> {
    const record = this.store.load();
    if (beat.leave) return { ok: true, presence: (await this.handle("heartbeat", { type: "restLeave", device: beat.device })).own };
    if (isRevoked(record, beat.issuedAt)) return { ok: false, code: "revoked_token" };
    const live = liveDevices(this.sockets.live(), record?.restDevices ?? []);
    if (!live.some((device) => device.id === beat.device) && live.length >= MAX_DEVICES) return { ok: false, code: "too_many_devices" };
    const { identity, device, expiresAt, active } = beat;
    const step = await this.handle("heartbeat", { type: "heartbeat", identity, device, expiresAt, active, replaced: this.sockets.replace(device) });
    return { ok: true, presence: step.own };
  }

  /** A partner's object refused a focus (the two may not see each other, or the partner is unknown): it ends, and the device is told. */
  private refuseFocus(refused: readonly FocusNotice[]): void {
    this.store.update((record) => ({ ...record, focus: refused.reduce(dropFocus, record.focus) }));
    this.sockets.send(refused.map(({ device }) => ({ device, frame: { type: "error", code: "forbidden", message: "focus: no such user to focus on" } })));
  }

  /** The user's privacy settings, after applying `change` when given. */
  async privacy(change: Partial<Privacy> | null): Promise<Privacy> {
    if (change !== null) await this.handle("privacy", { type: "privacy", privacy: { ...this.subject().privacy, ...change } }, true);
    return this.subject().privacy;
  }

  /** The user's contacts or blocks, after applying `change` when given. */
  async relation(kind: RelationKind, change: RelationsChange | null): Promise<RelationsResult> {
    if (change === null) return { ok: true, users: [...this.relations.list(kind)].sort(), added: [], changed: false };
    const result = this.relations.change(kind, change);
    if (result.ok && result.changed) await this.handle(kind, kind === "blocks" ? { type: "blocks", blocked: result.added } : { type: "contacts" }, true);
    return result;
  }

  /** A device's `subscribe` or `unsubscribe` frame. */
  async follow(ws: WebSocket, frame: SubscribeFrame | UnsubscribeFrame): Promise<void> {
    const device = attachedDevice(ws)?.id ?? null;
    if (device === null) return;
    // The user follows with every scope their connected devices may read, whichever device asks.
    await this.following.frame(ws, device, frame, this.viewer(null), () => this.viewedBy(this.viewer(null), "subscribe"));
  }

  /**
   * `viewer` follows this user from now on, as the rule lets them see the user. A user who never
   * connected answers as unknown and keeps the follower all the same, so they hear of the first
   * connection as of any change (and a user who may not be seen looks the same as one who never was).
   */
  async subscribe(viewer: UserViewer): Promise<StampedView> {
    const view = await this.viewedBy(viewer, "subscribe");
    const at = Date.now();
    this.following.subscribers.add(viewer, view, at);
    return { view, at };
  }

  /**
   * A user this user's devices follow moved: the live devices following them get it. Answers with
   * the scopes this user may read now, or null when no device follows them any more.
   */
  subscriptionChanged(from: string, stamped: StampedView): UserViewer | null {
    logWake(this.config, "presence", "subscriptionChanged", {}, this.meter);
    const { devices, following } = this.following.delivered(from, stamped, new Set(this.sockets.live().map((device) => device.id)));
    this.sockets.send(devices.map((device) => ({ device, frame: { type: "changed", presence: stamped.view } })));
    return following ? this.viewer(null) : null;
  }

  /** A focus notice from another user's device: a focus is taken only when each may see the other. */
  async focusChanged(from: string, device: string, active: boolean, at: number, pass: FocusPass): Promise<boolean> {
    const record = this.store.load();
    const allowed = !active || (record !== null && mayFocus(this.subject(), record, pass, this.config.globalVisibility));
    // A refused focus that was on before (the two may no longer see each other) ends.
    const held = record?.focus.incoming.some((entry) => entry.user === from && entry.device === device && entry.active) ?? false;
    if (allowed || held) await this.handle("focusChanged", { type: "focus", from, device, active: allowed && active, at });
    return allowed;
  }

  /** A message for this user (the rule asked with the record and relations held here). */
  async receive(incoming: Incoming): Promise<Received> {
    const record = this.store.load();
    const focused = (record?.focus.outgoing ?? []).map((entry) => entry.partner);
    logWake(this.config, "presence", "message", {}, this.meter);
    const received = this.mail.receive(incoming, record && this.subject(), focused, Date.now());
    const due = this.mail.nextDue();
    if (due !== null) await this.alarmClock.noLaterThan(due);
    return received;
  }

  /** A device (null: a REST call) acknowledged messages; read when their sender is in that device's focus. */
  async ack(device: string | null, ids: readonly string[]): Promise<number> {
    logWake(this.config, "presence", "ack", {}, this.meter);
    const focused = (this.store.load()?.focus.outgoing ?? []).filter((entry) => entry.device === device).map((entry) => entry.partner);
    return this.mail.ack(ids, focused);
  }

  /** A device types to `to`: nothing goes while the user is invisible; the receiver's object asks the rule. */
  async typing(device: string, to: string): Promise<void> {
    const record = this.store.load();
    if (record === null || record.state.manual === "invisible" || to === this.user) return;
    const subject = this.subject();
    await this.mail.typing(device, to, focusPass(subject, asViewer(subject, record, device, this.config.globalVisibility), to), Date.now());
  }

  /** Another user types to this one: shown when each may see the other, as for focus. */
  async typingFrom(from: string, pass: FocusPass): Promise<void> {
    const record = this.store.load();
    if (record !== null && mayFocus(this.subject(), record, pass, this.config.globalVisibility)) this.mail.typingFrom(from, Date.now());
  }

  /** Forgets the user: their rosters are told they left, everything stored goes. */
  async erase(): Promise<void> {
    const { record } = await this.handle("erase", { type: "disconnect" });
    // The grace window would hold the status until the record is gone: webhook receivers hear of the departure now.
    await announce(this.env, this.config, this.user, record && erasedChange(record.visible, Date.now()));
    const leaves = (record?.rooms ?? []).map(({ scope, room }) => ({ scope, room: room ?? scope, member: null, rev: (record?.rev ?? 0) + 1 }));
    await pushToRooms(this.env, this.user, leaves, []);
    this.store.erase();
    this.relations.erase();
    this.following.erase();
    this.mail.inbox.erase();
    this.history.erase();
    await this.alarmClock.set([]);
  }
}
