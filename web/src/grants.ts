// Grants for password-protected spaces, kept per space in localStorage so the password is
// asked once, not at every visit. The server voids them when they expire or the password
// changes; a refused one is forgotten and the password asked again.

const PREFIX = "gather.grant.";

type KeyValue = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export class GrantStore {
  constructor(private readonly storage: KeyValue = localStorage) {}

  get(spaceId: string): string | undefined {
    return this.storage.getItem(PREFIX + spaceId) ?? undefined;
  }

  save(spaceId: string, grant: string) {
    this.storage.setItem(PREFIX + spaceId, grant);
  }

  forget(spaceId: string) {
    this.storage.removeItem(PREFIX + spaceId);
  }
}
