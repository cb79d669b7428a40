// A space's tile effects as the client holds them: always complete (every list present),
// and asked by tile. Pure: no DOM, no three.js.

import type { AreaBody, EffectsBody, Point } from "../generated/wire";

export function emptyEffects(): EffectsBody {
  return { impassable: [], spawns: [], portals: [], areas: [], spotlights: [], quiet: [] };
}

/** Fills in the lists a server or a map left out (each may be omitted on the wire). */
export function completeEffects(effects: Partial<EffectsBody> | null | undefined): EffectsBody {
  return { ...emptyEffects(), ...(effects ?? {}) };
}

export function sameTile(a: Point, b: Point): boolean {
  return a.x === b.x && a.y === b.y;
}

export function areaContains(area: AreaBody, p: Point): boolean {
  return p.x >= area.x && p.y >= area.y && p.x < area.x + area.width && p.y < area.y + area.height;
}

/** The private area that tile `p` lies in, if any (areas do not overlap). */
export function areaAt(effects: EffectsBody, p: Point): AreaBody | null {
  return effects.areas.find((area) => areaContains(area, p)) ?? null;
}

/** How many tiles carry any effect, for the test hook and the editor's summary. */
export function effectCount(effects: EffectsBody): number {
  return (
    effects.impassable.length +
    effects.spawns.length +
    effects.portals.length +
    effects.areas.length +
    effects.spotlights.length +
    effects.quiet.length
  );
}
