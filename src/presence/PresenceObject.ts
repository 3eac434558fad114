import { DurableObject } from "cloudflare:workers";
import { readConfig, type Config } from "../config";
import type { Env } from "../env";
import { ApiError, errorResponse } from "../http/errors";
import type { Identity } from "../protocol/claims";
import { CloseCode } from "../protocol/constants";
import { DeviceFrame, type DeviceServerFrame } from "../protocol/frames";
import type { DeviceType } from "../protocol/ids";
import type { PresenceView, Status } from "../protocol/presence";
import type { UpdateMeRequest } from "../protocol/rest";
import { logWake } from "../observability/wakes";
import { answerClose, heartbeatAutoResponse, parseFrame, readJsonFrame, sendFrame } from "../sockets/frames";
import { upgradeContext } from "../sockets/internalUpgrade";
import { setAlarmAt } from "../storage/alarm";
import { FrameRateLimiter, MAX_FRAMES_PER_SECOND } from "../sockets/rateLimit";
import { dueRoomSyncs, nextRoomSyncAt, planRoomSyncs, retryDelayMs, scopesOf } from "./roomSync";
import {
  EMPTY_USER_STATE,
  chooseStatus,
  expireGrace,
  lastHeardOf,
  memberOf,
  nextStatusChangeAt,
  publicView,
  selfView,
  withCloak,
  type DeviceState,
  type UserState,
} from "./status";
import { PresenceStore, type StoredUser } from "./store";

/** How many devices one user may have connected at once. */
export const MAX_DEVICES = 10;

const DEVICE_FRAME_TYPES = ["activity", "status", "focus", "blur"] as const;

/** What the worker's connect route hands over with the upgrade. */
export interface ConnectContext {
  identity: Identity;
  device: string;
  type: DeviceType;
}

interface DeviceSocket {
  ws: WebSocket;
  device: DeviceState;
}

/** What the user's own devices were last shown, to send `presence` frames only on change. */
interface Shown {
  status: Status;
  text: string | null;
  devices: [string, DeviceType][];
}

const deviceTag = (device: string) => `device:${device}`;

/**
 * One user's presence: their device sockets (hibernating), their stored state, and the alarm that
 * turns them away, expires silent devices, ends the grace window and retries room pushes.
 */
