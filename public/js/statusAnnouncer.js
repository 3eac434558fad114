import { STATUS_LABELS } from "./labels.js";

/**
 * Says each person's status once, however many rosters and subscriptions show them: it is told a
 * user's status as they all show it together, and speaks only when that moved. A user's first status
 * is noted quietly (a page load reads out nobody), unless they just joined a roster.
 */
export function createStatusAnnouncer(announce, nameOf) {
  const said = new Map();
  return (user, status, { joined = false } = {}) => {
    const before = said.get(user);
    said.set(user, status);
    if (before === status || (before === undefined && (!joined || status === "offline"))) return;
    if (status === "offline") announce(`${nameOf(user)} went offline`);
    else announce(`${nameOf(user)} is ${before === undefined ? "" : "now "}${STATUS_LABELS[status].toLowerCase()}`);
  };
}
