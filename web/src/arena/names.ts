// Names and avatar images of the people in a space, fetched in batches as they appear.

import { api } from "../api";
import type { Person } from "./labels";

export class NameLookup {
  private pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly roster: Map<string, Person>,
    private readonly changed: () => void,
  ) {}

  want(ids: string[]) {
    for (const id of ids) this.pending.add(id);
    this.timer ??= setTimeout(() => void this.flush(), 50);
  }

  private async flush() {
    this.timer = null;
    const ids = [...this.pending].slice(0, 100);
    ids.forEach((id) => this.pending.delete(id));
    if (this.pending.size > 0) this.want([]);
    try {
      for (const card of await api.users(ids)) {
        const known = this.roster.get(card.userId);
        // Keep a speech bubble that is showing.
        this.roster.set(card.userId, { ...known, name: card.username, imageUrl: card.imageUrl });
      }
      this.changed();
    } catch {
      // Names are a nicety; people still show without them.
    }
  }
}
