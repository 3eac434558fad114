const WHO_SEES_YOU = { everyone: "everyone in your rosters", contacts: "your contacts only", nobody: "nobody" };
const WHO_SEES_ACTIVITY = { everyone: "everyone who sees you", contacts: "your contacts only", nobody: "nobody" };

/** The Privacy card: who sees the user and who sees when they were last active, saved with one button. */
export function createPrivacyView(document, { onSave }) {
  const $ = (id) => document.getElementById(id);
  const form = $("privacy-form");
  const fields = $("privacy-fields");
  const note = $("privacy-note");
  const alert = $("privacy-error");
  fields.disabled = true;
  note.textContent = "Loading…";
  delete note.dataset.visibility;
  delete note.dataset.lastSeen;
  alert.hidden = true;

  form.onsubmit = (event) => {
    event.preventDefault();
    const data = new FormData(form);
    fields.disabled = true;
    onSave({ visibility: data.get("visibility"), lastSeen: data.get("lastSeen") });
  };

  return {
    /** The settings as the service answered; `saved` when they answer a save. */
    show(privacy, saved = false) {
      form.elements.visibility.value = privacy.visibility;
      form.elements.lastSeen.value = privacy.lastSeen;
      fields.disabled = false;
      alert.hidden = true;
      Object.assign(note.dataset, privacy);
      note.textContent = `${saved ? "Saved. " : ""}You are seen by ${WHO_SEES_YOU[privacy.visibility]}; when you were last active, by ${WHO_SEES_ACTIVITY[privacy.lastSeen]}.`;
    },

    /** `action`: what failed, "read" or "saved". */
    failed(error, action) {
      fields.disabled = false;
      alert.hidden = false;
      alert.textContent = `Your privacy settings could not be ${action}: ${error.message}${error.code ? ` (${error.code})` : ""}`;
    },
  };
}
