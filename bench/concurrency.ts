/** Runs `fn` over `count` indices with at most `limit` in flight. */
export async function forEachLimited(count: number, limit: number, fn: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, count)) }, async () => {
    while (next < count) await fn(next++);
  });
  await Promise.all(lanes);
}
