// Who is knocking on a locked private area we stand in, oldest first. Pure: the world
// fills it from `knock` frames and empties it as knockers come in, go, or are let in.

export interface Knock {
  userId: string;
  area: string;
}

export class KnockQueue {
  private items: Knock[] = [];

  get list(): Knock[] {
    return this.items.map((k) => ({ ...k }));
  }

  get size(): number {
    return this.items.length;
  }

  has(userId: string): boolean {
    return this.items.some((k) => k.userId === userId);
  }

  /** A knock again from the same person keeps their place; only the area is updated. */
  add(knock: Knock) {
    const known = this.items.find((k) => k.userId === knock.userId);
    if (known) known.area = knock.area;
    else this.items.push({ ...knock });
  }

  /** Forgets `userId`'s knock; false when there was none. */
  drop(userId: string): boolean {
    return this.keepOnly((k) => k.userId !== userId);
  }

  /** Keeps the knocks `keep` says yes to; false when none was dropped. */
  keepOnly(keep: (knock: Knock) => boolean): boolean {
    const before = this.items.length;
    this.items = this.items.filter(keep);
    return this.items.length !== before;
  }

  clear() {
    this.items = [];
  }
}
