import { DurableObject } from "cloudflare:workers";
import { renewal } from "../auth/renewal";
import { readConfig, type Config } from "../config";
import type { Env } from "../env";
import { ApiError, errorResponse } from "../errors";
import { objectName } from "../objectName";
import { logWake } from "../observability/wakes";
import type { Identity } from "../protocol/claims";
import { CloseCode } from "../protocol/constants";
import { DeviceFrame } from "../protocol/frames";
import type { PresenceView } from "../protocol/presence";
import type { UpdateMeRequest } from "../protocol/rest";
import { answerClose, heartbeatAutoResponse, parseFrame, readJsonFrame, sendError } from "../sockets/frames";
import { UpgradeTickets } from "../sockets/internalUpgrade";
import { FrameRateLimiter, MAX_FRAMES_PER_SECOND } from "../sockets/rateLimit";
import { OneAlarm } from "../storage/alarm";
import { pushToRooms, tellPartners } from "./delivery";
import { DeviceSockets, MAX_DEVICES, attachedDevice, type ConnectContext } from "./deviceSockets";
import { afterFailedPushes } from "./roomSync";
import { isRevoked } from "./record";
import { PresenceStore } from "./store";
import { nextAlarmAt, transition, type PresenceEvent, type Step } from "./transition";

const DEVICE_FRAME_TYPES = ["activity", "status", "focus", "blur", "token"] as const;

/**
 * One user's presence (the object is named by the user id): their device sockets, their record,
 * and one alarm. Every event goes the same way: load, ask `transition`, save if changed, then send,
 * push to rooms, tell focus partners and set the alarm.
 */
export class PresenceObject extends DurableObject<Env> {
  private readonly config: Config = readConfig(this.env);
  private readonly store = new PresenceStore(this.ctx.storage.sql);
  private readonly sockets = new DeviceSockets(this.ctx);
  private readonly alarmClock = new OneAlarm(this.ctx.storage);
  private readonly frameRate = new FrameRateLimiter();
  private readonly tickets = new UpgradeTickets<ConnectContext>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(heartbeatAutoResponse());
  }

  /** Takes a device's context for the upgrade that follows: its ticket, or null for a token older than a sign-out everywhere. */
  async admit(context: ConnectContext): Promise<string | null> {
    return isRevoked(this.store.load(), context.issuedAt) ? null : this.tickets.issue(context, Date.now());
  }

  /** Signs the user out everywhere: every device closes (4004), older tokens are refused from now on. */
  async disconnect(): Promise<void> {
    await this.handle("disconnect", { type: "disconnect" });
  }

  /** Erases everything stored about the user, after closing their devices and leaving every roster. */
  async erase(): Promise<void> {
    const { record } = await this.handle("erase", { type: "disconnect" });
    const leaves = (record?.rooms ?? []).map(({ scope }) => ({ scope, member: null, rev: (record?.rev ?? 0) + 1 }));
    await pushToRooms(this.env, objectName(this.ctx), leaves);
    this.store.erase();
    await this.alarmClock.set([]);
  }

  /** Opens the device socket that `admit` issued a ticket for. */
  async fetch(request: Request): Promise<Response> {
    const context = this.tickets.take(request, Date.now());
    if (!context) return errorResponse(new ApiError(503, "unavailable", "the connection was not admitted in time; connect again"));
    const { identity, device, type, expiresAt } = context;
    const opened = this.sockets.open(device, type, expiresAt, Date.now());
    if (!opened) return errorResponse(new ApiError(429, "too_many_devices", `at most ${MAX_DEVICES} devices may be connected at once`));
    const { client, replaced } = opened;
    // The hello goes out before the handler's first await; room pushes never hold back the 101.
    this.ctx.waitUntil(this.handle("fetch", { type: "connect", identity, device, replaced }));
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const read = readJsonFrame(message);
    if (!read.ok && read.tooBig) return this.drop(ws, CloseCode.messageTooBig, read.message);
    if (!this.frameRate.allow(ws, Date.now())) return sendError(ws, "rate_limited", `at most ${MAX_FRAMES_PER_SECOND} frames a second`);
    const parsed = read.ok ? parseFrame(DeviceFrame, DEVICE_FRAME_TYPES, read.value) : read;
    if (!parsed.ok) return sendError(ws, parsed.code, parsed.message);
    // A token renewal is the SDK's own doing, not the user's: it does not count as activity.
    const device =
      parsed.frame.type === "token"
        ? await this.sockets.renew(ws, parsed.frame.token, (token, expiresAt) => renewal(token, this.env.JWT_SECRET, this.config.tokens, objectName(this.ctx), expiresAt))
        : this.sockets.touch(ws, Date.now());
    if (device) await this.handle("webSocketMessage", { type: "frame", device: device.id, frame: parsed.frame });
  }

  async webSocketClose(ws: WebSocket): Promise<void> {
    answerClose(ws);
    await this.left(ws, "webSocketClose");
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    answerClose(ws); // so the failed socket no longer counts as live
    await this.left(ws, "webSocketError");
  }

  async alarm(): Promise<void> {
    this.alarmClock.fired();
    await this.handle("alarm", { type: "alarm" });
  }

  /** The user's presence: as they see it themself, or as anyone else does. */
  async presence(asSelf: boolean): Promise<PresenceView> {
    const step = await this.handle("presence", { type: "read" });
    return asSelf ? step.own : step.others;
  }

  /** A status or text chosen over REST, with the same rules as the `status` frame. */
  async choose(identity: Identity, change: UpdateMeRequest): Promise<PresenceView> {
    return (await this.handle("choose", { type: "choose", identity, change })).own;
  }

  /** Another user's device gained or lost focus on this user. */
  async focusChanged(from: string, device: string, active: boolean, at: number): Promise<void> {
    await this.handle("focusChanged", { type: "focus", from, device, active, at });
  }

  private async left(ws: WebSocket, wake: string): Promise<void> {
    const device = attachedDevice(ws);
    if (device) await this.handle(wake, { type: "leave", device });
  }

  private async drop(ws: WebSocket, code: number, reason: string): Promise<void> {
    ws.close(code, reason);
    await this.left(ws, "webSocketMessage");
  }

  /** The one path of every event: load, transition, save, send, push, tell, set the alarm. */
  private async handle(wake: string, event: PresenceEvent): Promise<Step> {
    const before = { ...this.store.counts };
    const user = objectName(this.ctx);
    const now = Date.now();
    const step = transition({ user, record: this.store.load(), live: this.sockets.live(), event, now, timers: this.config });
    if (step.changed && step.record) this.store.save(step.record);
    this.sockets.send(step.messages);
    this.sockets.close(step.closes);
    const [failed] = await Promise.all([pushToRooms(this.env, user, step.pushes), tellPartners(this.env, user, step.notices)]);
    if (failed.length > 0) this.store.update((record) => ({ ...record, rooms: afterFailedPushes(record.rooms, failed, Date.now(), Math.random) }));
    const current = this.store.load();
    await this.alarmClock.set([failed.length === 0 ? step.alarmAt : current && nextAlarmAt(current, this.sockets.live(), Date.now(), this.config)]);
    logWake(this.config, "presence", wake, { loads: this.store.counts.loads - before.loads, saves: this.store.counts.saves - before.saves });
    return step;
  }
}
