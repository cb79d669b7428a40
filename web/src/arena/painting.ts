// Painting effects onto tiles, shared by the arena's build mode and the admin map editor:
// a tool and a tile (or a dragged rectangle) in, a new EffectsBody out. Pure, and never
// changes its input, so an editor keeps the saved effects to go back to.

import type { AreaBody, EffectsBody, Point, PortalBody } from "../generated/wire";
import { areaContains, sameTile } from "./effects";

export type Tool = "impassable" | "spawn" | "spotlight" | "quiet" | "portal" | "area" | "eraser";

export const TOOLS: { tool: Tool; label: string }[] = [
  { tool: "impassable", label: "Wall (impassable)" },
  { tool: "spawn", label: "Spawn tile" },
  { tool: "spotlight", label: "Spotlight" },
  { tool: "quiet", label: "Quiet zone" },
  { tool: "portal", label: "Portal" },
  { tool: "area", label: "Private area (drag)" },
  { tool: "eraser", label: "Eraser" },
];

/** What a tool puts down besides the tile: a spawn's name, a portal's target, an area's rules. */
export interface ToolOptions {
  spawnName?: string;
  portal?: { to: Point } | { spaceId: string; spawn?: string };
  area?: { name: string; locked: boolean; maxOccupancy?: number };
}

/** The tile-by-tile tools; `area` works on rectangles instead. */
export type TileTool = Exclude<Tool, "area">;

/** The plain tile lists, by the tool that paints them. */
const TILE_LISTS = { impassable: "impassable", spotlight: "spotlights", quiet: "quiet" } as const;

/** Whether `tool` already marks tile `p`: a drag that starts there removes, else it adds. */
export function hasEffect(effects: EffectsBody, tool: TileTool, p: Point): boolean {
  switch (tool) {
    case "impassable":
    case "spotlight":
    case "quiet":
      return effects[TILE_LISTS[tool]].some((q) => sameTile(q, p));
    case "spawn":
      return effects.spawns.some((q) => sameTile(q, p));
    case "portal":
      return effects.portals.some((q) => sameTile(q, p));
    case "eraser":
      return true;
  }
}

/**
 * Sets (`on`) or clears tool `tool` on tile `p`. Setting a spawn or portal again replaces
 * its name or target; the eraser clears every effect there, areas covering it included.
 */
export function paintTile(
  effects: EffectsBody,
  tool: TileTool,
  p: Point,
  on: boolean,
  options: ToolOptions = {},
): EffectsBody {
  const at = { x: p.x, y: p.y };
  const without = <T extends Point>(list: T[]) => list.filter((q) => !sameTile(q, p));
  switch (tool) {
    case "impassable":
    case "spotlight":
    case "quiet": {
      const list = TILE_LISTS[tool];
      return { ...effects, [list]: on ? [...without(effects[list]), at] : without(effects[list]) };
    }
    case "spawn": {
      const name = options.spawnName?.trim();
      const spawn = name ? { ...at, name } : at;
      return { ...effects, spawns: on ? [...without(effects.spawns), spawn] : without(effects.spawns) };
    }
    case "portal": {
      if (on && !options.portal) return effects;
      const portal: PortalBody | null = on && options.portal ? { ...at, ...options.portal } : null;
      if (portal && "spawn" in portal && !portal.spawn) delete portal.spawn;
      return { ...effects, portals: portal ? [...without(effects.portals), portal] : without(effects.portals) };
    }
    case "eraser":
      return erase(effects, p);
  }
}

/** A click: toggles the tool on tile `p`. */
export function toggleTile(effects: EffectsBody, tool: TileTool, p: Point, options: ToolOptions = {}): EffectsBody {
  return paintTile(effects, tool, p, tool === "eraser" || !hasEffect(effects, tool, p), options);
}

/** Every effect on tile `p` gone, and any area covering it. */
export function erase(effects: EffectsBody, p: Point): EffectsBody {
  const without = <T extends Point>(list: T[]) => list.filter((q) => !sameTile(q, p));
  return {
    impassable: without(effects.impassable),
    spawns: without(effects.spawns),
    portals: without(effects.portals),
    spotlights: without(effects.spotlights),
    quiet: without(effects.quiet),
    areas: effects.areas.filter((area) => !areaContains(area, p)),
  };
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The rectangle a drag from `a` to `b` covers, both corners included. */
export function rectBetween(a: Point, b: Point): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.abs(a.x - b.x) + 1, height: Math.abs(a.y - b.y) + 1 };
}

export function rectTiles(rect: Rect): Point[] {
  const tiles: Point[] = [];
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) tiles.push({ x, y });
  }
  return tiles;
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * A dragged rectangle: with the area tool, a new private area (replacing any it overlaps,
 * since areas may not overlap); with a tile tool, that tool set (or, for the eraser,
 * cleared) on every tile of it. `on` says which for a tile tool.
 */
export function paintRect(
  effects: EffectsBody,
  tool: Tool,
  rect: Rect,
  on: boolean,
  options: ToolOptions = {},
): EffectsBody {
  if (tool === "area") {
    const rules = options.area ?? { name: "Private area", locked: false };
    const area: AreaBody = { name: rules.name.trim() || "Private area", ...rect, locked: rules.locked };
    if (rules.maxOccupancy !== undefined && rules.maxOccupancy > 0) area.maxOccupancy = rules.maxOccupancy;
    return { ...effects, areas: [...effects.areas.filter((other) => !overlaps(other, rect)), area] };
  }
  return rectTiles(rect).reduce((next, p) => paintTile(next, tool, p, on, options), effects);
}

/**
 * One press-drag-release on the floor or the map grid. The tile pressed first decides
 * whether a tile tool sets or clears along the way; the area tool spans a rectangle from
 * that tile to wherever the pointer is now.
 */
export class PaintStroke {
  private readonly on: boolean;
  private current: EffectsBody;

  private constructor(
    private readonly before: EffectsBody,
    private readonly tool: Tool,
    private readonly options: ToolOptions,
    private readonly start: Point,
  ) {
    this.on = tool === "area" || tool === "eraser" || !hasEffect(before, tool, start);
    this.current = before;
    this.to(start);
  }

  /** A stroke from tile `start`, or null for a portal that leads nowhere yet. */
  static begin(effects: EffectsBody, tool: Tool, options: ToolOptions, start: Point): PaintStroke | null {
    const settingPortal = tool === "portal" && !hasEffect(effects, "portal", start);
    if (settingPortal && !options.portal) return null;
    return new PaintStroke(effects, tool, options, start);
  }

  /** The pointer reached tile `p`: the effects as painted so far. */
  to(p: Point): EffectsBody {
    if (this.tool === "area") {
      this.current = paintRect(this.before, "area", rectBetween(this.start, p), true, this.options);
    } else {
      this.current = paintTile(this.current, this.tool, p, this.on, this.options);
    }
    return this.current;
  }

  get effects(): EffectsBody {
    return this.current;
  }
}
