/**
 * An object's one alarm, pointed at the earliest of its timers. The time set is kept in memory, so
 * keeping it where it is costs no storage read or write.
 */
export class OneAlarm {
  /** The alarm as last read or set; undefined: not known (a new instance, or it just fired). */
  private at: number | null | undefined = undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Sets the alarm to the earliest of `times` (none: no alarm), writing only on a change. */
  async set(times: readonly (number | null)[]): Promise<void> {
    const due = times.filter((time): time is number => time !== null);
    const next = due.length ? Math.min(...due) : null;
    if (this.at === undefined) this.at = await this.storage.getAlarm();
    if (next === this.at) return;
    if (next === null) await this.storage.deleteAlarm();
    else await this.storage.setAlarm(next);
    this.at = next;
  }

  /** Makes sure the alarm runs by `time`, only ever moving it earlier. */
  async noLaterThan(time: number): Promise<void> {
    if (this.at === undefined) this.at = await this.storage.getAlarm();
    if (this.at === null || time < this.at) {
      await this.storage.setAlarm(time);
      this.at = time;
    }
  }

  /** The alarm ran: the runtime cleared it. */
  fired(): void {
    this.at = null;
  }
}
