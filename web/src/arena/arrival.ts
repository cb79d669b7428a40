// Where in a space to arrive: `/space/<id>#<spawn>` names a spawn tile, and a portal to
// another space leads to such a link. Pure.

/** The spawn tile a location hash names ("#hall" → "hall"), or undefined for none. */
export function spawnFromHash(hash: string): string | undefined {
  const raw = hash.startsWith("#") ? hash.slice(1) : hash;
  if (!raw) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    name = raw;
  }
  return name.trim() || undefined;
}

/** The route of a space, at spawn tile `spawn` when given. */
export function spaceLink(spaceId: string, spawn?: string): string {
  const path = `/space/${encodeURIComponent(spaceId)}`;
  return spawn ? `${path}#${encodeURIComponent(spawn)}` : path;
}
