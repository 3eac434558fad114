import type { Env } from "../env";
import { ApiError } from "../errors";
import { refusalResponse } from "../observability/refusals";
import { UpgradeTickets } from "../sockets/internalUpgrade";
import { MAX_DEVICES, type ConnectContext, type DeviceSockets } from "./deviceSockets";
import { isRevoked } from "./record";
import type { UserPresence } from "./userPresence";

/**
 * How a device socket gets in: the connect route hands its context over by RPC (`admit`), then
 * forwards a bare upgrade naming the ticket it got (`open`), which the object accepts unless the user
 * has the most devices already (REST devices count too).
 */
export class DeviceDoor {
  private readonly tickets = new UpgradeTickets<ConnectContext>();

  constructor(
    private readonly presence: UserPresence,
    private readonly sockets: DeviceSockets,
    private readonly env: Env,
    private readonly waitUntil: (work: Promise<unknown>) => void,
  ) {}

  /** A ticket for the upgrade that follows, or null for a token older than a sign-out everywhere. */
  admit(context: ConnectContext): string | null {
    return isRevoked(this.presence.store.load(), context.issuedAt) ? null : this.tickets.issue(context, Date.now());
  }

  /** Opens the device socket `admit` issued the ticket of `request` for. */
  open(request: Request): Response {
    const context = this.tickets.take(request, Date.now());
    if (!context) return refusalResponse(this.env, new ApiError(503, "unavailable", "the connection was not admitted in time; connect again"));
    const { identity, device, type, expiresAt } = context;
    const restDevices = (this.presence.store.load()?.restDevices ?? []).filter((rest) => rest.id !== device).length;
    const opened = this.sockets.open(device, type, expiresAt, Date.now(), restDevices);
    if (!opened) return refusalResponse(this.env, new ApiError(429, "too_many_devices", `at most ${MAX_DEVICES} devices may be connected at once`), { user: identity.sub, device });
    const { client, replaced } = opened;
    // The hello goes out before the handler's first await; room pushes never hold back the 101.
    this.waitUntil(this.presence.handle("fetch", { type: "connect", identity, device, replaced }));
    return new Response(null, { status: 101, webSocket: client });
  }
}
