import { PresenceClient, trackActivity, watch } from "./sdk/presence-client.js";
import { createAnnouncer } from "./js/announcer.js";
import { ChatView } from "./js/chatView.js";
import { ContactsView } from "./js/contactsView.js";
import { Conversations } from "./js/conversations.js";
import { CountView } from "./js/countView.js";
import { connectionLabel, displayName } from "./js/labels.js";
import { poll } from "./js/poll.js";
import { createPrivacyView } from "./js/privacyView.js";
import { Relations } from "./js/relations.js";
import { getJson } from "./js/rest.js";
import { ScopeView } from "./js/scopeView.js";
import { createSelfView } from "./js/selfView.js";
import { createStatusAnnouncer } from "./js/statusAnnouncer.js";
import { SignInError, claimsOf, isExpired, mintDevToken, rosterScopesOf, tokenProvider } from "./js/token.js";

/**
 * The dashboard: sign in, then one device socket for the user (which also follows their contacts and
 * carries their messages), one live roster for each of the token's org and zone, and the count of
 * `global` (users may count everyone, never list them, while GLOBAL_VISIBILITY is `counts`); each of
 * these cards charts its scope's last 24 hours.
 */

/** How often the count of everyone is read, and how soon after something moved. */
const COUNT_EVERY_MS = 5_000;
const COUNT_SOON_MS = 400;
/** Each card's chart: 5-minute points, read every minute, and soon after the card's counts change but at most once per 10 s. */
const HISTORY_STEP_S = 300;
const HISTORY_EVERY_MS = 60_000;
const HISTORY_SPACING_MS = 10_000;

const $ = (id) => document.getElementById(id);
const announce = createAnnouncer($("announcer"));
const STORED = "edge-presence.sign-in";
let session = null;

function showError(message) {
  $("sign-in-error").textContent = message;
  $("sign-in-error").hidden = !message;
}

function setConnection(change) {
  $("connection").dataset.state = change.state;
  $("connection").textContent = connectionLabel(change);
}

function signIn(token, mintRequest = null) {
  const claims = claimsOf(token);
  if (isExpired(claims) && !mintRequest) throw new SignInError("expired_token", "That token has expired. Paste a fresh one.");
  sessionStorage.setItem(STORED, JSON.stringify({ token, mintRequest }));
  session = startSession(token, mintRequest, claims);
  $("sign-in").hidden = true;
  $("dashboard").hidden = false;
  showError("");
  $("me-title").focus?.();
}

function signOut(message = "") {
  session?.stop();
  session = null;
  sessionStorage.removeItem(STORED);
  $("scopes").replaceChildren();
  $("dashboard").hidden = true;
  $("sign-in").hidden = false;
  setConnection({ state: "closed" });
  $("connection").textContent = "Signed out";
  showError(message);
}

