import type { Member, ScopeId } from "./protocol.js";
import type { Rest, Tagged } from "./Rest.js";
import type { RestRounds } from "./RestFallback.js";
import { RestError } from "./RestError.js";
import { pathWithQuery } from "./pathWithQuery.js";

interface MembersPage {
  members: Member[];
  next: string | null;
}

/**
 * A watch's rounds over REST: each reads a scope's members page by page (200 a page, the most the
 * service gives: the fewest requests per poll), each page with
 * `If-None-Match`, so a roster that did not change costs a 304 per page and no body, and hands them
 * to `polled` (null when no page changed since the last round).
 */
export class MemberPages implements RestRounds {
  readonly #rest: Rest;
  /** The scope's members route, without the query. */
  readonly #path: string;
  readonly #polled: (members: Member[] | null) => void;
  #pages = new Map<string, Tagged<MembersPage>>();

  constructor(rest: Rest, scope: ScopeId, polled: (members: Member[] | null) => void) {
    this.#rest = rest;
    this.#path = `/v1/scopes/${encodeURIComponent(scope)}/members`;
    this.#polled = polled;
  }

  /** A first round forgets every page, so it hands over the members whatever they are; none is due sooner than the next poll. */
  async round(first: boolean, answered: () => void): Promise<number> {
    if (first) this.#pages.clear();
    const members = await this.#read();
    answered();
    this.#polled(members);
    return Infinity;
  }

  /** Every member, or null when no page changed since the last read. */
  async #read(): Promise<Member[] | null> {
    const pages = new Map<string, Tagged<MembersPage>>();
    let changed = false;
    let cursor: string | null = "";
    let restarts = 0;
    while (cursor !== null) {
      const path = pathWithQuery(this.#path, { limit: 200, cursor: cursor || undefined });
      const held = this.#pages.get(path);
      let page: Tagged<MembersPage>;
      try {
        page = await this.#rest.poll(path, held);
      } catch (error) {
        // The member a cursor names left between two pages (a 400): read again from the first page, a few times at most.
        if (!(error instanceof RestError) || error.status !== 400 || ++restarts > 3) throw error;
        pages.clear();
        cursor = "";
        continue;
      }
      changed ||= page !== held;
      pages.set(path, page);
      cursor = page.body.next;
    }
    changed ||= pages.size !== this.#pages.size;
    this.#pages = pages;
    return changed ? [...pages.values()].flatMap((page) => page.body.members) : null;
  }
}
