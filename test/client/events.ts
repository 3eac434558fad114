import type { PresenceClient, PresenceClientEvents, RosterWatch, RosterWatchEvents } from "../../packages/client/src";

/** The SDK's event sources and what each emits. */
type Source = PresenceClient | RosterWatch;
type EventsOf<S extends Source> = S extends PresenceClient ? PresenceClientEvents : RosterWatchEvents;

/** Resolves with the next `event` matching `match`, or fails after `timeoutMs`; never hangs. */
export function nextEvent<S extends Source, E extends keyof EventsOf<S>>(
  source: S,
  event: E,
  match: (payload: EventsOf<S>[E]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<EventsOf<S>[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching ${String(event)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = subscribe(source, event, (payload) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Every `event` emitted from now on, for asserting what did (or did not) happen. */
export function recordEvents<S extends Source, E extends keyof EventsOf<S>>(source: S, event: E): EventsOf<S>[E][] {
  const seen: EventsOf<S>[E][] = [];
  subscribe(source, event, (payload) => seen.push(payload));
  return seen;
}

/** Polls `check` until it holds or `timeoutMs` passes. */
function subscribe<S extends Source, E extends keyof EventsOf<S>>(source: S, event: E, listener: (payload: EventsOf<S>[E]) => void): () => void {
  return (source.on as (event: E, listener: (payload: EventsOf<S>[E]) => void) => () => void)(event, listener);
}
