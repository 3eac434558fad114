import type { PresenceView } from "../protocol/presence";
import { ROSTER_ACTIVITY_RESOLUTION_MS } from "./roomSync";

/**
 * What each subscriber is told: their view of the user, when it moved from the one they last got.
 * A small move of `lastActive` alone is not news (as in rosters), so typing does not stream to them.
 */

export interface SubscriberPush {
  viewer: string;
  view: PresenceView;
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

/** The pushes due: each subscriber whose view is news to them. */
export function subscriberPushes(viewers: readonly string[], sent: ReadonlyMap<string, PresenceView>, viewOf: (viewer: string) => PresenceView): SubscriberPush[] {
  return viewers.flatMap((viewer) => {
    const view = viewOf(viewer);
    return isNews(sent.get(viewer), view) ? [{ viewer, view }] : [];
  });
}