export class PresenceObject extends DurableObject<Env> {
  private readonly store: PresenceStore;
  private readonly config: Config;
  private readonly frameRate = new FrameRateLimiter();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = readConfig(env);
    this.store = new PresenceStore(ctx.storage.sql);
    ctx.setWebSocketAutoResponse(heartbeatAutoResponse());
  }

  /** Opens a device socket; the worker has authenticated the user and validated the device. */
  async fetch(request: Request): Promise<Response> {
    logWake(this.config, "presence", "fetch");
    const { identity, device, type } = upgradeContext<ConnectContext>(request);
    const now = Date.now();
    const replaced = this.ctx.getWebSockets(deviceTag(device));
    if (replaced.length === 0 && this.deviceSockets().length >= MAX_DEVICES) {
      return errorResponse(new ApiError(429, "too_many_devices", `at most ${MAX_DEVICES} devices may be connected at once`));
    }
    for (const old of replaced) await this.dropDevice(old, CloseCode.deviceReplaced, "replaced by a newer connection of this device");
    await this.releaseFocus(device);
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [deviceTag(device)]);
    server.serializeAttachment({ id: device, type, connectedAt: now, lastActive: now } satisfies DeviceState);
    this.update(identity, (state) => ({ ...state, leftAt: null }));
    // The greeting goes out before settle's first await; room pushes must not hold back the 101.
    this.ctx.waitUntil(this.settle(now, server));
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    logWake(this.config, "presence", "webSocketMessage");
    const read = readJsonFrame(message);
    if (!read.ok && read.tooBig) {
      await this.dropDevice(ws, CloseCode.messageTooBig, read.message);
      return;
    }
    const now = Date.now();
    if (!this.frameRate.allow(ws, now)) {
      sendFrame(ws, { type: "error", code: "rate_limited", message: `at most ${MAX_FRAMES_PER_SECOND} frames a second` } satisfies DeviceServerFrame);
      return;
    }
    const device = ws.deserializeAttachment() as DeviceState;
    device.lastActive = now;
    ws.serializeAttachment(device);
    const parsed = read.ok ? parseFrame(DeviceFrame, DEVICE_FRAME_TYPES, read.value) : read;
    if (!parsed.ok) {
      sendFrame(ws, { type: "error", code: parsed.code, message: parsed.message } satisfies DeviceServerFrame);
    } else if (parsed.frame.type === "status") {
      const { status, text } = parsed.frame;
      this.update(null, (state) => chooseStatus(state, status, text));
    } else if (parsed.frame.type === "focus" || parsed.frame.type === "blur") {
      const partner = parsed.frame.type === "focus" ? parsed.frame.partner : null;
      if (partner !== null && partner === this.store.loadUser()?.identity.sub) {
        sendFrame(ws, { type: "error", code: "invalid_frame", message: "partner: cannot focus on yourself" } satisfies DeviceServerFrame);
      } else {
        await this.setFocus(device.id, partner);
      }
    }
    await this.settle(now);
  }

  async webSocketClose(ws: WebSocket): Promise<void> {
    logWake(this.config, "presence", "webSocketClose");
    answerClose(ws);
    await this.deviceGone(ws);
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    logWake(this.config, "presence", "webSocketError");
    await this.deviceGone(ws);
  }

  /** Closes devices that stopped sending heartbeats, then lets time-driven changes happen. */
  async alarm(): Promise<void> {
    logWake(this.config, "presence", "alarm");
    const now = Date.now();
    for (const { ws, device } of this.deviceSockets()) {
      const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? null;
      if (lastHeardOf(device, lastPing) + this.config.offlineAfterMs <= now) {
        await this.dropDevice(ws, CloseCode.heartbeatTimeout, "no heartbeat");
      }
    }
    await this.settle(now);
  }

  /** The user's presence: as they see it themself, or as anyone else does. */
  async presence(user: string, asSelf: boolean): Promise<PresenceView> {
    logWake(this.config, "presence", "presence");
    const stored = this.store.loadUser();
    if (!stored) return selfView(user, EMPTY_USER_STATE, [], Date.now(), this.config);
    const own = this.ownView(stored, Date.now());
    return asSelf ? own : publicView(own, stored.state.cloak);
  }

  /** A status or text chosen over REST, with the same rules as the `status` frame. */
  async choose(identity: Identity, change: UpdateMeRequest): Promise<PresenceView> {
    logWake(this.config, "presence", "choose");
    const now = Date.now();
    this.update(identity, (state) => chooseStatus(state, change.status, change.text));
    await this.settle(now);
    return this.presence(identity.sub, true);
  }

  /** Another user's device gained or lost focus on this user. */
  async focusChanged(from: string, device: string, active: boolean): Promise<void> {
    logWake(this.config, "presence", "focusChanged");
    const changed = active ? this.store.addIncomingFocus(from, device) : this.store.removeIncomingFocus(from, device);
    if (!changed) return;
    for (const { ws } of this.deviceSockets()) sendFrame(ws, { type: "focus", user: from, active } satisfies DeviceServerFrame);
  }

  private deviceSockets(except?: WebSocket): DeviceSocket[] {
    return this.ctx
      .getWebSockets()
      .filter((ws) => ws !== except && ws.readyState === WebSocket.OPEN)
      .map((ws) => ({ ws, device: ws.deserializeAttachment() as DeviceState }));
  }

  /** Applies a change to the stored state, creating it on the user's first connection or call. */
  private update(identity: Identity | null, change: (state: UserState) => UserState): void {
    const stored = this.store.loadUser() ?? (identity && { identity, state: EMPTY_USER_STATE, shown: null, rev: 0 });
    if (!stored) return;
    this.store.saveUser({ ...stored, identity: identity ?? stored.identity, state: change(stored.state) });
  }

  /** Closes a device from this side. */
  private async dropDevice(ws: WebSocket, code: number, reason: string): Promise<void> {
    ws.close(code, reason);
    await this.deviceGone(ws);
  }

  private async deviceGone(ws: WebSocket): Promise<void> {
    const device = ws.deserializeAttachment() as DeviceState | null;
    if (!device) return;
    const now = Date.now();
    const remaining = this.deviceSockets(ws);
    this.update(null, (state) => ({
      ...state,
      lastActive: Math.max(state.lastActive ?? 0, device.lastActive),
      leftAt: remaining.length === 0 ? (state.leftAt ?? now) : state.leftAt,
    }));
    if (!remaining.some((other) => other.device.id === device.id)) await this.releaseFocus(device.id);
    await this.settle(now);
  }

  private ownView(stored: StoredUser, now: number): PresenceView {
    const devices = this.deviceSockets().map(({ device }) => device);
    return selfView(stored.identity.sub, expireGrace(stored.state, devices, now, this.config), devices, now, this.config);
  }

  /**
   * Brings everything in line with the stored state and the time: ends grace, tells the user's
   * devices about a change (greeting a new one), plans and delivers room pushes, sets the alarm.
   */
  private async settle(now: number, greet?: WebSocket): Promise<void> {
    const stored = this.store.loadUser();
    if (!stored) return;
    const sockets = this.deviceSockets();
    const devices = sockets.map(({ device }) => device);
    const graced = expireGrace(stored.state, devices, now, this.config);
    const own = selfView(stored.identity.sub, graced, devices, now, this.config);
    const previous: Shown | null = stored.shown === null ? null : (JSON.parse(stored.shown) as Shown);
    const state = withCloak(graced, previous?.status ?? "offline", own.status, devices, now);
    const shown = JSON.stringify({ status: own.status, text: own.text, devices: own.devices.map((d) => [d.id, d.type]) } satisfies Shown);
    if (shown !== stored.shown) {
      for (const { ws } of sockets) if (ws !== greet) sendFrame(ws, { type: "presence", presence: own } satisfies DeviceServerFrame);
    }
    if (greet) this.greet(greet, own);
    const plan = planRoomSyncs(this.store.roomSyncs(), scopesOf(stored.identity), memberOf(own, stored.identity.name), stored.rev);
    for (const want of plan.wants) this.store.wantRoomSync(want.scope, want.member, want.rev, now);
    const settled: StoredUser = { identity: stored.identity, state, shown, rev: plan.rev };
    if (JSON.stringify(settled) !== JSON.stringify(stored)) this.store.saveUser(settled);
    await this.releaseLostFocus(devices);
    await this.deliverRoomSyncs(stored.identity.sub, now);
    await this.scheduleAlarm(this.store.loadUser()?.state ?? state, sockets, now);
  }

  private greet(ws: WebSocket, own: PresenceView): void {
    const device = ws.deserializeAttachment() as DeviceState;
    sendFrame(ws, { type: "hello", user: own.user, device: device.id, presence: own } satisfies DeviceServerFrame);
    for (const user of this.store.incomingFocusUsers()) sendFrame(ws, { type: "focus", user, active: true } satisfies DeviceServerFrame);
  }

  /** Pushes due room changes and lease renewals; a failed push is retried by the alarm with backoff. */
  private async deliverRoomSyncs(user: string, now: number): Promise<void> {
    const due = dueRoomSyncs(this.store.roomSyncs(), now, this.config.offlineAfterMs);
    await Promise.all(
      due.map(async (sync) => {
        try {
          const room = this.env.ROOMS.get(this.env.ROOMS.idFromName(sync.scope));
          await room.apply({ scope: sync.scope, user, member: sync.member, rev: sync.rev });
          this.store.roomSyncDelivered(sync.scope, sync.rev, Date.now());
        } catch (error) {
          console.warn(`room push to ${sync.scope} failed, will retry`, error);
          this.store.roomSyncFailed(sync.scope, sync.rev, Date.now() + retryDelayMs(sync.attempts, Math.random()));
        }
      }),
    );
  }

  /** One alarm for every timer: heartbeat expiry, away, end of grace, room retries and renewals. */
  private async scheduleAlarm(state: UserState, sockets: DeviceSocket[], now: number): Promise<void> {
    const devices = sockets.map(({ device }) => device);
    await setAlarmAt(this.ctx.storage, [
      ...sockets.map(({ ws, device }) => {
        const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? null;
        return lastHeardOf(device, lastPing) + this.config.offlineAfterMs;
      }),
      nextStatusChangeAt(state, devices, now, this.config),
      nextRoomSyncAt(this.store.roomSyncs(), this.config.offlineAfterMs),
    ]);
  }

  private async setFocus(device: string, partner: string | null): Promise<void> {
    const previous = this.store.focusOf(device);
    if (previous === partner) return;
    this.store.setFocus(device, partner);
    if (previous !== null) await this.tellFocus(previous, device, false);
    if (partner !== null) await this.tellFocus(partner, device, true);
  }

  private async releaseFocus(device: string): Promise<void> {
    await this.setFocus(device, null);
  }

  /** Ends the focus of devices that are gone without a close (a reset, a tab killed mid-flight). */
  private async releaseLostFocus(devices: readonly DeviceState[]): Promise<void> {
    const live = new Set(devices.map((device) => device.id));
    for (const device of this.store.focusingDevices()) if (!live.has(device)) await this.releaseFocus(device);
  }

  /** Focus is a hint: a lost notice is not retried (a device leaving always sends the blur). */
  private async tellFocus(partner: string, device: string, active: boolean): Promise<void> {
    const user = this.store.loadUser()?.identity.sub;
    if (!user) return;
    try {
      await this.env.PRESENCE.get(this.env.PRESENCE.idFromName(partner)).focusChanged(user, device, active);
    } catch (error) {
      console.warn(`focus notice to ${partner} failed`, error);
    }
  }
}
