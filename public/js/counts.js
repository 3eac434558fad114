/** A scope's counts line, as text and as data attributes (what the end-to-end tests read). */
export function showCounts(element, counts) {
  element.textContent = `${counts.online} online · ${counts.away} away · ${counts.busy} busy · ${counts.total} total`;
  Object.assign(element.dataset, { online: counts.online, away: counts.away, busy: counts.busy, total: counts.total });
}
