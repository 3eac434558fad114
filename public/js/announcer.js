/** Says roster and chat changes to screen readers through one polite live region. */
export function createAnnouncer(region) {
  let pending = [];
  let scheduled = false;
  return (message) => {
    pending.push(message);
    if (scheduled) return;
    scheduled = true;
    // Changes that arrive together are read as one sentence, not a burst of interruptions.
    setTimeout(() => {
      region.textContent = pending.join(". ");
      pending = [];
      scheduled = false;
    }, 250);
  };
}
