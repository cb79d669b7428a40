import { afterEach, describe, expect, it, vi } from "vitest";
import { World } from "./world";
import { emptyEffects } from "./effects";
import type { SpaceElementBody, ServerFrame } from "../generated/wire";

const desk = (id: string, x: number, y: number): SpaceElementBody => ({
  id,
  element: { id: "desk", imageUrl: "/demo/desk.svg", width: 1, height: 1, static: true },
  x,
  y,
});

function joined(world: World, x: number, y: number, users: { userId: string; x: number; y: number }[] = []) {
  return world.apply({ type: "space-joined", payload: { spawn: { x, y }, userId: "me", users } });
}

describe("World", () => {
  it("takes its position and the others from space-joined", () => {
    const world = new World(10, 10);
    joined(world, 2, 3, [{ userId: "bob", x: 5, y: 5 }]);
    expect(world.me).toEqual({ x: 2, y: 3 });
    expect(world.others.get("bob")).toEqual({ x: 5, y: 5 });
  });

  it("takes the furniture and effects the server has now in place of its own", () => {
    const world = new World(10, 10, [desk("old", 1, 1)]);
    joined(world, 0, 0);
    const changes = world.refresh([desk("new", 4, 4)], { impassable: [{ x: 2, y: 2 }] });
    expect([...world.elements.keys()]).toEqual(["new"]);
    expect(world.effects.impassable).toEqual([{ x: 2, y: 2 }]);
    expect(changes.map((c) => c.kind)).toEqual(["elements-changed", "effects-changed"]);
  });

  it("predicts a step at once and returns the target to send", () => {
    const world = new World(10, 10);
    joined(world, 2, 3);
    expect(world.step("right")).toEqual({ x: 3, y: 3 });
    expect(world.me).toEqual({ x: 3, y: 3 });
    expect(world.step("up")).toEqual({ x: 3, y: 2 });
  });

  it("does not step off the edge, and leaves furniture and people to the server", () => {
    const world = new World(3, 3, [desk("d", 1, 0)]);
    joined(world, 0, 0, [{ userId: "bob", x: 0, y: 1 }]);
    expect(world.step("left")).toBeNull();
    expect(world.step("up")).toBeNull();
    expect(world.me).toEqual({ x: 0, y: 0 });
    expect(world.step("right")).toEqual({ x: 1, y: 0 }); // onto the desk: the server will refuse
  });

  it("snaps back to the server's position on movement-rejected", () => {
    const world = new World(10, 10);
    joined(world, 2, 2);
    world.step("right");
    world.step("right");
    const changes = world.apply({ type: "movement-rejected", payload: { x: 2, y: 2 } });
    expect(world.me).toEqual({ x: 2, y: 2 });
    expect(changes).toEqual([{ kind: "me-corrected" }]);
    expect(world.corrections).toBe(1);
  });

  it("tracks others joining, moving and leaving", () => {
    const world = new World(10, 10);
    joined(world, 0, 0);
    const frames: ServerFrame[] = [
      { type: "user-joined", payload: { userId: "bob", x: 4, y: 4 } },
      { type: "movement", payload: { userId: "bob", x: 5, y: 4 } },
      { type: "movement", payload: { userId: "carol", x: 1, y: 1 } },
      { type: "user-left", payload: { userId: "bob" } },
      { type: "user-left", payload: { userId: "nobody" } },
    ];
    const kinds = frames.flatMap((f) => world.apply(f)).map((c) => c.kind);
    expect(kinds).toEqual(["other-added", "other-moved", "other-added", "other-removed"]);
    expect([...world.others.keys()]).toEqual(["carol"]);
  });

  it("treats people coming into and out of view like joins and leaves", () => {
    const world = new World(10, 10);
    joined(world, 0, 0);
    expect(world.apply({ type: "user-appeared", payload: { userId: "far", x: 9, y: 9 } })).toEqual([
      { kind: "other-added", userId: "far" },
    ]);
    expect(world.others.get("far")).toEqual({ x: 9, y: 9 });
    expect(world.apply({ type: "user-disappeared", payload: { userId: "far" } })).toEqual([
      { kind: "other-removed", userId: "far" },
    ]);
    expect(world.others.has("far")).toBe(false);
  });

  it("ignores frames about itself", () => {
    const world = new World(10, 10);
    joined(world, 0, 0);
    expect(world.apply({ type: "movement", payload: { userId: "me", x: 9, y: 9 } })).toEqual([]);
    expect(world.me).toEqual({ x: 0, y: 0 });
  });

  it("follows live furniture changes", () => {
    const world = new World(3, 1);
    joined(world, 0, 0);
    expect(world.apply({ type: "element-added", payload: desk("d", 1, 0) })).toEqual([{ kind: "elements-changed" }]);
    expect([...world.elements.keys()]).toEqual(["d"]);
    expect(world.apply({ type: "element-removed", payload: { id: "d" } })).toEqual([{ kind: "elements-changed" }]);
    expect(world.apply({ type: "element-removed", payload: { id: "d" } })).toEqual([]);
    expect(world.elements.size).toBe(0);
  });

  it("passes chat and revocation on", () => {
    const world = new World(10, 10);
    const message = { id: "m1", userId: "bob", username: "bob", text: "hi", scope: "space" as const, ts: 1 };
    expect(world.apply({ type: "chat", payload: message })).toEqual([{ kind: "chat", message }]);
    expect(world.apply({ type: "session-revoked", payload: {} })).toEqual([{ kind: "revoked" }]);
  });

  it("a rejoin replaces the picture of who is there, and says it is one", () => {
    const world = new World(10, 10);
    expect(joined(world, 0, 0, [{ userId: "bob", x: 1, y: 1 }])[0]).toEqual({
      kind: "joined",
      me: { x: 0, y: 0 },
      rejoined: false,
    });
    expect(joined(world, 5, 5, [{ userId: "carol", x: 2, y: 2 }])[0]).toMatchObject({ rejoined: true });
    expect([...world.others.keys()]).toEqual(["carol"]);
    expect(world.me).toEqual({ x: 5, y: 5 });
  });

  it("keeps the picture through a resume", () => {
    const world = new World(10, 10);
    joined(world, 1, 1, [{ userId: "bob", x: 2, y: 2 }]);
    expect(world.apply({ type: "resumed", payload: { replayed: 1, snapshot: false } })).toEqual([]);
    expect(world.others.get("bob")).toEqual({ x: 2, y: 2 });
    expect(world.apply({ type: "movement", payload: { userId: "bob", x: 3, y: 2 } })).toEqual([
      { kind: "other-moved", userId: "bob" },
    ]);
  });

  it("after a resume, predicts no step until the server says where we stand", () => {
    const world = new World(10, 10);
    joined(world, 1, 1);
    world.step("right"); // lost with the socket, say: the server still has us at (1, 1)
    world.apply({ type: "resumed", payload: { replayed: 0, snapshot: false } });
    expect(world.step("right")).toBeNull();
    expect(world.apply({ type: "movement-rejected", payload: { x: 1, y: 1 } })).toEqual([{ kind: "me-corrected" }]);
    expect(world.me).toEqual({ x: 1, y: 1 });
    expect(world.step("right")).toEqual({ x: 2, y: 1 });
  });

  it("after a resume, being told we stand where we thought is no correction", () => {
    const world = new World(10, 10);
    joined(world, 1, 1);
    world.step("down");
    world.apply({ type: "resumed", payload: { replayed: 0, snapshot: false } });
    expect(world.apply({ type: "movement-rejected", payload: { x: 1, y: 2 } })).toEqual([]);
    expect(world.corrections).toBe(0);
    expect(world.step("down")).toEqual({ x: 1, y: 3 });
  });

  it("after a resume that needed a fresh start, the space-joined that follows is the picture", () => {
    const world = new World(10, 10);
    joined(world, 1, 1, [{ userId: "bob", x: 2, y: 2 }]);
    world.step("right");
    world.apply({ type: "resumed", payload: { replayed: 0, snapshot: true } });
    joined(world, 4, 4, [{ userId: "bob", x: 6, y: 6 }]);
    expect(world.me).toEqual({ x: 4, y: 4 });
    expect(world.others.get("bob")).toEqual({ x: 6, y: 6 });
    expect(world.step("left")).toEqual({ x: 3, y: 4 });
  });
});

