/** Storage an event cost: record loads and saves (PresenceObject), or rows read and written. */
export type StorageCost = Record<string, number>;

/**
 * What an object's storage cost since its last wake line: rows read and written (the SQL cursors'
 * own counts) and alarms set (each billed as a row written). Metered only while LOG_WAKES is on, for
 * benchmarks and operators counting what the platform bills; otherwise the state is used as is.
 */
export class StorageMeter {
  private cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  private alarms = 0;

  /** The costs since the last call. */
  take(): StorageCost {
    const cost = { rowsRead: 0, rowsWritten: this.alarms, alarmsSet: this.alarms };
    for (const cursor of this.cursors) {
      cost.rowsRead += cursor.rowsRead;
      cost.rowsWritten += cursor.rowsWritten;
    }
    this.cursors = [];
    this.alarms = 0;
    return cost;
  }

  /** `ctx` with its SQL statements and alarms counted into this meter. */
  state(ctx: DurableObjectState): DurableObjectState {
    const sql = bound(ctx.storage.sql, {
      exec: (query: string, ...bindings: unknown[]) => {
        const cursor = ctx.storage.sql.exec(query, ...bindings);
        this.cursors.push(cursor);
        return cursor;
      },
    });
    const storage = bound(ctx.storage, {
      sql,
      setAlarm: (time: number | Date, options?: DurableObjectSetAlarmOptions) => {
        this.alarms += 1;
        return ctx.storage.setAlarm(time, options);
      },
    });
    return bound(ctx, { storage });
  }
}

/** `target` with `overrides` in place of some members; every other method still runs on `target`. */
function bound<T extends object>(target: T, overrides: Record<string, unknown>): T {
  return new Proxy(target, {
    get(object, property) {
      if (typeof property === "string" && property in overrides) return overrides[property];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

/** A meter and the state to use: metered when `on`, else untouched (no meter). */
export function metered(ctx: DurableObjectState, on: boolean): { state: DurableObjectState; meter: StorageMeter | null } {
  if (!on) return { state: ctx, meter: null };
  const meter = new StorageMeter();
  return { state: meter.state(ctx), meter };
}
