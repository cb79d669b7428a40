// Everyone's 3D figure, drawn as two instanced meshes (bodies and heads) so hundreds of
// people cost two draw calls. Positions glide towards their targets each frame.

import * as THREE from "three";
import { colorForId } from "./colors";
import type { Point } from "../generated/wire";

const BODY_Y = 0.45;
const HEAD_Y = 1.05;
/** Fraction of the remaining distance covered per second, roughly. */
const GLIDE_RATE = 12;

interface Figure {
  slot: number;
  shown: THREE.Vector3;
  target: THREE.Vector3;
}

export function tileCenter(p: Point, y = 0): THREE.Vector3 {
  return new THREE.Vector3(p.x + 0.5, y, p.y + 0.5);
}

export class Avatars {
  private bodies: THREE.InstancedMesh;
  private heads: THREE.InstancedMesh;
  private readonly figures = new Map<string, Figure>();
  private readonly ids: string[] = [];
  private readonly matrix = new THREE.Matrix4();
  private readonly bodyGeometry = new THREE.CapsuleGeometry(0.22, 0.5, 4, 12);
  private readonly headGeometry = new THREE.SphereGeometry(0.2, 16, 12);
  private readonly bodyMaterial = new THREE.MeshLambertMaterial({ color: 0xffffff });
  private readonly headMaterial = new THREE.MeshLambertMaterial({ color: 0xf5d0b0 });

  constructor(
    private readonly scene: THREE.Scene,
    capacity = 64,
  ) {
    this.bodies = this.makeMesh(this.bodyGeometry, this.bodyMaterial, capacity);
    this.heads = this.makeMesh(this.headGeometry, this.headMaterial, capacity);
  }

  has(id: string): boolean {
    return this.figures.has(id);
  }

  /** Where the figure is drawn now (between tiles while gliding). */
  shownPosition(id: string): THREE.Vector3 | null {
    return this.figures.get(id)?.shown ?? null;
  }

  ensure(id: string, at: Point) {
    if (this.figures.has(id)) return this.moveTo(id, at);
    if (this.ids.length === this.capacity()) this.grow();
    const slot = this.ids.length;
    this.ids.push(id);
    this.bodies.count = this.heads.count = this.ids.length;
    const figure = { slot, shown: tileCenter(at), target: tileCenter(at) };
    this.figures.set(id, figure);
    this.bodies.setColorAt(slot, new THREE.Color(colorForId(id)));
    this.bodies.instanceColor!.needsUpdate = true;
    this.write(figure);
  }

  moveTo(id: string, at: Point) {
    this.figures.get(id)?.target.copy(tileCenter(at));
  }

  /** Jumps without gliding, for corrections the user should see at once. */
  snapTo(id: string, at: Point) {
    const figure = this.figures.get(id);
    if (!figure) return;
    figure.target.copy(tileCenter(at));
    figure.shown.copy(figure.target);
    this.write(figure);
  }

  remove(id: string) {
    const figure = this.figures.get(id);
    if (!figure) return;
    // Move the last figure into the freed slot so the instances stay packed.
    const lastId = this.ids.pop()!;
    if (lastId !== id) {
      const last = this.figures.get(lastId)!;
      last.slot = figure.slot;
      this.ids[figure.slot] = lastId;
      this.bodies.setColorAt(figure.slot, new THREE.Color(colorForId(lastId)));
      this.bodies.instanceColor!.needsUpdate = true;
      this.write(last);
    }
    this.figures.delete(id);
    this.bodies.count = this.heads.count = this.ids.length;
  }

  update(dt: number) {
    const k = Math.min(1, dt * GLIDE_RATE);
    let moved = false;
    for (const figure of this.figures.values()) {
      if (figure.shown.distanceToSquared(figure.target) < 1e-6) continue;
      figure.shown.lerp(figure.target, k);
      if (figure.shown.distanceToSquared(figure.target) < 1e-4) figure.shown.copy(figure.target);
      this.write(figure, false);
      moved = true;
    }
    if (moved) {
      this.bodies.instanceMatrix.needsUpdate = true;
      this.heads.instanceMatrix.needsUpdate = true;
    }
  }

  dispose() {
    for (const mesh of [this.bodies, this.heads]) {
      this.scene.remove(mesh);
      mesh.dispose();
    }
    this.bodyGeometry.dispose();
    this.headGeometry.dispose();
    this.bodyMaterial.dispose();
    this.headMaterial.dispose();
  }

  private capacity(): number {
    return this.bodies.instanceMatrix.count;
  }

  private write(figure: Figure, flag = true) {
    const { x, z } = figure.shown;
    this.bodies.setMatrixAt(figure.slot, this.matrix.makeTranslation(x, BODY_Y, z));
    this.heads.setMatrixAt(figure.slot, this.matrix.makeTranslation(x, HEAD_Y, z));
    if (flag) {
      this.bodies.instanceMatrix.needsUpdate = true;
      this.heads.instanceMatrix.needsUpdate = true;
    }
  }

  private grow() {
    const capacity = this.capacity() * 2;
    const bodies = this.makeMesh(this.bodyGeometry, this.bodyMaterial, capacity);
    const heads = this.makeMesh(this.headGeometry, this.headMaterial, capacity);
    for (let i = 0; i < this.ids.length; i++) {
      this.bodies.getMatrixAt(i, this.matrix);
      bodies.setMatrixAt(i, this.matrix);
      this.heads.getMatrixAt(i, this.matrix);
      heads.setMatrixAt(i, this.matrix);
      bodies.setColorAt(i, new THREE.Color(colorForId(this.ids[i])));
    }
    for (const old of [this.bodies, this.heads]) {
      this.scene.remove(old);
      old.dispose();
    }
    this.bodies = bodies;
    this.heads = heads;
    this.bodies.count = this.heads.count = this.ids.length;
  }

  private makeMesh(geometry: THREE.BufferGeometry, material: THREE.Material, capacity: number) {
    const mesh = new THREE.InstancedMesh(geometry, material, capacity);
    mesh.count = 0;
    mesh.frustumCulled = false; // Instances move; the geometry's own bounds would cull them wrongly.
    mesh.instanceMatrix.setUsage(THREE.DynamicDrawUsage);
    mesh.setColorAt(0, new THREE.Color(0xffffff)); // Allocates instanceColor.
    this.scene.add(mesh);
    return mesh;
  }
}
