import { renewal } from "../auth/renewal";
import type { Config } from "../config";
import type { Env } from "../env";
import { logEvent } from "../observability/log";
import { metric } from "../observability/metrics";
import { CloseCode } from "../protocol/constants";
import type { ErrorCode } from "../protocol/errors";
import { DeviceFrame } from "../protocol/frames";
import { answerClose, parseFrame, readJsonFrame, sendError } from "../sockets/frames";
import { FrameRateLimiter, MAX_FRAMES_PER_SECOND } from "../sockets/rateLimit";
import { attachedDevice, type DeviceSockets } from "./deviceSockets";
import type { UserPresence } from "./userPresence";

/** Closes the service makes itself (logged when made): their echo is not a second disconnect. */
const SERVICE_CLOSES = new Set<number>([CloseCode.heartbeatTimeout, CloseCode.tokenExpired, CloseCode.disconnected, CloseCode.messageTooBig]);

const DEVICE_FRAME_TYPES = ["activity", "status", "focus", "blur", "token", "subscribe", "unsubscribe", "ack", "read", "typing"] as const;

/**
 * A device socket's frames, each validated once as it enters and handed on: presence frames to the
 * transition, subscriptions to `Following`, acknowledgements, reads and typing to `Mail`. Token
 * renewals, subscriptions and acknowledgements are the SDK's own doing and do not count as activity.
 */
export class DeviceFrames {
  private readonly frameRate = new FrameRateLimiter();

  constructor(
    private readonly presence: UserPresence,
    private readonly sockets: DeviceSockets,
    private readonly env: Env,
    private readonly config: Config,
  ) {}

  async received(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const read = readJsonFrame(message);
    if (!read.ok && read.tooBig) {
      ws.close(CloseCode.messageTooBig, read.message);
      this.logClose(ws, CloseCode.messageTooBig);
      return this.left(ws, "webSocketMessage", CloseCode.messageTooBig);
    }
    if (!this.frameRate.allow(ws, Date.now())) return this.refuse(ws, "rate_limited", `at most ${MAX_FRAMES_PER_SECOND} frames a second`);
    const parsed = read.ok ? parseFrame(DeviceFrame, DEVICE_FRAME_TYPES, read.value) : read;
    if (!parsed.ok) return this.refuse(ws, parsed.code, parsed.message);
    const { frame } = parsed;
    switch (frame.type) {
      case "subscribe":
      case "unsubscribe":
        return this.presence.follow(ws, frame);
      case "ack":
        await this.presence.ack(attachedDevice(ws)?.id ?? null, frame.ids);
        return;
      case "token": {
        const renew = (token: string, expiresAt: number) => renewal(token, this.env.JWT_SECRET, this.config.tokens, this.presence.user, expiresAt);
        const device = await this.sockets.renew(ws, frame.token, renew);
        if (device) await this.presence.handle("webSocketMessage", { type: "frame", device: device.id, frame });
        return;
      }
      case "read":
      case "typing": {
        const device = this.sockets.touch(ws, Date.now());
        await (frame.type === "read" ? this.presence.mail.read(frame.ids) : this.presence.typing(device.id, frame.to));
        await this.presence.handle("webSocketMessage", { type: "frame", device: device.id, frame: { type: "activity" } });
        return;
      }
      default:
        await this.presence.handle("webSocketMessage", { type: "frame", device: this.sockets.touch(ws, Date.now()).id, frame });
    }
  }

  /**
   * A device socket closed (with the close `code`) or failed (no code): its close is answered (the
   * failed socket then no longer counts as live); closes the service made were logged as it made them.
   */
  async left(ws: WebSocket, wake: string, code?: number): Promise<void> {
    answerClose(ws);
    const device = attachedDevice(ws);
    if (!device) return;
    if (code === undefined || !SERVICE_CLOSES.has(code)) this.logClose(ws, code ?? "error");
    await this.presence.handle(wake, { type: "leave", device });
  }

  private logClose(ws: WebSocket, code: number | string): void {
    logEvent("disconnect", { user: this.presence.user, device: attachedDevice(ws)?.id, code });
    metric(this.env, "connection_closed", { code: "device" });
  }

  /** A frame refused with an error frame (the socket stays open), logged and counted by code. */
  private refuse(ws: WebSocket, code: ErrorCode, message: string): void {
    logEvent("refusal", { user: this.presence.user, device: attachedDevice(ws)?.id, code, what: "frame" });
    metric(this.env, "refusal", { code });
    sendError(ws, code, message);
  }
}
