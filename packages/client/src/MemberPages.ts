import type { Member, ScopeId } from "./protocol.js";
import type { Rest, Tagged } from "./Rest.js";

interface MembersPage {
  members: Member[];
  next: string | null;
}

/** The most members one page may carry: the fewest requests per poll. */
const PAGE_SIZE = 200;

/**
 * A scope's members read page by page over REST, each page with `If-None-Match`, so a roster that did
 * not change costs a 304 per page and no body.
 */
export class MemberPages {
  private pages = new Map<string, Tagged<MembersPage>>();

  constructor(
    private readonly rest: Rest,
    private readonly scope: ScopeId,
  ) {}

  /** Every member, or null when no page changed since the last read. */
  async read(): Promise<Member[] | null> {
    const pages = new Map<string, Tagged<MembersPage>>();
    let changed = false;
    let cursor: string | null = "";
    while (cursor !== null) {
      const path: string = `/v1/scopes/${encodeURIComponent(this.scope)}/members?limit=${PAGE_SIZE}${cursor && `&cursor=${encodeURIComponent(cursor)}`}`;
      const held = this.pages.get(path);
      const page: Tagged<MembersPage> = await this.rest.poll(path, held);
      changed ||= page !== held;
      pages.set(path, page);
      cursor = page.body.next;
    }
    changed ||= pages.size !== this.pages.size;
    this.pages = pages;
    return changed ? [...pages.values()].flatMap((page) => page.body.members) : null;
  }

  /** Forgets every page, so the next read answers with the members whatever they are. */
  clear(): void {
    this.pages.clear();
  }
}
