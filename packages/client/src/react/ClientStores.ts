import type { PresenceClient, WatchOptions } from "../index.js";
import { ConnectionStore } from "./ConnectionStore.js";
import { SharedRosters } from "./SharedRosters.js";
import { TypingNotices } from "./TypingNotices.js";
import { UserSubscriptions } from "./UserSubscriptions.js";

/** Everything the hooks read for one client: made when a provider takes the client, disposed when it lets go. */
export class ClientStores {
  readonly connection: ConnectionStore;
  readonly users: UserSubscriptions;
  readonly typing: TypingNotices;
  readonly rosters: SharedRosters;

  constructor(
    readonly client: PresenceClient,
    watchOptions: WatchOptions | undefined,
  ) {
    this.connection = new ConnectionStore(client);
    this.users = new UserSubscriptions(client);
    this.typing = new TypingNotices(client);
    this.rosters = new SharedRosters(watchOptions);
  }

  /**
   * Stops listening to the client and ends the typing timers. The client is the caller's; each roster
   * watch closes when its last reader unmounts, with the provider at the latest.
   */
  dispose(): void {
    this.connection.dispose();
    this.users.dispose();
    this.typing.dispose();
  }
}
