/** Listeners grouped by key (a user, a scope), so a change to one key wakes only the hooks reading it. */
export class KeyedListeners<Key> {
  private readonly byKey = new Map<Key, Set<() => void>>();

  /** Adds `listener` under `key`; returns the function that removes it again. */
  add(key: Key, listener: () => void): () => void {
    let listeners = this.byKey.get(key);
    if (!listeners) this.byKey.set(key, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.byKey.get(key) === listeners) this.byKey.delete(key);
    };
  }

  notify(key: Key): void {
    for (const listener of [...(this.byKey.get(key) ?? [])]) listener();
  }
}
