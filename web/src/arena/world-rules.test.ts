import { describe, expect, it } from "vitest";
import { World } from "./world";
import { emptyEffects } from "./effects";
import type { EffectsBody } from "../generated/wire";

function joined(world: World, x: number, y: number) {
  return world.apply({ type: "space-joined", payload: { spawn: { x, y }, userId: "me", users: [] } });
}

describe("World and a space's rules", () => {
  it("starts from the effects GET space gave, with missing lists filled in", () => {
    const world = new World(10, 10, [], { impassable: [{ x: 1, y: 1 }] });
    expect(world.effects).toEqual({ ...emptyEffects(), impassable: [{ x: 1, y: 1 }] });
    expect(new World(10, 10).effects).toEqual(emptyEffects());
  });

  it("replaces the effects whole on effects-changed", () => {
    const world = new World(10, 10, [], { ...emptyEffects(), quiet: [{ x: 0, y: 0 }] });
    const effects: EffectsBody = {
      ...emptyEffects(),
      portals: [{ x: 2, y: 2, spaceId: "next", spawn: "hall" }],
      areas: [{ name: "Booth", x: 0, y: 0, width: 2, height: 2, locked: false }],
    };
    expect(world.apply({ type: "effects-changed", payload: { effects } })).toEqual([{ kind: "effects-changed" }]);
    expect(world.effects).toEqual(effects);
    expect(world.effects.quiet).toEqual([]);
  });

  it("snaps us to where a portal took us", () => {
    const world = new World(10, 10);
    joined(world, 0, 0);
    world.step("right");
    expect(world.apply({ type: "teleported", payload: { x: 8, y: 8 } })).toEqual([{ kind: "me-teleported" }]);
    expect(world.me).toEqual({ x: 8, y: 8 });
    expect(world.step("up")).toEqual({ x: 8, y: 7 });
  });

  it("remembers the last portal to another space", () => {
    const world = new World(10, 10);
    const changes = world.apply({ type: "portal-reached", payload: { spaceId: "b", spawn: "hall" } });
    expect(changes).toEqual([{ kind: "portal-reached", portal: { spaceId: "b", spawn: "hall" } }]);
    world.apply({ type: "portal-reached", payload: { spaceId: "c" } });
    expect(world.lastPortal).toEqual({ spaceId: "c" });
  });

  it("keeps statuses by person, forgetting plain available ones and people who left", () => {
    const world = new World(10, 10);
    joined(world, 0, 0);
    world.apply({ type: "user-joined", payload: { userId: "bob", x: 1, y: 1 } });
    world.apply({ type: "user-status", payload: { userId: "bob", status: "busy", text: "in a call" } });
    expect(world.statuses.get("bob")).toEqual({ status: "busy", text: "in a call" });
    world.apply({ type: "user-status", payload: { userId: "bob", status: "available", text: "" } });
    expect(world.statuses.has("bob")).toBe(false);
    world.apply({ type: "user-status", payload: { userId: "bob", status: "do-not-disturb", text: "" } });
    world.apply({ type: "user-left", payload: { userId: "bob" } });
    expect(world.statuses.has("bob")).toBe(false);
  });

  it("passes removal and muting on", () => {
    const world = new World(10, 10);
    expect(world.apply({ type: "removed", payload: { reason: "banned" } })).toEqual([
      { kind: "removed", reason: "banned" },
    ]);
    expect(world.apply({ type: "media-muted", payload: {} })).toEqual([{ kind: "media-muted" }]);
  });
});

describe("World and knocks on a locked area", () => {
  const booth = { name: "Booth", x: 0, y: 0, width: 3, height: 3, locked: true };

  /** We stand inside the booth at (1, 1); bob waits at its door, (3, 1). */
  function inBooth() {
    const world = new World(10, 10, [], { ...emptyEffects(), areas: [booth] });
    world.apply({
      type: "space-joined",
      payload: { spawn: { x: 1, y: 1 }, userId: "me", users: [{ userId: "bob", x: 3, y: 1 }] },
    });
    expect(world.apply({ type: "knock", payload: { userId: "bob", area: "Booth" } })).toEqual([
      { kind: "knock", knock: { userId: "bob", area: "Booth" } },
    ]);
    return world;
  }

  it("queues a knock, once per person", () => {
    const world = inBooth();
    world.apply({ type: "knock", payload: { userId: "bob", area: "Booth" } });
    expect(world.knocks.list).toEqual([{ userId: "bob", area: "Booth" }]);
  });

  it("drops the knock once the knocker stands inside", () => {
    const world = inBooth();
    expect(world.apply({ type: "movement", payload: { userId: "bob", x: 4, y: 1 } })).toEqual([
      { kind: "other-moved", userId: "bob" },
    ]);
    expect(world.knocks.size).toBe(1);
    world.apply({ type: "movement", payload: { userId: "bob", x: 3, y: 1 } });
    expect(world.apply({ type: "movement", payload: { userId: "bob", x: 2, y: 1 } })).toEqual([
      { kind: "other-moved", userId: "bob" },
      { kind: "knocks-changed" },
    ]);
    expect(world.knocks.size).toBe(0);
  });

  it("drops the knock of someone who left", () => {
    const world = inBooth();
    expect(world.apply({ type: "user-left", payload: { userId: "bob" } })).toEqual([
      { kind: "other-removed", userId: "bob" },
      { kind: "knocks-changed" },
    ]);
    expect(world.knocks.size).toBe(0);
  });

  it("drops knocks once we step out, since only those inside may let someone in", () => {
    const world = inBooth();
    world.step("down");
    expect(world.knocks.size).toBe(1);
    world.step("down");
    expect(world.knocks.size).toBe(0);
  });

  it("drops knocks on an area that is no longer there, and a knock we answered", () => {
    const world = inBooth();
    expect(world.answerKnock("bob")).toBe(true);
    world.apply({ type: "knock", payload: { userId: "bob", area: "Booth" } });
    expect(world.apply({ type: "effects-changed", payload: { effects: emptyEffects() } })).toEqual([
      { kind: "effects-changed" },
      { kind: "knocks-changed" },
    ]);
    expect(world.knocks.size).toBe(0);
  });

  it("remembers the last area we were let into", () => {
    const world = new World(10, 10);
    expect(world.lastAdmitted).toBeNull();
    expect(world.apply({ type: "admitted", payload: { area: "Booth" } })).toEqual([
      { kind: "admitted", area: "Booth" },
    ]);
    expect(world.lastAdmitted).toBe("Booth");
  });
});
