import { renewal } from "../auth/renewal";
import type { Config } from "../config";
import type { Env } from "../env";
import { CloseCode } from "../protocol/constants";
import { DeviceFrame } from "../protocol/frames";
import { parseFrame, readJsonFrame, sendError } from "../sockets/frames";
import { FrameRateLimiter, MAX_FRAMES_PER_SECOND } from "../sockets/rateLimit";
import { attachedDevice, type DeviceSockets } from "./deviceSockets";
import type { UserPresence } from "./userPresence";

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
      return this.left(ws, "webSocketMessage");
    }
    if (!this.frameRate.allow(ws, Date.now())) return sendError(ws, "rate_limited", `at most ${MAX_FRAMES_PER_SECOND} frames a second`);
    const parsed = read.ok ? parseFrame(DeviceFrame, DEVICE_FRAME_TYPES, read.value) : read;
    if (!parsed.ok) return sendError(ws, parsed.code, parsed.message);
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

  /** A device socket closed or failed. */
  async left(ws: WebSocket, wake: string): Promise<void> {
    const device = attachedDevice(ws);
    if (device) await this.presence.handle(wake, { type: "leave", device });
  }
}
