import { sendFrame } from "../sockets/frames";
import type { DeviceType } from "../protocol/ids";
import type { DeviceMessage, Step } from "./transition";
import { lastHeardOf, type DeviceState, type LiveDevice } from "./status";

const deviceTag = (device: string) => `device:${device}`;

/**
 * A user's device sockets: hibernating, each tagged with its device id and carrying its
 * `DeviceState` as the attachment, so the devices survive the object's eviction.
 */
export class DeviceSockets {
  constructor(private readonly ctx: DurableObjectState) {}

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

  /** Accepts a device's socket (hibernatable) and returns the client end. */
  accept(id: string, type: DeviceType, now: number): WebSocket {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [deviceTag(id)]);
    server.serializeAttachment({ id, type, connectedAt: now, lastActive: now } satisfies DeviceState);
    return client;
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
