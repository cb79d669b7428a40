// One dialog over the arena at a time: a question with a confirm button (go through a
// portal?), an optional field (the space's password), or a notice with no way back in.

import { h } from "../dom";

export interface ModalOptions {
  title: string;
  text: string;
  /** A field to fill in before confirming; its value is passed to `onConfirm`. */
  field?: { label: string; type: "password" | "text" };
  confirm?: string;
  cancel?: string;
  /** Shown under the text, for a link away (a notice has no buttons). */
  extra?: Node;
  onConfirm?: (value: string) => void;
  onCancel?: () => void;
}

export class Modal {
  readonly el: HTMLElement;
  private readonly title = h("h2", {});
  private readonly text = h("p", {});
  private readonly body = h("form", { class: "modal card", role: "dialog", "aria-modal": "true" });
  private current: ModalOptions | null = null;
  private input: HTMLInputElement | null = null;

  constructor(testId: string) {
    this.el = h("div", { class: "modal-backdrop", hidden: true, "data-testid": testId }, this.body);
    this.body.addEventListener("submit", (event) => {
      event.preventDefault();
      this.confirm();
    });
    // Keys typed here are for the dialog, not for walking.
    this.body.addEventListener("keydown", (event) => event.stopPropagation());
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  /** What the dialog shows now, if open: its title. */
  get showing(): string | null {
    return this.isOpen ? (this.current?.title ?? null) : null;
  }

  open(options: ModalOptions) {
    this.current = options;
    this.title.textContent = options.title;
    this.text.textContent = options.text;
    this.input = options.field ? h("input", { type: options.field.type, required: true, autocomplete: "off" }) : null;
    const buttons = h(
      "div",
      { class: "row modal-buttons" },
      options.confirm
        ? h("button", { type: "submit", class: "primary", "data-testid": "modal-confirm" }, options.confirm)
        : null,
      options.cancel
        ? h(
            "button",
            { type: "button", class: "link", "data-testid": "modal-cancel", onclick: () => this.cancel() },
            options.cancel,
          )
        : null,
    );
    const parts: Node[] = [this.title, this.text];
    if (this.input && options.field) parts.push(h("label", {}, options.field.label, this.input));
    if (options.extra) parts.push(options.extra);
    this.body.replaceChildren(...parts, buttons);
    this.el.hidden = false;
    (this.input ?? this.body.querySelector("button"))?.focus();
  }

  confirm() {
    const options = this.current;
    if (!options || !this.isOpen || !options.confirm) return;
    const value = this.input?.value ?? "";
    if (this.input && !value) return;
    this.close();
    options.onConfirm?.(value);
  }

  cancel() {
    const options = this.current;
    this.close();
    options?.onCancel?.();
  }

  close() {
    this.el.hidden = true;
    this.current = null;
  }
}
