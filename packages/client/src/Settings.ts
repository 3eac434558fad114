import { MAX_RELATION_CHANGE, type Privacy, type PrivacyChange, type Relations, type RelationsChange } from "./protocol.js";
import { Rest, type RestOptions } from "./Rest.js";

export type { PrivacyChange, Relations, RelationsChange };

/** Where the service is and as whom `Settings` asks it: the REST part of a client's options. */
export type SettingsOptions = RestOptions;

/**
 * The signed-in user's privacy, contacts and blocked users, read and changed over REST with the
 * client's token. Nothing is kept: every call is one request (or a few, for a large change).
 * A refused request throws a `RestError`.
 */
export class Settings {
  readonly #rest: Rest;

  /** Reads and changes the settings of the user `options.token` signs in (a `PresenceClient` has one as `settings`). */
  constructor(options: SettingsOptions) {
    this.#rest = new Rest(options);
  }

  /** Who may see the user (`visibility`) and who may see when they were last active (`lastSeen`). */
  privacy(): Promise<Privacy> {
    return this.#rest.request("GET", "/v1/privacy/me");
  }

  /** Changes the settings given, keeps the others; resolves to all of them. */
  setPrivacy(change: PrivacyChange): Promise<Privacy> {
    return this.#rest.request("PUT", "/v1/privacy/me", change);
  }

  /** The users this user shares with: those a `contacts` setting lets see them. */
  contacts(): Promise<Relations> {
    return this.#rest.request("GET", "/v1/contacts/me");
  }

  /** Resolves to the contacts after the whole change. */
  changeContacts(change: RelationsChange): Promise<Relations> {
    return this.#changeRelations("/v1/contacts/me", change);
  }

  /** The users who see this user as an unknown user, whatever the privacy settings say. */
  blocks(): Promise<Relations> {
    return this.#rest.request("GET", "/v1/blocks/me");
  }

  /** Resolves to the blocked users after the whole change. */
  changeBlocks(change: RelationsChange): Promise<Relations> {
    return this.#changeRelations("/v1/blocks/me", change);
  }

  /** One request per MAX_RELATION_CHANGE users added and removed; the requests that went out before a refused one stay applied. */
  async #changeRelations(path: string, change: RelationsChange): Promise<Relations> {
    const add = change.add ?? [];
    const remove = change.remove ?? [];
    for (let start = 0; ; start += MAX_RELATION_CHANGE) {
      const end = start + MAX_RELATION_CHANGE;
      const relations = await this.#rest.request<Relations>("PUT", path, { add: add.slice(start, end), remove: remove.slice(start, end) });
      if (end >= Math.max(add.length, remove.length)) return relations;
    }
  }
}
