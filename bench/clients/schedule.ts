/**
 * When one client sends its changes: `perClient` on average (the fraction as a chance of one more),
 * at uniformly random times within `spreadMs`, at least `minGapMs` apart (a user's changes reach a
 * room at most once a second; closer ones would measure that throttle). Times are ms from the start.
 */
export function changeTimes(perClient: number, spreadMs: number, minGapMs: number, random: () => number = Math.random): number[] {
  const count = Math.floor(perClient) + (random() < perClient % 1 ? 1 : 0);
  const times = Array.from({ length: count }, () => random() * spreadMs).sort((a, b) => a - b);
  for (let index = 1; index < times.length; index++) times[index] = Math.max(times[index] as number, (times[index - 1] as number) + minGapMs);
  return times;
}
