/**
 * Reads something now, then every `everyMs` after each answer, and `soonMs` after a `soon()` but never
 * sooner than `spacingMs` after the last read began (calls close together cause one read; a read is
 * never overlapped by another). Answers go to `show`, failures to `fail`, nothing after `stop()`.
 */
export function poll(read, { everyMs, soonMs, spacingMs = 0, show, fail }) {
  let timer = null;
  let readAt = Number.NEGATIVE_INFINITY;
  let dueAt = Number.POSITIVE_INFINITY;
  let reading = false;
  let again = false;
  let stopped = false;

  const readIn = (ms) => {
    if (stopped || Date.now() + ms >= dueAt) return;
    clearTimeout(timer);
    dueAt = Date.now() + ms;
    timer = setTimeout(run, ms);
  };

  const soonIn = () => Math.max(soonMs, readAt + spacingMs - Date.now());

  async function run() {
    timer = null;
    dueAt = Number.POSITIVE_INFINITY;
    reading = true;
    readAt = Date.now();
    try {
      const answer = await read();
      if (!stopped) show(answer);
    } catch (error) {
      if (!stopped) fail(error);
    }
    reading = false;
    readIn(again ? soonIn() : everyMs);
    again = false;
  }

  readIn(0);
  return {
    soon() {
      if (reading) again = true;
      else readIn(soonIn());
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