/** One frame of each type the server sends: a type added in Rust is missing here until typecheck passes. */
const oneOfEach: { [K in ServerFrame["type"]]: Extract<ServerFrame, { type: K }> } = {
  "space-joined": { type: "space-joined", payload: { spawn: { x: 0, y: 0 }, userId: "me", users: [] } },
  "user-joined": { type: "user-joined", payload: { userId: "bob", x: 1, y: 1 } },
  movement: { type: "movement", payload: { userId: "bob", x: 1, y: 2 } },
  "movement-rejected": { type: "movement-rejected", payload: { x: 0, y: 0 } },
  "user-left": { type: "user-left", payload: { userId: "bob" } },
  "user-appeared": { type: "user-appeared", payload: { userId: "far", x: 9, y: 9 } },
  "user-disappeared": { type: "user-disappeared", payload: { userId: "far" } },
  "element-added": { type: "element-added", payload: desk("d", 1, 0) },
  "element-removed": { type: "element-removed", payload: { id: "d" } },
  "space-closed": { type: "space-closed", payload: { spaceId: "space" } },
  chat: { type: "chat", payload: { id: "m1", userId: "bob", username: "bob", text: "hi", scope: "space", ts: 1 } },
  "media-answer": { type: "media-answer", payload: { sdp: "v=0" } },
  "media-offer": { type: "media-offer", payload: { sdp: "v=0" } },
  "media-connected": { type: "media-connected", payload: {} },
  "media-failed": { type: "media-failed", payload: { reason: "lost" } },
  "media-peers": { type: "media-peers", payload: { peers: ["bob"] } },
  "media-slots": { type: "media-slots", payload: { audio: ["bob", null], camera: [null], screen: [null] } },
  "effects-changed": { type: "effects-changed", payload: { effects: { ...emptyEffects(), quiet: [{ x: 1, y: 1 }] } } },
  teleported: { type: "teleported", payload: { x: 3, y: 3 } },
  "portal-reached": { type: "portal-reached", payload: { spaceId: "other" } },
  "user-status": { type: "user-status", payload: { userId: "bob", status: "busy", text: "" } },
  knock: { type: "knock", payload: { userId: "bob", area: "Booth" } },
  admitted: { type: "admitted", payload: { area: "Booth" } },
  "media-muted": { type: "media-muted", payload: {} },
  removed: { type: "removed", payload: { reason: "kicked" } },
  "session-revoked": { type: "session-revoked", payload: {} },
  resumed: { type: "resumed", payload: { replayed: 2, snapshot: false } },
  "server-shutdown": { type: "server-shutdown", payload: {} },
  error: { type: "error", payload: { code: "rate-limited", message: "slow down" } },
};

