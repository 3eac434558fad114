/**
 * Focus ("X is chatting with you"): which partner each of this user's devices has in focus, and
 * which other users' devices have this user in focus. Pure functions; notices are data the object
 * delivers to partners' PresenceObjects.
 */

export interface FocusState {
  /** This user's devices and the partner each has in focus. */
  outgoing: { device: string; partner: string }[];
  /**
   * Other users' devices and whether each has this user in focus, as of the newest notice (`at`, the
   * sender's clock): a notice older than the one held was overtaken in flight and is ignored.
   */
  incoming: { user: string; device: string; active: boolean; at: number }[];
}

/** Tells `partner`'s object that this user's `device` gained or lost focus on them. */
export interface FocusNotice {
  partner: string;
  device: string;
  active: boolean;
}

export const NO_FOCUS: FocusState = { outgoing: [], incoming: [] };

/** How many other users' devices one user keeps as focusing on them; more are ignored. */
export const MAX_INCOMING_FOCUS = 1_000;

/** How long an ended focus is remembered, to ignore a focus notice that arrives after its blur. */
export const ENDED_FOCUS_MEMORY_MS = 60_000;

export interface FocusStep {
  focus: FocusState;
  notices: FocusNotice[];
}

/** Points `device` at `partner` (null: at no one), telling the old and the new partner. */
export function focusDevice(focus: FocusState, device: string, partner: string | null): FocusStep {
  const previous = focus.outgoing.find((entry) => entry.device === device)?.partner ?? null;
  if (previous === partner) return { focus, notices: [] };
  const others = focus.outgoing.filter((entry) => entry.device !== device);
  const notices: FocusNotice[] = [];
  if (previous !== null) notices.push({ partner: previous, device, active: false });
  if (partner !== null) notices.push({ partner, device, active: true });
  return { focus: { ...focus, outgoing: partner === null ? others : [...others, { device, partner }] }, notices };
}

/** Ends the focus of every device not in `live` (it left, or was lost without a close). */
export function releaseGoneDevices(focus: FocusState, live: ReadonlySet<string>): FocusStep {
  let step: FocusStep = { focus, notices: [] };
  for (const { device } of focus.outgoing) {
    if (live.has(device)) continue;
    const next = focusDevice(step.focus, device, null);
    step = { focus: next.focus, notices: [...step.notices, ...next.notices] };
  }
  return step;
}

/**
 * Records another user's device focusing on this user or not, sent at `at`; `changed` when that
 * user's focus as a whole flipped. A notice older than the one held for that device changes nothing.
 */
export function receiveFocus(focus: FocusState, user: string, device: string, active: boolean, at: number, now: number): { focus: FocusState; changed: boolean } {
  const held = focus.incoming.find((entry) => entry.user === user && entry.device === device);
  if (held && held.at > at) return { focus, changed: false };
  const before = focus.incoming.some((entry) => entry.user === user && entry.active);
  const others = focus.incoming.filter(
    (entry) => (entry.user !== user || entry.device !== device) && (entry.active || entry.at + ENDED_FOCUS_MEMORY_MS > now),
  );
  const incoming = others.length < MAX_INCOMING_FOCUS ? [...others, { user, device, active, at }] : others;
  const after = incoming.some((entry) => entry.user === user && entry.active);
  return { focus: { ...focus, incoming }, changed: before !== after };
}

/** The users who have this user in focus, each once. */
export function focusedBy(focus: FocusState): string[] {
  return [...new Set(focus.incoming.filter((entry) => entry.active).map((entry) => entry.user))];
}

/** Forgets `users`' focus on this user (they were blocked); `users` in the result are those who had it. */
export function endFocusOf(focus: FocusState, users: readonly string[]): { focus: FocusState; users: string[] } {
  const ending = focusedBy(focus).filter((user) => users.includes(user));
  return { focus: { ...focus, incoming: focus.incoming.filter((entry) => !users.includes(entry.user)) }, users: ending };
}

/** Ends `device`'s focus on `partner` without telling anyone (the partner refused it). */
export function dropFocus(focus: FocusState, { device, partner }: { device: string; partner: string }): FocusState {
  return { ...focus, outgoing: focus.outgoing.filter((entry) => entry.device !== device || entry.partner !== partner) };
}
