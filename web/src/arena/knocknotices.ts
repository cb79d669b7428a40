// "<name> knocks on <area>" in the HUD, one line per waiting knock, each with a button
// that lets them in. Never in the way: it sits above the people list and is gone when
// nobody knocks.

import { h } from "../dom";
import type { Knock } from "./knocks";

export class KnockNotices {
  readonly el = h("ul", { class: "knocks", "data-testid": "knocks", hidden: true });
  /** What each row shows, so a row stays put while nothing it shows changes. */
  private readonly rows = new Map<string, { key: string; el: HTMLElement }>();

  constructor(
    /** Sends `admit` for this person. */
    private readonly admit: (userId: string) => void,
  ) {}

  /**
   * Shows `knocks` in order. Called on every frame that changes anything, so a row is
   * rebuilt only when its text changed: a button replaced between press and release
   * would swallow the click.
   */
  render(knocks: Knock[], nameOf: (userId: string) => string) {
    const rows = knocks.map((knock) => {
      const name = nameOf(knock.userId);
      const key = JSON.stringify([name, knock.area]);
      let row = this.rows.get(knock.userId);
      if (!row || row.key !== key) {
        row = { key, el: this.row(knock, name) };
        this.rows.set(knock.userId, row);
      }
      return row.el;
    });
    for (const id of this.rows.keys()) if (!knocks.some((k) => k.userId === id)) this.rows.delete(id);
    const same = rows.length === this.el.children.length && rows.every((el, i) => this.el.children[i] === el);
    if (!same) this.el.replaceChildren(...rows);
    this.el.hidden = rows.length === 0;
  }

  private row(knock: Knock, name: string): HTMLElement {
    return h(
      "li",
      { "data-user": knock.userId },
      h("span", {}, `${name} knocks on ${knock.area}`),
      h(
        "button",
        { class: "primary", "data-testid": "knock-admit", onclick: () => this.admit(knock.userId) },
        "Let in",
      ),
    );
  }
}