describe("World.apply", () => {
  afterEach(() => vi.restoreAllMocks());

  it("handles every frame type the server sends", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const world = new World(10, 10);
    for (const frame of Object.values(oneOfEach)) {
      const changes = world.apply(frame);
      expect(changes, frame.type).toBeInstanceOf(Array);
      const quiet = ["user-left", "user-disappeared", "element-removed", "resumed"];
      if (!quiet.includes(frame.type)) {
        expect(changes.length, frame.type).toBeGreaterThan(0);
      }
    }
    expect(warn).not.toHaveBeenCalled();
  });

  it("warns about a frame type it does not know and goes on", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const world = new World(10, 10);
    joined(world, 1, 1);
    const unknown = { type: "fireworks", payload: { colour: "red" } } as unknown as ServerFrame;
    expect(() => world.apply(unknown)).not.toThrow();
    expect(world.apply(unknown)).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("unknown"), "fireworks");
    expect(world.me).toEqual({ x: 1, y: 1 });
  });

  it("passes media signalling on without keeping any of it", () => {
    const world = new World(10, 10);
    joined(world, 1, 1, [{ userId: "bob", x: 2, y: 2 }]);
    const frame = oneOfEach["media-peers"];
    expect(world.apply(frame)).toEqual([{ kind: "media", frame }]);
    expect([...world.others.keys()]).toEqual(["bob"]);
  });

  it("reports that the server is stopping, and keeps the picture until the rejoin", () => {
    const world = new World(10, 10);
    joined(world, 1, 1, [{ userId: "bob", x: 2, y: 2 }]);
    expect(world.apply(oneOfEach["server-shutdown"])).toEqual([{ kind: "server-stopping" }]);
    expect(world.me).toEqual({ x: 1, y: 1 });
    expect(world.others.get("bob")).toEqual({ x: 2, y: 2 });
  });
});
