import { STATUS_LABELS, devicesSummary } from "./labels.js";

/** The "You" card: the user's own status, devices and chats, as their devices are told. */
export function createSelfView(document, { name, device }) {
  const $ = (id) => document.getElementById(id);
  $("me-name").textContent = name;
  const focusedByList = $("focused-by");

  return {
    presence(presence) {
      $("me-dot").dataset.status = presence.status;
      $("me-status").textContent = STATUS_LABELS[presence.status];
      $("me-text").textContent = presence.text ? `“${presence.text}”` : "";
      const where = devicesSummary(presence.devices, device);
      const prefix = presence.status === "invisible" ? "Hidden from others, connected on" : presence.status === "offline" ? "Offline" : `${STATUS_LABELS[presence.status]} on`;
      $("me-devices").textContent = where ? `${prefix} ${where}` : prefix;
      const textInput = $("status-form").elements.text;
      if (document.activeElement !== textInput) textInput.value = presence.text ?? "";
    },

    chatPartner(partnerName) {
      $("me-chat").hidden = partnerName === null;
      $("me-chat").textContent = partnerName === null ? "" : `You are chatting with ${partnerName}.`;
    },

    focusedBy(users, nameOf) {
      focusedByList.replaceChildren(
        ...users.map((user) => {
          const item = document.createElement("li");
          item.dataset.user = user;
          item.textContent = `${nameOf(user)} is chatting with you`;
          return item;
        }),
      );
      $("focused-by-none").hidden = users.length > 0;
    },
  };
}
