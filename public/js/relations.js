/**
 * The user's contacts and blocked users as the service last answered, with every contact followed by
 * the device's subscription so their dot is live. A change goes to the service first and what it
 * answers is what is kept; changes run one after another, so answers never arrive out of order.
 */
export class Relations {
  constructor(client, onChange) {
    this.client = client;
    this.onChange = onChange;
    this.contacts = new Set();
    this.blocks = new Set();
    this.queue = Promise.resolve();
  }

  load() {
    return this.run(async (settings) => {
      const [contacts, blocks] = await Promise.all([settings.contacts(), settings.blocks()]);
      this.keepContacts(contacts.users);
      this.blocks = new Set(blocks.users);
    });
  }

  addContact(user) {
    return this.run(async (settings) => this.keepContacts((await settings.changeContacts({ add: [user] })).users));
  }

  removeContact(user) {
    return this.run(async (settings) => this.keepContacts((await settings.changeContacts({ remove: [user] })).users));
  }

  block(user) {
    return this.run(async (settings) => {
      this.blocks = new Set((await settings.changeBlocks({ add: [user] })).users);
    });
  }

  unblock(user) {
    return this.run(async (settings) => {
      this.blocks = new Set((await settings.changeBlocks({ remove: [user] })).users);
    });
  }

  /** Whether the device follows this contact (it may follow at most 500 users). */
  follows(user) {
    return this.client.subscriptions.has(user);
  }

  run(change) {
    const done = this.queue.then(async () => {
      await change(this.client.settings);
      this.onChange();
    });
    this.queue = done.catch(() => {});
    return done;
  }

  /** Follows exactly the contacts (as many as a device may follow), so a removed one stops streaming. */
  keepContacts(users) {
    const contacts = new Set(users);
    this.client.unsubscribe([...this.client.subscriptions].filter((user) => !contacts.has(user)));
    for (const user of contacts) {
      try {
        this.client.subscribe([user]);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        break;
      }
    }
    this.contacts = contacts;
  }
}
