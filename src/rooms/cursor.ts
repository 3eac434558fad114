import { z } from "zod";

/** Where a members page ends: the last member's `lastActive` and user id (pages are newest first). */
export interface MembersCursor {
  lastActive: number;
  user: string;
}

const CursorTuple = z.tuple([z.number().int(), z.string().min(1).max(128)]);

export function encodeCursor(cursor: MembersCursor): string {
  return btoa(JSON.stringify([cursor.lastActive, cursor.user])).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Null for a cursor this service did not make. */
export function decodeCursor(text: string): MembersCursor | null {
  try {
    const [lastActive, user] = CursorTuple.parse(JSON.parse(atob(text.replace(/-/g, "+").replace(/_/g, "/"))));
    return { lastActive, user };
  } catch {
    return null;
  }
}
