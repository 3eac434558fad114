/** A small typed event emitter; `on` returns the function that removes the listener again. */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): void {
    this.#listeners.get(event)?.delete(listener);
  }

  /** Calls every listener; one that throws is reported on its own and never stops the others. False when one threw. */
  emit<E extends keyof Events>(event: E, payload: Events[E]): boolean {
    let ok = true;
    for (const listener of [...(this.#listeners.get(event) ?? [])] as ((payload: Events[E]) => void)[]) {
      try {
        listener(payload);
      } catch (error) {
        ok = false;
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    return ok;
  }

  clear(): void {
    this.#listeners.clear();
  }
}
