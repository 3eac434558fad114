import * as z from "zod";
import { UserId } from "../protocol/ids";

/**
 * Where a members page ends: the last member's id (pages are newest activity first). It names no
 * time, so a member whose activity is hidden is not given away by a cursor.
 */
export interface MembersCursor {
  user: string;
}

const CursorTuple = z.tuple([UserId]);

export function encodeCursor(cursor: MembersCursor): string {
  return btoa(JSON.stringify([cursor.user])).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Null for a cursor this service did not make. */
export function decodeCursor(text: string): MembersCursor | null {
  try {
    const [user] = CursorTuple.parse(JSON.parse(atob(text.replace(/-/g, "+").replace(/_/g, "/"))));
    return { user };
  } catch {
    return null;
  }
}
