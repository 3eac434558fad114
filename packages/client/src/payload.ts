/** A frame without its `type`; of a union of frames, each one's. */
type Payload<Frame> = Frame extends unknown ? Omit<Frame, "type"> : never;

/** A frame without its `type`: what its event hands to listeners, or its REST request carries. */
export function payloadOf<Frame extends { type: string }>({ type: _, ...payload }: Frame): Payload<Frame> {
  return payload as Payload<Frame>;
}
