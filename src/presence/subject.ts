import { DEFAULT_PRIVACY, readableScopes, sightOf, type GlobalVisibility, type Subject, type Viewer } from "../visibility/rule";
import { scopesNow } from "./deviceScopes";
import type { UserRecord } from "./record";
import type { Relations } from "./relations";
import { scopesOf } from "./roomSync";

/**
 * The user as the visibility rule needs them, from their record and relations: their privacy, and
 * their scopes (their connected devices' tokens', and their last connection's while offline).
 */
export function subjectOf(user: string, record: UserRecord | null, relations: Pick<Relations, "has">): Subject {
  const connected = record ? scopesNow(record.deviceScopes) : [];
  const scopes = connected.length > 0 || record === null ? connected : scopesOf(record.identity);
  return {
    user,
    privacy: record?.privacy ?? DEFAULT_PRIVACY,
    scopes,
    sharesWith: (viewer) => relations.has("contacts", viewer),
    hasBlocked: (viewer) => relations.has("blocks", viewer),
  };
}

/** The user as a viewer: the scopes their device's token names (any device's, when `device` is null) that they may read. */
export function asViewer(subject: Subject, record: UserRecord | null, device: string | null, global: GlobalVisibility): Viewer & { kind: "user" } {
  const entry = record?.deviceScopes.find((scopes) => scopes.device === device);
  return { kind: "user", user: subject.user, scopes: readableScopes(entry?.scopes ?? subject.scopes, global) };
}

/**
 * What a focusing user's object tells their partner's, so the partner's object can ask the rule both
 * ways: may the focusing user see the partner, and may the partner see them.
 */
export interface FocusPass {
  /** The focusing user as a viewer (their focusing device's scopes). */
  viewer: Viewer & { kind: "user" };
  /** The focusing user as a subject, as far as the partner is concerned. */
  subject: Omit<Subject, "sharesWith" | "hasBlocked"> & { sharesWithPartner: boolean; blockedPartner: boolean };
}

export function focusPass(subject: Subject, viewer: Viewer & { kind: "user" }, partner: string): FocusPass {
  const { user, privacy, scopes } = subject;
  return { viewer, subject: { user, privacy, scopes, sharesWithPartner: subject.sharesWith(partner), blockedPartner: subject.hasBlocked(partner) } };
}

/** The focusing user as a subject again, on the partner's side. */
export function passedSubject(pass: FocusPass, partner: string): Subject {
  const { sharesWithPartner, blockedPartner, ...subject } = pass.subject;
  return { ...subject, sharesWith: (user) => user === partner && sharesWithPartner, hasBlocked: (user) => user === partner && blockedPartner };
}

/** Whether a focus may be taken: the focusing user may see this user, and this user may see them. */
export function mayFocus(subject: Subject, record: UserRecord, pass: FocusPass, global: GlobalVisibility): boolean {
  const self = asViewer(subject, record, null, global);
  return sightOf(subject, pass.viewer) !== "none" && sightOf(passedSubject(pass, subject.user), self) !== "none";
}
