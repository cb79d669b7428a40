// Who is here, in the HUD: avatar, name and status of each person, and for the space's
// owner and moderators the buttons to mute, kick or ban someone.

import { api } from "../api";
import { h } from "../dom";
import type { Person } from "./labels";
import { statusDot } from "./labels";
import { statusLine, type PersonStatus } from "./status";

export interface PeoplePanelOptions {
  spaceId: string;
  /** Says how a moderation request went (or why it failed). */
  report: (text: string) => void;
}

type Action = "mute" | "kick" | "ban";

const ACTIONS: { action: Action; label: string; done: (name: string) => string }[] = [
  { action: "mute", label: "Mute", done: (name) => `${name}'s microphone and camera were turned off.` },
  { action: "kick", label: "Kick", done: (name) => `${name} was sent out of the space.` },
  { action: "ban", label: "Ban", done: (name) => `${name} was banned from the space.` },
];

export class PeoplePanel {
  readonly el = h("ul", { class: "people", "data-testid": "people" });
  /** Whether to offer mute, kick and ban; from `yourRole`. */
  moderator = false;
  private readonly rows = new Map<string, { key: string; el: HTMLElement }>();

  constructor(private readonly options: PeoplePanelOptions) {}

  /**
   * Shows `ids` in order. A row is rebuilt only when what it shows changed, and the list
   * only when who is in it did: it is called on every frame that changes anything, and a
   * button replaced between press and release would swallow the click.
   */
  render(ids: string[], myId: string | null, people: Map<string, Person>, statuses: Map<string, PersonStatus>) {
    const rows = ids.map((id) => {
      const person = people.get(id);
      const status = statuses.get(id);
      const key = JSON.stringify([person?.name, person?.imageUrl, status, id === myId, this.moderator]);
      let row = this.rows.get(id);
      if (!row || row.key !== key) {
        row = { key, el: this.row(id, myId, person, status) };
        this.rows.set(id, row);
      }
      return row.el;
    });
    for (const id of this.rows.keys()) if (!ids.includes(id)) this.rows.delete(id);
    const same = rows.length === this.el.children.length && rows.every((el, i) => this.el.children[i] === el);
    if (!same) this.el.replaceChildren(...rows);
  }

  private row(id: string, myId: string | null, person: Person | undefined, status: PersonStatus | undefined) {
    const name = person?.name ?? "…";
    const line = statusLine(status);
    return h(
      "li",
      { "data-user": id },
      person?.imageUrl ? h("img", { src: person.imageUrl, alt: "" }) : h("span", { class: "dot" }),
      h(
        "span",
        { class: "who" },
        h("span", {}, status ? statusDot(status) : null, name + (id === myId ? " (you)" : "")),
        line ? h("span", { class: "status-line", "data-testid": "person-status" }, line) : null,
      ),
      this.moderator && id !== myId ? this.actions(id, name) : null,
    );
  }

  private actions(userId: string, name: string): HTMLElement {
    return h(
      "span",
      { class: "moderation" },
      ...ACTIONS.map(({ action, label, done }) =>
        h(
          "button",
          {
            class: `link${action === "mute" ? "" : " danger"}`,
            "data-action": action,
            title: `${label} ${name}`,
            onclick: () => void this.act(action, userId, name, done),
          },
          label,
        ),
      ),
    );
  }

  private async act(action: Action, userId: string, name: string, done: (name: string) => string) {
    if (action === "ban" && !window.confirm(`Ban ${name}? They cannot come back until unbanned.`)) return;
    try {
      await api[action](this.options.spaceId, userId);
      this.options.report(done(name));
    } catch (e) {
      this.options.report(e instanceof Error ? e.message : String(e));
    }
  }
}
