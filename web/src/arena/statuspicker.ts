// The HUD's status picker: available, busy or do not disturb, with a short text, sent to
// the space as `set-status`.

import { h } from "../dom";
import type { Status, StatusPayload } from "../generated/wire";
import { STATUS_NAMES, STATUS_TEXT_MAX, clampStatusText } from "./status";

export class StatusPicker {
  readonly el: HTMLElement;
  private readonly choice = h("select", { "aria-label": "Your status", "data-testid": "status-select" });
  private readonly text = h("input", {
    maxlength: STATUS_TEXT_MAX,
    placeholder: "What are you up to?",
    "aria-label": "Status text",
    "data-testid": "status-text",
  });

  constructor(send: (status: StatusPayload) => void) {
    for (const [value, name] of Object.entries(STATUS_NAMES)) this.choice.append(h("option", { value }, name));
    const form = h(
      "form",
      { class: "status-picker" },
      this.choice,
      this.text,
      h("button", { type: "submit", class: "link", "data-testid": "status-set" }, "Set"),
    );
    const submit = () => send({ status: this.choice.value as Status, text: clampStatusText(this.text.value) });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    this.choice.addEventListener("change", submit);
    const dnd = h("p", { class: "muted status-hint", hidden: true }, "No nearby chat, voice or video reaches you.");
    this.choice.addEventListener("change", () => (dnd.hidden = this.choice.value !== "do-not-disturb"));
    this.el = h("section", {}, h("h3", {}, "Your status"), form, dnd);
  }
}
