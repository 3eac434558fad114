/** Words the dashboard shows for statuses, scopes and devices. */

export const STATUS_LABELS = { online: "Online", away: "Away", busy: "Busy", invisible: "Invisible", offline: "Offline" };

/** Roster order: who you can reach first. */
export const STATUS_ORDER = { online: 0, busy: 1, away: 2, offline: 3 };

export function scopeTitle(scope) {
  if (scope === "global") return "Everyone";
  const [kind, id] = scope.split(":");
  return `${kind === "org" ? "Organisation" : "Zone"} ${id}`;
}

export function displayName(member) {
  return member.name || member.user;
}

/** "Offline, last seen 14:05": a presence's status, with when the user was last seen if they let the viewer know. */
export function presenceLabel(view) {
  const label = STATUS_LABELS[view.status];
  if (view.status !== "offline" || view.lastSeen === null) return label;
  const seen = new Date(view.lastSeen);
  const sameDay = seen.toDateString() === new Date().toDateString();
  return `${label}, last seen ${sameDay ? seen.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : seen.toLocaleString([], { dateStyle: "medium", timeStyle: "short" })}`;
}

/** "web (this tab) and mobile": the user's devices as they see them. */
export function devicesSummary(devices, thisDevice) {
  const names = devices.map((device) => `${device.type}${device.id === thisDevice ? " (this tab)" : ""}${device.idle ? ", idle" : ""}`);
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

export function connectionLabel(change) {
  switch (change.state) {
    case "open":
      return "Connected";
    case "rest":
      return "Connected over REST (WebSockets are blocked here; retrying them)";
    case "connecting":
      return "Connecting…";
    case "reconnecting":
      return `Connection lost, retrying in ${Math.max(1, Math.round(change.retryInMs / 1000))} s…`;
    default:
      return change.code === 4001 ? "Disconnected: this device connected again in another tab" : "Disconnected";
  }
}
