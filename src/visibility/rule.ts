import type { PresenceView } from "../protocol/presence";
import type { Audience, Privacy } from "../protocol/rest";

/**
 * Who may see whom: the one rule every read path asks (REST reads, subscriptions, focus, rosters).
 * Pure: the subject's object supplies what it holds (privacy, contacts, blocks, scopes), the
 * viewer's side what its token says.
 */

export const DEFAULT_PRIVACY: Privacy = { visibility: "everyone", lastSeen: "everyone" };

/** Whether users may read the `global` roster (`everyone`), or only its counts (`counts`). */
export type GlobalVisibility = "counts" | "everyone";

/** Who looks: an application's backend, or a user with the scopes their token lets them read. */
export type Viewer = { kind: "service" } | { kind: "user"; user: string; scopes: readonly string[] };

/** What the subject's object knows that decides who sees them. */
export interface Subject {
  user: string;
  privacy: Privacy;
  /** The scopes of the subject's connected devices' tokens, or of their last connection. */
  scopes: readonly string[];
  /** Whether the subject shares with `user` (made them a contact). */
  sharesWith(user: string): boolean;
  hasBlocked(user: string): boolean;
}

/**
 * How much of the subject a viewer sees: `self` (invisible included), `full`, `status` (no
 * `lastActive` or `lastSeen`), or `none` (an unknown user).
 */
export type Sight = "self" | "full" | "status" | "none";

function allows(audience: Audience, contact: boolean): boolean {
  return audience === "everyone" || (audience === "contacts" && contact);
}

export function sightOf(subject: Subject, viewer: Viewer): Sight {
  if (viewer.kind === "service") return "full";
  if (viewer.user === subject.user) return "self";
  if (subject.hasBlocked(viewer.user) || subject.privacy.visibility === "nobody") return "none";
  const contact = subject.sharesWith(viewer.user);
  const sharesScope = subject.scopes.some((scope) => viewer.scopes.includes(scope));
  if (!contact && !(subject.privacy.visibility === "everyone" && sharesScope)) return "none";
  return allows(subject.privacy.lastSeen, contact) ? "full" : "status";
}

/** A user who never connected, and what anyone sees of a user they may not see: no way to tell the two apart. */
export function unknownView(user: string): PresenceView {
  return { user, status: "offline", text: null, lastActive: null, lastSeen: null, devices: [] };
}

/** The subject's presence as a viewer with `sight` sees it, from what they see themself and what others see. */
export function viewFor(sight: Sight, own: PresenceView, others: PresenceView): PresenceView {
  switch (sight) {
    case "self":
      return own;
    case "full":
      return others;
    case "status":
      return { ...others, lastActive: null, lastSeen: null };
    case "none":
      return unknownView(own.user);
  }
}

/** Of the scopes a user's token puts them in, those they may read: all but `global`, unless every user may read it. */
export function readableScopes(scopes: readonly string[], global: GlobalVisibility): string[] {
  return scopes.filter((scope) => scope !== "global" || global === "everyone");
}

/** Whether a roster may show the user's `lastActive` to every watcher (only when anyone may see it). */
export function rosterShowsActivity(privacy: Privacy): boolean {
  return privacy.lastSeen === "everyone";
}

/** Whether the user appears in scope rosters, diffs and counts at all. */
export function inRosters(privacy: Privacy): boolean {
  return privacy.visibility === "everyone";
}
