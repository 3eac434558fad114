import { heartbeatAutoResponse } from "../sockets/frames";
import type { Renewal } from "../auth/renewal";
import type { Identity } from "../protocol/claims";
import { CloseCode } from "../protocol/constants";
import type { DeviceType } from "../protocol/ids";
import { sendError, sendFrame } from "../sockets/frames";
import { lastHeardOf, type DeviceState, type LiveDevice } from "./status";
import type { DeviceMessage, Step } from "./transition";

/** How many devices one user may have connected at once. */
export const MAX_DEVICES = 10;

/** What the worker's connect route hands over with the upgrade. */
export interface ConnectContext {
  identity: Identity;
  device: string;
  type: DeviceType;
  /** When the token the socket opens with expires (epoch ms). */
  expiresAt: number;
  /** When that token was issued (epoch s), to refuse tokens older than a sign-out everywhere. */
  issuedAt: number | null;
}

const deviceTag = (device: string) => `device:${device}`;

/**
 * A user's device sockets: hibernating, each tagged with its device id and carrying its
 * `DeviceState` as the attachment, so the devices survive the object's eviction.
 */
export class DeviceSockets {
  /** Heartbeats are answered by the runtime from now on, without waking the object. */
  constructor(private readonly ctx: DurableObjectState) {
    ctx.setWebSocketAutoResponse(heartbeatAutoResponse());
  }

  /** Devices whose socket is open (a closing one is gone already), with when each was last heard. */
  live(): LiveDevice[] {
    return this.ctx
      .getWebSockets()
      .filter((ws) => ws.readyState === WebSocket.OPEN)
      .map((ws) => {
        const device = ws.deserializeAttachment() as DeviceState;
        const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? null;
        return { ...device, lastHeard: lastHeardOf(device, lastPing) };
      });
  }

  /** Earlier sockets of `device`, still open. */
  of(device: string): WebSocket[] {
    return this.ctx.getWebSockets(deviceTag(device)).filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  /**
   * Opens a device's socket, closing its earlier sockets (4001); null when the user has the most
   * devices already, counting `restDevices` besides the sockets (reconnecting a device id is always allowed).
   */
  open(id: string, type: DeviceType, expiresAt: number, now: number, restDevices: number): { client: WebSocket; replaced: DeviceState[] } | null {
    const earlier = this.of(id);
    if (earlier.length === 0 && this.live().length + restDevices >= MAX_DEVICES) return null;
    const replaced = this.replace(id);
    return { client: this.accept(id, type, now, expiresAt), replaced };
  }

  /** Closes `device`'s open sockets (4001: a newer connection of it took over); answers what they were. */
  replace(device: string): DeviceState[] {
    const earlier = this.of(device);
    for (const ws of earlier) ws.close(CloseCode.deviceReplaced, "replaced by a newer connection of this device");
    return earlier.flatMap((ws) => attachedDevice(ws) ?? []);
  }

  /** Accepts a device's socket (hibernatable) and returns the client end. */
  private accept(id: string, type: DeviceType, now: number, expiresAt: number): WebSocket {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [deviceTag(id)]);
    server.serializeAttachment({ id, type, connectedAt: now, lastActive: now, expiresAt } satisfies DeviceState);
    return client;
  }

  /** The socket lives on to a new token's `exp` once `check` accepts it; null (after an error frame) when it does not. */
  async renew(ws: WebSocket, token: string, check: (token: string, expiresAt: number) => Promise<Renewal>): Promise<DeviceState | null> {
    const device = attachedDevice(ws);
    const renewed = device && (await check(token, device.expiresAt));
    if (!device || !renewed?.ok) {
      sendError(ws, "invalid_token", renewed && !renewed.ok ? renewed.message : "no device");
      return null;
    }
    ws.serializeAttachment({ ...device, expiresAt: renewed.expiresAt });
    return device;
  }

  /** A frame arrived from `ws`: the device was active now. */
  touch(ws: WebSocket, now: number): DeviceState {
    const device = { ...(ws.deserializeAttachment() as DeviceState), lastActive: now };
    ws.serializeAttachment(device);
    return device;
  }

  send(messages: readonly DeviceMessage[]): void {
    for (const { device, frame } of messages) {
      const sockets = device === null ? this.ctx.getWebSockets() : this.ctx.getWebSockets(deviceTag(device));
      for (const ws of sockets) sendFrame(ws, frame);
    }
  }

  close(closes: Step["closes"]): void {
    for (const { device, code, reason } of closes) for (const ws of this.of(device)) ws.close(code, reason);
  }
}

export function attachedDevice(ws: WebSocket): DeviceState | null {
  return ws.deserializeAttachment() as DeviceState | null;
}
