import type { PresenceView } from "../protocol/presence";
import { unknownView } from "../visibility/rule";
import { ROSTER_ACTIVITY_RESOLUTION_MS } from "./roomSync";

/**
 * What each subscriber is told: their view of the user, when it moved from the one they last got.
 * A small move of `lastActive` alone is not news (as in rosters), so typing does not stream to them.
 * What a subscriber was told lives in memory; only whether it was the unknown view is stored, so a
 * subscriber who may not see the user hears nothing from them after a restart either.
 */

export interface SubscriberPush {
  viewer: string;
  view: PresenceView;
}

/** A subscriber, and whether the last view they surely got (the stored one) was the unknown user. */
export interface Follower {
  viewer: string;
  toldUnknown: boolean;
}

/** Whether a subscriber who last got `sent` should get `view`. */
export function isNews(sent: PresenceView | undefined, view: PresenceView): boolean {
  if (sent === undefined) return true;
  const activityMoved =
    (sent.lastActive === null) !== (view.lastActive === null) || Math.abs((view.lastActive ?? 0) - (sent.lastActive ?? 0)) >= ROSTER_ACTIVITY_RESOLUTION_MS;
  const { lastActive: _sentActive, ...sentRest } = sent;
  const { lastActive: _viewActive, ...viewRest } = view;
  return activityMoved || JSON.stringify(sentRest) !== JSON.stringify(viewRest);
}

/** Whether `view` is what anyone sees of a user who does not exist (or whom they may not see). */
export function isUnknown(view: PresenceView): boolean {
  const unknown = unknownView(view.user);
  return view.status === unknown.status && view.text === unknown.text && view.lastActive === unknown.lastActive && view.lastSeen === unknown.lastSeen && view.devices.length === 0;
}

/**
 * What a follower last got: the view sent while the object lived, else (after a restart or a failed
 * push) the unknown view when that is what they surely got, else nothing known (anything is news).
 */
function lastTold(follower: Follower, sent: PresenceView | undefined, user: string): PresenceView | undefined {
  return sent ?? (follower.toldUnknown ? unknownView(user) : undefined);
}

/** The pushes due: each follower whose view is news to them. */
export function subscriberPushes(followers: readonly Follower[], sent: ReadonlyMap<string, PresenceView>, viewOf: (viewer: string) => PresenceView): SubscriberPush[] {
  return followers.flatMap((follower) => {
    const view = viewOf(follower.viewer);
    return isNews(lastTold(follower, sent.get(follower.viewer), view.user), view) ? [{ viewer: follower.viewer, view }] : [];
  });
}
