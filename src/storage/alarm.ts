/** Points an object's one alarm at the earliest of its timers (none: no alarm), writing only on a change. */
export async function setAlarmAt(storage: DurableObjectStorage, times: readonly (number | null)[]): Promise<number | null> {
  const due = times.filter((time): time is number => time !== null);
  const next = due.length ? Math.min(...due) : null;
  const current = await storage.getAlarm();
  if (next === null) {
    if (current !== null) await storage.deleteAlarm();
  } else if (current !== next) {
    await storage.setAlarm(next);
  }
  return next;
}
