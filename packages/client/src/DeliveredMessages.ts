import { MAX_MESSAGES_PER_FRAME, type AckFrame, type Message, type ReadFrame } from "./protocol.js";
import { frameBatches } from "./frameBatches.js";

export type MessageIdsFrame = AckFrame | ReadFrame;

/**
 * The messages delivered to this device, and the acknowledgements and reads it still owes the
 * service. The service keeps every message until a device acknowledges it, so one whose ack was lost
 * comes again (in the next `inbox`): each is handed to the app once, and acknowledged as often as it
 * comes. A message the app keeps until read is acknowledged only once it is read, after its `read`.
 */
export class DeliveredMessages {
  /** Every id handed to the app in this client's life. */
  readonly #seen = new Set<string>();
  readonly #kept = new Set<string>();
  readonly #unsentReads = new Set<string>();
  readonly #unsentAcks = new Set<string>();

  /** The messages not seen before, in order (each once); the ones seen before are acknowledged again unless kept. */
  arrived(messages: readonly Message[]): Message[] {
    const fresh: Message[] = [];
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
  failed(id: string): void {
    this.#seen.delete(id);
  }

  /** The app's listeners ran: these messages are acknowledged, but for those it keeps until read. */
  handled(messages: readonly Message[]): void {
    for (const { id } of messages) if (!this.#kept.has(id)) this.#unsentAcks.add(id);
  }

  /** The service keeps this message until `read` names it, as long as its acknowledgement has not gone out yet. */
  keep(id: string): void {
    this.#kept.add(id);
    this.#unsentAcks.delete(id);
  }

  /** The user read these: a `read` for each, and kept ones are acknowledged after it. */
  read(ids: Iterable<string>): void {
    for (const id of ids) {
      this.#unsentReads.add(id);
      if (this.#kept.delete(id)) this.#unsentAcks.add(id);
    }
  }

  get owed(): boolean {
    return this.#unsentReads.size > 0 || this.#unsentAcks.size > 0;
  }

  /**
   * Sends what is owed, reads first (the service marks a message read only while it is stored, and an
   * ack removes it), in frames of at most MAX_MESSAGES_PER_FRAME ids. Stops at the first frame `send`
   * could not send; the rest stays owed. Returns whether any frame went out.
   */
  flush(send: (frame: MessageIdsFrame) => boolean): boolean {
    let sent = false;
    for (const [type, ids] of [
      ["read", this.#unsentReads],
      ["ack", this.#unsentAcks],
    ] as const) {
      for (const batch of frameBatches({ type, ids: [] }, [...ids], MAX_MESSAGES_PER_FRAME)) {
        if (!send({ type, ids: batch })) return sent;
        sent = true;
        for (const id of batch) ids.delete(id);
      }
    }
    return sent;
  }
}
