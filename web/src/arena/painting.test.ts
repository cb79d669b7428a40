import { describe, expect, it } from "vitest";
import { emptyEffects } from "./effects";
import { erase, hasEffect, PaintStroke, paintRect, paintTile, rectBetween, toggleTile } from "./painting";
import type { EffectsBody } from "../generated/wire";

const withWall = (): EffectsBody => ({ ...emptyEffects(), impassable: [{ x: 1, y: 1 }] });

describe("painting effects", () => {
  it("toggles a tile on and off without touching the input", () => {
    const before = emptyEffects();
    const on = toggleTile(before, "impassable", { x: 2, y: 3 });
    expect(on.impassable).toEqual([{ x: 2, y: 3 }]);
    expect(before.impassable).toEqual([]);
    expect(toggleTile(on, "impassable", { x: 2, y: 3 }).impassable).toEqual([]);
    expect(toggleTile(on, "spotlight", { x: 2, y: 3 }).spotlights).toEqual([{ x: 2, y: 3 }]);
  });

  it("names a spawn tile, and replaces the name when painted again", () => {
    const named = paintTile(emptyEffects(), "spawn", { x: 0, y: 0 }, true, { spawnName: " hall " });
    expect(named.spawns).toEqual([{ x: 0, y: 0, name: "hall" }]);
    const renamed = paintTile(named, "spawn", { x: 0, y: 0 }, true, { spawnName: "door" });
    expect(renamed.spawns).toEqual([{ x: 0, y: 0, name: "door" }]);
    expect(paintTile(named, "spawn", { x: 0, y: 0 }, true).spawns).toEqual([{ x: 0, y: 0 }]);
  });

  it("puts down portals to a tile or to a space, and none without a target", () => {
    const toTile = paintTile(emptyEffects(), "portal", { x: 1, y: 0 }, true, { portal: { to: { x: 5, y: 5 } } });
    expect(toTile.portals).toEqual([{ x: 1, y: 0, to: { x: 5, y: 5 } }]);
    const toSpace = paintTile(toTile, "portal", { x: 1, y: 0 }, true, { portal: { spaceId: "s2", spawn: "" } });
    expect(toSpace.portals).toEqual([{ x: 1, y: 0, spaceId: "s2" }]);
    expect(paintTile(emptyEffects(), "portal", { x: 1, y: 0 }, true).portals).toEqual([]);
  });

  it("drags a rectangle into a private area, replacing any it overlaps", () => {
    const rect = rectBetween({ x: 4, y: 3 }, { x: 2, y: 1 });
    expect(rect).toEqual({ x: 2, y: 1, width: 3, height: 3 });
    const first = paintRect(emptyEffects(), "area", rect, true, {
      area: { name: "Booth", locked: true, maxOccupancy: 4 },
    });
    expect(first.areas).toEqual([{ name: "Booth", x: 2, y: 1, width: 3, height: 3, locked: true, maxOccupancy: 4 }]);
    const beside = paintRect(first, "area", rectBetween({ x: 5, y: 1 }, { x: 6, y: 1 }), true);
    expect(beside.areas.map((a) => a.name)).toEqual(["Booth", "Private area"]);
    const over = paintRect(beside, "area", rectBetween({ x: 3, y: 3 }, { x: 3, y: 4 }), true, {
      area: { name: "Nook", locked: false, maxOccupancy: 0 },
    });
    expect(over.areas).toEqual([
      { name: "Private area", x: 5, y: 1, width: 2, height: 1, locked: false },
      { name: "Nook", x: 3, y: 3, width: 1, height: 2, locked: false },
    ]);
  });

  it("drags a tile tool over a rectangle, setting or clearing it", () => {
    const walls = paintRect(withWall(), "impassable", rectBetween({ x: 0, y: 0 }, { x: 1, y: 1 }), true);
    expect(walls.impassable).toHaveLength(4);
    const cleared = paintRect(walls, "impassable", rectBetween({ x: 0, y: 0 }, { x: 1, y: 0 }), false);
    expect(cleared.impassable).toEqual([
      { x: 0, y: 1 },
      { x: 1, y: 1 },
    ]);
  });

  it("erases everything on a tile, areas covering it included", () => {
    let effects = withWall();
    effects = paintTile(effects, "quiet", { x: 1, y: 1 }, true);
    effects = paintTile(effects, "spawn", { x: 1, y: 1 }, true);
    effects = paintRect(effects, "area", rectBetween({ x: 0, y: 0 }, { x: 2, y: 2 }), true);
    effects = paintTile(effects, "spotlight", { x: 3, y: 3 }, true);
    expect(erase(effects, { x: 1, y: 1 })).toEqual({ ...emptyEffects(), spotlights: [{ x: 3, y: 3 }] });
    expect(toggleTile(effects, "eraser", { x: 3, y: 3 }).spotlights).toEqual([]);
  });

  it("knows which tiles a tool already marks, so a drag from one clears", () => {
    expect(hasEffect(withWall(), "impassable", { x: 1, y: 1 })).toBe(true);
    expect(hasEffect(withWall(), "quiet", { x: 1, y: 1 })).toBe(false);
  });

  it("a stroke that starts on an empty tile sets along its way, one that starts on a wall clears", () => {
    const setting = PaintStroke.begin(withWall(), "impassable", {}, { x: 0, y: 0 })!;
    setting.to({ x: 1, y: 0 });
    expect(setting.to({ x: 1, y: 1 }).impassable).toEqual([
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 1, y: 1 },
    ]);
    const clearing = PaintStroke.begin(setting.effects, "impassable", {}, { x: 1, y: 1 })!;
    clearing.to({ x: 2, y: 1 });
    expect(clearing.to({ x: 0, y: 0 }).impassable).toEqual([{ x: 1, y: 0 }]);
  });

  it("an area stroke spans from where it started to where the pointer is now", () => {
    const stroke = PaintStroke.begin(
      emptyEffects(),
      "area",
      { area: { name: "Room", locked: false } },
      { x: 2, y: 2 },
    )!;
    stroke.to({ x: 5, y: 4 });
    expect(stroke.effects.areas).toEqual([{ name: "Room", x: 2, y: 2, width: 4, height: 3, locked: false }]);
    expect(stroke.to({ x: 1, y: 2 }).areas).toEqual([{ name: "Room", x: 1, y: 2, width: 2, height: 1, locked: false }]);
  });

  it("will not start a portal that leads nowhere, but lets one be cleared", () => {
    expect(PaintStroke.begin(emptyEffects(), "portal", {}, { x: 0, y: 0 })).toBeNull();
    const withPortal = { ...emptyEffects(), portals: [{ x: 0, y: 0, spaceId: "s" }] };
    expect(PaintStroke.begin(withPortal, "portal", {}, { x: 0, y: 0 })!.effects.portals).toEqual([]);
  });
});