function startSession(token, mintRequest, claims) {
  const provider = tokenProvider(token, mintRequest, () => queueMicrotask(() => signOut("Your token expired. Paste a fresh one.")));
  const mobile = navigator.userAgentData?.mobile === true || /Mobi|Android|iPhone|iPad/i.test(navigator.userAgent);
  const client = new PresenceClient({ token: provider, deviceType: mobile ? "mobile" : "web" });
  const stopActivity = trackActivity(client);
  const names = new Map([[claims.sub, claims.name ?? claims.sub]]);
  const nameOf = (user) => names.get(user) ?? user;
  const self = createSelfView(document, { name: nameOf(claims.sub), device: client.device });
  const say = createStatusAnnouncer(announce, nameOf);
  let partner = null;
  let stopped = false;

  const views = [];
  const watches = [];
  /** A user as the rosters and the user's subscription show them together. */
  const statusOf = (user) => watches.map((roster) => roster.member(user)?.status).find(Boolean) ?? client.presenceOf(user)?.status ?? "offline";

  const conversations = new Conversations();
  const showChat = () => {
    self.chatPartner(partner === null ? null : nameOf(partner));
    self.focusedBy([...client.focusedBy], nameOf);
    for (const view of views) view.setChat(partner, client.focusedBy);
  };
  const showUnread = () => {
    for (const view of views) view.showUnread();
  };
  /** The user sees the conversation: its unread messages are read (their senders get a receipt). */
  const readConversation = (user) => {
    const ids = conversations.readAll(user);
    if (ids.length > 0) client.markRead(ids);
    showUnread();
  };
  /** The Chat button: focus on the person (they see "chatting with you") and open the conversation, or end it. */
  const onChat = (user) => {
    if (partner === user) {
      partner = null;
      client.blur();
      chat.close();
    } else {
      partner = user;
      client.focus(user);
      readConversation(user);
      chat.open(user, nameOf(user), conversations.entriesOf(user), conversations.typingOf(user));
    }
    showChat();
  };
  const sendMessage = async (to, text) => {
    const entry = conversations.outgoing(to, { text });
    chat.append(entry);
    try {
      conversations.sent(entry, await client.send(to, { text }));
    } catch (error) {
      conversations.failed(entry, error);
    }
    if (!stopped) chat.update(entry);
  };
  const chat = new ChatView(document, {
    onSend: (text) => sendMessage(partner, text),
    onTyping: () => client.typing(partner),
    onClose: () => {
      const user = partner;
      onChat(user);
      if (!views.some((view) => view.focusChat(user))) $("me-title").focus();
    },
  });

  const relations = new Relations(client, () => showRelations());
  /** A change of contacts or blocks: said when it went through, shown in the Contacts card when refused. */
  const changeRelations = async (action, said = null) => {
    contacts.showError(null);
    try {
      await action();
      if (said && !stopped) announce(said);
    } catch (error) {
      if (!stopped) contacts.showError(error);
    }
  };
  const onToggleBlock = (user) => {
    const blocked = relations.blocks.has(user);
    changeRelations(() => (blocked ? relations.unblock(user) : relations.block(user)), `${blocked ? "Unblocked" : "Blocked"} ${nameOf(user)}`);
  };
  const contacts = new ContactsView(document, {
    onRemove: (user) => changeRelations(() => relations.removeContact(user), `Removed ${nameOf(user)} from your contacts`),
    onToggleBlock,
  });
  const showRelations = () => {
    if (stopped) return;
    contacts.render({
      contacts: relations.contacts,
      blocks: relations.blocks,
      viewOf: (user) => client.presenceOf(user),
      follows: (user) => relations.follows(user),
      nameOf,
    });
    for (const view of views) view.setBlocked(relations.blocks);
  };

  const histories = [];
  /** Reads a scope's history into its card's chart; answers a function to call with every counts the card shows, so a change is charted soon. */
  const followHistory = (scope, chart) => {
    const history = poll(() => client.scopeHistory(scope, { step: HISTORY_STEP_S }), {
      everyMs: HISTORY_EVERY_MS,
      soonMs: COUNT_SOON_MS,
      spacingMs: HISTORY_SPACING_MS,
      show: (answer) => chart.show(answer),
      fail: (error) => chart.failed(error),
    });
    histories.push(history);
    let charted = null;
    return (counts) => {
      const shown = `${counts.online} ${counts.away} ${counts.busy}`;
      if (charted !== null && shown !== charted) history.soon();
      charted = shown;
    };
  };

  const everyone = new CountView(document, $("scopes"), "global");
  const everyoneCounted = followHistory("global", everyone.history);
  const globalCount = poll(() => getJson("/v1/scopes/global/count", provider), {
    everyMs: COUNT_EVERY_MS,
    soonMs: COUNT_SOON_MS,
    show: (counts) => {
      everyone.render(counts);
      everyoneCounted(counts);
    },
    fail: (error) => everyone.failed(error),
  });

  for (const scope of rosterScopesOf(claims)) {
    const roster = watch(scope, { token: provider });
    const view = new ScopeView(document, $("scopes"), scope, { self: claims.sub, onChat, onToggleBlock, unreadOf: (user) => conversations.unreadCount(user) });
    views.push(view);
    watches.push(roster);
    const counted = followHistory(scope, view.history);
    const render = () => {
      view.render(roster.members, roster.counts, roster.synced);
      counted(roster.counts);
    };
    roster.on("change", (change) => {
      for (const member of [...change.joins, ...change.updates]) names.set(member.user, displayName(member));
      render();
      showChat();
      showRelations();
      globalCount.soon();
      const joined = new Set(change.resync ? [] : change.joins.map((member) => member.user));
      const moved = [...change.joins, ...change.updates].map((member) => member.user).concat(change.leaves);
      for (const user of moved) if (user !== claims.sub) say(user, statusOf(user), { joined: joined.has(user) });
    });
    roster.on("state", render);
    render();
  }

  const privacy = createPrivacyView(document, {
    onSave: (change) =>
      client.settings.setPrivacy(change).then(
        (settings) => {
          if (stopped) return;
          privacy.show(settings, true);
          globalCount.soon();
        },
        (error) => !stopped && privacy.failed(error, "saved"),
      ),
  });
  client.settings.privacy().then(
    (settings) => !stopped && privacy.show(settings),
    (error) => !stopped && privacy.failed(error, "read"),
  );
  changeRelations(() => relations.load());

  $("contact-form").onsubmit = (event) => {
    event.preventDefault();
    const input = event.target.elements.user;
    const user = input.value.trim();
    changeRelations(async () => {
      await relations.addContact(user);
      input.value = "";
    }, `Added ${nameOf(user)} to your contacts`);
  };

  client.on("presence", (presence) => {
    self.presence(presence);
    globalCount.soon();
  });
  client.on("changed", (view) => {
    showRelations();
    say(view.user, statusOf(view.user));
  });
  client.on("state", setConnection);
  client.on("focus", ({ user, active }) => {
    showChat();
    announce(`${nameOf(user)} ${active ? "opened a chat with you" : "closed the chat with you"}`);
  });
  client.on("error", ({ code, message }) => announce(`The server refused a change: ${message} (${code})`));
  client.on("message", (message) => {
    const entry = conversations.incoming(message);
    if (chat.shows(message.from)) {
      readConversation(message.from);
      chat.append(entry);
      chat.showTyping(null);
      return;
    }
    // Kept by the service until the user opens the conversation, so the sender learns when it is read.
    if (entry.unread) client.keepUntilRead(message.id);
    showUnread();
    announce(`New message from ${nameOf(message.from)}`);
  });
  client.on("receipt", (receipt) => {
    const entry = conversations.receipt(receipt);
    if (entry) chat.update(entry);
  });
  client.on("typing", ({ user, until }) => {
    conversations.typing(user, until);
    if (chat.shows(user)) chat.showTyping(until);
  });
  setConnection({ state: client.state });
  showChat();
  showRelations();

  $("status-form").onsubmit = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    client.setStatus(form.get("status"), form.get("text").trim());
  };

  return {
    stop() {
      stopped = true;
      stopActivity();
      chat.close();
      client.close();
      globalCount.stop();
      for (const history of histories) history.stop();
      for (const roster of watches) roster.close();
    },
  };
}

async function withErrors(form, action) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await action();
  } catch (error) {
    showError(error instanceof SignInError ? error.message : `Something went wrong: ${error.message}`);
    if (error instanceof SignInError && error.code === "dev_tokens_disabled") {
      $("mint-fields").disabled = true;
      $("token-input").focus();
    }
  } finally {
    button.disabled = false;
  }
}

$("mint-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const request = { sub: form.get("sub").trim() };
  for (const key of ["name", "org", "zone"]) if (form.get(key).trim()) request[key] = form.get(key).trim();
  withErrors(event.target, async () => signIn(await mintDevToken(request), request));
});

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  withErrors(event.target, async () => signIn(new FormData(event.target).get("token").trim()));
});

$("sign-out").addEventListener("click", () => signOut());

const stored = JSON.parse(sessionStorage.getItem(STORED) ?? "null");
if (stored) {
  try {
    signIn(stored.token, stored.mintRequest);
  } catch (error) {
    signOut(error.message);
  }
}
