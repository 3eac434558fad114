import { PresenceClient, trackActivity, watch } from "./sdk/presence-client.js";
import { createAnnouncer } from "./js/announcer.js";
import { STATUS_LABELS, connectionLabel, displayName } from "./js/labels.js";
import { ScopeView } from "./js/scopeView.js";
import { createSelfView } from "./js/selfView.js";
import { SignInError, claimsOf, isExpired, mintDevToken, scopesOf, tokenProvider } from "./js/token.js";

/** The dashboard: sign in, then one device socket for the user and one live roster per scope. */

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
  let partner = null;

  const views = [];
  const showChat = () => {
    self.chatPartner(partner === null ? null : nameOf(partner));
    self.focusedBy([...client.focusedBy], nameOf);
    for (const view of views) view.setChat(partner, client.focusedBy);
  };
  const onChat = (user) => {
    if (partner === user) {
      partner = null;
      client.blur();
    } else {
      partner = user;
      client.focus(user);
    }
    showChat();
  };

  const watches = scopesOf(claims).map((scope) => {
    const roster = watch(scope, { token: provider });
    const view = new ScopeView(document, $("scopes"), scope, { self: claims.sub, onChat });
    views.push(view);
    const render = () => view.render(roster.members, roster.counts, roster.synced);
    roster.on("change", (change) => {
      for (const member of [...change.joins, ...change.updates]) names.set(member.user, displayName(member));
      render();
      showChat();
      if (change.resync || scope !== "global") return;
      // Said once, from the global roster every user is in, so no change is announced twice.
      for (const member of change.joins) if (member.user !== claims.sub) announce(`${displayName(member)} is ${STATUS_LABELS[member.status].toLowerCase()}`);
      for (const member of change.updates) if (member.user !== claims.sub) announce(`${displayName(member)} is now ${STATUS_LABELS[member.status].toLowerCase()}`);
      for (const user of change.leaves) announce(`${nameOf(user)} went offline`);
    });
    roster.on("state", render);
    render();
    return roster;
  });

  client.on("presence", (presence) => self.presence(presence));
  client.on("state", setConnection);
  client.on("focus", ({ user, active }) => {
    showChat();
    announce(`${nameOf(user)} ${active ? "opened a chat with you" : "closed the chat with you"}`);
  });
  client.on("error", ({ code, message }) => announce(`The server refused a change: ${message} (${code})`));
  setConnection({ state: client.state });
  showChat();

  $("status-form").onsubmit = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    client.setStatus(form.get("status"), form.get("text").trim());
  };

  return {
    stop() {
      stopActivity();
      client.close();
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
