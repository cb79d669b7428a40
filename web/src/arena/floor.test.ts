import { describe, expect, it } from "vitest";
import * as THREE from "three";
import { Floor } from "./floor";

/** Where each corner of the floor image lands, in world x (column) and z (row). */
function corners(width: number, height: number) {
  const scene = new THREE.Scene();
  new Floor(scene, width, height);
  const floor = scene.children.find((c): c is THREE.Mesh => c instanceof THREE.Mesh)!;
  floor.updateMatrixWorld();
  const position = floor.geometry.getAttribute("position");
  const uv = floor.geometry.getAttribute("uv");
  const at = new Map<string, { x: number; y: number; z: number }>();
  for (let i = 0; i < position.count; i++) {
    const p = new THREE.Vector3().fromBufferAttribute(position, i).applyMatrix4(floor.matrixWorld);
    at.set(`${uv.getX(i)},${uv.getY(i)}`, { x: round(p.x), y: round(p.y), z: round(p.z) });
  }
  return at;
}

/** Turning the plane flat leaves float dust (and -0) behind. */
const round = (n: number) => Math.round(n * 1e6) / 1e6 + 0;

describe("Floor", () => {
  // A loaded image is flipped (three's default), so its top row sits at v = 1.
  it("puts the image's top-left on tile (0,0) and its bottom-right on the far corner", () => {
    const at = corners(10, 8);
    expect(at.get("0,1")).toEqual({ x: 0, y: 0, z: 0 });
    expect(at.get("1,1")).toEqual({ x: 10, y: 0, z: 0 });
    expect(at.get("0,0")).toEqual({ x: 0, y: 0, z: 8 });
    expect(at.get("1,0")).toEqual({ x: 10, y: 0, z: 8 });
  });
});
